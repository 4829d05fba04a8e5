package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// ErrNotInGroup is returned when removing a member who is not in the group.
var ErrNotInGroup = errors.New("member is not in the group")

// ParseNumbers reads a list of member numbers as people type it: numbers
// and ranges separated by commas, semicolons or spaces ("12, 15, 40-45").
// The result is sorted and without repeats. A token that is neither, an
// empty list or more than MaxAdd numbers is a problem on field.
func ParseNumbers(field, s string) ([]int64, error) {
	tokens := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	seen := map[int64]bool{}
	var out []int64
	for _, tok := range tokens {
		from, to, err := parseRange(tok)
		if err != nil {
			return nil, member.Problems{{Field: field, Message: err.Error()}}
		}
		if to-from+1 > MaxAdd || len(seen)+int(to-from+1) > MaxAdd {
			return nil, member.Problems{{Field: field, Message: fmt.Sprintf("at most %d members at a time", MaxAdd)}}
		}
		for n := from; n <= to; n++ {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	if len(out) == 0 {
		return nil, member.Problems{{Field: field, Message: "required"}}
	}
	slices.Sort(out)
	return out, nil
}

// parseRange reads "12" or "40-45" (a dash, en dash or two dots between).
func parseRange(tok string) (from, to int64, err error) {
	shown := tok
	if len([]rune(shown)) > 20 {
		shown = string([]rune(shown)[:20]) + "…"
	}
	bad := fmt.Errorf("%q is not a member number or a range like 40-45", shown)
	a, b, isRange := strings.Cut(strings.NewReplacer("–", "-", "..", "-").Replace(tok), "-")
	from, err = positive(a)
	if err != nil {
		return 0, 0, bad
	}
	to = from
	if isRange {
		if to, err = positive(b); err != nil {
			return 0, 0, bad
		}
		if to < from {
			return 0, 0, fmt.Errorf("%q: the range ends before it starts", shown)
		}
	}
	return from, to, nil
}

// maxMemberNumber bounds a typed member number far above any register's
// (and far below int64's end, so a range can never wrap around).
const maxMemberNumber = 1_000_000_000_000

func positive(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 || n > maxMemberNumber {
		return 0, errors.New("not a member number")
	}
	return n, nil
}

// placeholders returns "$from, $from+1, …" for n parameters.
func placeholders(from, n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ps, ", ")
}

// IDsByNumbers finds the members with the given numbers. A number no
// member of this association has is a problem on field, naming the numbers,
// and nothing is returned: a bulk addition is all or nothing.
func IDsByNumbers(ctx context.Context, tx *store.TenantTx, field string, numbers []int64) ([]string, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	args := make([]any, len(numbers))
	for i, n := range numbers {
		args[i] = n
	}
	rows, err := tx.Query(ctx, `SELECT id, member_number FROM members WHERE association_id = $1
		AND member_number IN (`+placeholders(2, len(numbers))+`) ORDER BY member_number`, args...)
	if err != nil {
		return nil, fmt.Errorf("find members by number: %w", err)
	}
	defer rows.Close()
	found := map[int64]string{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		found[n] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find members by number: %w", err)
	}
	var missing []string
	ids := make([]string, 0, len(numbers))
	for _, n := range numbers {
		if id, ok := found[n]; ok {
			ids = append(ids, id)
		} else {
			missing = append(missing, strconv.FormatInt(n, 10))
		}
	}
	if len(missing) > 0 {
		if len(missing) > 20 {
			missing = append(missing[:20], "…")
		}
		return nil, member.Problems{{Field: field, Message: "no member has the number " + strings.Join(missing, ", ")}}
	}
	return ids, nil
}

// memberNumbers maps the given ids to member numbers, for the ids that are
// members of this association.
func memberNumbers(ctx context.Context, tx *store.TenantTx, ids []string) (map[string]int64, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := tx.Query(ctx, `SELECT id, member_number FROM members WHERE `+store.KeyedTenant("association_id")+`
		AND id IN (`+placeholders(2, len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("find members: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("scan member: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// AddMembers adds members (by id) to group groupID, all or nothing: an id
// that is not a member of this association is a problem on member_ids and
// adds no one. Members already in the group are left as they are. One
// "group.members_add" event lists the numbers added. It returns how many
// were added.
func AddMembers(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, groupID string, memberIDs []string) (int, error) {
	g, err := Get(ctx, tx, groupID)
	if err != nil {
		return 0, err
	}
	ids := unique(memberIDs)
	if len(ids) == 0 {
		return 0, member.Problems{{Field: "member_ids", Message: "required"}}
	}
	if len(ids) > MaxAdd {
		return 0, member.Problems{{Field: "member_ids", Message: fmt.Sprintf("at most %d members at a time", MaxAdd)}}
	}
	numbers, err := memberNumbers(ctx, tx, ids)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, ok := numbers[id]; !ok {
			return 0, member.Problems{{Field: "member_ids", Message: "no such member: " + shorten(id)}}
		}
	}
	already, err := inGroup(ctx, tx, g.ID)
	if err != nil {
		return 0, err
	}
	var added []int64
	for _, id := range ids {
		if already[id] {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO group_members (association_id, group_id, member_id, added_at)
			VALUES ($1, $2, $3, $4)`, g.ID, id, now.UTC()); err != nil {
			return 0, fmt.Errorf("add group member: %w", err)
		}
		added = append(added, numbers[id])
	}
	if len(added) == 0 {
		return 0, nil
	}
	slices.Sort(added)
	return len(added), rec.Record(ctx, tx.Platform(), audit.Event{Action: "group.members_add", ObjectType: "group",
		ObjectID: g.ID, Details: map[string]any{"name": g.Name, "added": len(added), "member_numbers": added}})
}

// inGroup is the set of member ids in the group.
func inGroup(ctx context.Context, tx *store.TenantTx, groupID string) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT member_id FROM group_members WHERE association_id = $1 AND group_id = $2`, groupID)
	if err != nil {
		return nil, fmt.Errorf("read group members: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan group member: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// RemoveMember takes a member out of a group ("group.member_remove").
func RemoveMember(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, groupID, memberID string) error {
	g, err := Get(ctx, tx, groupID)
	if err != nil {
		return err
	}
	m, err := member.Get(ctx, tx, memberID)
	if err != nil {
		return err
	}
	res, err := tx.Exec(ctx, `DELETE FROM group_members WHERE association_id = $1 AND group_id = $2 AND member_id = $3`,
		g.ID, m.ID)
	if err != nil {
		return fmt.Errorf("remove group member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotInGroup
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "group.member_remove", ObjectType: "group",
		ObjectID: g.ID, Details: map[string]any{"name": g.Name, "member_id": m.ID, "member_number": m.Number}})
}

// Members returns up to limit of a group's members ordered by member
// number, after the given number (keyset paging: the cost does not grow
// with the page).
func Members(ctx context.Context, tx *store.TenantTx, groupID string, afterNumber int64, limit int) ([]Participant, error) {
	if _, err := Get(ctx, tx, groupID); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT `+participantColumns+` FROM group_members gm
		JOIN members m ON m.association_id = $1 AND m.id = gm.member_id
		WHERE gm.association_id = $1 AND gm.group_id = $2 AND m.member_number > $3
		ORDER BY m.member_number LIMIT $4`, groupID, afterNumber, limit)
	if err != nil {
		return nil, fmt.Errorf("list group members: %w", err)
	}
	defer rows.Close()
	out := []Participant{}
	for rows.Next() {
		p, err := scanParticipant(rows)
		if err != nil {
			return nil, fmt.Errorf("scan group member: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GroupsOf returns the groups a member is in, by kind and name.
func GroupsOf(ctx context.Context, tx *store.TenantTx, memberID string) ([]Group, error) {
	rows, err := tx.Query(ctx, `SELECT g.id, g.kind, g.name, g.description, g.created_at FROM group_members gm
		JOIN groups g ON g.association_id = $1 AND g.id = gm.group_id
		WHERE gm.association_id = $1 AND gm.member_id = $2 ORDER BY g.kind, LOWER(g.name), g.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("list member's groups: %w", err)
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.ID, &g.Kind, &g.Name, &g.Description, &g.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan group: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// unique is ids trimmed, without empties and repeats, in their order.
func unique(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// shorten keeps an id short enough to quote in a message.
func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// RemoveFromAll takes a member out of every group, one
// "group.member_remove" event per group, and returns how many groups that
// was. It is meant for anonymisation: an erased member should not stay in
// tag or activity lists. (Deleting a member outright removes the links by
// the foreign keys.)
func RemoveFromAll(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, memberID string) (int, error) {
	gs, err := GroupsOf(ctx, tx, memberID)
	if err != nil {
		return 0, err
	}
	for _, g := range gs {
		if err := RemoveMember(ctx, tx, rec, g.ID, memberID); err != nil {
			return 0, fmt.Errorf("remove from group %s: %w", g.Name, err)
		}
	}
	return len(gs), nil
}
