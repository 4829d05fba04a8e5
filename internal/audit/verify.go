package audit

import (
	"context"
	"errors"
	"fmt"

	"seura.fi/seura/internal/store"
)

// Divergence is the first place where the stored trail differs from a valid
// chain: the sequence number and what differs there.
type Divergence struct {
	// Seq is the chain sequence number where verification failed.
	Seq int64
	// Problem says what differs, in words an auditor can act on.
	Problem string
}

func (d *Divergence) Error() string {
	if d.Seq == 0 {
		return "audit trail tampered with: " + d.Problem
	}
	return fmt.Sprintf("audit chain broken at seq %d: %s", d.Seq, d.Problem)
}

// Checker verifies links handed to it in chain order, from the genesis. It
// reads nothing itself, so any source of links (the database, an exported
// bundle) can be checked with it.
type Checker struct {
	head Anchor
}

// NewChecker starts a check at the genesis.
func NewChecker() *Checker { return &Checker{head: Genesis} }

// Head is the last link accepted: its sequence number is the count.
func (c *Checker) Head() Anchor { return c.head }

// Add checks that l is the link after the last one accepted and returns a
// *Divergence when it is not. Its order of tests makes the report precise: a
// missing number is a gap, a repeated one a duplicate, a prev_hash that is
// not the previous link's hash a break (an event inserted, removed or moved
// before it), and a hash that does not recompute a changed event.
func (c *Checker) Add(l Link) error {
	want := c.head.Seq + 1
	switch {
	case l.ChainSeq < want:
		return &Divergence{Seq: l.ChainSeq, Problem: fmt.Sprintf(
			"sequence number %d appears again after %d (event %s duplicated or inserted)", l.ChainSeq, c.head.Seq, l.EventID)}
	case l.ChainSeq > want:
		return &Divergence{Seq: want, Problem: fmt.Sprintf(
			"gap: event %d is missing, the next stored event is %d (deleted)", want, l.ChainSeq)}
	case l.PrevHash != c.head.Hash:
		return &Divergence{Seq: l.ChainSeq, Problem: fmt.Sprintf(
			"prev_hash %s is not the hash %s of event %d (an event was inserted, removed or moved before %d)",
			short(l.PrevHash), short(c.head.Hash), c.head.Seq, l.ChainSeq)}
	}
	got, err := ChainHash(c.head.Hash, l.Canonical())
	if err != nil {
		return &Divergence{Seq: l.ChainSeq, Problem: err.Error()}
	}
	if got != l.Hash {
		return &Divergence{Seq: l.ChainSeq, Problem: fmt.Sprintf(
			"hash mismatch: stored %s, computed %s (event %s was changed)", short(l.Hash), short(got), l.EventID)}
	}
	c.head = Anchor{Seq: l.ChainSeq, Hash: l.Hash}
	return nil
}

// short abbreviates a hash for messages.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}

// VerifyOptions tunes Verify.
type VerifyOptions struct {
	// Anchor is a head verified earlier and kept outside the database (nil:
	// none). The chain must still contain it, with the same hash: this is
	// what detects a truncated tail whose head row was rewound with it.
	Anchor *Anchor
	// Progress, if set, is called now and then with the events checked and
	// the number expected.
	Progress func(done, total int64)
}

// VerifyResult is a verified chain.
type VerifyResult struct {
	// Count is the number of events in the chain.
	Count int64
	// Head is the last event's sequence number and hash.
	Head Anchor
}

// ErrNotOwner means the connection cannot read every association's events,
// so it cannot verify the chain.
var ErrNotOwner = errors.New("verifying the audit trail needs the database owner's connection (the one `seura migrate` uses)")

// Verify reads the whole chain in order, streaming, and checks every link,
// the head row, the anchor, and that no event lies outside the chain. It
// returns a *Divergence (wrapped) for the first place the trail was tampered
// with, another error when it could not read the trail.
//
// On PostgreSQL, db must be connected as the schema owner: the tenant
// policies hide other associations' events from every other role, and the
// audit_verify policy of migration 12 lets the owner read them all in a
// transaction that sets seura.audit_verify. The transaction is REPEATABLE
// READ, so the head and the events are one snapshot while the app writes on.
func Verify(ctx context.Context, db *store.DB, opt VerifyOptions) (VerifyResult, error) {
	var res VerifyResult
	err := ReadChain(ctx, db, func(tx *store.Tx) error {
		var err error
		res, err = verifyIn(ctx, tx, opt)
		return err
	})
	return res, err
}

// ReadChain runs fn in a read transaction that sees the whole chain as one
// snapshot: every association's events (on PostgreSQL db must be the
// owner's, see Verify). Exports and shipping read the chain through it with
// Links.
func ReadChain(ctx context.Context, db *store.DB, fn func(tx *store.Tx) error) error {
	return db.Read(ctx, func(tx *store.Tx) error {
		if err := openChainRead(ctx, tx); err != nil {
			return err
		}
		return fn(tx)
	})
}

// VerifyTx verifies the chain as Verify does, inside the caller's
// transaction (its own writes included), for a check that must see a change
// before it commits. On PostgreSQL tx must be the owner's.
func VerifyTx(ctx context.Context, tx *store.Tx, opt VerifyOptions) (VerifyResult, error) {
	if err := readEveryAssociation(ctx, tx); err != nil {
		return VerifyResult{}, err
	}
	return verifyIn(ctx, tx, opt)
}

// openChainRead prepares tx, as the first statement of a read transaction,
// to read the whole chain: on PostgreSQL one snapshot and every association.
func openChainRead(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
		return fmt.Errorf("start audit verification: %w", err)
	}
	return readEveryAssociation(ctx, tx)
}

// readEveryAssociation lifts, for tx only, the tenant policies that hide
// other associations' events, which only the owner's audit_verify policy
// allows.
func readEveryAssociation(ctx context.Context, tx *store.Tx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	var allowed bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_policies
		WHERE tablename = 'audit_events' AND policyname = 'audit_verify' AND current_user = ANY (roles))`).Scan(&allowed); err != nil {
		return fmt.Errorf("check audit verification rights: %w", err)
	}
	if !allowed {
		var role string
		_ = tx.QueryRow(ctx, `SELECT current_user`).Scan(&role)
		return fmt.Errorf("%w; role %s cannot read every association's events", ErrNotOwner, role)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('seura.audit_verify', 'on', true)`); err != nil {
		return fmt.Errorf("start audit verification: %w", err)
	}
	return nil
}

func verifyIn(ctx context.Context, tx *store.Tx, opt VerifyOptions) (VerifyResult, error) {
	head, err := ReadHead(ctx, tx)
	if err != nil {
		return VerifyResult{}, err
	}
	c := NewChecker()
	progress := func(int64) {}
	if opt.Progress != nil {
		opt.Progress(0, head.Seq)
		progress = func(n int64) {
			if n%10000 == 0 {
				opt.Progress(n, head.Seq)
			}
		}
	}
	err = Links(ctx, tx, 1, 0, func(l Link) error {
		if err := c.Add(l); err != nil {
			return err
		}
		if a := opt.Anchor; a != nil && l.ChainSeq == a.Seq && l.Hash != a.Hash {
			return &Divergence{Seq: l.ChainSeq, Problem: fmt.Sprintf(
				"hash %s differs from the anchor %s kept for this event (history rewritten up to here)",
				short(l.Hash), short(a.Hash))}
		}
		progress(l.ChainSeq)
		return nil
	})
	if err != nil {
		return VerifyResult{}, err
	}
	last := c.Head()
	if opt.Progress != nil {
		opt.Progress(last.Seq, head.Seq)
	}
	if err := checkEnd(last, head, opt.Anchor); err != nil {
		return VerifyResult{}, err
	}
	if err := checkUnchained(ctx, tx); err != nil {
		return VerifyResult{}, err
	}
	return VerifyResult{Count: last.Seq, Head: last}, nil
}

// checkEnd compares the last stored event with the head row and the anchor:
// events missing at the end of the chain leave no gap, only a short chain.
func checkEnd(last, head Anchor, anchor *Anchor) error {
	if anchor != nil && last.Seq < anchor.Seq {
		return &Divergence{Seq: last.Seq + 1, Problem: fmt.Sprintf(
			"the chain ends at %d but an earlier verification saw it reach %d: events %d–%d are missing (tail truncated)",
			last.Seq, anchor.Seq, last.Seq+1, anchor.Seq)}
	}
	switch {
	case last.Seq < head.Seq:
		return &Divergence{Seq: last.Seq + 1, Problem: fmt.Sprintf(
			"the chain ends at %d but its head records %d: events %d–%d are missing (tail truncated)",
			last.Seq, head.Seq, last.Seq+1, head.Seq)}
	case last.Seq > head.Seq:
		return &Divergence{Seq: head.Seq + 1, Problem: fmt.Sprintf(
			"events %d–%d lie beyond the chain head %d (appended outside the recorder)", head.Seq+1, last.Seq, head.Seq)}
	case last.Hash != head.Hash:
		return &Divergence{Seq: last.Seq, Problem: fmt.Sprintf(
			"hash %s of the last event differs from the head's %s", short(last.Hash), short(head.Hash))}
	}
	return nil
}

// checkUnchained reports an event stored without a chain position, which
// only a write that bypassed the recorder leaves.
func checkUnchained(ctx context.Context, tx *store.Tx) error {
	var n int64
	var firstID string
	err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(event_id), '') FROM audit_events WHERE chain_seq IS NULL`).
		Scan(&n, &firstID)
	if err != nil {
		return fmt.Errorf("look for unchained audit events: %w", err)
	}
	if n > 0 {
		return &Divergence{Seq: 0, Problem: fmt.Sprintf(
			"%d event(s) lie outside the chain, such as %s (inserted outside the recorder)", n, firstID)}
	}
	return nil
}
