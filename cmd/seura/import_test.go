package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImportCommand runs `seura import` the way an operator would: a file
// with bad rows writes nothing and lists each problem by row and column; a
// dry run writes nothing; the import writes; running it again changes
// nothing.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	r := runSeura(t, 45*time.Second, nil, "demo", "--members", "5", "--data", data)
	if r.code != 0 {
		t.Fatalf("demo: exit %d, %s", r.code, r.stderr)
	}
	assoc, _, _ := strings.Cut(r.stdout, "\t")
	header := "Jäsennumero;Sukunimi;Etunimi;Sähköposti;Syntymäaika\r\n"
	bad := writeFile(t, "bad.csv", header+
		"101;Virtanen;Matti;matti@example.fi;03.05.1980\r\n"+
		"102;Korhonen;Liisa;liisa@example;31.02.2020\r\n"+
		"103;Nieminen;\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\";a@example.fi;01.01.1990\r\n")
	r = runSeura(t, 45*time.Second, nil, "import", "--association", assoc, "--data", data, bad)
	if r.code == 0 || !strings.Contains(r.stderr, "nothing was imported") {
		t.Fatalf("bad file: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{`row 3, column "Sähköposti"`, `row 3, column "Syntymäaika"`, `row 4, column "Etunimi"`, "with problems 2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if n := count(t, data, "members"); n != 5 {
		t.Fatalf("a refused import wrote members: %d", n)
	}

	good := writeFile(t, "good.csv", header+
		"101;Virtanen;Matti;matti@example.fi;03.05.1980\r\n"+
		"102;Korhonen;Liisa;liisa@example.fi;28.02.2020\r\n")
	r = runSeura(t, 45*time.Second, nil, "import", "--dry-run", "--association", assoc, "--data", data, good)
	if r.code != 0 || !strings.Contains(r.stdout, "new 2") || !strings.Contains(r.stdout, "dry run") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := count(t, data, "members"); n != 5 {
		t.Fatalf("the dry run wrote members: %d", n)
	}
	r = runSeura(t, 45*time.Second, nil, "import", "--association", assoc, "--data", data, good)
	if r.code != 0 || !strings.Contains(r.stdout, "new 2") || !strings.Contains(r.stderr, `column "Sukunimi" → last_name`) ||
		!strings.Contains(r.stderr, "column mapping (suggested)") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runSeura(t, 45*time.Second, nil, "import", "--association", assoc, "--data", data, good)
	if r.code != 0 || !strings.Contains(r.stdout, "new 0, updated 0, unchanged 2") {
		t.Fatalf("second import: exit %d\n%s", r.code, r.stdout)
	}
	// The first run suggested the mapping; the committed import remembered it.
	if !strings.Contains(r.stderr, "column mapping (remembered)") {
		t.Fatalf("the second import did not reuse the remembered mapping:\n%s", r.stderr)
	}
	if n := count(t, data, "members"); n != 7 {
		t.Fatalf("%d members after importing two, want 7", n)
	}
}
