package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// benchEngines are the engines a benchmark runs on: SEURA_BENCH_ENGINE
// (sqlite or postgres) picks one, else both.
func benchEngines(b *testing.B) []testenv.Engine {
	var out []testenv.Engine
	for _, e := range testenv.Engines(b) {
		if v := os.Getenv("SEURA_BENCH_ENGINE"); v == "" || v == e.Name {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		b.Fatal("unknown SEURA_BENCH_ENGINE")
	}
	return out
}

// BenchmarkAuditedMemberUpdate measures audited member updates per second:
// each is member.Update of an Active member (one changed field, one chained
// audit event) in its own transaction, by 1, 2 or 4 writers at once, each on
// its own members. Run it with
//
//	go test ./internal/audit -run '^$' -bench AuditedMemberUpdate -benchtime 5000x
func BenchmarkAuditedMemberUpdate(b *testing.B) {
	for _, e := range benchEngines(b) {
		b.Run(e.Name, func(b *testing.B) {
			env := testenv.New(b, e)
			a := env.Association(b, "Suorituskyky ry", 400)
			var ids []string
			for _, m := range env.Members(b, a.ID) {
				if m.Status == member.StatusActive {
					ids = append(ids, m.ID)
				}
			}
			ids = ids[:len(ids)/4*4]
			for _, writers := range []int{1, 2, 4} {
				b.Run(fmt.Sprintf("writers-%d", writers), func(b *testing.B) {
					benchUpdates(b, env, a.ID, ids, writers)
				})
			}
		})
	}
}

func benchUpdates(b *testing.B, env *testenv.Env, assoc string, ids []string, writers int) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "bench", Label: "Benchmark"})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	b.ResetTimer()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < b.N; i += writers {
				// len(ids) is a multiple of 4, so writer w only ever
				// touches the members at indexes ≡ w (mod writers).
				id := ids[i%len(ids)]
				err := env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
					m, err := member.Get(ctx, tx, id)
					if err != nil {
						return err
					}
					m.Town = "Kaupunki " + strconv.Itoa(i)
					_, err = member.Update(ctx, tx, env.Audit, env.Clock.Now(), id, m)
					return err
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkRecord measures the recorder alone: one chained audit event per
// transaction, by 1, 2 or 4 writers, which is the ceiling the chain puts on
// any audited write. Run it with
//
//	go test ./internal/audit -run '^$' -bench Record -benchtime 5000x
func BenchmarkRecord(b *testing.B) {
	for _, e := range benchEngines(b) {
		b.Run(e.Name, func(b *testing.B) {
			env := testenv.New(b, e)
			assoc := env.Association(b, "Kirjaus ry", 0).ID
			ctx := audit.WithActor(context.Background(), audit.Actor{Type: audit.ActorUser, ID: "bench", Label: "Benchmark"})
			for _, writers := range []int{1, 2, 4} {
				b.Run(fmt.Sprintf("writers-%d", writers), func(b *testing.B) {
					var wg sync.WaitGroup
					errs := make(chan error, writers)
					for w := 0; w < writers; w++ {
						wg.Add(1)
						go func(w int) {
							defer wg.Done()
							for i := w; i < b.N; i += writers {
								err := env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
									return env.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "member.update",
										ObjectType: "member", ObjectID: strconv.Itoa(i),
										Changes: []audit.Change{{Field: "town", Before: "Vaasa", After: "Vasa"}}})
								})
								if err != nil {
									errs <- err
									return
								}
							}
						}(w)
					}
					wg.Wait()
					close(errs)
					for err := range errs {
						b.Fatal(err)
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
				})
			}
		})
	}
}

// BenchmarkVerify measures `seura audit verify`'s work on a chain of
// SEURA_BENCH_EVENTS events (default 1,000,000), generated directly into
// the database. Run it with
//
//	go test ./internal/audit -run '^$' -bench Verify -benchtime 1x
func BenchmarkVerify(b *testing.B) {
	events := 1000000
	if v := os.Getenv("SEURA_BENCH_EVENTS"); v != "" {
		var err error
		if events, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SEURA_BENCH_EVENTS: %v", err)
		}
	}
	for _, e := range benchEngines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			env := testenv.New(b, e)
			assoc := env.Association(b, "Tarkastus ry", 0).ID
			owner, err := store.Open(ctx, e.OwnerDSN)
			if err != nil {
				b.Fatal(err)
			}
			defer owner.Close()
			start := time.Now()
			if err := generateChain(ctx, owner, assoc, events); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d events generated in %s", e.Name, events, time.Since(start).Round(time.Millisecond))
			var res audit.VerifyResult
			for b.Loop() {
				if res, err = audit.Verify(ctx, owner, audit.VerifyOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			if res.Count < int64(events) {
				b.Fatalf("verified %d events, want at least %d", res.Count, events)
			}
			b.ReportMetric(float64(res.Count)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// generateChain appends n chained events after the current head, as the
// owner, in batches: half of them association events, half platform
// events, with changes and details of a typical size.
func generateChain(ctx context.Context, db *store.DB, assoc string, n int) error {
	const batch = 500
	for done := 0; done < n; done += batch {
		err := db.Write(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.Postgres {
				if _, err := tx.Exec(ctx, `SELECT set_config('seura.association_id', $1, true)`, assoc); err != nil {
					return err
				}
			}
			head, err := audit.ReadHead(ctx, tx)
			if err != nil {
				return err
			}
			links := make([]audit.Link, 0, batch)
			for i := done; i < min(done+batch, n); i++ {
				l := audit.Link{EventID: fmt.Sprintf("bench-%08d", i), OccurredAt: testenv.Start.Add(time.Duration(i) * time.Millisecond),
					ActorType: "user", ActorID: "u-1", ActorLabel: "Kalle Kassör", Action: "member.update",
					ObjectType: "member", ObjectID: fmt.Sprintf("m-%d", i%5000), Outcome: "success",
					Changes: `[{"field":"town","before":"Vaasa","after":"Vasa"},{"field":"birth_date","before":"hmac:0f3a9c2e4b7d8a1f0f3a9c2e4b7d8a1f","after":"hmac:7d8a1f0f3a9c2e4b0f3a9c2e4b7d8a1f"}]`,
					Details: `{}`, RequestID: "req-1", ClientIP: "192.0.2.10"}
				if i%2 == 0 {
					l.AssociationID = sql.NullString{String: assoc, Valid: true}
				}
				if err := l.Seal(head); err != nil {
					return err
				}
				head = audit.Anchor{Seq: l.ChainSeq, Hash: l.Hash}
				links = append(links, l)
			}
			if err := insertLinks(ctx, tx, links); err != nil {
				return err
			}
			return setHead(ctx, tx, head)
		})
		if err != nil {
			return fmt.Errorf("generate events %d…: %w", done, err)
		}
	}
	return nil
}

func insertLinks(ctx context.Context, tx *store.Tx, links []audit.Link) error {
	const cols = 17
	var q strings.Builder
	q.WriteString(`INSERT INTO audit_events (chain_seq, prev_hash, hash, event_id, occurred_at, association_id,
		actor_type, actor_id, actor_label, action, object_type, object_id, outcome, changes, details, request_id, client_ip) VALUES `)
	args := make([]any, 0, len(links)*cols)
	for i, l := range links {
		if i > 0 {
			q.WriteString(",")
		}
		q.WriteString("(")
		for c := 0; c < cols; c++ {
			if c > 0 {
				q.WriteString(",")
			}
			// SQLite looks numbered parameters up one by one, which is
			// quadratic in a long statement; plain ? binds by position.
			if tx.Dialect() == store.SQLite {
				q.WriteString("?")
			} else {
				fmt.Fprintf(&q, "$%d", i*cols+c+1)
			}
		}
		q.WriteString(")")
		var assoc any
		if l.AssociationID.Valid {
			assoc = l.AssociationID.String
		}
		args = append(args, l.ChainSeq, l.PrevHash, l.Hash, l.EventID, l.OccurredAt, assoc, l.ActorType, l.ActorID,
			l.ActorLabel, l.Action, l.ObjectType, l.ObjectID, l.Outcome, l.Changes, l.Details, l.RequestID, l.ClientIP)
	}
	_, err := tx.Exec(ctx, q.String(), args...)
	return err
}

// setHead moves the head to h in one step, which the forward-only trigger
// refuses; the benchmark's throwaway database drops it first.
func setHead(ctx context.Context, tx *store.Tx, h audit.Anchor) error {
	drop := `DROP TRIGGER IF EXISTS audit_chain_forward`
	if tx.Dialect() == store.Postgres {
		drop += ` ON audit_chain`
	}
	if _, err := tx.Exec(ctx, drop); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1`, h.Seq, h.Hash)
	return err
}
