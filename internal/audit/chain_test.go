package audit_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// trail is an application with a chained audit trail and the owner's
// connection, through which an attacker with database rights tampers.
type trail struct {
	env    *testenv.Env
	owner  *store.DB
	assocs []string
	rnd    *rand.Rand
}

func newTrail(t *testing.T, e testenv.Engine, seed uint64) *trail {
	t.Helper()
	env := testenv.New(t, e)
	owner, err := store.Open(context.Background(), e.OwnerDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close() })
	tr := &trail{env: env, owner: owner, rnd: rand.New(rand.NewPCG(seed, 7))}
	for _, name := range []string{"Kuoro ry", "Idrottsföreningen rf"} {
		tr.assocs = append(tr.assocs, env.Association(t, name, 0).ID)
	}
	return tr
}

// record writes n varied events through the recorder, each in its own
// transaction: association events (some with personal changes and details)
// and platform events.
func (tr *trail) record(t *testing.T, n int) {
	t.Helper()
	ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-1", ClientIP: "192.0.2.7",
		Actor: audit.Actor{Type: audit.ActorUser, ID: "u-1", Label: "Kalle Kassör"}})
	for i := 0; i < n; i++ {
		ev := audit.Event{Action: fmt.Sprintf("test.%d", tr.rnd.IntN(5)), ObjectType: "member",
			ObjectID: fmt.Sprintf("m-%d", tr.rnd.IntN(100)),
			Changes: []audit.Change{{Field: "town", Before: "Åbo", After: "Turku \"keskusta\"\n"},
				{Field: "ssn", Before: "010101-123A", After: "020202-456B", Sensitivity: audit.Personal}},
			Details: map[string]any{"rows": tr.rnd.IntN(1000), "nested": map[string]any{"z": 1, "a": []int{1, 2}}}}
		var err error
		if k := tr.rnd.IntN(len(tr.assocs) + 1); k < len(tr.assocs) {
			err = tr.env.DB.For(tr.assocs[k]).Write(ctx, func(tx *store.TenantTx) error {
				return tr.env.Audit.Record(ctx, tx.Platform(), ev)
			})
		} else {
			err = tr.env.DB.Write(ctx, func(tx *store.Tx) error { return tr.env.Audit.Record(ctx, tx, ev) })
		}
		if err != nil {
			t.Fatalf("record event: %v", err)
		}
	}
}

func (tr *trail) verify(t *testing.T, opt audit.VerifyOptions) (audit.VerifyResult, error) {
	t.Helper()
	return audit.Verify(context.Background(), tr.owner, opt)
}

func (tr *trail) head(t *testing.T) audit.Anchor {
	t.Helper()
	res, err := tr.verify(t, audit.VerifyOptions{})
	if err != nil {
		t.Fatalf("verify untouched trail: %v", err)
	}
	return res.Head
}

// errRollback undoes a tampering once it has been verified.
var errRollback = errors.New("rollback")

// tamper runs fn as the owner with the append-only guards lifted (an attacker
// with the database's own rights), then verifies in the same transaction.
// commit keeps the tampering; otherwise it is rolled back.
func (tr *trail) tamper(t *testing.T, commit bool, opt audit.VerifyOptions, fn func(ctx context.Context, tx *store.Tx) error) error {
	t.Helper()
	ctx := context.Background()
	var verr error
	err := tr.owner.Write(ctx, func(tx *store.Tx) error {
		if err := liftGuards(ctx, tx); err != nil {
			return err
		}
		if err := fn(ctx, tx); err != nil {
			return fmt.Errorf("tamper: %w", err)
		}
		_, verr = audit.VerifyTx(ctx, tx, opt)
		if commit {
			return nil
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	return verr
}

func liftGuards(ctx context.Context, tx *store.Tx) error {
	stmts := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`,
		`DROP TRIGGER audit_chain_forward`}
	if tx.Dialect() == store.Postgres {
		stmts = []string{`ALTER TABLE audit_events DISABLE ROW LEVEL SECURITY`,
			`DROP TRIGGER audit_chain_forward ON audit_chain`}
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// wantDivergence checks err reports tampering at seq, saying what.
func wantDivergence(t *testing.T, err error, seq int64, what string) {
	t.Helper()
	var d *audit.Divergence
	if !errors.As(err, &d) {
		t.Fatalf("verify = %v; want a divergence at seq %d (%s)", err, seq, what)
	}
	if d.Seq != seq || !strings.Contains(d.Problem, what) {
		t.Fatalf("verify reported %q at seq %d; want seq %d and %q", d.Problem, d.Seq, seq, what)
	}
}

// Tampering operations, as an attacker with the owner's rights would do them.

func changeField(column, value string, seq int64) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE audit_events SET `+column+` = `+value+` WHERE chain_seq = $1`, seq)
		return err
	}
}

func deleteEvent(seq int64) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE chain_seq = $1`, seq)
		return err
	}
}

// moveChainSeqs renumbers events from seq on by delta, in two steps so the
// unique index never sees two equal numbers.
func moveChainSeqs(ctx context.Context, tx *store.Tx, from, delta int64) error {
	if _, err := tx.Exec(ctx, `UPDATE audit_events SET chain_seq = -(chain_seq + $2) WHERE chain_seq >= $1`, from, delta); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_seq < 0`)
	return err
}

// insertForged inserts a well-formed event at seq, moving the later ones up:
// its prev_hash and hash are computed correctly from event seq-1, as an
// attacker who knows the format can, and the head is moved forward by one.
func insertForged(seq int64) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		prev := audit.Genesis
		if seq > 1 {
			prev.Seq = seq - 1
			if err := tx.QueryRow(ctx, `SELECT hash FROM audit_events WHERE chain_seq = $1`, seq-1).Scan(&prev.Hash); err != nil {
				return err
			}
		}
		if err := moveChainSeqs(ctx, tx, seq, 1); err != nil {
			return err
		}
		l := audit.Link{EventID: fmt.Sprintf("forged-%d", seq), OccurredAt: testenv.Start, ActorType: "user",
			Action: "member.update", Outcome: "success", Changes: "[]", Details: "{}"}
		if err := l.Seal(prev); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (event_id, occurred_at, actor_type, action, outcome,
			changes, details, chain_seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			l.EventID, l.OccurredAt, l.ActorType, l.Action, l.Outcome, l.Changes, l.Details, l.ChainSeq, l.PrevHash, l.Hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE audit_chain SET seq = seq + 1 WHERE id = 1`)
		return err
	}
}

func insertUnchained(ctx context.Context, tx *store.Tx) error {
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (event_id, occurred_at, actor_type, action)
		VALUES ('smuggled', $1, 'system', 'member.delete')`, testenv.Start)
	return err
}

func swapEvents(a, b int64) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		for _, s := range [][2]int64{{a, -1}, {b, a}, {-1, b}} {
			if _, err := tx.Exec(ctx, `UPDATE audit_events SET chain_seq = $2 WHERE chain_seq = $1`, s[0], s[1]); err != nil {
				return err
			}
		}
		return nil
	}
}

// truncateTail deletes the events after keep and, when rewind is set, moves
// the head back to keep as a careful attacker would.
func truncateTail(keep int64, rewind bool) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM audit_events WHERE chain_seq > $1`, keep); err != nil {
			return err
		}
		if !rewind {
			return nil
		}
		hash := audit.GenesisHash
		if keep > 0 {
			if err := tx.QueryRow(ctx, `SELECT hash FROM audit_events WHERE chain_seq = $1`, keep).Scan(&hash); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1`, keep, hash)
		return err
	}
}

func TestChainOfUntouchedTrailVerifies(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		tr := newTrail(t, e, 1)
		before := tr.head(t)
		tr.record(t, 30)
		res, err := tr.verify(t, audit.VerifyOptions{Anchor: &before})
		if err != nil {
			t.Fatalf("verify: %v", err)
		}
		if res.Count != before.Seq+30 || res.Head.Seq != res.Count {
			t.Errorf("verified %d events, head %d; want %d", res.Count, res.Head.Seq, before.Seq+30)
		}
		var head audit.Anchor
		if err := tr.owner.Read(context.Background(), func(tx *store.Tx) error {
			var err error
			head, err = audit.ReadHead(context.Background(), tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if head != res.Head {
			t.Errorf("verified head %+v, stored head %+v", res.Head, head)
		}
		// A range of the chain, as a shipper reads it: in order, each
		// link's hash recomputing from its prev_hash.
		var got []int64
		if err := audit.ReadChain(context.Background(), tr.owner, func(tx *store.Tx) error {
			return audit.Links(context.Background(), tx, 3, 7, func(l audit.Link) error {
				h, err := audit.ChainHash(l.PrevHash, l.Canonical())
				if err != nil || h != l.Hash {
					t.Errorf("link %d: hash %s recomputes as %s (%v)", l.ChainSeq, l.Hash, h, err)
				}
				got = append(got, l.ChainSeq)
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != "[3 4 5 6 7]" {
			t.Errorf("Links(3, 7) returned %v", got)
		}
		// The application role sees its own events with their chain places.
		var entries []audit.Entry
		if err := tr.env.DB.For(tr.assocs[0]).Read(context.Background(), func(tx *store.TenantTx) error {
			entries, err = audit.List(context.Background(), tx, 0, 100)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			if en.ChainSeq == 0 || len(en.Hash) != 64 {
				t.Errorf("event %s has chain place %d, hash %q", en.EventID, en.ChainSeq, en.Hash)
			}
		}
	})
}

func TestChainTamperingIsDetectedAtItsSequenceNumber(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		tr := newTrail(t, e, 2)
		tr.record(t, 20)
		head := tr.head(t)
		mid := head.Seq - 10
		none := audit.VerifyOptions{}

		t.Run("field changed", func(t *testing.T) {
			err := tr.tamper(t, false, none, changeField("changes", `'[]'`, mid))
			wantDivergence(t, err, mid, "hash mismatch")
		})
		t.Run("platform event moved into an association", func(t *testing.T) {
			err := tr.tamper(t, false, none, toggleAssociation(mid, tr.assocs[1]))
			wantDivergence(t, err, mid, "hash mismatch")
		})
		t.Run("event deleted", func(t *testing.T) {
			wantDivergence(t, tr.tamper(t, false, none, deleteEvent(mid)), mid, "gap")
		})
		t.Run("event inserted", func(t *testing.T) {
			// The forged event links correctly to its predecessor; the
			// event after it no longer does.
			wantDivergence(t, tr.tamper(t, false, none, insertForged(mid)), mid+1, "prev_hash")
		})
		t.Run("event inserted outside the chain", func(t *testing.T) {
			wantDivergence(t, tr.tamper(t, false, none, insertUnchained), 0, "outside the chain")
		})
		t.Run("two events swapped", func(t *testing.T) {
			wantDivergence(t, tr.tamper(t, false, none, swapEvents(mid, mid+3)), mid, "prev_hash")
		})
		t.Run("tail truncated", func(t *testing.T) {
			wantDivergence(t, tr.tamper(t, false, none, truncateTail(head.Seq-3, false)), head.Seq-2, "tail truncated")
		})
		t.Run("tail truncated and head rewound", func(t *testing.T) {
			// Local verification alone cannot tell this from a shorter
			// trail; the anchor kept by an earlier verification can.
			if err := tr.tamper(t, false, none, truncateTail(head.Seq-3, true)); err != nil {
				t.Errorf("without an anchor: %v (a rewound head is not detectable locally)", err)
			}
			err := tr.tamper(t, false, audit.VerifyOptions{Anchor: &head}, truncateTail(head.Seq-3, true))
			wantDivergence(t, err, head.Seq-2, "tail truncated")
		})
		t.Run("history rewritten under the anchor", func(t *testing.T) {
			// Everything rehashed from mid on: only the anchor tells.
			err := tr.tamper(t, false, audit.VerifyOptions{Anchor: &head}, rehashFrom(mid))
			wantDivergence(t, err, head.Seq, "anchor")
		})
		// Untouched after all the rolled-back attempts.
		if _, err := tr.verify(t, audit.VerifyOptions{Anchor: &head}); err != nil {
			t.Fatalf("trail after rolled-back tampering: %v", err)
		}
		// A committed change is reported by a later, separate verification.
		tr.tamper(t, true, none, changeField("client_ip", `'198.51.100.1'`, 1))
		_, err := tr.verify(t, audit.VerifyOptions{})
		wantDivergence(t, err, 1, "hash mismatch")
	})
}

// rehashFrom changes event seq and recomputes every hash from there to the
// head, as an attacker who knows the format would: the chain is then
// internally valid.
func rehashFrom(seq int64) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE audit_events SET action = 'rewritten' WHERE chain_seq = $1`, seq); err != nil {
			return err
		}
		var links []audit.Link
		if err := audit.Links(ctx, tx, seq, 0, func(l audit.Link) error {
			links = append(links, l)
			return nil
		}); err != nil {
			return err
		}
		prev := audit.Anchor{Seq: seq - 1, Hash: links[0].PrevHash}
		for _, l := range links {
			if err := l.Seal(prev); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE chain_seq = $1`,
				l.ChainSeq, l.PrevHash, l.Hash); err != nil {
				return err
			}
			prev = audit.Anchor{Seq: l.ChainSeq, Hash: l.Hash}
		}
		_, err := tx.Exec(ctx, `UPDATE audit_chain SET hash = $1 WHERE id = 1`, prev.Hash)
		return err
	}
}

// tamperColumns are the columns an attacker may change, each with an
// expression that always yields a different value.
var tamperColumns = map[string]string{
	"event_id": `event_id || '~'`, "occurred_at": `'2020-01-01 00:00:00'`, "actor_type": `actor_type || '~'`,
	"actor_id": `actor_id || '~'`, "actor_label": `actor_label || '~'`, "action": `action || '~'`,
	"object_type": `object_type || '~'`, "object_id": `object_id || '~'`, "outcome": `outcome || '~'`,
	"changes": `changes || ' '`, "details": `details || ' '`, "request_id": `request_id || '~'`,
	"client_ip": `client_ip || '~'`, "hash": `'00'`, "prev_hash": `'11'`,
}

// toggleAssociation moves event seq across the tenant line: a platform event
// into association assoc, an association's event out to the platform.
func toggleAssociation(seq int64, assoc string) func(context.Context, *store.Tx) error {
	return func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE audit_events SET association_id = CASE WHEN association_id IS NULL
			THEN CAST($2 AS TEXT) ELSE NULL END WHERE chain_seq = $1`, seq, assoc)
		return err
	}
}

func TestChainPropertyRandomTamperingIsAlwaysDetected(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		tr := newTrail(t, e, 3)
		iterations := 150
		if e.Name == "postgres" {
			iterations = 75
		}
		tampered := 0
		for i := 0; i < iterations; i++ {
			// A different trail each round: it grows by a random number of
			// events, and must never be reported while untouched.
			tr.record(t, tr.rnd.IntN(4))
			head := tr.head(t)
			if head.Seq < 3 {
				continue
			}
			k := 1 + tr.rnd.Int64N(head.Seq)
			var op func(context.Context, *store.Tx) error
			var want int64
			var what string
			switch tr.rnd.IntN(5) {
			case 0:
				cols := []string{"association_id"}
				for c := range tamperColumns {
					cols = append(cols, c)
				}
				slices.Sort(cols)
				col := cols[tr.rnd.IntN(len(cols))]
				if col == "association_id" {
					op = toggleAssociation(k, tr.assocs[0])
				} else {
					op = changeField(col, tamperColumns[col], k)
				}
				want, what = k, "changed "+col
			case 1:
				op, want, what = deleteEvent(k), k, "deleted"
			case 2:
				// The forged event links correctly to its predecessor: the
				// break shows at the next event, or at the anchor when the
				// forged event takes the anchored place.
				op, want, what = insertForged(k), k+1, "inserted"
				if k == head.Seq {
					want = k
				}
			case 3:
				b := 1 + tr.rnd.Int64N(head.Seq)
				if b == k {
					continue
				}
				op, want, what = swapEvents(min(k, b), max(k, b)), min(k, b), "swapped"
			case 4:
				keep := k - 1
				op, want, what = truncateTail(keep, tr.rnd.IntN(2) == 0), keep+1, "truncated"
			}
			tampered++
			err := tr.tamper(t, false, audit.VerifyOptions{Anchor: &head}, op)
			var d *audit.Divergence
			if !errors.As(err, &d) {
				t.Fatalf("round %d: %s at %d of %d not detected: %v", i, what, k, head.Seq, err)
			}
			if d.Seq != want {
				t.Errorf("round %d: %s at %d of %d reported at seq %d (%s); want %d", i, what, k, head.Seq, d.Seq, d.Problem, want)
			}
		}
		if tampered < iterations*3/4 {
			t.Errorf("only %d of %d rounds tampered with the trail", tampered, iterations)
		}
		t.Logf("%d tamperings, each detected at its sequence number", tampered)
	})
}

// TestChainStaysGaplessUnderConcurrentWriters records from many goroutines
// at once on PostgreSQL, where writers really run in parallel; a quarter of
// the transactions roll back after recording. The chain must have no gap and
// verify.
func TestChainStaysGaplessUnderConcurrentWriters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		tr := newTrail(t, e, 4)
		before := tr.head(t)
		const writers, perWriter = 8, 25
		var wg sync.WaitGroup
		var mu sync.Mutex
		committed := 0
		errs := make(chan error, writers)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				ctx := context.Background()
				for i := 0; i < perWriter; i++ {
					rollback := (w+i)%4 == 0
					events := 1 + i%2
					err := tr.env.DB.For(tr.assocs[w%2]).Write(ctx, func(tx *store.TenantTx) error {
						for j := 0; j < events; j++ {
							if err := tr.env.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "test.parallel",
								ObjectID: fmt.Sprintf("w%d-%d-%d", w, i, j)}); err != nil {
								return err
							}
						}
						if rollback {
							return errRollback
						}
						return nil
					})
					switch {
					case rollback && errors.Is(err, errRollback):
					case err != nil:
						errs <- err
						return
					default:
						mu.Lock()
						committed += events
						mu.Unlock()
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("writer: %v", err)
		}
		res, err := tr.verify(t, audit.VerifyOptions{Anchor: &before})
		if err != nil {
			t.Fatalf("verify after parallel writers: %v", err)
		}
		if res.Count != before.Seq+int64(committed) {
			t.Errorf("chain has %d events; want %d before + %d committed", res.Count, before.Seq, committed)
		}
	})
}

func TestVerifyNeedsTheOwnerOnPostgres(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		if e.Name != "postgres" {
			t.Skip("SQLite has no roles")
		}
		tr := newTrail(t, e, 5)
		tr.record(t, 3)
		_, err := audit.Verify(context.Background(), tr.env.DB, audit.VerifyOptions{})
		if !errors.Is(err, audit.ErrNotOwner) {
			t.Fatalf("verify as the application role = %v; want ErrNotOwner", err)
		}
	})
}

// TestMigrationChainsEventsThatPredateTheChain writes events the way the
// recorder did before migration 12 (no chain columns) and runs that
// migration's Go step on them, as the schema owner: they join the chain in
// the order written, the chain verifies, and the append-only guards are back.
func TestMigrationChainsEventsThatPredateTheChain(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		tr := newTrail(t, e, 6)
		tr.record(t, 3)
		before := tr.head(t)
		err := tr.owner.Write(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				if _, err := tx.Exec(ctx, `SELECT set_config('seura.association_id', $1, true)`, tr.assocs[0]); err != nil {
					return err
				}
			}
			for i, assoc := range []any{nil, tr.assocs[0], nil} {
				if _, err := tx.Exec(ctx, `INSERT INTO audit_events (event_id, occurred_at, association_id, actor_type, action, changes)
					VALUES ($1, $2, $3, 'user', 'member.update', '[{"field":"town","before":"Vaasa","after":"Vasa"}]')`,
					fmt.Sprintf("old-%d", i), testenv.Start.Add(123456789), assoc); err != nil {
					return err
				}
			}
			return audit.ChainExisting(ctx, tx)
		})
		if err != nil {
			t.Fatalf("chain existing events: %v", err)
		}
		res, err := tr.verify(t, audit.VerifyOptions{Anchor: &before})
		if err != nil {
			t.Fatalf("verify after chaining old events: %v", err)
		}
		if res.Count != before.Seq+3 {
			t.Errorf("chain has %d events, want %d", res.Count, before.Seq+3)
		}
		var order []string
		if err := tr.owner.Read(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				if _, err := tx.Exec(ctx, `SELECT set_config('seura.audit_verify', 'on', true)`); err != nil {
					return err
				}
			}
			return audit.Links(ctx, tx, before.Seq+1, 0, func(l audit.Link) error {
				order = append(order, l.EventID)
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(order, ",") != "old-0,old-1,old-2" {
			t.Errorf("old events chained in order %v", order)
		}
		// The guard is back: the owner cannot rewrite a chained event.
		err = tr.owner.Write(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				if _, err := tx.Exec(ctx, `SELECT set_config('seura.audit_verify', 'on', true)`); err != nil {
					return err
				}
				var forced bool
				if err := tx.QueryRow(ctx, `SELECT relforcerowsecurity FROM pg_class WHERE relname = 'audit_events'`).Scan(&forced); err != nil {
					return err
				}
				if !forced {
					t.Error("row-level security is no longer forced on audit_events")
				}
				return nil
			}
			_, err := tx.Exec(ctx, `UPDATE audit_events SET action = 'x' WHERE event_id = 'old-1'`)
			if err == nil {
				t.Error("an update of a chained event was accepted after the migration step")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestChainHeadOnlyMovesForward checks the guards on the head row, through
// the application's own connection: it cannot be moved back (which would
// hide a truncated tail), moved on by more than one, deleted or duplicated.
func TestChainHeadOnlyMovesForward(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		tr := newTrail(t, e, 9)
		tr.record(t, 3)
		head := tr.head(t)
		for _, stmt := range []string{
			`UPDATE audit_chain SET seq = seq - 1 WHERE id = 1`,
			`UPDATE audit_chain SET seq = seq + 2 WHERE id = 1`,
			`DELETE FROM audit_chain`,
			`INSERT INTO audit_chain (id, seq, hash) VALUES (2, 0, '00')`,
		} {
			err := tr.env.DB.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, stmt)
				return err
			})
			if err == nil {
				t.Errorf("the application could run %s", stmt)
			}
		}
		if got := tr.head(t); got != head {
			t.Errorf("head moved from %+v to %+v", head, got)
		}
	})
}
