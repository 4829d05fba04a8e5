package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/store"
)

// tamperData runs stmts on the data directory's database with the
// append-only guards dropped, as someone with the file would.
func tamperData(t *testing.T, data string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.DefaultDSN(data))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, s := range append([]string{`DROP TRIGGER IF EXISTS audit_events_no_update`,
			`DROP TRIGGER IF EXISTS audit_events_no_delete`, `DROP TRIGGER IF EXISTS audit_chain_forward`}, stmts...) {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAuditVerifyCommand runs `seura audit verify` as an operator would: OK
// with the count and head on an untouched trail, keeping the head in the
// anchor file; exit 1 and one line naming the sequence number once an event
// was changed; and a truncated tail with its head row rewound is caught by
// the anchor.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if r := runSeura(t, 45*time.Second, nil, "demo", "--members", "5", "--data", data); r.code != 0 {
		t.Fatalf("demo: exit %d, %s", r.code, r.stderr)
	}
	events := count(t, data, "audit_events")
	r := runSeura(t, 30*time.Second, nil, "audit", "verify", "--data", data)
	ok := regexp.MustCompile(`^audit trail OK: (\d+) events verified in \S+, head (\d+) ([0-9a-f]{64})\n$`)
	m := ok.FindStringSubmatch(r.stdout)
	if r.code != 0 || m == nil {
		t.Fatalf("verify untouched: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if m[1] != fmt.Sprint(events) || m[2] != m[1] {
		t.Errorf("verify reports %s events, head %s; the database holds %d", m[1], m[2], events)
	}
	var anchor struct {
		Seq  int    `json:"seq"`
		Hash string `json:"hash"`
	}
	b, err := os.ReadFile(filepath.Join(data, "audit-anchor.json"))
	if err != nil {
		t.Fatalf("anchor not kept: %v", err)
	}
	if err := json.Unmarshal(b, &anchor); err != nil || anchor.Seq != events || anchor.Hash != m[3] {
		t.Fatalf("anchor %s (%v); want seq %d hash %s", b, err, events, m[3])
	}

	// The tail cut off and the head row rewound: consistent inside the
	// database, caught by the anchor. --no-anchor shows the limit.
	keep := events - 2
	tamperData(t, data, fmt.Sprintf(`DELETE FROM audit_events WHERE chain_seq > %d`, keep),
		fmt.Sprintf(`UPDATE audit_chain SET seq = %d, hash = (SELECT hash FROM audit_events WHERE chain_seq = %d)`, keep, keep))
	r = runSeura(t, 30*time.Second, nil, "audit", "verify", "--data", data)
	want := fmt.Sprintf("seura: audit chain broken at seq %d: ", keep+1)
	if r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "tail truncated") ||
		strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("verify truncated: exit %d, stderr %q; want exit 1 and one line starting %q", r.code, r.stderr, want)
	}
	if r = runSeura(t, 30*time.Second, nil, "audit", "verify", "--no-anchor", "--data", data); r.code != 0 {
		t.Fatalf("verify --no-anchor on a consistently truncated trail: exit %d, %s", r.code, r.stderr)
	}

	// A damaged anchor is reported, not silently replaced.
	damaged := writeFile(t, "anchor.json", "{\"seq\": 3}")
	r = runSeura(t, 30*time.Second, nil, "audit", "verify", "--anchor", damaged, "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "is damaged") {
		t.Fatalf("verify with a damaged anchor: exit %d, stderr %q", r.code, r.stderr)
	}

	// A field changed in an event.
	tamperData(t, data, `UPDATE audit_events SET actor_label = 'Someone Else' WHERE chain_seq = 2`)
	r = runSeura(t, 30*time.Second, nil, "audit", "verify", "--no-anchor", "--data", data)
	if r.code != 1 || !strings.HasPrefix(r.stderr, "seura: audit chain broken at seq 2: hash mismatch") {
		t.Fatalf("verify changed: exit %d, stderr %q", r.code, r.stderr)
	}
}
