package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"seura.fi/seura/internal/store"
)

// The hash chain. Every event carries a gapless chain sequence number and
// hash = SHA-256(prev_hash ‖ canonical(event)), where prev_hash is the raw 32
// bytes of the previous event's hash (32 zero bytes before the first event).
// The canonical encoding is defined in docs/audit-format.md; Canonical is its
// reference implementation. The canonical bytes are also the leaf data a log
// server stores for the event.

// CanonicalTag is the first field of every canonical encoding. It names the
// format version, so a later format can never produce the same bytes.
const CanonicalTag = "seura.audit.v1"

// TimeLayout is how occurred_at enters the canonical encoding: UTC, always
// six fractional digits (microseconds, the precision both engines store).
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// GenesisHash is the previous hash of the first event: 32 zero bytes, hex.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// nullField is the length prefix that marks an SQL NULL, which must hash
// differently from an empty string (a platform event from one filed under
// association "").
const nullField = 0xFFFFFFFF

// Link is one event of the chain exactly as stored: the values that are
// hashed, plus its chain position and hashes. Changes and Details are the
// stored JSON text, byte for byte, so no JSON re-encoding is involved.
type Link struct {
	ChainSeq      int64
	PrevHash      string
	Hash          string
	EventID       string
	OccurredAt    time.Time
	AssociationID sql.NullString
	ActorType     string
	ActorID       string
	ActorLabel    string
	Action        string
	ObjectType    string
	ObjectID      string
	Outcome       string
	Changes       string
	Details       string
	RequestID     string
	ClientIP      string
}

// Canonical returns the bytes the chain hashes for l: each field as a 4-byte
// big-endian length followed by its UTF-8 bytes (NULL: length 0xFFFFFFFF and
// no bytes), in the order of docs/audit-format.md.
func (l Link) Canonical() []byte {
	before := [...]string{CanonicalTag, strconv.FormatInt(l.ChainSeq, 10), l.EventID,
		l.OccurredAt.UTC().Format(TimeLayout)}
	after := [...]string{l.ActorType, l.ActorID, l.ActorLabel, l.Action, l.ObjectType, l.ObjectID,
		l.Outcome, l.Changes, l.Details, l.RequestID, l.ClientIP}
	size := 4 * (len(before) + 1 + len(after))
	for _, f := range before {
		size += len(f)
	}
	for _, f := range after {
		size += len(f)
	}
	out := make([]byte, 0, size+len(l.AssociationID.String))
	for _, f := range before {
		out = appendField(out, f)
	}
	if l.AssociationID.Valid {
		out = appendField(out, l.AssociationID.String)
	} else {
		out = binary.BigEndian.AppendUint32(out, nullField)
	}
	for _, f := range after {
		out = appendField(out, f)
	}
	return out
}

func appendField(out []byte, f string) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
	return append(out, f...)
}

// ChainHash returns hex(SHA-256(prev ‖ canonical)), prev given in hex.
func ChainHash(prevHex string, canonical []byte) (string, error) {
	prev, err := hex.DecodeString(prevHex)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("previous hash %q is not 64 hex digits", prevHex)
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(canonical)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Seal sets l's chain position after head and computes its hashes.
func (l *Link) Seal(head Anchor) error {
	l.ChainSeq = head.Seq + 1
	l.PrevHash = head.Hash
	h, err := ChainHash(head.Hash, l.Canonical())
	if err != nil {
		return err
	}
	l.Hash = h
	return nil
}

// Anchor is a point of the chain: an event's sequence number and hash. The
// chain head, and a head kept outside the database, are anchors.
type Anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Genesis is the anchor before the first event.
var Genesis = Anchor{Seq: 0, Hash: GenesisHash}

// lockHead reads the chain head and, on PostgreSQL, locks it until tx ends,
// so concurrent transactions chain their events one after another. SQLite
// needs no lock: its single writer connection is already exclusive.
func lockHead(ctx context.Context, tx *store.Tx) (Anchor, error) {
	q := `SELECT seq, hash FROM audit_chain WHERE id = 1`
	if tx.Dialect() == store.Postgres {
		q += ` FOR UPDATE`
	}
	var head Anchor
	if err := tx.QueryRow(ctx, q).Scan(&head.Seq, &head.Hash); err != nil {
		return Anchor{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	return head, nil
}

// ReadHead returns the chain head: the last chained event.
func ReadHead(ctx context.Context, tx *store.Tx) (Anchor, error) {
	var head Anchor
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1`).Scan(&head.Seq, &head.Hash); err != nil {
		return Anchor{}, fmt.Errorf("read audit chain head: %w", err)
	}
	return head, nil
}

// appendLink writes l as the event after head and moves the head to it.
func appendLink(ctx context.Context, tx *store.Tx, head Anchor, l *Link) error {
	if err := l.Seal(head); err != nil {
		return err
	}
	var assoc any
	if l.AssociationID.Valid {
		assoc = l.AssociationID.String
	}
	insert := `INSERT INTO audit_events
		(event_id, occurred_at, association_id, actor_type, actor_id, actor_label, action,
		 object_type, object_id, outcome, changes, details, request_id, client_ip, chain_seq, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
	args := []any{l.EventID, l.OccurredAt, assoc, l.ActorType, l.ActorID, l.ActorLabel, l.Action, l.ObjectType,
		l.ObjectID, l.Outcome, l.Changes, l.Details, l.RequestID, l.ClientIP, l.ChainSeq, l.PrevHash, l.Hash}
	if tx.Dialect() == store.Postgres {
		// One round trip instead of two: the event and the head move
		// together in one statement.
		res, err := tx.Exec(ctx, `WITH ev AS (`+insert+` RETURNING chain_seq, hash)
			UPDATE audit_chain SET seq = ev.chain_seq, hash = ev.hash FROM ev WHERE audit_chain.id = 1`, args...)
		if err != nil {
			return fmt.Errorf("audit: write %s event: %w", l.Action, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("audit: write %s event: chain head not moved (%d rows, %v)", l.Action, n, err)
		}
		return nil
	}
	if _, err := tx.Exec(ctx, insert, args...); err != nil {
		return fmt.Errorf("audit: write %s event: %w", l.Action, err)
	}
	return moveHead(ctx, tx, l)
}

func moveHead(ctx context.Context, tx *store.Tx, l *Link) error {
	if _, err := tx.Exec(ctx, `UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1`, l.ChainSeq, l.Hash); err != nil {
		return fmt.Errorf("audit: move chain head to %d: %w", l.ChainSeq, err)
	}
	return nil
}

// linkColumns are the stored columns of a Link, in Link's field order.
const linkColumns = `chain_seq, COALESCE(prev_hash, ''), COALESCE(hash, ''), event_id, occurred_at, association_id,
	actor_type, actor_id, actor_label, action, object_type, object_id, outcome, changes, details, request_id, client_ip`

func scanLink(rows *sql.Rows, l *Link) error {
	if err := rows.Scan(&l.ChainSeq, &l.PrevHash, &l.Hash, &l.EventID, &l.OccurredAt, &l.AssociationID,
		&l.ActorType, &l.ActorID, &l.ActorLabel, &l.Action, &l.ObjectType, &l.ObjectID, &l.Outcome,
		&l.Changes, &l.Details, &l.RequestID, &l.ClientIP); err != nil {
		return fmt.Errorf("scan audit event: %w", err)
	}
	l.OccurredAt = l.OccurredAt.UTC()
	return nil
}

// Links calls fn with every chained event whose sequence number is in
// [from, to] (to ≤ 0: no upper bound), in chain order, streaming. It is how
// the events leave the database in order (verification, shipping to a log
// server). On PostgreSQL, tx sees only the events row-level security lets it
// see: use ReadChain for the whole chain.
func Links(ctx context.Context, tx *store.Tx, from, to int64, fn func(Link) error) error {
	if to <= 0 {
		to = 1 << 62
	}
	rows, err := tx.Query(ctx, `SELECT `+linkColumns+` FROM audit_events
		WHERE chain_seq >= $1 AND chain_seq <= $2 ORDER BY chain_seq`, from, to)
	if err != nil {
		return fmt.Errorf("read audit chain: %w", err)
	}
	defer rows.Close()
	var l Link
	for rows.Next() {
		if err := scanLink(rows, &l); err != nil {
			return err
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit chain: %w", err)
	}
	return nil
}

func init() { store.AfterMigration(12, chainExisting) }

// noUpdateTrigger is the SQLite guard of 0001_foundation.sqlite.sql, lifted
// while the events that predate the chain are chained and then restored.
const noUpdateTrigger = `CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END`

// chainExisting chains the events written before migration 12, in the order
// they were written (seq), inside that migration's transaction, as the
// schema owner. It runs once: a migration is applied once.
func chainExisting(ctx context.Context, tx *store.Tx) error {
	guardOff, guardOn := `DROP TRIGGER audit_events_no_update`, noUpdateTrigger
	if tx.Dialect() == store.Postgres {
		// The owner is bound by the tenant policies too (FORCE); for the
		// length of this transaction it is not.
		guardOff = `ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY`
		guardOn = `ALTER TABLE audit_events FORCE ROW LEVEL SECURITY`
	}
	if _, err := tx.Exec(ctx, guardOff); err != nil {
		return fmt.Errorf("chain existing audit events: %w", err)
	}
	head, err := lockHead(ctx, tx)
	if err != nil {
		return err
	}
	for after := int64(0); ; {
		batch, last, err := unchained(ctx, tx, after, 1000)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			if head, err = chainInPlace(ctx, tx, head, &batch[i].link, batch[i].seq); err != nil {
				return err
			}
		}
		after = last
	}
	if _, err := tx.Exec(ctx, guardOn); err != nil {
		return fmt.Errorf("chain existing audit events: %w", err)
	}
	return nil
}

type storedLink struct {
	seq  int64
	link Link
}

// unchained reads up to limit events without a chain number after row seq.
func unchained(ctx context.Context, tx *store.Tx, after int64, limit int) ([]storedLink, int64, error) {
	rows, err := tx.Query(ctx, `SELECT seq, `+linkColumns+` FROM audit_events
		WHERE chain_seq IS NULL AND seq > $1 ORDER BY seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("read unchained audit events: %w", err)
	}
	defer rows.Close()
	var out []storedLink
	for rows.Next() {
		var s storedLink
		var chainSeq sql.NullInt64
		l := &s.link
		if err := rows.Scan(&s.seq, &chainSeq, &l.PrevHash, &l.Hash, &l.EventID, &l.OccurredAt, &l.AssociationID,
			&l.ActorType, &l.ActorID, &l.ActorLabel, &l.Action, &l.ObjectType, &l.ObjectID, &l.Outcome,
			&l.Changes, &l.Details, &l.RequestID, &l.ClientIP); err != nil {
			return nil, 0, fmt.Errorf("scan unchained audit event: %w", err)
		}
		l.OccurredAt = l.OccurredAt.UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read unchained audit events: %w", err)
	}
	if len(out) == 0 {
		return nil, after, nil
	}
	return out, out[len(out)-1].seq, nil
}

// chainInPlace gives the stored event at row seq its chain position after
// head and returns the new head.
func chainInPlace(ctx context.Context, tx *store.Tx, head Anchor, l *Link, seq int64) (Anchor, error) {
	if err := l.Seal(head); err != nil {
		return Anchor{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE audit_events SET chain_seq = $1, prev_hash = $2, hash = $3 WHERE seq = $4`,
		l.ChainSeq, l.PrevHash, l.Hash, seq); err != nil {
		return Anchor{}, fmt.Errorf("chain audit event %d: %w", seq, err)
	}
	if err := moveHead(ctx, tx, l); err != nil {
		return Anchor{}, err
	}
	return Anchor{Seq: l.ChainSeq, Hash: l.Hash}, nil
}
