package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/postcode"
)

// postcodesCmd keeps the platform's postcode table current: Posti publishes
// a new postcode file every few weeks, and an operator loads it here.
func postcodesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "postcodes", Short: "Manage the platform's postcode table"}
	var dryRun bool
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import Posti's postcode file (PCF_*.dat) or a CSV/TSV of postcode, town, Swedish town, municipality",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			a, err := open(cmd, false)
			if err != nil {
				return err
			}
			defer a.Close()
			ctx := audit.WithActor(cmd.Context(), cliActor())
			var res postcode.ImportResult
			if dryRun {
				res, err = postcode.PlanImport(ctx, a.DB, f)
			} else {
				res, err = postcode.ImportPosti(ctx, a.DB, a.Audit, a.Clock.Now(), f)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			verb := "imported"
			if dryRun {
				verb = "would import (dry run, nothing changed)"
			}
			fmt.Printf("%s %d postcodes: %d new, %d renamed\n", verb, res.Total, res.Added, res.Changed)
			return nil
		},
	}
	imp.Flags().BoolVar(&dryRun, "dry-run", false, "only report what would change")
	withConfig(imp)
	cmd.AddCommand(imp)
	return cmd
}
