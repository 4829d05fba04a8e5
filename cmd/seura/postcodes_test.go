package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPostcodesCommand loads a postcode file the way an operator does when
// Posti publishes a new one: a dry run changes nothing, the import adds and
// renames, and a broken file is refused whole with its line named.
func TestPostcodesCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if r := runSeura(t, 45*time.Second, nil, "migrate", "--data", data); r.code != 0 {
		t.Fatalf("migrate: exit %d, %s", r.code, r.stderr)
	}
	seeded := count(t, data, "postcodes")
	if seeded < 3000 {
		t.Fatalf("the seeded table has %d postcodes, want Finland's (over 3,000)", seeded)
	}
	file := writeFile(t, "postcodes.tsv", "99997\tUUSIKYLÄ\tNYBY\t091\tHelsinki\n"+
		"00100\tHELSINKI KESKUSTA\tHELSINGFORS CENTRUM\t091\tHelsinki\n")

	r := runSeura(t, 45*time.Second, nil, "postcodes", "import", "--dry-run", "--data", data, file)
	if r.code != 0 || !strings.Contains(r.stdout, "dry run") || !strings.Contains(r.stdout, "1 new, 1 renamed") {
		t.Fatalf("dry run: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := count(t, data, "postcodes"); n != seeded {
		t.Fatalf("a dry run changed the table: %d postcodes, had %d", n, seeded)
	}

	r = runSeura(t, 45*time.Second, nil, "postcodes", "import", "--data", data, file)
	if r.code != 0 || !strings.Contains(r.stdout, "imported 2 postcodes: 1 new, 1 renamed") {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if n := count(t, data, "postcodes WHERE postcode = '00100' AND town_fi = 'HELSINKI KESKUSTA'"); n != 1 {
		t.Fatal("the renamed postcode was not updated")
	}
	if n := count(t, data, "postcodes"); n != seeded+1 {
		t.Fatalf("%d postcodes after the import, want %d", n, seeded+1)
	}

	bad := writeFile(t, "bad.tsv", "99996\tTOINEN\tANDRA\t091\tHelsinki\nABCDE\tX\tX\t091\tX\n")
	r = runSeura(t, 45*time.Second, nil, "postcodes", "import", "--data", data, bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.tsv") || !strings.Contains(r.stderr, "2") {
		t.Fatalf("bad file: exit %d, stderr %q", r.code, r.stderr)
	}
	if n := count(t, data, "postcodes"); n != seeded+1 {
		t.Fatalf("a refused file changed the table: %d postcodes", n)
	}
}
