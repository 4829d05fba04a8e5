package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"seura.fi/seura/internal/atomicfile"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// auditCmd verifies and exports the tamper-evident audit trail.
func auditCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and export the audit trail"}
	cmd.AddCommand(auditVerifyCmd())
	return cmd
}

// anchorFile is where verify keeps the last head it verified, by default in
// the data directory, outside the database: an attacker who truncates the
// trail and rewinds the head row in the database must also find and rewrite
// this file.
const anchorFile = "audit-anchor.json"

func auditVerifyCmd() *cobra.Command {
	var anchorPath string
	var noAnchor bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the audit trail's hash chain and report the first place it was tampered with",
		Long: `Reads every audit event in chain order and recomputes the hash chain
(docs/audit-format.md). Prints the number of events and the head hash, or
fails with the first sequence number where the trail was changed, an event
deleted, inserted or moved, or the tail cut off.

On PostgreSQL, connect as the database owner (the --db that runs
"seura migrate"): only the owner may read every association's events.

The verified head is kept in an anchor file; the next run checks that the
chain still contains it, which detects a truncated tail even when the head
row in the database was rewound too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, cfg.DSN())
			if err != nil {
				return err
			}
			defer db.Close()
			if err := db.CheckSchema(ctx); err != nil {
				return err
			}
			if anchorPath == "" {
				anchorPath = filepath.Join(cfg.Data, anchorFile)
			}
			opt := audit.VerifyOptions{Progress: verifyProgress()}
			if !noAnchor {
				if opt.Anchor, err = readAnchor(anchorPath); err != nil {
					return err
				}
			}
			start := time.Now()
			res, err := audit.Verify(ctx, db, opt)
			if err != nil {
				return err
			}
			fmt.Printf("audit trail OK: %d events verified in %s, head %d %s\n", res.Count,
				time.Since(start).Round(time.Millisecond), res.Head.Seq, res.Head.Hash)
			if !noAnchor {
				if err := writeAnchor(anchorPath, res.Head); err != nil {
					fmt.Fprintf(os.Stderr, "warning: the verified head was not kept: %v\n", err)
				}
			}
			return nil
		},
	}
	withConfig(cmd)
	cmd.Flags().StringVar(&anchorPath, "anchor", "", "file keeping the last verified head (default: "+anchorFile+" in the data directory)")
	cmd.Flags().BoolVar(&noAnchor, "no-anchor", false, "neither check nor keep the last verified head")
	return cmd
}

// anchorRecord is the anchor file's content.
type anchorRecord struct {
	audit.Anchor
	VerifiedAt time.Time `json:"verified_at"`
}

// readAnchor returns the head kept by the last verification, nil when there
// is none yet.
func readAnchor(path string) (*audit.Anchor, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit anchor: %w", err)
	}
	var rec anchorRecord
	if err := json.Unmarshal(b, &rec); err != nil || len(rec.Hash) != 64 {
		return nil, fmt.Errorf("audit anchor %s is damaged (want {\"seq\":N,\"hash\":\"64 hex digits\"}); check it, or use --no-anchor", path)
	}
	return &rec.Anchor, nil
}

// writeAnchor replaces the anchor file atomically, so a crash leaves the old
// or the new head, never half of one.
func writeAnchor(path string, head audit.Anchor) error {
	b, err := json.MarshalIndent(anchorRecord{Anchor: head, VerifiedAt: time.Now().UTC()}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// verifyProgress shows a bar on a terminal for long runs; elsewhere it stays
// silent, so a scheduled run logs only its result.
func verifyProgress() func(done, total int64) {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	var bar *progressbar.ProgressBar
	return func(done, total int64) {
		if bar == nil {
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr),
				progressbar.OptionSetDescription("verifying"), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("events"), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionClearOnFinish())
		}
		_ = bar.Set64(done)
		if done >= total {
			_ = bar.Finish()
		}
	}
}
