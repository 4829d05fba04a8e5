package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/fee"
	"seura.fi/seura/internal/group"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// memberPageSize is how many members one page of the list shows.
const memberPageSize = 50

// statusFilters are the list's status choices; "" is the everyday list
// (Active only).
var statusFilters = []string{member.StatusActive, member.StatusApplied, member.StatusInactive, member.StatusDeceased, member.StatusAll}

// exportFormats are the formats the list offers to export, in the order
// its links show them.
var exportFormats = []string{"csv", "xlsx", "pdf", "labels"}

// memberListParams are the query parameters of the list: the search form's
// fields, which the paging and export links carry over.
var memberListParams = []string{"q", "status", "sort", "dir", "fee", "group", "field", "value"}

// memberList is the searchable member list. Its form is a GET, so a search
// is a link that can be bookmarked and needs no JavaScript.
func (s *Server) memberList(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	in := r.URL.Query()
	form := map[string]string{}
	for _, k := range memberListParams {
		form[k] = strings.TrimSpace(in.Get(k))
	}
	q := member.Query{Text: form["q"], Sort: form["sort"], Desc: form["dir"] == "desc", Cursor: in.Get("cursor"),
		Limit: memberPageSize, FeeID: form["fee"], GroupID: form["group"], CustomField: form["field"], CustomValue: form["value"]}
	if st := form["status"]; st != "" {
		q.Statuses = []string{st}
	}
	var p member.Page
	var fees []fee.Fee
	var groups []group.Group
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
		if fees, err = fee.List(r.Context(), tx); err != nil {
			return err
		}
		if groups, err = group.Names(r.Context(), tx); err != nil {
			return err
		}
		p, err = member.Search(r.Context(), tx, q)
		return err
	})
	status := http.StatusOK
	errMsg := ""
	if errors.Is(err, member.ErrBadQuery) {
		status, errMsg = http.StatusBadRequest, i18n.T(c.Lang, "members.bad_query")
		p = member.Page{}
	} else if err != nil {
		s.fail(w, r, c, err)
		return
	}
	// values is the list's query string with extra parameters set.
	values := func(extra ...string) string {
		v := url.Values{}
		for k, val := range form {
			if val != "" {
				v.Set(k, val)
			}
		}
		for i := 0; i+1 < len(extra); i += 2 {
			v.Set(extra[i], extra[i+1])
		}
		return v.Encode()
	}
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		return "/a/" + c.Assoc.ID + "/members?" + values("cursor", cursor)
	}
	var exports []map[string]string
	if c.Role.AtLeast(auth.RoleUser) {
		for _, f := range exportFormats {
			exports = append(exports, map[string]string{"Format": f,
				"URL": "/a/" + c.Assoc.ID + "/members/export?" + values("format", f)})
		}
	}
	s.renderStatus(w, r, c, status, "members", pageData{"Members": p.Members, "Next": link(p.Next), "Prev": link(p.Prev),
		"Form": form, "Statuses": statusFilters, "Sorts": member.Sorts, "CanWrite": c.Role.AtLeast(auth.RoleUser),
		"Fees": fees, "Groups": groups, "Exports": exports, "Error": errMsg, "Msg": flash(r)})
}
