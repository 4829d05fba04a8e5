package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/importfile"
	"seura.fi/seura/internal/memberimport"
	"seura.fi/seura/internal/store"
)

// maxProblemsShown bounds the problem list printed for a bad file; the
// count says how many there are in all.
const maxProblemsShown = 50

func importCmd() *cobra.Command {
	var assocID string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import members from a CSV or XLSX file: all rows or none; --dry-run only reports",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openFor(cmd, assocID)
			if err != nil {
				return err
			}
			defer a.Close()
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			table, err := importfile.Read(filepath.Base(args[0]), f, importfile.Limits{})
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			// The mapping the association's last import of such a file
			// used, or else what the headings suggest.
			var mapping memberimport.Mapping
			var source memberimport.Source
			err = a.DB.For(assocID).Read(cmd.Context(), func(tx *store.TenantTx) error {
				mapping, source, err = memberimport.Recall(cmd.Context(), tx, table.Header)
				return err
			})
			if err != nil {
				return err
			}
			if err := mapping.Check(table.Header); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "column mapping (%s):\n", source)
			for i, h := range table.Header {
				target := string(mapping[i])
				if target == "" {
					target = "(ignored)"
				}
				fmt.Fprintf(os.Stderr, "column %q → %s\n", h, target)
			}
			ctx := audit.WithActor(cmd.Context(), cliActor())
			now := a.Clock.Now()
			var res *memberimport.Result
			if dryRun {
				opts := memberimport.Options{Progress: progressOf(len(table.Rows), "checking rows")}
				err = a.DB.For(assocID).Read(ctx, func(tx *store.TenantTx) error {
					res, err = memberimport.Plan(ctx, tx, table, mapping, now, opts)
					return err
				})
			} else {
				opts := memberimport.Options{Progress: progressOf(2*len(table.Rows), "importing rows")}
				err = a.DB.For(assocID).Write(ctx, func(tx *store.TenantTx) error {
					res, err = memberimport.Commit(ctx, tx, a.Audit, table, mapping, now, opts)
					return err
				})
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(os.Stderr)
			fmt.Printf("rows %d: new %d, updated %d, unchanged %d, empty %d, with problems %d\n",
				res.Rows, res.New, res.Updated, res.Unchanged, res.Skipped, res.ProblemRows)
			for i, p := range res.Problems {
				if i == maxProblemsShown {
					fmt.Printf("… and %d more problems\n", len(res.Problems)-maxProblemsShown+res.ProblemsOmitted)
					break
				}
				fmt.Println(p.String())
			}
			switch {
			case !res.OK():
				return errors.New("nothing was imported: fix the rows above and run again")
			case dryRun:
				fmt.Println("dry run: nothing was written")
			default:
				fmt.Println("imported")
			}
			return nil
		},
	}
	withConfig(cmd)
	cmd.Flags().StringVar(&assocID, "association", "", "association id")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check the file and report what would change, writing nothing")
	return cmd
}

// progressOf adapts newProgress to the (done, total) callbacks of the
// import, whose total is known up front.
func progressOf(total int, what string) func(done, total int) {
	show := newProgress(max(total, 1), what)
	return func(done, _ int) { show(done) }
}
