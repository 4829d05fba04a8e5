package postcode

import (
	"os"
	"strings"
	"testing"
)

// migrationFile is the migration that creates and seeds the postcode table.
const migrationFile = "../store/migrations/0009_postcodes.sql"

// seedMarker starts the generated part of the migration.
const seedMarker = "-- Seed: generated from internal/postcode/data/fi.tsv by TestMigrationSeed; do not edit by hand.\n"

// seedSQL renders the built-in list as the INSERT statements the migration
// runs, in chunks so that neither engine parses one enormous statement.
func seedSQL(entries []Entry) string {
	var b strings.Builder
	b.WriteString(seedMarker)
	const chunk = 500
	for i := 0; i < len(entries); i += chunk {
		b.WriteString("INSERT INTO postcodes (postcode, town_fi, town_sv, municipality, updated_at) VALUES\n")
		part := entries[i:min(i+chunk, len(entries))]
		for j, e := range part {
			b.WriteString("(" + quote(e.Code) + "," + quote(e.TownFI) + "," + quote(e.TownSV) + "," +
				quote(e.Municipality) + ",'" + BuiltinDate + "T00:00:00Z')")
			if j == len(part)-1 {
				b.WriteString(";\n")
			} else {
				b.WriteString(",\n")
			}
		}
	}
	return b.String()
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// TestMigrationSeed checks that the migration seeds exactly the embedded
// list. SEURA_WRITE_POSTCODE_SEED=1 rewrites the generated part after the
// list changes.
func TestMigrationSeed(t *testing.T) {
	entries, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 3000 {
		t.Fatalf("built-in list has %d postcodes, expected Finland's ~5000", len(entries))
	}
	body, err := os.ReadFile(migrationFile)
	if err != nil {
		t.Fatal(err)
	}
	head, seed, found := strings.Cut(string(body), seedMarker)
	want := seedSQL(entries)
	if os.Getenv("SEURA_WRITE_POSTCODE_SEED") == "1" {
		if err := os.WriteFile(migrationFile, []byte(head+want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !found || seedMarker+seed != want {
		t.Fatalf("%s does not seed the embedded list; run with SEURA_WRITE_POSTCODE_SEED=1", migrationFile)
	}
}
