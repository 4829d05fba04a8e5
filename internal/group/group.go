// Package group holds the named groups members belong to (activities with
// their participants, sections, tags) and the positions of trust members
// hold for a term (chair, secretary, auditor …). Every function takes a
// tenant-scoped transaction and audits each change in it, so a change and
// its audit event commit or fail together.
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
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Kinds of group.
const (
	KindActivity = "activity"
	KindSection  = "section"
	KindTag      = "tag"
)

// Kinds lists the kinds in the order the overview shows them.
var Kinds = []string{KindActivity, KindSection, KindTag}

// Limits on what people type.
const (
	maxName        = 100
	maxDescription = 2000
	// MaxAdd bounds one bulk addition, so a typo like "1-999999" cannot
	// make one request touch the whole register.
	MaxAdd = 5000
)

// ErrNotFound is returned for a group that is not in this association.
var ErrNotFound = errors.New("group not found")

// Group is one activity, section or tag.
type Group struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	// Members is the number of members in the group, filled by List and Get.
	Members int `json:"member_count"`
}

// Participant is a member as a group's list shows them: enough to find
// the card, without the personal details a list does not need.
type Participant struct {
	ID        string
	Number    int64
	Kind      string
	Status    string
	FirstName string
	LastName  string
	OrgName   string
}

// DisplayName is how people see the member in lists.
func (p Participant) DisplayName() string {
	return member.Member{Kind: p.Kind, FirstName: p.FirstName, LastName: p.LastName, OrgName: p.OrgName}.DisplayName()
}

// participantColumns are scanned by scanParticipant, from members m.
const participantColumns = `m.id, m.member_number, m.kind, m.status, m.first_name, m.last_name, m.org_name`

func scanParticipant(row interface{ Scan(...any) error }) (Participant, error) {
	var p Participant
	err := row.Scan(&p.ID, &p.Number, &p.Kind, &p.Status, &p.FirstName, &p.LastName, &p.OrgName)
	return p, err
}

// normalize trims the group's text and checks it, returning the problems
// by field.
func normalize(g Group) (Group, member.Problems) {
	var ps member.Problems
	g.Kind = strings.ToLower(strings.TrimSpace(g.Kind))
	g.Name = strings.Join(strings.Fields(g.Name), " ")
	g.Description = strings.TrimSpace(g.Description)
	if !slices.Contains(Kinds, g.Kind) {
		ps = append(ps, member.FieldError{Field: "kind", Message: "must be activity, section or tag"})
	}
	switch {
	case g.Name == "":
		ps = append(ps, member.FieldError{Field: "name", Message: "required"})
	case utf8.RuneCountInString(g.Name) > maxName:
		ps = append(ps, member.FieldError{Field: "name", Message: fmt.Sprintf("at most %d characters", maxName)})
	}
	if utf8.RuneCountInString(g.Description) > maxDescription {
		ps = append(ps, member.FieldError{Field: "description", Message: fmt.Sprintf("at most %d characters", maxDescription)})
	}
	return g, ps
}

// nameTaken reports whether another group of the kind has the name, in
// any letter case: "Kuoro" and "kuoro" are the same group to people. The
// comparison is made here rather than with SQL LOWER, which SQLite applies
// to ASCII letters only ("Äijät" and "äijät" would differ there).
func nameTaken(ctx context.Context, tx *store.TenantTx, kind, name, except string) (bool, error) {
	rows, err := tx.Query(ctx, `SELECT name FROM groups WHERE association_id = $1 AND kind = $2 AND id <> $3`, kind, except)
	if err != nil {
		return false, fmt.Errorf("check group name: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var other string
		if err := rows.Scan(&other); err != nil {
			return false, fmt.Errorf("scan group name: %w", err)
		}
		if strings.EqualFold(other, name) {
			return true, nil
		}
	}
	return false, rows.Err()
}

var errNameTaken = member.Problems{{Field: "name", Message: "is already in use"}}

// Create adds a group and audits it ("group.create").
func Create(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, g Group) (Group, error) {
	g, ps := normalize(g)
	if len(ps) > 0 {
		return Group{}, ps
	}
	taken, err := nameTaken(ctx, tx, g.Kind, g.Name, "")
	if err != nil {
		return Group{}, err
	}
	if taken {
		return Group{}, errNameTaken
	}
	g.ID = uuid.Must(uuid.NewV7()).String()
	g.CreatedAt = now.UTC()
	_, err = tx.Exec(ctx, `INSERT INTO groups (association_id, id, kind, name, description, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.Kind, g.Name, g.Description, g.CreatedAt)
	if store.IsUniqueViolation(err) {
		return Group{}, errNameTaken
	}
	if err != nil {
		return Group{}, fmt.Errorf("insert group: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "group.create", ObjectType: "group", ObjectID: g.ID,
		Changes: []audit.Change{{Field: "kind", After: g.Kind}, {Field: "name", After: g.Name},
			{Field: "description", After: g.Description}}}); err != nil {
		return Group{}, err
	}
	return g, nil
}

// Get reads one group with its member count.
func Get(ctx context.Context, tx *store.TenantTx, id string) (Group, error) {
	var g Group
	err := tx.QueryRow(ctx, `SELECT g.id, g.kind, g.name, g.description, g.created_at,
		(SELECT COUNT(*) FROM group_members gm WHERE gm.association_id = $1 AND gm.group_id = g.id)
		FROM groups g WHERE g.association_id = $1 AND g.id = $2`, id).
		Scan(&g.ID, &g.Kind, &g.Name, &g.Description, &g.CreatedAt, &g.Members)
	if errors.Is(err, sql.ErrNoRows) {
		return Group{}, ErrNotFound
	}
	if err != nil {
		return Group{}, fmt.Errorf("read group: %w", err)
	}
	return g, nil
}

// List returns the association's groups of a kind ("" for every kind),
// ordered by kind and name, each with its member count.
func List(ctx context.Context, tx *store.TenantTx, kind string) ([]Group, error) {
	q := `SELECT g.id, g.kind, g.name, g.description, g.created_at, COUNT(gm.member_id)
		FROM groups g LEFT JOIN group_members gm ON gm.association_id = $1 AND gm.group_id = g.id
		WHERE g.association_id = $1`
	var args []any
	if kind != "" {
		q += ` AND g.kind = $2`
		args = append(args, kind)
	}
	q += ` GROUP BY g.id, g.kind, g.name, g.description, g.created_at ORDER BY g.kind, LOWER(g.name), g.id`
	rows, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Kind, &g.Name, &g.Description, &g.CreatedAt, &g.Members); err != nil {
			return nil, fmt.Errorf("scan group: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Names lists every group's id, kind and name in List's order, without
// counting members: for pickers (the member list's group filter), which
// would otherwise pay a pass over all group memberships on every page.
func Names(ctx context.Context, tx *store.TenantTx) ([]Group, error) {
	rows, err := tx.Query(ctx, `SELECT id, kind, name FROM groups WHERE association_id = $1 ORDER BY kind, LOWER(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list group names: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Kind, &g.Name); err != nil {
			return nil, fmt.Errorf("scan group name: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// Rename changes a group's name and description (its kind stays) and
// audits the fields that changed ("group.update").
func Rename(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id, name, description string) (Group, error) {
	cur, err := Get(ctx, tx, id)
	if err != nil {
		return Group{}, err
	}
	next, ps := normalize(Group{Kind: cur.Kind, Name: name, Description: description})
	if len(ps) > 0 {
		return Group{}, ps
	}
	next.ID, next.CreatedAt, next.Members = cur.ID, cur.CreatedAt, cur.Members
	var changes []audit.Change
	if next.Name != cur.Name {
		changes = append(changes, audit.Change{Field: "name", Before: cur.Name, After: next.Name})
	}
	if next.Description != cur.Description {
		changes = append(changes, audit.Change{Field: "description", Before: cur.Description, After: next.Description})
	}
	if len(changes) == 0 {
		return cur, nil
	}
	taken, err := nameTaken(ctx, tx, cur.Kind, next.Name, cur.ID)
	if err != nil {
		return Group{}, err
	}
	if taken {
		return Group{}, errNameTaken
	}
	_, err = tx.Exec(ctx, `UPDATE groups SET name = $3, description = $4 WHERE association_id = $1 AND id = $2`,
		cur.ID, next.Name, next.Description)
	if store.IsUniqueViolation(err) {
		return Group{}, errNameTaken
	}
	if err != nil {
		return Group{}, fmt.Errorf("update group: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "group.update", ObjectType: "group", ObjectID: cur.ID,
		Changes: changes}); err != nil {
		return Group{}, err
	}
	return next, nil
}

// Delete removes a group and its membership links (the members stay) and
// audits it ("group.delete") with how many members it had.
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	cur, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM group_members WHERE association_id = $1 AND group_id = $2`, cur.ID); err != nil {
		return fmt.Errorf("delete group members: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM groups WHERE association_id = $1 AND id = $2`, cur.ID); err != nil {
		return fmt.Errorf("delete group: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "group.delete", ObjectType: "group", ObjectID: cur.ID,
		Changes: []audit.Change{{Field: "kind", Before: cur.Kind}, {Field: "name", Before: cur.Name}},
		Details: map[string]any{"members": cur.Members}})
}
