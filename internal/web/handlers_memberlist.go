package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/i18n"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// memberPageSize is how many members one page of the list shows.
const memberPageSize = 50

// statusFilters are the list's status choices; "" is the everyday list
// (Active only).
var statusFilters = []string{member.StatusActive, member.StatusApplied, member.StatusInactive, member.StatusDeceased, member.StatusAll}

// memberList is the searchable member list. Its form is a GET, so a search
// is a link that can be bookmarked and needs no JavaScript.
func (s *Server) memberList(w http.ResponseWriter, r *http.Request, c *reqCtx) {
	in := r.URL.Query()
	form := map[string]string{"q": strings.TrimSpace(in.Get("q")), "status": in.Get("status"),
		"sort": in.Get("sort"), "dir": in.Get("dir")}
	q := member.Query{Text: form["q"], Sort: form["sort"], Desc: form["dir"] == "desc", Cursor: in.Get("cursor"),
		Limit: memberPageSize}
	if st := form["status"]; st != "" {
		q.Statuses = []string{st}
	}
	var p member.Page
	err := s.db.For(c.Assoc.ID).Read(r.Context(), func(tx *store.TenantTx) error {
		var err error
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
	link := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		v := url.Values{}
		for k, val := range form {
			if val != "" {
				v.Set(k, val)
			}
		}
		v.Set("cursor", cursor)
		return "/a/" + c.Assoc.ID + "/members?" + v.Encode()
	}
	s.renderStatus(w, r, c, status, "members", pageData{"Members": p.Members, "Next": link(p.Next), "Prev": link(p.Prev),
		"Form": form, "Statuses": statusFilters, "Sorts": member.Sorts, "CanWrite": c.Role.AtLeast(auth.RoleUser),
		"Error": errMsg, "Msg": flash(r)})
}

