// Package household links members who share a postal address to one
// recipient, so that the household gets one letter instead of one per
// member. Every function takes a tenant-scoped transaction and audits each
// change in it.
package household

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// maxName is the longest household name.
const maxName = 100

// ErrNotFound is returned for a household that is not in this association.
var ErrNotFound = errors.New("household not found")

// ErrNotInHousehold is returned when removing a member who is not in the
// household.
var ErrNotInHousehold = errors.New("member is not in the household")

// Resident is a member of a household, as its page lists them.
type Resident struct {
	ID        string
	Number    int64
	Kind      string
	Status    string
	FirstName string
	LastName  string
	OrgName   string
	Street    string
	Postcode  string
	Town      string
}

// DisplayName is how people see the member in lists.
func (r Resident) DisplayName() string {
	return member.Member{Kind: r.Kind, FirstName: r.FirstName, LastName: r.LastName, OrgName: r.OrgName}.DisplayName()
}

// Household is members linked to one postal recipient.
type Household struct {
	ID          string
	Name        string
	RecipientID string // "" when the recipient was deleted
	CreatedAt   time.Time
	// Members are the household's members by member number, filled by Get,
	// List and Of.
	Members []Resident
}

// Recipient is the member the household's letters go to, when set.
func (h Household) Recipient() (Resident, bool) {
	for _, r := range h.Members {
		if r.ID == h.RecipientID {
			return r, true
		}
	}
	return Resident{}, false
}

func init() {
	member.LeaveBlockers = append(member.LeaveBlockers, leaveBlocker)
	// An anonymised member leaves their household; another member takes
	// over as the recipient.
	member.Erasers = append(member.Erasers, func(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, memberID string) error {
		_, err := Unlink(ctx, tx, rec, memberID)
		return err
	})
}

// leaveBlocker refuses leaving while the member is in a household: the
// household's letters would otherwise go to, or count, a former member.
func leaveBlocker(ctx context.Context, tx *store.TenantTx, memberID string) (string, error) {
	h, ok, err := Of(ctx, tx, memberID)
	if err != nil || !ok {
		return "", err
	}
	return fmt.Sprintf("is in household %s (remove the link first)", h.Name), nil
}

func checkName(name string) (string, member.Problems) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return "", member.Problems{{Field: "name", Message: "required"}}
	case utf8.RuneCountInString(name) > maxName:
		return "", member.Problems{{Field: "name", Message: fmt.Sprintf("at most %d characters", maxName)}}
	}
	return name, nil
}

// activeMember reads a member who may join a household: one of this
// association's, Active (a former member gets no letters), in no other
// household. Problems name field.
func activeMember(ctx context.Context, tx *store.TenantTx, field, id string) (member.Member, error) {
	if strings.TrimSpace(id) == "" {
		return member.Member{}, member.Problems{{Field: field, Message: "required"}}
	}
	m, err := member.Get(ctx, tx, id)
	if errors.Is(err, member.ErrNotFound) {
		return member.Member{}, member.Problems{{Field: field, Message: "no such member"}}
	}
	if err != nil {
		return member.Member{}, err
	}
	if m.Status != member.StatusActive {
		return member.Member{}, member.Problems{{Field: field, Message: "only active members can be in a household"}}
	}
	if h, ok, err := Of(ctx, tx, m.ID); err != nil {
		return member.Member{}, err
	} else if ok {
		return member.Member{}, member.Problems{{Field: field, Message: "is already in household " + h.Name}}
	}
	return m, nil
}

// Create makes a household with its recipient as its first member
// ("household.create"). An empty name takes the recipient's last name.
func Create(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, name, recipientID string) (Household, error) {
	m, err := activeMember(ctx, tx, "recipient_member_id", recipientID)
	if err != nil {
		return Household{}, err
	}
	if strings.TrimSpace(name) == "" {
		name = m.LastName
		if m.Kind == member.KindOrganisation {
			name = m.OrgName
		}
	}
	name, ps := checkName(name)
	if len(ps) > 0 {
		return Household{}, ps
	}
	h := Household{ID: uuid.Must(uuid.NewV7()).String(), Name: name, RecipientID: m.ID, CreatedAt: now.UTC()}
	if _, err := tx.Exec(ctx, `INSERT INTO households (association_id, id, name, recipient_member_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, h.ID, h.Name, h.RecipientID, h.CreatedAt); err != nil {
		return Household{}, fmt.Errorf("insert household: %w", err)
	}
	if err := link(ctx, tx, now, h.ID, m.ID); err != nil {
		return Household{}, err
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "household.create", ObjectType: "household",
		ObjectID: h.ID, Changes: []audit.Change{{Field: "name", After: h.Name, Sensitivity: audit.Personal}},
		Details: map[string]any{"recipient_member_id": m.ID, "recipient_member_number": m.Number}}); err != nil {
		return Household{}, err
	}
	return Get(ctx, tx, h.ID)
}

func link(ctx context.Context, tx *store.TenantTx, now time.Time, householdID, memberID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO household_members (association_id, household_id, member_id, added_at)
		VALUES ($1, $2, $3, $4)`, householdID, memberID, now.UTC())
	if store.IsUniqueViolation(err) {
		return member.Problems{{Field: "member_id", Message: "is already in a household"}}
	}
	if err != nil {
		return fmt.Errorf("link household member: %w", err)
	}
	return nil
}

// Get reads one household with its members.
func Get(ctx context.Context, tx *store.TenantTx, id string) (Household, error) {
	var h Household
	var recipient sql.NullString
	err := tx.QueryRow(ctx, `SELECT id, name, recipient_member_id, created_at FROM households
		WHERE association_id = $1 AND id = $2`, id).Scan(&h.ID, &h.Name, &recipient, &h.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Household{}, ErrNotFound
	}
	if err != nil {
		return Household{}, fmt.Errorf("read household: %w", err)
	}
	h.RecipientID = recipient.String
	hs := []Household{h}
	if err := fillMembers(ctx, tx, hs); err != nil {
		return Household{}, err
	}
	return hs[0], nil
}

// List returns the association's households by name, with their members.
func List(ctx context.Context, tx *store.TenantTx) ([]Household, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, recipient_member_id, created_at FROM households
		WHERE association_id = $1 ORDER BY LOWER(name), id`)
	if err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	out := []Household{}
	for rows.Next() {
		var h Household
		var recipient sql.NullString
		if err := rows.Scan(&h.ID, &h.Name, &recipient, &h.CreatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan household: %w", err)
		}
		h.RecipientID = recipient.String
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list households: %w", err)
	}
	return out, fillMembers(ctx, tx, out)
}

// fillMembers reads the members of the given households in one query.
func fillMembers(ctx context.Context, tx *store.TenantTx, hs []Household) error {
	if len(hs) == 0 {
		return nil
	}
	at := map[string]int{}
	for i, h := range hs {
		at[h.ID] = i
	}
	q := `SELECT hm.household_id, m.id, m.member_number, m.kind, m.status, m.first_name, m.last_name, m.org_name,
		m.street, m.postcode, m.town
		FROM household_members hm JOIN members m ON m.association_id = $1 AND m.id = hm.member_id
		WHERE hm.association_id = $1`
	var args []any
	if len(hs) == 1 {
		q += ` AND hm.household_id = $2`
		args = append(args, hs[0].ID)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY m.member_number`, args...)
	if err != nil {
		return fmt.Errorf("read household members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var hid string
		var r Resident
		if err := rows.Scan(&hid, &r.ID, &r.Number, &r.Kind, &r.Status, &r.FirstName, &r.LastName, &r.OrgName,
			&r.Street, &r.Postcode, &r.Town); err != nil {
			return fmt.Errorf("scan household member: %w", err)
		}
		if i, ok := at[hid]; ok {
			hs[i].Members = append(hs[i].Members, r)
		}
	}
	return rows.Err()
}

// Of returns the household the member is in, if any.
func Of(ctx context.Context, tx *store.TenantTx, memberID string) (Household, bool, error) {
	var hid string
	err := tx.QueryRow(ctx, `SELECT household_id FROM household_members WHERE association_id = $1 AND member_id = $2`,
		memberID).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return Household{}, false, nil
	}
	if err != nil {
		return Household{}, false, fmt.Errorf("read member's household: %w", err)
	}
	h, err := Get(ctx, tx, hid)
	if err != nil {
		return Household{}, false, err
	}
	return h, true, nil
}

// AddMember links an active member who is in no household to this one
// ("household.member_add").
func AddMember(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, householdID, memberID string) error {
	h, err := Get(ctx, tx, householdID)
	if err != nil {
		return err
	}
	m, err := activeMember(ctx, tx, "member_id", memberID)
	if err != nil {
		return err
	}
	if err := link(ctx, tx, now, h.ID, m.ID); err != nil {
		return err
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "household.member_add", ObjectType: "household",
		ObjectID: h.ID, Details: map[string]any{"member_id": m.ID, "member_number": m.Number}})
}

// RemoveMember unlinks a member ("household.member_remove"). The recipient
// can be removed only as the last member, since letters need someone to go
// to: choose another recipient first. A household left empty is deleted.
func RemoveMember(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, householdID, memberID string) error {
	h, err := Get(ctx, tx, householdID)
	if err != nil {
		return err
	}
	var r Resident
	for _, x := range h.Members {
		if x.ID == memberID {
			r = x
		}
	}
	if r.ID == "" {
		return ErrNotInHousehold
	}
	if r.ID == h.RecipientID && len(h.Members) > 1 {
		return member.Problems{{Field: "member_id", Message: "is the household's recipient; choose another recipient first"}}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM household_members WHERE association_id = $1 AND household_id = $2 AND member_id = $3`,
		h.ID, r.ID); err != nil {
		return fmt.Errorf("unlink household member: %w", err)
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "household.member_remove", ObjectType: "household",
		ObjectID: h.ID, Details: map[string]any{"member_id": r.ID, "member_number": r.Number}}); err != nil {
		return err
	}
	if len(h.Members) == 1 {
		return Delete(ctx, tx, rec, h.ID)
	}
	return nil
}

// SetRecipient makes a member of the household its recipient
// ("household.recipient"); anyone else is a problem on recipient_member_id.
func SetRecipient(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, householdID, memberID string) error {
	h, err := Get(ctx, tx, householdID)
	if err != nil {
		return err
	}
	var r Resident
	for _, x := range h.Members {
		if x.ID == memberID {
			r = x
		}
	}
	if r.ID == "" {
		return member.Problems{{Field: "recipient_member_id", Message: "must be a member of the household"}}
	}
	if r.ID == h.RecipientID {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE households SET recipient_member_id = $3 WHERE association_id = $1 AND id = $2`,
		h.ID, r.ID); err != nil {
		return fmt.Errorf("set household recipient: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "household.recipient", ObjectType: "household",
		ObjectID: h.ID, Changes: []audit.Change{{Field: "recipient_member_id", Before: h.RecipientID, After: r.ID}},
		Details: map[string]any{"member_number": r.Number}})
}

// Delete removes a household and its links; its members stay
// ("household.delete").
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, id string) error {
	h, err := Get(ctx, tx, id)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM household_members WHERE association_id = $1 AND household_id = $2`, h.ID); err != nil {
		return fmt.Errorf("unlink household members: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM households WHERE association_id = $1 AND id = $2`, h.ID); err != nil {
		return fmt.Errorf("delete household: %w", err)
	}
	return rec.Record(ctx, tx.Platform(), audit.Event{Action: "household.delete", ObjectType: "household",
		ObjectID: h.ID, Changes: []audit.Change{{Field: "name", Before: h.Name, Sensitivity: audit.Personal}},
		Details: map[string]any{"members": len(h.Members)}})
}

// Problems a broken household can have, as BrokenLinks reports them.
const (
	// NoRecipient: the recipient was deleted.
	NoRecipient = "no_recipient"
	// RecipientNotActive: the recipient left or died; letters go astray.
	RecipientNotActive = "recipient_not_active"
	// RecipientNoAddress: the recipient has no street address (anonymised,
	// or never given), so no letter can be sent.
	RecipientNoAddress = "recipient_no_address"
	// MemberNotActive: a member of the household is no longer Active.
	MemberNotActive = "member_not_active"
	// SingleMember: one member is no household; the link is pointless.
	SingleMember = "single_member"
)

// Broken is one household with what is wrong with it.
type Broken struct {
	Household Household
	Problems  []string
}

// BrokenLinks is the households report: every household whose links no
// longer make sense, with the problems found, by household name.
func BrokenLinks(ctx context.Context, tx *store.TenantTx) ([]Broken, error) {
	hs, err := List(ctx, tx)
	if err != nil {
		return nil, err
	}
	return BrokenAmong(hs), nil
}

// BrokenAmong is BrokenLinks over households already read (a page that
// lists them all needs no second read).
func BrokenAmong(hs []Household) []Broken {
	out := []Broken{}
	for _, h := range hs {
		if ps := h.Problems(); len(ps) > 0 {
			out = append(out, Broken{Household: h, Problems: ps})
		}
	}
	return out
}

// Problems are what is wrong with the household's links (NoRecipient, …),
// none when it is sound.
func (h Household) Problems() []string {
	var ps []string
	r, ok := h.Recipient()
	switch {
	case !ok:
		ps = append(ps, NoRecipient)
	case r.Status != member.StatusActive:
		ps = append(ps, RecipientNotActive)
	case strings.TrimSpace(r.Street) == "":
		ps = append(ps, RecipientNoAddress)
	}
	for _, m := range h.Members {
		if m.Status != member.StatusActive && m.ID != h.RecipientID {
			ps = append(ps, MemberNotActive)
			break
		}
	}
	if len(h.Members) < 2 {
		ps = append(ps, SingleMember)
	}
	return ps
}

// Unlink takes a member out of their household, if any, for
// anonymisation: an erased member gets no letters and is no one's
// recipient. When the member is the recipient of others, the member with
// the lowest number takes over; a household left empty is deleted. Every
// step is audited. It reports whether there was a link.
func Unlink(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, memberID string) (bool, error) {
	h, ok, err := Of(ctx, tx, memberID)
	if err != nil || !ok {
		return false, err
	}
	if h.RecipientID == memberID {
		for _, m := range h.Members {
			if m.ID != memberID {
				if err := SetRecipient(ctx, tx, rec, h.ID, m.ID); err != nil {
					return false, err
				}
				break
			}
		}
	}
	return true, RemoveMember(ctx, tx, rec, h.ID, memberID)
}
