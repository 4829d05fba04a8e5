package member

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/store"
)

// StatusRejected is the target of ChangeStatus that rejects an application.
// No member has it: a rejected application is deleted, since it never was a
// member.
const StatusRejected = "rejected"

// ErrNotEditable is returned by Update for a member who is not Active: only
// Active members' cards can be edited, apart from the status itself.
var ErrNotEditable = errors.New("only active members can be edited")

// ErrTransition is matched (errors.Is) by every TransitionError.
var ErrTransition = errors.New("status change not allowed")

// TransitionError is a status change the transition table does not allow.
type TransitionError struct{ From, To string }

func (e *TransitionError) Error() string {
	return fmt.Sprintf("a member cannot go from %s to %s", e.From, e.To)
}

// Is makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransition }

// ErrLeaveBlocked is matched (errors.Is) by every BlockedError.
var ErrLeaveBlocked = errors.New("member cannot leave yet")

// BlockedError says why a member cannot leave: the reasons the registered
// LeaveBlockers gave.
type BlockedError struct{ Reasons []string }

func (e *BlockedError) Error() string {
	return "member cannot leave yet: " + strings.Join(e.Reasons, "; ")
}

// Is makes errors.Is(err, ErrLeaveBlocked) true.
func (e *BlockedError) Is(target error) bool { return target == ErrLeaveBlocked }

// A Blocker looks at one member inside the change's transaction and returns
// a reason (for people: "is in household Virtanen") when the change must be
// refused, or "" when it need not be.
type Blocker func(ctx context.Context, tx *store.TenantTx, memberID string) (reason string, err error)

// LeaveBlockers are asked before an active member leaves (becomes
// inactive); any reason refuses the change. Packages that link members to
// something that must be settled first (households, open invoices) register
// here, from init, so that this package need not know them.
var LeaveBlockers []Blocker

// Eraser removes what another part of the register links to a member who
// is being anonymised (group memberships, a household), recording each
// removal with rec.
type Eraser func(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, memberID string) error

// Erasers run, in the same transaction, when a member is anonymised: an
// erased member should not stay on participant lists or receive a
// household's letters. (A hard delete removes the links by foreign keys.)
var Erasers []Eraser

// HistoryCheckers are asked before a member is deleted; any non-empty
// answer (what the history is: "3 invoices") means the member has a history
// that must stay, and is anonymised instead of deleted. Billing registers
// here, from init.
var HistoryCheckers []Blocker

// transitions is the status transition table: from → allowed targets.
var transitions = map[string][]string{
	StatusApplied: {StatusActive, StatusRejected},
	StatusActive:  {StatusInactive, StatusDeceased},
	// A former member who dies is marked deceased, to honour them.
	StatusInactive: {StatusActive, StatusDeceased},
	StatusDeceased: {},
}

// CanChange reports whether the transition table allows from → to.
func CanChange(from, to string) bool {
	return slices.Contains(transitions[from], to)
}

// StatusChange is one row of a member's status history.
type StatusChange struct {
	ID         string    `json:"id"`
	From       string    `json:"from_status"` // "" for the entry made at creation
	To         string    `json:"to_status"`
	On         time.Time `json:"on_date,omitzero"`
	Reason     string    `json:"reason,omitempty"`
	ChangedAt  time.Time `json:"changed_at"`
	ActorLabel string    `json:"actor_label,omitempty"`
}

// field is one audited field of the card.
type field struct {
	name     string // JSON name
	personal bool   // audited as an HMAC, erased by anonymisation
	value    func(Member) string
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// fields are the card's fields in the order audit events list them.
// Personal ones are kept in the trail only as keyed hashes.
var fields = []field{
	{"member_number", false, func(m Member) string {
		if m.Number == 0 {
			return ""
		}
		return strconv.FormatInt(m.Number, 10)
	}},
	{"kind", false, func(m Member) string { return m.Kind }},
	{"status", false, func(m Member) string { return m.Status }},
	{"first_name", true, func(m Member) string { return m.FirstName }},
	{"last_name", true, func(m Member) string { return m.LastName }},
	{"organisation_name", true, func(m Member) string { return m.OrgName }},
	{"business_id", true, func(m Member) string { return m.BusinessID }},
	{"gender", true, func(m Member) string { return m.Gender }},
	{"birth_date", true, func(m Member) string { return dateString(m.BirthDate) }},
	{"email", true, func(m Member) string { return m.Email }},
	{"extra_emails", true, func(m Member) string { return strings.Join(m.ExtraEmails, ", ") }},
	{"email_invoices", false, func(m Member) string {
		if m.EmailInvoices {
			return "true"
		}
		return ""
	}},
	{"phone", true, func(m Member) string { return m.Phone }},
	{"phone_mobile", false, func(m Member) string {
		if m.PhoneMobile {
			return "true"
		}
		return ""
	}},
	{"care_of", true, func(m Member) string { return m.CareOf }},
	{"street", true, func(m Member) string { return m.Street }},
	{"postcode", true, func(m Member) string { return m.Postcode }},
	{"town", true, func(m Member) string { return m.Town }},
	{"municipality", true, func(m Member) string { return m.Municipality }},
	{"country", false, func(m Member) string { return m.Country }},
	{"language", false, func(m Member) string { return m.Language }},
	{"joined_on", false, func(m Member) string { return dateString(m.JoinedOn) }},
	{"left_on", false, func(m Member) string { return dateString(m.LeftOn) }},
	{"notes", true, func(m Member) string { return m.Notes }},
}

// diff lists the fields that differ between before and after, as audit
// changes, custom fields ("custom.<name>", personal) last; against the zero
// Member it lists every non-empty field.
func diff(before, after Member) []audit.Change {
	var out []audit.Change
	for _, f := range fields {
		b, a := f.value(before), f.value(after)
		if b == a {
			continue
		}
		c := audit.Change{Field: f.name, Before: b, After: a}
		if f.personal {
			c.Sensitivity = audit.Personal
		}
		out = append(out, c)
	}
	return append(out, customChanges(before.Custom, after.Custom)...)
}

// Create validates a new member and inserts it with its first status
// history entry and a "member.create" audit event, all in tx. A card that
// does not validate returns Problems and writes nothing. Number 0 takes the
// association's next free member number; a given number already in use is a
// problem on member_number. Custom values (by field name) are checked by
// their fields' kinds, and an Active member needs every required one; a
// problem names the field as "custom.<name>". The returned member is as
// stored.
func Create(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, m Member) (Member, error) {
	m = m.Normalize()
	m.ID = ""
	defs, err := CustomFields(ctx, tx)
	if err != nil {
		return Member{}, err
	}
	custom, cps := checkCustom(defs, m.Custom, m.Status == StatusActive)
	if ps := append(m.ValidateAt(now), cps...); len(ps) > 0 {
		return Member{}, Problems(ps)
	}
	m.Custom = custom
	if err := lockNumbers(ctx, tx); err != nil {
		return Member{}, err
	}
	if m.Number == 0 {
		n, err := NextNumber(ctx, tx)
		if err != nil {
			return Member{}, fmt.Errorf("next member number: %w", err)
		}
		m.Number = n
	} else if err := numberFree(ctx, tx, m.Number, ""); err != nil {
		return Member{}, err
	}
	batch := []Member{m}
	if err := InsertBatch(ctx, tx, now, batch); err != nil {
		if store.IsUniqueViolation(err) {
			return Member{}, Problems{{Field: "member_number", Message: "is already in use"}}
		}
		return Member{}, err
	}
	m = batch[0]
	if err := writeCustom(ctx, tx, defs, m.ID, nil, m.Custom); err != nil {
		return Member{}, err
	}
	on := clock.Today(now)
	switch {
	case m.Status == StatusActive && !m.JoinedOn.IsZero():
		on = m.JoinedOn
	case (m.Status == StatusInactive || m.Status == StatusDeceased) && !m.LeftOn.IsZero():
		on = m.LeftOn
	}
	if err := addHistory(ctx, tx, now, m.ID, "", m.Status, on, ""); err != nil {
		return Member{}, err
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.create", ObjectType: "member",
		ObjectID: m.ID, Changes: diff(Member{}, m)}); err != nil {
		return Member{}, err
	}
	return m, nil
}

// lockNumbers makes concurrent member creations in one association take
// turns choosing a number until the transaction ends (PostgreSQL; SQLite has
// one writer anyway), so two creations never pick the same number.
func lockNumbers(ctx context.Context, tx *store.TenantTx) error {
	if tx.Dialect() != store.Postgres {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7346113, hashtext($1))`); err != nil {
		return fmt.Errorf("lock member numbers: %w", err)
	}
	return nil
}

// numberFree returns a Problems error when number is used by a member other
// than except.
func numberFree(ctx context.Context, tx *store.TenantTx, number int64, except string) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM members WHERE association_id = $1 AND member_number = $2 AND id <> $3`,
		number, except).Scan(&n); err != nil {
		return fmt.Errorf("check member number: %w", err)
	}
	if n > 0 {
		next, err := NextNumber(ctx, tx)
		if err != nil {
			return fmt.Errorf("next member number: %w", err)
		}
		return Problems{{Field: "member_number", Message: fmt.Sprintf("is already in use (the next free number is %d)", next)}}
	}
	return nil
}

// Update replaces the card of the active member id with next, audits the
// fields that changed ("member.update") and sets updated_at. next is the
// whole card: empty fields clear them. Number 0 and an empty status keep the
// current ones; the status itself changes only through ChangeStatus. A
// member who is not Active cannot be edited (ErrNotEditable). Custom
// values follow next.Custom, unless it is nil, which keeps them; either way
// every required custom field must have a value. When nothing changed,
// nothing is written and the current card is returned.
func Update(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string, next Member) (Member, error) {
	cur, err := get(ctx, tx, id, true)
	if err != nil {
		return Member{}, err
	}
	if cur.Status != StatusActive {
		return Member{}, fmt.Errorf("%w: member %d is %s", ErrNotEditable, cur.Number, cur.Status)
	}
	if cur.Custom, err = memberValues(ctx, tx, cur.ID); err != nil {
		return Member{}, err
	}
	next = next.Normalize()
	if next.Status != "" && next.Status != cur.Status {
		return Member{}, Problems{{Field: "status", Message: "is changed through a status change, not by editing the card"}}
	}
	next.ID, next.Status, next.CreatedAt, next.UpdatedAt = cur.ID, cur.Status, cur.CreatedAt, cur.UpdatedAt
	if next.Number == 0 {
		next.Number = cur.Number
	}
	if next.Custom == nil {
		next.Custom = cur.Custom
	}
	defs, err := CustomFields(ctx, tx)
	if err != nil {
		return Member{}, err
	}
	custom, cps := checkCustom(defs, next.Custom, true)
	if ps := append(next.ValidateAt(now), cps...); len(ps) > 0 {
		return Member{}, Problems(ps)
	}
	next.Custom = custom
	changes := diff(cur, next)
	if len(changes) == 0 {
		return cur, nil
	}
	if next.Number != cur.Number {
		if err := lockNumbers(ctx, tx); err != nil {
			return Member{}, err
		}
		if err := numberFree(ctx, tx, next.Number, cur.ID); err != nil {
			return Member{}, err
		}
	}
	next.UpdatedAt = now
	_, err = tx.Exec(ctx, `UPDATE members SET member_number = $3, kind = $4, first_name = $5, last_name = $6,
		org_name = $7, gender = $8, birth_date = $9, email = $10, phone = $11, phone_mobile = $12, street = $13,
		postcode = $14, town = $15, municipality = $16, country = $17, language = $18, joined_on = $19,
		left_on = $20, notes = $21, business_id = $22, updated_at = $23, care_of = $24, extra_emails = $25,
		email_invoices = $26
		WHERE association_id = $1 AND id = $2`,
		cur.ID, next.Number, next.Kind, next.FirstName, next.LastName, next.OrgName, next.Gender,
		NullDate(next.BirthDate), next.Email, next.Phone, next.PhoneMobile, next.Street, next.Postcode, next.Town,
		next.Municipality, next.Country, next.Language, NullDate(next.JoinedOn), NullDate(next.LeftOn), next.Notes,
		next.BusinessID, now, next.CareOf, encodeEmails(next.ExtraEmails), next.EmailInvoices)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return Member{}, Problems{{Field: "member_number", Message: "is already in use"}}
		}
		return Member{}, fmt.Errorf("update member: %w", err)
	}
	if err := writeCustom(ctx, tx, defs, cur.ID, cur.Custom, next.Custom); err != nil {
		return Member{}, err
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.update", ObjectType: "member",
		ObjectID: cur.ID, Changes: changes}); err != nil {
		return Member{}, err
	}
	return next, nil
}

// maxReason is the longest reason a status change may carry.
const maxReason = 1000

// ChangeStatus moves member id to status to, effective on the date on
// (today in Finland when zero), with an optional reason, following the
// transition table:
//
//	applied  → active    approve; joined_on = on unless already set
//	applied  → rejected  reject: the application is deleted ("member.reject")
//	active   → inactive  leave; left_on = on; refused (BlockedError) while a
//	                     LeaveBlocker gives a reason
//	active   → deceased  left_on = on
//	inactive → active    rejoin; left_on cleared, joined_on kept
//
// Any other pair is a TransitionError. Each change writes a status history
// row and a "member.status" audit event. For a rejection the returned member
// is the application as it was, with Status StatusRejected.
func ChangeStatus(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id, to string, on time.Time, reason string) (Member, error) {
	cur, err := get(ctx, tx, id, true)
	if err != nil {
		return Member{}, err
	}
	if !CanChange(cur.Status, to) {
		return Member{}, &TransitionError{From: cur.Status, To: to}
	}
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > maxReason {
		return Member{}, Problems{{Field: "reason", Message: fmt.Sprintf("at most %d characters", maxReason)}}
	}
	on = clock.Date(on)
	if on.IsZero() {
		on = clock.Today(now)
	}
	if on.Year() < 1850 || on.Year() > 2200 {
		return Member{}, Problems{{Field: "on_date", Message: "year must be between 1850 and 2200"}}
	}
	details := map[string]any{"member_number": cur.Number, "on_date": dateString(on)}
	var reasonChange []audit.Change
	if reason != "" {
		// The reason may name people or circumstances: the trail keeps
		// proof of it, the history row keeps the text.
		reasonChange = []audit.Change{{Field: "reason", After: reason, Sensitivity: audit.Personal}}
	}

	if to == StatusRejected {
		if _, err := tx.Exec(ctx, `DELETE FROM member_status_history WHERE association_id = $1 AND member_id = $2`, cur.ID); err != nil {
			return Member{}, fmt.Errorf("delete application history: %w", err)
		}
		if err := deleteCustomValues(ctx, tx, cur.ID); err != nil {
			return Member{}, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM members WHERE association_id = $1 AND id = $2`, cur.ID); err != nil {
			return Member{}, fmt.Errorf("delete application: %w", err)
		}
		changes := append([]audit.Change{{Field: "status", Before: cur.Status, After: StatusRejected}}, reasonChange...)
		if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.reject", ObjectType: "member",
			ObjectID: cur.ID, Changes: changes, Details: details}); err != nil {
			return Member{}, err
		}
		cur.Status = StatusRejected
		return cur, nil
	}

	next := cur
	next.Status = to
	switch {
	case cur.Status == StatusApplied && to == StatusActive:
		if next.JoinedOn.IsZero() {
			next.JoinedOn = on
		}
	case to == StatusInactive:
		if err := askBlockers(ctx, tx, cur.ID, LeaveBlockers); err != nil {
			return Member{}, err
		}
		next.LeftOn = on
	case to == StatusDeceased:
		// A former member keeps the date they left.
		if next.LeftOn.IsZero() {
			next.LeftOn = on
		}
	case cur.Status == StatusInactive && to == StatusActive:
		next.LeftOn = time.Time{}
	}
	var ps Problems
	if !next.JoinedOn.IsZero() && !next.BirthDate.IsZero() && next.JoinedOn.Before(next.BirthDate) {
		ps = append(ps, FieldError{Field: "on_date", Message: "cannot be before the date of birth"})
	}
	if !next.LeftOn.IsZero() && !next.JoinedOn.IsZero() && next.LeftOn.Before(next.JoinedOn) {
		ps = append(ps, FieldError{Field: "on_date", Message: "cannot be before the joining date"})
	}
	if len(ps) > 0 {
		return Member{}, ps
	}
	next.UpdatedAt = now
	if _, err := tx.Exec(ctx, `UPDATE members SET status = $3, joined_on = $4, left_on = $5, updated_at = $6
		WHERE association_id = $1 AND id = $2`, cur.ID, next.Status, NullDate(next.JoinedOn), NullDate(next.LeftOn), now); err != nil {
		return Member{}, fmt.Errorf("change member status: %w", err)
	}
	if err := addHistory(ctx, tx, now, cur.ID, cur.Status, to, on, reason); err != nil {
		return Member{}, err
	}
	if err := rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.status", ObjectType: "member",
		ObjectID: cur.ID, Changes: append(diff(cur, next), reasonChange...), Details: details}); err != nil {
		return Member{}, err
	}
	return next, nil
}

// askBlockers runs hooks and returns a BlockedError with every reason given.
func askBlockers(ctx context.Context, tx *store.TenantTx, id string, hooks []Blocker) error {
	var reasons []string
	for _, h := range hooks {
		r, err := h(ctx, tx, id)
		if err != nil {
			return err
		}
		if r != "" {
			reasons = append(reasons, r)
		}
	}
	if len(reasons) > 0 {
		return &BlockedError{Reasons: reasons}
	}
	return nil
}

// addHistory writes one status history row.
func addHistory(ctx context.Context, tx *store.TenantTx, now time.Time, memberID, from, to string, on time.Time, reason string) error {
	actor := audit.RequestFrom(ctx).Actor
	label := actor.Label
	if label == "" {
		label = actor.ID
	}
	_, err := tx.Exec(ctx, `INSERT INTO member_status_history
		(association_id, id, member_id, from_status, to_status, on_date, reason, changed_at, actor_label)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		uuid.Must(uuid.NewV7()).String(), memberID, from, to, NullDate(on), reason, now.UTC(), label)
	if err != nil {
		return fmt.Errorf("write status history: %w", err)
	}
	return nil
}

// History returns member id's status changes, oldest first.
func History(ctx context.Context, tx *store.TenantTx, id string) ([]StatusChange, error) {
	if _, err := get(ctx, tx, id, false); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, from_status, to_status, on_date, reason, changed_at, actor_label
		FROM member_status_history WHERE association_id = $1 AND member_id = $2 ORDER BY changed_at, id`, id)
	if err != nil {
		return nil, fmt.Errorf("read status history: %w", err)
	}
	defer rows.Close()
	var out []StatusChange
	for rows.Next() {
		var c StatusChange
		var on sql.NullTime
		if err := rows.Scan(&c.ID, &c.From, &c.To, &on, &c.Reason, &c.ChangedAt, &c.ActorLabel); err != nil {
			return nil, fmt.Errorf("scan status history: %w", err)
		}
		c.On = on.Time
		out = append(out, c)
	}
	return out, rows.Err()
}

// Erased is what anonymisation puts in a name field that must not be empty.
const Erased = "—"

// Delete removes member id. A member whose history goes beyond its
// creation (status changes, or anything a HistoryChecker reports, such as
// invoices) is anonymised instead, so that ledgers and counts stay right:
// every personal field is blanked (the name that must be present becomes
// Erased, "—"), its custom field values are deleted, and so are the reasons
// in its status history; number,
// status and dates are kept. The audit event ("member.delete" or
// "member.anonymise") lists the names of the fields erased, never their
// values. Anonymising a member who has nothing left to erase writes nothing.
func Delete(ctx context.Context, tx *store.TenantTx, rec *audit.Recorder, now time.Time, id string) (anonymised bool, err error) {
	cur, err := get(ctx, tx, id, true)
	if err != nil {
		return false, err
	}
	if cur.Custom, err = memberValues(ctx, tx, cur.ID); err != nil {
		return false, err
	}
	var entries int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM member_status_history WHERE association_id = $1 AND member_id = $2`,
		cur.ID).Scan(&entries); err != nil {
		return false, fmt.Errorf("read status history: %w", err)
	}
	var kept []string
	if entries > 1 {
		kept = append(kept, "status history")
	}
	for _, h := range HistoryCheckers {
		what, err := h(ctx, tx, cur.ID)
		if err != nil {
			return false, err
		}
		if what != "" {
			kept = append(kept, what)
		}
	}
	details := map[string]any{"member_number": cur.Number}

	if len(kept) == 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM member_status_history WHERE association_id = $1 AND member_id = $2`, cur.ID); err != nil {
			return false, fmt.Errorf("delete status history: %w", err)
		}
		if err := deleteCustomValues(ctx, tx, cur.ID); err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM members WHERE association_id = $1 AND id = $2`, cur.ID); err != nil {
			return false, fmt.Errorf("delete member: %w", err)
		}
		details["erased"] = personalFields(cur, Member{})
		return false, rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.delete", ObjectType: "member",
			ObjectID: cur.ID, Details: details})
	}

	anon := anonymous(cur)
	erased := personalFields(cur, anon)
	res, err := tx.Exec(ctx, `UPDATE member_status_history SET reason = '' WHERE association_id = $1 AND member_id = $2 AND reason <> ''`, cur.ID)
	if err != nil {
		return false, fmt.Errorf("erase status reasons: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		erased = append(erased, "status_history.reason")
	}
	if len(erased) == 0 {
		return true, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE members SET first_name = $3, last_name = $4, org_name = $5, business_id = $6,
		gender = $7, birth_date = NULL, email = $8, phone = $9, phone_mobile = $10, street = $11, postcode = $12,
		town = $13, municipality = $14, notes = $15, updated_at = $16, care_of = $17, extra_emails = $18,
		email_invoices = $19
		WHERE association_id = $1 AND id = $2`, cur.ID, anon.FirstName, anon.LastName, anon.OrgName, anon.BusinessID,
		anon.Gender, anon.Email, anon.Phone, anon.PhoneMobile, anon.Street, anon.Postcode, anon.Town,
		anon.Municipality, anon.Notes, now, anon.CareOf, encodeEmails(anon.ExtraEmails), anon.EmailInvoices); err != nil {
		return false, fmt.Errorf("anonymise member: %w", err)
	}
	if err := deleteCustomValues(ctx, tx, cur.ID); err != nil {
		return false, err
	}
	for _, erase := range Erasers {
		if err := erase(ctx, tx, rec, cur.ID); err != nil {
			return false, err
		}
	}
	details["erased"] = erased
	details["kept_because"] = kept
	return true, rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.anonymise", ObjectType: "member",
		ObjectID: cur.ID, Details: details})
}

// anonymous is m with every personal field blanked; the name a card of its
// kind needs becomes Erased.
func anonymous(m Member) Member {
	a := m
	a.FirstName, a.LastName, a.OrgName, a.BusinessID, a.Gender = "", "", "", "", ""
	a.BirthDate = time.Time{}
	a.Email, a.Phone, a.PhoneMobile = "", "", false
	a.Street, a.Postcode, a.Town, a.Municipality, a.Notes = "", "", "", "", ""
	a.CareOf, a.ExtraEmails, a.EmailInvoices, a.Custom = "", nil, false, nil
	if m.Kind == KindOrganisation {
		a.OrgName = Erased
	} else {
		a.LastName = Erased
	}
	return a
}

// personalFields names the personal fields (custom fields among them, and
// the flags that go with the phone and the e-mail) that differ between
// before and after.
func personalFields(before, after Member) []string {
	out := []string{}
	for _, c := range diff(before, after) {
		if c.Sensitivity == audit.Personal || c.Field == "phone_mobile" || c.Field == "email_invoices" {
			out = append(out, c.Field)
		}
	}
	return out
}

// deleteCustomValues removes every custom value of a member that is being
// deleted or anonymised.
func deleteCustomValues(ctx context.Context, tx *store.TenantTx, memberID string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM custom_values WHERE association_id = $1 AND member_id = $2`, memberID); err != nil {
		return fmt.Errorf("delete custom values: %w", err)
	}
	return nil
}
