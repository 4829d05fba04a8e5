package store_test

import (
	"strings"
	"testing"

	"seura.fi/seura/internal/store"
)

// FuzzParseDSN feeds --db values: the parser never panics, accepts only the
// two engines, and explains a refusal on one line.
func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{"sqlite:./seura-data/seura.db", "sqlite:", "postgres://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write",
		"postgresql:///seura?host=/tmp", "mysql://x", "", "postgres://[::1", "sqlite:a?b", "postgres://h/db?connect_timeout=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		dialect, target, err := store.ParseDSN(dsn)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error for %q: %q", dsn, err)
			}
			if dialect != "" || target != "" {
				t.Fatalf("refused %q but returned %q %q", dsn, dialect, target)
			}
			return
		}
		switch dialect {
		case store.SQLite:
			if !strings.HasPrefix(dsn, "sqlite:") || target == "" {
				t.Fatalf("accepted %q as SQLite file %q", dsn, target)
			}
		case store.Postgres:
			if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
				t.Fatalf("accepted %q as PostgreSQL", dsn)
			}
		default:
			t.Fatalf("unknown dialect %q for %q", dialect, dsn)
		}
	})
}
