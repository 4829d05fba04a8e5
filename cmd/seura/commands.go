package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"seura.fi/seura/internal/app"
	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/config"
	"seura.fi/seura/internal/demo"
	"seura.fi/seura/internal/store"
)

// withConfig adds the shared settings flags to cmd.
func withConfig(cmd *cobra.Command) *cobra.Command {
	config.Flags(cmd.Flags())
	return cmd
}

func load(cmd *cobra.Command) (config.Config, error) {
	return config.Load(cmd.Flags())
}

// open wires the application for a one-shot command, which writes its logs
// only when they are warnings.
func open(cmd *cobra.Command, migrate bool) (*app.App, error) {
	cfg, err := load(cmd)
	if err != nil {
		return nil, err
	}
	if cfg.LogLevel == "info" {
		cfg.LogLevel = "warn"
	}
	return app.Open(cmd.Context(), cfg, app.Options{Migrate: migrate})
}

func serveCmd() *cobra.Command {
	var withDemo, noMigrate bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the web app and JSON API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			a, err := app.Open(ctx, cfg, app.Options{Migrate: !noMigrate})
			if err != nil {
				return err
			}
			defer a.Close()
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
			}
			url := "http://" + ln.Addr().String()
			if withDemo {
				if err := startDemo(ctx, a, os.Stdout, url); err != nil {
					ln.Close()
					return err
				}
			} else if need, _ := needsSetup(ctx, a.DB); need {
				fmt.Printf("Seura is not set up yet: open %s/setup to create the first operator and association.\n", url)
			}
			fmt.Printf("Seura is serving %s (database %s)\n", url, a.DB)
			a.Log.Info("serving", "addr", ln.Addr().String(), "db", a.DB.String())
			return a.Serve(ctx, ln, 30*time.Second)
		},
	}
	withConfig(cmd)
	cmd.Flags().BoolVar(&withDemo, "demo", false, "on first start, create a demo association with 500 members and print how to log in")
	cmd.Flags().BoolVar(&noMigrate, "no-migrate", false, "do not apply migrations; refuse to start unless the schema is current")
	return cmd
}

func needsSetup(ctx context.Context, db *store.DB) (bool, error) {
	var n int
	err := db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	})
	return n == 0, err
}

// startDemo fills an empty installation with a demo association and three
// accounts, and prints how to log in. A second start with --demo leaves the
// data alone.
func startDemo(ctx context.Context, a *app.App, out *os.File, url string) error {
	empty, err := needsSetup(ctx, a.DB)
	if err != nil || !empty {
		if err == nil {
			fmt.Fprintln(out, "Demo data already exists; log in with the accounts printed at first start.")
		}
		return err
	}
	res, err := demo.Populate(ctx, a.DB, a.Audit, demo.Plan{Members: 500, Associations: 1, Seed: 1, Today: a.Clock.Now()})
	if err != nil {
		return err
	}
	assoc := res.Associations[0]
	type account struct{ email, name, password, what string }
	accounts := []account{
		{"operator@demo.seura.invalid", "Olli Operaattori", auth.RandomPassword(), "platform operator (two-step verification is set up at first login)"},
		{"ordforande@demo.seura.invalid", "Anna Ordförande", auth.RandomPassword(), "administrator of " + assoc.Name + " (two-step verification is set up at first login)"},
		{"kassor@demo.seura.invalid", "Kalle Kassör", auth.RandomPassword(), "user (treasurer) of " + assoc.Name},
	}
	ctx = audit.WithActor(ctx, audit.Actor{Type: audit.ActorSystem, Label: "seura serve --demo"})
	err = a.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := a.Auth.CreateUser(ctx, tx, accounts[0].email, accounts[0].name, accounts[0].password, true); err != nil {
			return err
		}
		scoped, err := tx.Within(ctx, assoc.ID)
		if err != nil {
			return err
		}
		for i, role := range []auth.Role{auth.RoleAdmin, auth.RoleUser} {
			acc := accounts[i+1]
			if _, err := a.Auth.CreateUser(ctx, tx, acc.email, acc.name, acc.password, false); err != nil {
				return err
			}
			if _, err := a.Auth.AddUser(ctx, scoped, acc.email, acc.name, role); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo association %q created with %d members.\nLog in at %s/login with:\n", assoc.Name, res.Members, url)
	for _, acc := range accounts {
		fmt.Fprintf(out, "  %-32s  password %s   %s\n", acc.email, acc.password, acc.what)
	}
	fmt.Fprintln(out, "These passwords are shown only now.")
	return nil
}

func migrateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply schema migrations and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			db, err := store.Open(cmd.Context(), cfg.DSN())
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := db.Migrate(cmd.Context(), cfg.PGAppRole)
			if err != nil {
				return err
			}
			fmt.Printf("applied %d migration(s); schema is at version %d\n", n, store.LatestVersion())
			return nil
		},
	}
	return withConfig(cmd)
}

func demoCmd() *cobra.Command {
	var members, associations int
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate realistic demo associations and members",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := open(cmd, true)
			if err != nil {
				return err
			}
			defer a.Close()
			start := time.Now()
			progress := newProgress(members, "generating members")
			res, err := demo.Populate(cmd.Context(), a.DB, a.Audit, demo.Plan{Members: members, Associations: associations,
				Seed: seed, Today: a.Clock.Now(), Progress: progress})
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "\ncreated %d association(s) with %d members in %s\n", len(res.Associations), res.Members,
				time.Since(start).Round(time.Millisecond))
			for _, as := range res.Associations {
				fmt.Printf("%s\t%s\n", as.ID, as.Name)
			}
			return nil
		},
	}
	withConfig(cmd)
	cmd.Flags().IntVar(&members, "members", 1000, "number of members in all")
	cmd.Flags().IntVar(&associations, "associations", 1, "number of associations to spread them over")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same people")
	return cmd
}

// newProgress shows a bar on a terminal and a line per tenth elsewhere.
func newProgress(total int, what string) func(int) {
	if term.IsTerminal(int(os.Stderr.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("members"),
			progressbar.OptionThrottle(100*time.Millisecond))
		return func(done int) { _ = bar.Set(done) }
	}
	next := total / 10
	return func(done int) {
		if done >= next || done == total {
			fmt.Fprintf(os.Stderr, "%s: %d/%d\n", what, done, total)
			next += max(total/10, 1)
		}
	}
}

func userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create accounts and reset passwords"}
	var email, name, assocID, role string
	var operator bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an account with a generated password (printed once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := open(cmd, false)
			if err != nil {
				return err
			}
			defer a.Close()
			if !operator && assocID == "" {
				return errors.New("give --association ID and --role, or --operator")
			}
			pw := auth.RandomPassword()
			ctx := audit.WithActor(cmd.Context(), cliActor())
			err = a.DB.Write(ctx, func(tx *store.Tx) error {
				if _, err := a.Auth.CreateUser(ctx, tx, email, name, pw, operator); err != nil {
					return err
				}
				if assocID == "" {
					return nil
				}
				r, err := auth.ParseRole(role)
				if err != nil {
					return err
				}
				if _, err := association.Get(ctx, tx, assocID); err != nil {
					return fmt.Errorf("association %s: %w", assocID, err)
				}
				scoped, err := tx.Within(ctx, assocID)
				if err != nil {
					return err
				}
				_, err = a.Auth.AddUser(ctx, scoped, email, name, r)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Printf("created %s with password %s (shown only now)\n", strings.ToLower(email), pw)
			return nil
		},
	}
	withConfig(create)
	create.Flags().StringVar(&email, "email", "", "e-mail address (the login)")
	create.Flags().StringVar(&name, "name", "", "full name")
	create.Flags().BoolVar(&operator, "operator", false, "make a platform operator")
	create.Flags().StringVar(&assocID, "association", "", "association id to give a role in")
	create.Flags().StringVar(&role, "role", "user", "admin, user or guest")

	var resetEmail string
	reset := &cobra.Command{
		Use:   "reset-password",
		Short: "Set a new generated password (printed once) and end the account's sessions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := open(cmd, false)
			if err != nil {
				return err
			}
			defer a.Close()
			pw := auth.RandomPassword()
			ctx := audit.WithActor(cmd.Context(), cliActor())
			if err := a.Auth.SetPasswordByEmail(ctx, resetEmail, pw); err != nil {
				return err
			}
			fmt.Printf("new password for %s: %s (shown only now)\n", strings.ToLower(resetEmail), pw)
			return nil
		},
	}
	withConfig(reset)
	reset.Flags().StringVar(&resetEmail, "email", "", "e-mail address of the account")
	cmd.AddCommand(create, reset)
	return cmd
}

// cliActor is how a command-line action appears in the audit trail: the
// operating-system user who ran it.
func cliActor() audit.Actor {
	who := os.Getenv("SUDO_USER")
	if who == "" {
		who = os.Getenv("USER")
	}
	return audit.Actor{Type: audit.ActorOperator, Label: "cli:" + who}
}

func apikeyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "apikey", Short: "Create, list and revoke an association's API keys"}
	var assocID, name, scope, prefix string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API key (printed once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, assocID)
			if err != nil {
				return err
			}
			defer a.Close()
			var key string
			ctx := audit.WithActor(cmd.Context(), cliActor())
			err = a.DB.For(assocID).Write(ctx, func(tx *store.TenantTx) error {
				var err error
				key, _, err = a.Auth.CreateAPIKey(ctx, tx, name, scope)
				return err
			})
			if err != nil {
				return err
			}
			fmt.Printf("%s\n(shown only now; use it as Authorization: Bearer <key>)\n", key)
			return nil
		},
	}
	withConfig(create)
	create.Flags().StringVar(&assocID, "association", "", "association id")
	create.Flags().StringVar(&name, "name", "", "what the key is for")
	create.Flags().StringVar(&scope, "scope", "read", "read or write")

	list := &cobra.Command{
		Use:   "list",
		Short: "List an association's API keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, assocID)
			if err != nil {
				return err
			}
			defer a.Close()
			return a.DB.For(assocID).Read(cmd.Context(), func(tx *store.TenantTx) error {
				ks, err := auth.ListAPIKeys(cmd.Context(), tx)
				for _, k := range ks {
					state := "active"
					if k.Revoked {
						state = "revoked"
					}
					fmt.Printf("%s\t%s\t%s\t%s\t%s\n", k.Prefix, k.Scope, state, k.CreatedAt.Format(time.RFC3339), k.Name)
				}
				return err
			})
		},
	}
	withConfig(list)
	list.Flags().StringVar(&assocID, "association", "", "association id")

	revoke := &cobra.Command{
		Use:   "revoke",
		Short: "Revoke an API key by its prefix",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openFor(cmd, assocID)
			if err != nil {
				return err
			}
			defer a.Close()
			ctx := audit.WithActor(cmd.Context(), cliActor())
			return a.DB.For(assocID).Write(ctx, func(tx *store.TenantTx) error {
				return a.Auth.RevokeAPIKey(ctx, tx, prefix)
			})
		},
	}
	withConfig(revoke)
	revoke.Flags().StringVar(&assocID, "association", "", "association id")
	revoke.Flags().StringVar(&prefix, "prefix", "", "the key's prefix, as apikey list shows it")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// openFor opens the application for a command about one association,
// which must exist.
func openFor(cmd *cobra.Command, id string) (*app.App, error) {
	if id == "" {
		return nil, errors.New("--association: required")
	}
	a, err := open(cmd, false)
	if err != nil {
		return nil, err
	}
	err = a.DB.Read(cmd.Context(), func(tx *store.Tx) error {
		_, err := association.Get(cmd.Context(), tx, id)
		return err
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("association %s: %w", id, err)
	}
	return a, nil
}

func configCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Check settings"}
	check := &cobra.Command{
		Use:   "check",
		Short: "Read flags, SEURA_* variables and the config file; explain a bad value by name",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			for _, line := range cfg.Describe() {
				fmt.Println(line)
			}
			fmt.Println("config ok")
			return nil
		},
	}
	withConfig(check)
	cmd.AddCommand(check)
	return cmd
}
