package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/store"
)

// feeRoutes are the operations of this part of the API; its paths are
// described in openapi/fees.json.
func (a *API) feeRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/fees", auth.ScopeRead, a.listFees},
		{"POST", "/api/v1/fees", auth.ScopeWrite, a.createFee},
		{"GET", "/api/v1/fees/{id}", auth.ScopeRead, a.getFee},
		{"PUT", "/api/v1/fees/{id}", auth.ScopeWrite, a.updateFee},
		{"DELETE", "/api/v1/fees/{id}", auth.ScopeWrite, a.deleteFee},
		{"GET", "/api/v1/fees/{id}/members", auth.ScopeRead, a.feeMembers},
		{"PUT", "/api/v1/members/{id}/fee", auth.ScopeWrite, a.assignFee},
		{"GET", "/api/v1/periods/current", auth.ScopeRead, a.currentPeriod},
		// A preview changes nothing, so a read key may ask for it.
		{"POST", "/api/v1/periods/preview", auth.ScopeRead, a.previewPeriod},
	}
}

// feeJSON is a fee as the API shows it, with its number of Active members.
type feeJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Product     string    `json:"product"`
	PriceCents  int64     `json:"price_cents"`
	Price       string    `json:"price"`
	AgeFrom     *int      `json:"age_from"`
	AgeBased    bool      `json:"age_based"`
	IsDefault   bool      `json:"is_default"`
	Position    int       `json:"position"`
	Members     int64     `json:"members"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func feeOut(f fee.Fee, members int64) feeJSON {
	return feeJSON{ID: f.ID, Name: f.Name, Description: f.Description, Product: f.Product, PriceCents: f.PriceCents,
		Price: fee.FormatAmount(f.PriceCents), AgeFrom: f.AgeFrom, AgeBased: f.AgeBased, IsDefault: f.IsDefault,
		Position: f.Position, Members: members, CreatedAt: f.CreatedAt.UTC(), UpdatedAt: f.UpdatedAt.UTC()}
}

// feeInput is a fee as a client sends it, the price in cents. The
// read-only fields of feeJSON (price, the price as people read it, among
// them) are accepted and ignored, so that a fee read can be sent back
// changed.
type feeInput struct {
	ID          json.RawMessage `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Product     string          `json:"product"`
	PriceCents  int64           `json:"price_cents"`
	Price       json.RawMessage `json:"price"`
	AgeFrom     *int            `json:"age_from"`
	AgeBased    bool            `json:"age_based"`
	IsDefault   bool            `json:"is_default"`
	Position    int             `json:"position"`
	Members     json.RawMessage `json:"members"`
	CreatedAt   json.RawMessage `json:"created_at"`
	UpdatedAt   json.RawMessage `json:"updated_at"`
}

// fee is the input as package fee takes it.
func (in feeInput) fee() fee.Fee {
	return fee.Fee{Name: in.Name, Description: in.Description, Product: in.Product, PriceCents: in.PriceCents,
		AgeFrom: in.AgeFrom, AgeBased: in.AgeBased, IsDefault: in.IsDefault, Position: in.Position}
}

// feeProblems is the 422 answer to a fee or period that does not validate.
func feeProblems(ps fee.Problems) problem {
	p := problem{Title: "Unprocessable Content", Status: http.StatusUnprocessableEntity, Field: ps[0].Field}
	parts := make([]string, len(ps))
	for i, e := range ps {
		p.Errors = append(p.Errors, fieldError{Field: e.Field, Message: e.Message})
		parts[i] = e.Field + " " + e.Message
	}
	p.Detail = "the request does not validate: " + strings.Join(parts, "; ")
	return p
}

// feeError answers the errors package fee returns; anything else is a 500.
func (a *API) feeError(w http.ResponseWriter, r *http.Request, err error) {
	var ps fee.Problems
	var inUse *fee.InUseError
	switch {
	case errors.Is(err, fee.ErrNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no fee with that id", "fee_id")
	case errors.Is(err, fee.ErrMemberNotFound):
		Problem(w, http.StatusNotFound, "Not Found", "no member with that id", "id")
	case errors.Is(err, fee.ErrNoPeriod):
		Problem(w, http.StatusNotFound, "Not Found", "no period has been started", "")
	case errors.As(err, &ps) && len(ps) > 0:
		writeProblem(w, feeProblems(ps))
	case errors.As(err, &inUse):
		Problem(w, http.StatusConflict, "Conflict", inUse.Error(), "id")
	case errors.Is(err, fee.ErrNotActive):
		Problem(w, http.StatusConflict, "Conflict", err.Error()+" (change its status first)", "status")
	default:
		a.internal(w, r, err)
	}
}

func (a *API) listFees(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	out := struct {
		Items []feeJSON `json:"items"`
	}{Items: []feeJSON{}}
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		fs, err := fee.List(r.Context(), tx)
		if err != nil {
			return err
		}
		counts, err := fee.Counts(r.Context(), tx)
		for _, f := range fs {
			out.Items = append(out.Items, feeOut(f, counts[f.ID]))
		}
		return err
	})
	if err != nil {
		a.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// readFee reads fee id with its member count inside tx.
func readFee(r *http.Request, tx *store.TenantTx, id string) (feeJSON, error) {
	f, err := fee.Get(r.Context(), tx, id)
	if err != nil {
		return feeJSON{}, err
	}
	counts, err := fee.Counts(r.Context(), tx)
	return feeOut(f, counts[f.ID]), err
}

func (a *API) getFee(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var out feeJSON
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		out, err = readFee(r, tx, r.PathValue("id"))
		return err
	})
	if errors.Is(err, fee.ErrNotFound) {
		Problem(w, http.StatusNotFound, "Not Found", "no fee with that id", "id")
		return
	}
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createFee(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in feeInput
	if !readJSON(w, r, &in) {
		return
	}
	f := in.fee()
	var out feeJSON
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		created, err := fee.Create(r.Context(), tx, a.audit, a.auth.Clock.Now(), f)
		out = feeOut(created, 0)
		return err
	})
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/fees/"+out.ID)
	writeJSON(w, http.StatusCreated, out)
}

func (a *API) updateFee(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in feeInput
	if !readJSON(w, r, &in) {
		return
	}
	f := in.fee()
	id := r.PathValue("id")
	var out feeJSON
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		if _, err := fee.Update(r.Context(), tx, a.audit, a.auth.Clock.Now(), id, f); err != nil {
			return err
		}
		var err error
		out, err = readFee(r, tx, id)
		return err
	})
	if errors.Is(err, fee.ErrNotFound) {
		Problem(w, http.StatusNotFound, "Not Found", "no fee with that id", "id")
		return
	}
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) deleteFee(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	id := r.PathValue("id")
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		return fee.Delete(r.Context(), tx, a.audit, id)
	})
	if errors.Is(err, fee.ErrNotFound) {
		Problem(w, http.StatusNotFound, "Not Found", "no fee with that id", "id")
		return
	}
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "deleted": true})
}

// feeMemberJSON is a member on a fee's member list.
type feeMemberJSON struct {
	ID        string  `json:"id"`
	Number    int64   `json:"member_number"`
	Name      string  `json:"name"`
	Status    string  `json:"status"`
	BirthDate *string `json:"birth_date"`
}

// Page sizes of a fee's member list.
const (
	feeMembersDefault = 100
	feeMembersMax     = 1000
)

// feeMembers lists a fee's members, after member number ?after=. It is a
// bulk read of personal data, so it is audited with the number of rows.
func (a *API) feeMembers(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	q := r.URL.Query()
	after, limit := int64(0), feeMembersDefault
	if s := q.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			Problem(w, http.StatusBadRequest, "Bad Request", "after must be a member number (a whole number)", "after")
			return
		}
		after = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			Problem(w, http.StatusBadRequest, "Bad Request",
				fmt.Sprintf("limit must be a whole number from 1 to %d", feeMembersMax), "limit")
			return
		}
		limit = min(n, feeMembersMax)
	}
	id := r.PathValue("id")
	var ms []fee.Member
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if ms, err = fee.Members(r.Context(), tx, id, after, limit+1); err != nil {
			return err
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "fee.members", ObjectType: "fee",
			ObjectID: id, Details: map[string]any{"rows": min(len(ms), limit), "via": "api"}})
	})
	if errors.Is(err, fee.ErrNotFound) {
		Problem(w, http.StatusNotFound, "Not Found", "no fee with that id", "id")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	out := struct {
		Items     []feeMemberJSON `json:"items"`
		NextAfter *int64          `json:"next_after"`
	}{Items: []feeMemberJSON{}}
	if len(ms) > limit {
		ms = ms[:limit]
		next := ms[limit-1].Number
		out.NextAfter = &next
	}
	for _, m := range ms {
		out.Items = append(out.Items, feeMemberJSON{ID: m.ID, Number: m.Number, Name: m.Name, Status: m.Status,
			BirthDate: dateOut(m.BirthDate)})
	}
	writeJSON(w, http.StatusOK, out)
}

// assignFee sets an Active member's fee; fee_id null or "" leaves the
// member without one.
func (a *API) assignFee(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in struct {
		FeeID *string `json:"fee_id"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	feeID := ""
	if in.FeeID != nil {
		feeID = strings.TrimSpace(*in.FeeID)
	}
	memberID := r.PathValue("id")
	var out struct {
		MemberID string   `json:"member_id"`
		Fee      *feeJSON `json:"fee"`
	}
	out.MemberID = memberID
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		if err := fee.Assign(r.Context(), tx, a.audit, a.auth.Clock.Now(), memberID, feeID); err != nil {
			return err
		}
		if feeID == "" {
			return nil
		}
		f, err := readFee(r, tx, feeID)
		out.Fee = &f
		return err
	})
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// periodJSON is a period with dates as YYYY-MM-DD.
type periodJSON struct {
	ID       string `json:"id"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
}

func periodOut(p fee.Period) periodJSON {
	return periodJSON{ID: p.ID, StartsOn: p.StartsOn.Format(time.DateOnly), EndsOn: p.EndsOn.Format(time.DateOnly)}
}

func (a *API) currentPeriod(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var p fee.Period
	err := a.db.For(key.AssociationID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		p, err = fee.CurrentPeriod(r.Context(), tx, a.auth.Clock.Now())
		return err
	})
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, periodOut(p))
}

// moveJSON is one member's move in a period change plan.
type moveJSON struct {
	MemberID  string `json:"member_id"`
	Number    int64  `json:"member_number"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	Age       int    `json:"age"`
	FromFeeID string `json:"from_fee_id"`
	FromFee   string `json:"from_fee"`
	ToFeeID   string `json:"to_fee_id"`
	ToFee     string `json:"to_fee"`
}

// previewPeriod shows what starting a period would do and changes nothing.
// The plan names members and their dates of birth, so the read is audited.
func (a *API) previewPeriod(w http.ResponseWriter, r *http.Request, key auth.APIKey) {
	var in struct {
		StartsOn string `json:"starts_on"`
		EndsOn   string `json:"ends_on"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	var ps fee.Problems
	start := periodDate(&ps, "starts_on", in.StartsOn)
	end := periodDate(&ps, "ends_on", in.EndsOn)
	if len(ps) > 0 {
		writeProblem(w, feeProblems(ps))
		return
	}
	var plan fee.Plan
	err := a.db.For(key.AssociationID).Write(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if plan, err = fee.PlanPeriodChange(r.Context(), tx, start, end); err != nil {
			return err
		}
		return a.audit.Record(r.Context(), tx.Platform(), audit.Event{Action: "period.preview", ObjectType: "period",
			Details: map[string]any{"starts_on": plan.StartsOn.Format(time.DateOnly), "rows": len(plan.Moves), "via": "api"}})
	})
	if err != nil {
		a.feeError(w, r, err)
		return
	}
	out := struct {
		StartsOn    string     `json:"starts_on"`
		EndsOn      string     `json:"ends_on"`
		Exists      bool       `json:"exists"`
		Fingerprint string     `json:"fingerprint"`
		Moves       []moveJSON `json:"moves"`
	}{StartsOn: plan.StartsOn.Format(time.DateOnly), EndsOn: plan.EndsOn.Format(time.DateOnly), Exists: plan.Exists,
		Fingerprint: plan.Fingerprint, Moves: []moveJSON{}}
	for _, m := range plan.Moves {
		out.Moves = append(out.Moves, moveJSON{MemberID: m.MemberID, Number: m.Number, Name: m.Name,
			BirthDate: m.BirthDate.Format(time.DateOnly), Age: m.Age, FromFeeID: m.FromFeeID, FromFee: m.FromFee,
			ToFeeID: m.ToFeeID, ToFee: m.ToFee})
	}
	writeJSON(w, http.StatusOK, out)
}

// periodDate parses a YYYY-MM-DD date ("" is the zero time), adding a
// problem for field when it is not one.
func periodDate(ps *fee.Problems, field, s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		*ps = append(*ps, fee.FieldError{Field: field, Message: "must be a date as YYYY-MM-DD"})
	}
	return t
}
