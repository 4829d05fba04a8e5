// Command seura is the membership register: the web app and its tools, in
// one binary. This file holds flags and wiring only.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root().ExecuteContext(ctx); err != nil {
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") {
			// Some errors span lines (cobra's "Did you mean this?"); a
			// failure is reported on one.
			msg = strings.Join(strings.Fields(msg), " ")
		}
		fmt.Fprintf(os.Stderr, "seura: %s\n", msg)
		os.Exit(1)
	}
}

func root() *cobra.Command {
	cmd := &cobra.Command{
		Use:           "seura",
		Short:         "Seura, the membership register for associations",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.AddCommand(serveCmd(), migrateCmd(), demoCmd(), importCmd(), postcodesCmd(), auditCmd(), logdCmd(), userCmd(), apikeyCmd(), configCmd())
	return cmd
}
