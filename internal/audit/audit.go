// Package audit records who did what, written inside the same database
// transaction as the change it describes: if the event cannot be written,
// the change is refused (as Vault refuses a request no audit device logs).
// Sensitive values are stored as keyed hashes, so the trail proves that a
// value changed without repeating it.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/store"
)

// Outcomes of an audited action.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Actor types.
const (
	ActorUser     = "user"
	ActorOperator = "operator"
	ActorAPIKey   = "apikey"
	ActorSystem   = "system"
	ActorAnon     = "anonymous"
)

// Actor is who did it.
type Actor struct {
	Type  string `json:"type"`
	ID    string `json:"id,omitempty"`
	Label string `json:"label,omitempty"`
}

// Sensitivity says how a changed value may appear in the trail.
type Sensitivity int

const (
	// Plain values are stored as they are.
	Plain Sensitivity = iota
	// Personal values (identity codes, addresses) are stored as an HMAC, so
	// equal values can be matched without storing them.
	Personal
	// Secret values (passwords, TOTP secrets) are never stored in any form;
	// the trail says only that they changed.
	Secret
)

// Change is one field's before and after.
type Change struct {
	Field       string      `json:"field"`
	Before      string      `json:"before,omitempty"`
	After       string      `json:"after,omitempty"`
	Sensitivity Sensitivity `json:"-"`
}

// Event is one audited action. Zero fields take defaults: the association
// from the transaction, the actor and request from the context, the time
// from the recorder's clock, Success as outcome.
type Event struct {
	Action        string
	ObjectType    string
	ObjectID      string
	Outcome       string
	Changes       []Change
	Details       map[string]any
	AssociationID string
	Actor         *Actor
}

// Request carries what the HTTP layer knows about the caller.
type Request struct {
	ID       string
	ClientIP string
	Actor    Actor
}

type requestKey struct{}

// WithRequest attaches request information to ctx for the recorder.
func WithRequest(ctx context.Context, r Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request information in ctx, if any.
func RequestFrom(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

// WithActor returns ctx with the actor replaced, keeping the request id.
func WithActor(ctx context.Context, a Actor) context.Context {
	r := RequestFrom(ctx)
	r.Actor = a
	return WithRequest(ctx, r)
}

// Recorder writes events.
type Recorder struct {
	hmacKey []byte
	clock   clock.Clock
}

// NewRecorder makes a recorder whose Personal values are keyed with hmacKey.
func NewRecorder(hmacKey []byte, c clock.Clock) *Recorder {
	if c == nil {
		c = clock.System{}
	}
	return &Recorder{hmacKey: hmacKey, clock: c}
}

// Record writes ev inside tx as the next link of the hash chain. Callers
// return its error so the transaction, and with it the change, is rolled
// back when the event cannot be written. The time is kept to the
// microsecond, the precision both engines store, so the hash computed here
// is the one a verifier recomputes from the stored row.
func (r *Recorder) Record(ctx context.Context, tx *store.Tx, ev Event) error {
	if ev.Action == "" {
		return fmt.Errorf("audit: event without action")
	}
	req := RequestFrom(ctx)
	actor := req.Actor
	if ev.Actor != nil {
		actor = *ev.Actor
	}
	if actor.Type == "" {
		actor.Type = ActorAnon
	}
	assoc := ev.AssociationID
	if assoc == "" {
		assoc = tx.Association()
	}
	outcome := ev.Outcome
	if outcome == "" {
		outcome = Success
	}
	changes := make([]Change, len(ev.Changes))
	for i, c := range ev.Changes {
		changes[i] = r.mask(c)
	}
	changesJSON, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("audit: encode changes: %w", err)
	}
	details := ev.Details
	if details == nil {
		details = map[string]any{}
	}
	detailsJSON, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit: encode details: %w", err)
	}
	link := Link{
		EventID:    uuid.Must(uuid.NewV7()).String(),
		OccurredAt: r.clock.Now().UTC().Truncate(time.Microsecond),
		ActorType:  actor.Type, ActorID: actor.ID, ActorLabel: actor.Label,
		Action: ev.Action, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID, Outcome: outcome,
		Changes: string(changesJSON), Details: string(detailsJSON),
		RequestID: req.ID, ClientIP: req.ClientIP,
	}
	if assoc != "" {
		link.AssociationID = sql.NullString{String: assoc, Valid: true}
	}
	// The head stays locked until tx ends: the next event is chained after
	// this one, or after its predecessor if tx rolls back, so the chain has
	// no gap.
	head, err := lockHead(ctx, tx)
	if err != nil {
		return err
	}
	return appendLink(ctx, tx, head, &link)
}

func (r *Recorder) mask(c Change) Change {
	switch c.Sensitivity {
	case Personal:
		c.Before, c.After = r.hash(c.Before), r.hash(c.After)
	case Secret:
		c.Before = ""
		c.After = "(changed)"
	}
	return c
}

// hash is the keyed hash under which a Personal value is kept.
func (r *Recorder) hash(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, r.hmacKey)
	m.Write([]byte(v))
	return "hmac:" + hex.EncodeToString(m.Sum(nil)[:16])
}

// Entry is a stored event, as the audit list shows it.
type Entry struct {
	Seq           int64
	EventID       string
	OccurredAt    time.Time
	AssociationID string
	Actor         Actor
	Action        string
	ObjectType    string
	ObjectID      string
	Outcome       string
	Changes       []Change
	Details       map[string]any
	RequestID     string
	ClientIP      string
	// ChainSeq and Hash place the event in the hash chain (0 and "" for an
	// event outside it).
	ChainSeq int64
	Hash     string
}

const entryColumns = `seq, event_id, occurred_at, COALESCE(association_id, ''), actor_type, actor_id, actor_label,
	action, object_type, object_id, outcome, changes, details, request_id, client_ip,
	COALESCE(chain_seq, 0), COALESCE(hash, '')`

// List returns an association's newest events, newest first, before seq
// beforeSeq (0 for the newest page).
func List(ctx context.Context, tx *store.TenantTx, beforeSeq int64, limit int) ([]Entry, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM audit_events
		WHERE association_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, before(beforeSeq), limit)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return scanEntries(rows)
}

// ListPlatform returns the newest events that belong to no association
// (logins, operator actions, association creation), for operators. They
// carry no member data.
func ListPlatform(ctx context.Context, tx *store.Tx, beforeSeq int64, limit int) ([]Entry, error) {
	rows, err := tx.Query(ctx, `SELECT `+entryColumns+` FROM audit_events
		WHERE association_id IS NULL AND seq < $1 ORDER BY seq DESC LIMIT $2`, before(beforeSeq), limit)
	if err != nil {
		return nil, fmt.Errorf("list platform audit events: %w", err)
	}
	return scanEntries(rows)
}

// before turns "no cursor" (0) into a bound above every sequence number.
func before(seq int64) int64 {
	if seq <= 0 {
		return 1 << 62
	}
	return seq
}

func scanEntries(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var changes, details string
		if err := rows.Scan(&e.Seq, &e.EventID, &e.OccurredAt, &e.AssociationID, &e.Actor.Type, &e.Actor.ID,
			&e.Actor.Label, &e.Action, &e.ObjectType, &e.ObjectID, &e.Outcome, &changes, &details,
			&e.RequestID, &e.ClientIP, &e.ChainSeq, &e.Hash); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		_ = json.Unmarshal([]byte(changes), &e.Changes)
		_ = json.Unmarshal([]byte(details), &e.Details)
		out = append(out, e)
	}
	return out, rows.Err()
}
