package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"seura.fi/seura/internal/logd"
)

// logdCmd runs the separate log server that keeps the audit trail.
func logdCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logd",
		Short: "The separate log server that keeps the audit trail",
		Long: `The log server keeps the application's audit events in a transparency log
(tlog-tiles layout, RFC 6962 hashing, checkpoints signed with the log's own
Ed25519 key). Run it on a separate machine with its own data directory.

Senders authenticate with TLS plus a bearer token (seura logd sender add);
anyone may read the checkpoint, tiles, entries and proofs.`,
	}
	cmd.AddCommand(logdInitCmd(), logdSenderCmd(), logdServeCmd(), logdVerifyCmd())
	return cmd
}

func logdInitCmd() *cobra.Command {
	var dir, origin string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a log's data directory and signing key, and print its public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := logdRequired("--dir", dir); err != nil {
				return err
			}
			if err := logdRequired("--origin", origin); err != nil {
				return err
			}
			vkey, err := logd.Init(dir, origin)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Log %q created in %s.\n", origin, dir)
			fmt.Fprintln(out, "Public key (give it to the application and to auditors):")
			fmt.Fprintln(out, vkey)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory of the log (created if missing)")
	cmd.Flags().StringVar(&origin, "origin", "", "name of the log, e.g. logd.example.fi/seura (no spaces or '+')")
	return cmd
}

func logdSenderCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "sender", Short: "Manage who may append to the log"}
	var dir string
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Allow a sender to append, and print its token (shown only once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := logdRequired("--dir", dir); err != nil {
				return err
			}
			token, err := logd.AddSender(dir, args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Sender %q added. Its token (shown only now):\n%s\n", args[0], token)
			return nil
		},
	}
	add.Flags().StringVar(&dir, "dir", "", "data directory of the log")
	cmd.AddCommand(add)
	return cmd
}

func logdServeCmd() *cobra.Command {
	var dir, listen, certFile, keyFile string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the log server over HTTPS",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, f := range [][2]string{{"--dir", dir}, {"--tls-cert", certFile}, {"--tls-key", keyFile}} {
				if err := logdRequired(f[0], f[1]); err != nil {
					return err
				}
			}
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				return fmt.Errorf("--tls-cert/--tls-key: %w", err)
			}
			log := slog.New(slog.NewTextHandler(os.Stderr, nil))
			logd.RouteTesseraLogs(log)
			ctx := cmd.Context()
			srv, err := logd.Open(ctx, logd.Config{Dir: dir, CheckpointInterval: interval, Logger: log})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				srv.Close(ctx)
				return fmt.Errorf("--listen %s: %w", listen, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Log server %s is serving https://%s\n", srv.Verifier().Name(), ln.Addr())
			return srv.ServeTLS(ctx, ln, cert)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory of the log")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8443", "address and port to listen on")
	cmd.Flags().StringVar(&certFile, "tls-cert", "", "TLS certificate file (PEM)")
	cmd.Flags().StringVar(&keyFile, "tls-key", "", "TLS private key file (PEM)")
	cmd.Flags().DurationVar(&interval, "checkpoint-interval", time.Second, "how often a new checkpoint is signed when the log has grown")
	return cmd
}

func logdVerifyCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the log's files against its signed checkpoint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := logdRequired("--dir", dir); err != nil {
				return err
			}
			res, err := logd.Verify(cmd.Context(), dir)
			var problem *logd.Problem
			if errors.As(err, &problem) {
				return fmt.Errorf("log verification failed: %w", err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Log verified: %d entries, root %x (%d entry bundles, %d tiles checked).\n",
				res.Size, res.Root, res.Bundles, res.Tiles)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "data directory of the log")
	return cmd
}

// logdRequired refuses an empty flag by name.
func logdRequired(flag, value string) error {
	if value == "" {
		return fmt.Errorf("%s is required", flag)
	}
	return nil
}
