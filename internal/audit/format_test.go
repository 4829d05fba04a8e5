package audit_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// workedExample is the pair of events docs/audit-format.md works through.
func workedExample() []audit.Link {
	first := audit.Link{EventID: "01939a6e-7f3c-7b2e-9c41-5d2f0a8b1c3d",
		OccurredAt:    time.Date(2026, 3, 2, 9, 15, 30, 123456000, time.UTC),
		AssociationID: sql.NullString{String: "01939a6e-0000-7000-8000-000000000001", Valid: true},
		ActorType:     "user", ActorID: "01939a6e-1111-7111-8111-111111111111", ActorLabel: "Kalle Kassör",
		Action: "member.update", ObjectType: "member", ObjectID: "01939a6e-2222-7222-8222-222222222222",
		Outcome: "success", Changes: `[{"field":"town","before":"Vaasa","after":"Vasa"}]`, Details: `{}`,
		RequestID: "req-7f3c", ClientIP: "192.0.2.10"}
	second := audit.Link{EventID: "01939a6e-8000-7000-8000-00000000000b",
		OccurredAt: time.Date(2026, 3, 2, 9, 16, 0, 0, time.UTC),
		ActorType:  "anonymous", Action: "auth.login", ObjectType: "user", Outcome: "failure",
		Changes: `[]`, Details: `{"reason":"bad password"}`, ClientIP: "198.51.100.4"}
	if err := first.Seal(audit.Genesis); err != nil {
		panic(err)
	}
	if err := second.Seal(audit.Anchor{Seq: first.ChainSeq, Hash: first.Hash}); err != nil {
		panic(err)
	}
	return []audit.Link{first, second}
}

// docBlock returns the fenced block that follows marker in the format
// document.
func docBlock(t *testing.T, doc, marker string) string {
	t.Helper()
	_, after, ok := strings.Cut(doc, "<!-- "+marker+" -->")
	if !ok {
		t.Fatalf("docs/audit-format.md has no %q marker", marker)
	}
	m := regexp.MustCompile("(?s)```[a-z]*\n(.*?)```").FindStringSubmatch(after)
	if m == nil {
		t.Fatalf("docs/audit-format.md has no code block after %q", marker)
	}
	return m[1]
}

func readFormatDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "audit-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWorkedExampleInTheFormatDocument checks that the canonical bytes and
// hashes printed in docs/audit-format.md are the ones the code computes, so
// an auditor's tool can be checked against them.
func TestWorkedExampleInTheFormatDocument(t *testing.T) {
	doc := readFormatDoc(t)
	for i, l := range workedExample() {
		n := fmt.Sprint(i + 1)
		gotHex := strings.Join(strings.Fields(docBlock(t, doc, "canonical-"+n)), "")
		if want := hex.EncodeToString(l.Canonical()); gotHex != want {
			t.Errorf("canonical bytes of example %s in the document:\n%s\nwant:\n%s", n, gotHex, wrapHex(want))
		}
		if got := strings.TrimSpace(docBlock(t, doc, "hash-"+n)); got != l.Hash {
			t.Errorf("hash of example %s in the document is %s, want %s", n, got, l.Hash)
		}
	}
}

func wrapHex(h string) string {
	var b strings.Builder
	for len(h) > 64 {
		b.WriteString(h[:64] + "\n")
		h = h[64:]
	}
	b.WriteString(h)
	return b.String()
}

// auditorScript writes the document's Python verifier to a file, or skips
// when python3 is missing.
func auditorScript(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	p := filepath.Join(t.TempDir(), "verify_chain.py")
	if err := os.WriteFile(p, []byte(docBlock(t, readFormatDoc(t), "verify-script")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runPython(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("python3", args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("python3: %v", err)
	}
	return strings.TrimSpace(string(out)), cmd.ProcessState.ExitCode()
}

// TestAuditorScriptReverifiesTheChain runs the document's Python verifier,
// written from the format alone with Python's standard library, on a trail
// the application wrote: on the SQLite file directly and on the JSON Lines
// export the document shows for PostgreSQL. It must agree with Verify on an
// untouched trail and find a change at the same sequence number.
func TestAuditorScriptReverifiesTheChain(t *testing.T) {
	script := auditorScript(t)
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		tr := newTrail(t, e, 8)
		tr.record(t, 12)
		res, err := tr.verify(t, audit.VerifyOptions{})
		if err != nil {
			t.Fatal(err)
		}
		input := func() string {
			if e.Name == "sqlite" {
				return strings.TrimPrefix(e.OwnerDSN, "sqlite:")
			}
			return exportJSONLines(t, tr)
		}
		out, code := runPython(t, script, input())
		if want := fmt.Sprintf("OK %d %s", res.Count, res.Head.Hash); code != 0 || out != want {
			t.Fatalf("python verifier: exit %d, %q; want %q", code, out, want)
		}
		tr.tamper(t, true, audit.VerifyOptions{}, changeField("details", `'{"rows":1}'`, 5))
		out, code = runPython(t, script, input())
		if code != 1 || !strings.HasPrefix(out, "BROKEN at 5:") {
			t.Fatalf("python verifier on a changed event: exit %d, %q; want BROKEN at 5", code, out)
		}
	})
}

// exportJSONLines writes the chain as the document's psql command does: one
// row_to_json object per event, in chain order.
func exportJSONLines(t *testing.T, tr *trail) string {
	t.Helper()
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "events.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	err = tr.owner.Read(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('seura.audit_verify', 'on', true)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, docExportQuery(t))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			if !json.Valid([]byte(line)) {
				return fmt.Errorf("not JSON: %s", line)
			}
			fmt.Fprintln(w, line)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("export JSON lines: %v", err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return p
}

// docExportQuery is the SELECT of the document's psql export command.
func docExportQuery(t *testing.T) string {
	t.Helper()
	block := docBlock(t, readFormatDoc(t), "export-postgres")
	m := regexp.MustCompile(`(?s)-c "(SELECT row_to_json.*?)"`).FindStringSubmatch(block)
	if m == nil {
		t.Fatalf("export command in the document has no SELECT row_to_json: %s", block)
	}
	return m[1]
}
