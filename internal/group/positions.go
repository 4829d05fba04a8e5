package group

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Titles are the usual positions of trust. A position's title is one of
// these (shown in the reader's language) or free text.
var Titles = []string{"chair", "vice_chair", "secretary", "treasurer", "board_member", "deputy_board_member",
	"auditor", "deputy_auditor", "operations_auditor"}

// maxTitle is the longest free-text title.
const maxTitle = 100

// ErrPositionNotFound is returned for a position not in this association.
var ErrPositionNotFound = errors.New("position not found")

// Position is a position of trust held by a member for a term. EndsOn is
// zero while the term is open.
type Position struct {
	ID        string
	MemberID  string
	Title     string
	StartsOn  time.Time
	EndsOn    time.Time
	CreatedAt time.Time
	// Holder is the member, filled by the queries.
	Holder Participant
}

// KnownTitle reports whether the title is one of Titles, so that it can be
// shown translated.
func (p Position) KnownTitle() bool { return slices.Contains(Titles, p.Title) }

// Current reports whether the term has not ended by today.
func (p Position) Current(today time.Time) bool { return p.EndsOn.IsZero() || !p.EndsOn.Before(today) }

func init() {
	// A member who held a position of trust is part of the association's
	// history (minutes, registrations name them): anonymise, do not delete.
	member.HistoryCheckers = append(member.HistoryCheckers, positionHistory)
	// An anonymised member leaves every group (positions stay, as history).
	member.Erasers = append(member.Erasers, func(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, memberID string) error {
		_, err := RemoveFromAll(ctx, tx, rec, memberID)
		return err
	})
}

func positionHistory(ctx context.Context, tx *store.TenantTx, memberID string) (string, error) {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM positions WHERE association_id = $1 AND member_id = $2`,
		memberID).Scan(&n); err != nil {
		return "", fmt.Errorf("count positions: %w", err)
	}
	if n == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d positions of trust", n), nil
}

// AddPosition records that a member holds a position from startsOn, until
// endsOn when it is known (zero: open). The title is trimmed; a known title
// may be given in any letter case. Audited as "position.add".
func AddPosition(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, p Position) (Position, error) {
	var ps member.Problems
	p.Title = strings.Join(strings.Fields(p.Title), " ")
	if lower := strings.ToLower(p.Title); slices.Contains(Titles, lower) {
		p.Title = lower
	}
	switch {
	case p.Title == "":
		ps = append(ps, member.FieldError{Field: "title", Message: "required"})
	case utf8.RuneCountInString(p.Title) > maxTitle:
		ps = append(ps, member.FieldError{Field: "title", Message: fmt.Sprintf("at most %d characters", maxTitle)})
	}
	p.StartsOn, p.EndsOn = clock.Date(p.StartsOn), clock.Date(p.EndsOn)
	if p.StartsOn.IsZero() {
		ps = append(ps, member.FieldError{Field: "starts_on", Message: "required"})
	}
	if !p.EndsOn.IsZero() && p.EndsOn.Before(p.StartsOn) {
		ps = append(ps, member.FieldError{Field: "ends_on", Message: "cannot be before the start"})
	}
	if strings.TrimSpace(p.MemberID) == "" {
		ps = append(ps, member.FieldError{Field: "member_id", Message: "required"})
	}
	if len(ps) > 0 {
		return Position{}, ps
	}
	holder, err := member.Get(ctx, tx, p.MemberID)
	if errors.Is(err, member.ErrNotFound) {
		return Position{}, member.Problems{{Field: "member_id", Message: "no such member"}}
	}
	if err != nil {
		return Position{}, err
	}
	p.ID = uuid.Must(uuid.NewV7()).String()
	p.CreatedAt = now.UTC()
	p.Holder = Participant{ID: holder.ID, Number: holder.Number, Kind: holder.Kind, Status: holder.Status,
		FirstName: holder.FirstName, LastName: holder.LastName, OrgName: holder.OrgName}
	if _, err := tx.Exec(ctx, `INSERT INTO positions (association_id, id, member_id, title, starts_on, ends_on, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, p.ID, holder.ID, p.Title, p.StartsOn, member.NullDate(p.EndsOn),
		p.CreatedAt); err != nil {
		return Position{}, fmt.Errorf("insert position: %w", err)
	}
	changes := []audit.Change{{Field: "title", After: p.Title}, {Field: "starts_on", After: dateString(p.StartsOn)},
		{Field: "ends_on", After: dateString(p.EndsOn)}}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "position.add", ObjectType: "position", ObjectID: p.ID,
		Changes: changes, Details: map[string]any{"member_id": holder.ID, "member_number": holder.Number}}); err != nil {
		return Position{}, err
	}
	return p, nil
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// GetPosition reads one position with its holder.
func GetPosition(ctx context.Context, tx *store.TenantTx, id string) (Position, error) {
	ps, err := positions(ctx, tx, ` AND p.id = $2`, id)
	if err != nil {
		return Position{}, err
	}
	if len(ps) == 0 {
		return Position{}, ErrPositionNotFound
	}
	return ps[0], nil
}

// EndPosition closes an open term on the date on (today in Finland when
// zero), which cannot be before the start. Audited as "position.end".
func EndPosition(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string, on time.Time) (Position, error) {
	p, err := GetPosition(ctx, tx, id)
	if err != nil {
		return Position{}, err
	}
	on = clock.Date(on)
	if on.IsZero() {
		on = clock.Today(now)
	}
	if !p.EndsOn.IsZero() && p.EndsOn.Before(clock.Today(now)) {
		return Position{}, member.Problems{{Field: "ends_on", Message: "the term has already ended"}}
	}
	if on.Before(p.StartsOn) {
		return Position{}, member.Problems{{Field: "ends_on", Message: "cannot be before the start"}}
	}
	if _, err := tx.Exec(ctx, `UPDATE positions SET ends_on = $3 WHERE association_id = $1 AND id = $2`, p.ID, on); err != nil {
		return Position{}, fmt.Errorf("end position: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "position.end", ObjectType: "position", ObjectID: p.ID,
		Changes: []audit.Change{{Field: "ends_on", Before: dateString(p.EndsOn), After: dateString(on)}},
		Details: map[string]any{"title": p.Title, "member_number": p.Holder.Number}}); err != nil {
		return Position{}, err
	}
	p.EndsOn = on
	return p, nil
}

// DeletePosition removes a position recorded by mistake (a term that ended
// stays as history: end it instead). Audited as "position.delete".
func DeletePosition(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	p, err := GetPosition(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM positions WHERE association_id = $1 AND id = $2`, p.ID); err != nil {
		return fmt.Errorf("delete position: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "position.delete", ObjectType: "position", ObjectID: p.ID,
		Changes: []audit.Change{{Field: "title", Before: p.Title}, {Field: "starts_on", Before: dateString(p.StartsOn)},
			{Field: "ends_on", Before: dateString(p.EndsOn)}},
		Details: map[string]any{"member_id": p.MemberID, "member_number": p.Holder.Number}})
}

// CurrentPositions returns the positions whose term has not ended by today
// (the board as it stands, and terms that start later), ordered by title
// as Titles lists them, then by start.
func CurrentPositions(ctx context.Context, tx *store.TenantTx, today time.Time) ([]Position, error) {
	all, err := positions(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	today = clock.Date(today)
	out := []Position{}
	for _, p := range all {
		if p.Current(today) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Position) int { return titleRank(a.Title) - titleRank(b.Title) })
	return out, nil
}

// PositionHistory returns the terms that ended before today, latest first.
func PositionHistory(ctx context.Context, tx *store.TenantTx, today time.Time) ([]Position, error) {
	all, err := positions(ctx, tx, "")
	if err != nil {
		return nil, err
	}
	today = clock.Date(today)
	out := []Position{}
	for _, p := range all {
		if !p.Current(today) {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b Position) int { return b.EndsOn.Compare(a.EndsOn) })
	return out, nil
}

// PositionsOf returns every position a member held or holds, latest start
// first.
func PositionsOf(ctx context.Context, tx *store.TenantTx, memberID string) ([]Position, error) {
	out, err := positions(ctx, tx, ` AND p.member_id = $2`, memberID)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Position) int { return b.StartsOn.Compare(a.StartsOn) })
	return out, nil
}

// titleRank orders known titles as Titles lists them, free text after.
func titleRank(title string) int {
	if i := slices.Index(Titles, title); i >= 0 {
		return i
	}
	return len(Titles)
}

// positions reads the association's positions with their holders, ordered
// by start; where narrows them with further conditions on p.
func positions(ctx context.Context, tx *store.TenantTx, where string, args ...any) ([]Position, error) {
	rows, err := tx.Query(ctx, `SELECT p.id, p.member_id, p.title, p.starts_on, p.ends_on, p.created_at, `+participantColumns+`
		FROM positions p JOIN members m ON m.association_id = $1 AND m.id = p.member_id
		WHERE p.association_id = $1`+where+` ORDER BY p.starts_on, p.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list positions: %w", err)
	}
	defer rows.Close()
	out := []Position{}
	for rows.Next() {
		var p Position
		var ends sql.NullTime
		h := &p.Holder
		if err := rows.Scan(&p.ID, &p.MemberID, &p.Title, &p.StartsOn, &ends, &p.CreatedAt,
			&h.ID, &h.Number, &h.Kind, &h.Status, &h.FirstName, &h.LastName, &h.OrgName); err != nil {
			return nil, fmt.Errorf("scan position: %w", err)
		}
		p.StartsOn, p.EndsOn = clock.Date(p.StartsOn), clock.Date(ends.Time)
		out = append(out, p)
	}
	return out, rows.Err()
}
