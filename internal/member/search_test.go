package member_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

func (r *reg) search(aid string, q member.Query) (member.Page, error) {
	var p member.Page
	err := r.env.DB.For(aid).Read(r.ctx, func(tx *store.TenantTx) error {
		var err error
		p, err = member.Search(r.ctx, tx, q)
		return err
	})
	return p, err
}

func numbers(p member.Page) []int64 {
	out := []int64{}
	for _, m := range p.Members {
		out = append(out, m.Number)
	}
	return out
}

func TestSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
		r.create(member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna-Liisa", LastName: "Äijälä",
			Email: "anna@example.fi", Phone: "040 123 4567", Postcode: "00100", Town: "Helsinki", JoinedOn: day(2020, 1, 1)})
		r.create(member.Member{Number: 2, Status: member.StatusActive, FirstName: "Bertil", LastName: "af Hällström",
			Email: "bertil@example.se", Phone: "+46 70 123 45 67", Postcode: "65100", Town: "Vasa", Language: "sv"})
		r.create(member.Member{Number: 3, Status: member.StatusActive, Kind: member.KindOrganisation, OrgName: "Kuoro 100% ry",
			Town: "Helsinki", JoinedOn: day(2010, 5, 1)})
		r.create(member.Member{Number: 4, Status: member.StatusInactive, FirstName: "Liisa", LastName: "Virtanen",
			Town: "Espoo", JoinedOn: day(2000, 1, 1), LeftOn: day(2021, 1, 1)})
		r.create(member.Member{Number: 5, Status: member.StatusDeceased, FirstName: "Veikko", LastName: "Anttila",
			Town: "Turku", JoinedOn: day(1990, 1, 1), LeftOn: day(2022, 1, 1)})
		other := r.env.Association(t, "B ry", 0)
		r.createIn(other.ID, member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna", LastName: "Aalto",
			Email: "anna.aalto@example.fi"})

		for _, c := range []struct {
			text     string
			statuses []string
			want     []int64
		}{
			{"", nil, []int64{1, 2, 3}},
			{"", []string{member.StatusAll}, []int64{1, 2, 3, 4, 5}},
			{"", []string{member.StatusInactive, member.StatusDeceased}, []int64{4, 5}},
			{"äijä", nil, []int64{1}},
			{"ÄIJÄLÄ", nil, []int64{1}},
			{"liisa", nil, []int64{1}},
			{"liisa", []string{member.StatusAll}, []int64{1, 4}},
			{"anna liisa", nil, []int64{1}},
			{"hällström", nil, []int64{2}},
			{"ijälä", nil, []int64{}},
			{"helsinki", nil, []int64{1, 3}},
			{"kuoro helsinki", nil, []int64{3}},
			{"00100", nil, []int64{1}},
			{"2", nil, []int64{2}},
			{"bertil@", nil, []int64{2}},
			{"ANNA@EXAMPLE.FI", nil, []int64{1}},
			{"040-1234567", nil, []int64{1}},
			{"+358 40 123 4567", nil, []int64{1}},
			{"070 123 45 67", nil, []int64{2}},
			{"100%", nil, []int64{3}},
			{"100_", nil, []int64{}},
			{"%", nil, []int64{}},
			{"aalto", nil, []int64{}},
		} {
			p, err := r.search(r.aid, member.Query{Text: c.text, Statuses: c.statuses})
			if err != nil {
				t.Fatalf("search %q: %v", c.text, err)
			}
			if got := numbers(p); !slices.Equal(got, c.want) {
				t.Errorf("search %q %v: %v, want %v", c.text, c.statuses, got, c.want)
			}
		}
		p, _ := r.search(r.aid, member.Query{Language: "sv"})
		if got := numbers(p); !slices.Equal(got, []int64{2}) {
			t.Errorf("language sv: %v", got)
		}
		all := []string{member.StatusAll}
		for _, c := range []struct {
			sort string
			desc bool
			want []int64
		}{
			{member.SortNumber, true, []int64{5, 4, 3, 2, 1}},
			{member.SortLastName, false, []int64{2, 5, 3, 4, 1}},
			{member.SortLastName, true, []int64{1, 4, 3, 5, 2}},
			{member.SortJoined, false, []int64{5, 4, 3, 1, 2}},
			{member.SortJoined, true, []int64{2, 1, 3, 4, 5}},
		} {
			// One by one, forwards to the end and back to the start.
			var got []int64
			q := member.Query{Statuses: all, Sort: c.sort, Desc: c.desc, Limit: 2}
			var pages []member.Page
			for {
				p, err := r.search(r.aid, q)
				if err != nil {
					t.Fatalf("%s desc=%v: %v", c.sort, c.desc, err)
				}
				pages = append(pages, p)
				got = append(got, numbers(p)...)
				if p.Next == "" {
					break
				}
				q.Cursor = p.Next
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("sort %s desc=%v: %v, want %v", c.sort, c.desc, got, c.want)
			}
			if pages[0].Prev != "" {
				t.Errorf("sort %s: the first page has a previous page", c.sort)
			}
			last := pages[len(pages)-1]
			q.Cursor = last.Prev
			back, err := r.search(r.aid, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := numbers(pages[len(pages)-2]); !slices.Equal(numbers(back), want) {
				t.Errorf("sort %s desc=%v: back from the last page: %v, want %v", c.sort, c.desc, numbers(back), want)
			}
		}
		for _, q := range []member.Query{{Statuses: []string{"gone"}}, {Sort: "age"}, {Language: "de"},
			{Cursor: "!!"}, {Sort: member.SortJoined, Cursor: func() string {
				p, _ := r.search(r.aid, member.Query{Limit: 1})
				return p.Next
			}()}} {
			if _, err := r.search(r.aid, q); !errors.Is(err, member.ErrBadQuery) {
				t.Errorf("query %+v: %v, want ErrBadQuery", q, err)
			}
		}
	})
}

// bulk inserts n members numbered from first, as imports and demo data do.
func (r *reg) bulk(aid string, first int64, n int, m member.Member) {
	r.t.Helper()
	ms := make([]member.Member, n)
	for i := range ms {
		ms[i] = m
		ms[i].Number = first + int64(i)
	}
	for len(ms) > 0 {
		batch := ms[:min(len(ms), 500)] // as many as one statement takes
		ms = ms[len(batch):]
		if err := r.write(aid, func(tx *store.TenantTx) error { return member.InsertBatch(r.ctx, tx, r.now(), batch) }); err != nil {
			r.t.Fatal(err)
		}
	}
}

// TestSearchIndex: the word index follows inserts (one by one and in bulk),
// changes and deletes; a word shared by thousands of members is answered
// along the list instead; and another association's members never show.
func TestSearchIndex(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		common := member.Member{Status: member.StatusActive, FirstName: "Matti", LastName: "Yleinen", Town: "Espoo"}
		r.bulk(r.aid, 1, 3100, common) // more than one search reads whole
		anna := r.create(member.Member{Number: 5000, Status: member.StatusActive, FirstName: "Anna-Liisa", LastName: "Äijälä",
			Email: "anna.liisa@example.fi", Phone: "040 123 4567", Postcode: "00100", Town: "Helsinki"})
		other := r.env.Association(t, "B ry", 0)
		r.createIn(other.ID, member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna-Liisa", LastName: "Äijälä",
			Email: "anna.liisa@example.fi", Phone: "040 123 4567"})

		find := func(step, text string, want ...int64) {
			t.Helper()
			p, err := r.search(r.aid, member.Query{Text: text, Statuses: []string{member.StatusAll}})
			if err != nil {
				t.Fatalf("%s: search %q: %v", step, text, err)
			}
			if got := numbers(p); !slices.Equal(got, append([]int64{}, want...)) {
				t.Errorf("%s: search %q: %v, want %v", step, text, got, want)
			}
		}
		finds := func(step string) {
			t.Helper()
			find(step, "äijä", 5000)
			find(step, "LIISA äij", 5000)
			find(step, "anna.li", 5000)
			find(step, "anna.liisa@example.fi", 5000)
			find(step, "1234567", 5000)
			find(step, "+358 40 123 4567", 5000)
			find(step, "5000", 5000)
			find(step, "00100", 100, 5000) // and member number 100
			find(step, "liisa yleinen")
		}
		finds("new member")
		// Enough inserts that everything queued is in the index.
		r.bulk(r.aid, 6000, 300, member.Member{Status: member.StatusActive, FirstName: "Pekka", LastName: "Harvinainen"})
		finds("indexed")
		find("indexed", "harvinainen pekka", func() []int64 {
			var want []int64
			for n := int64(6000); n < 6050; n++ {
				want = append(want, n)
			}
			return want
		}()...)

		if _, err := r.update(anna.ID, member.Member{Number: 5000, Status: member.StatusActive, FirstName: "Anna-Liisa",
			LastName: "Björk", Email: "al.bjork@example.fi", Phone: "050 765 4321", Town: "Turku"}); err != nil {
			t.Fatal(err)
		}
		find("changed", "äijä")
		find("changed", "anna.li")
		find("changed", "1234567")
		find("changed", "björk", 5000)
		find("changed", "al.bjork@", 5000)
		find("changed", "0507654321", 5000)
		find("changed", "turku liisa", 5000)
		r.bulk(r.aid, 7000, 300, member.Member{Status: member.StatusActive, FirstName: "Pekka", LastName: "Muu"})
		find("changed and indexed", "björk", 5000)
		find("changed and indexed", "helsinki")

		if _, err := r.delete(anna.ID); err != nil {
			t.Fatal(err)
		}
		find("deleted", "björk")

		// A word thousands of members share: read along the list, paged.
		q := member.Query{Text: "yleinen espoo", Limit: 100}
		var got []int64
		for page := 0; page < 3; page++ {
			p, err := r.search(r.aid, q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, numbers(p)...)
			q.Cursor = p.Next
		}
		for i, n := range got {
			if n != int64(i+1) {
				t.Fatalf("common word, three pages: %v…, want 1…300", got[:min(len(got), 10)])
			}
		}
		if len(got) != 300 {
			t.Errorf("common word, three pages: %d members, want 300", len(got))
		}
		p, err := r.search(r.aid, member.Query{Text: "matti", Sort: member.SortNumber, Desc: true, Limit: 2})
		if err != nil || !slices.Equal(numbers(p), []int64{3100, 3099}) {
			t.Errorf("common word, descending: %v %v, want [3100 3099]", numbers(p), err)
		}
	})
}

// TestSearchFilters: the fee, group and custom field filters keep only
// the members they name, alone and with a search text, and an id from
// another association matches nobody.
func TestSearchFilters(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		r := newReg(t, e)
		other := r.env.Association(t, "B ry", 0)
		now := r.now()
		ids := map[int64]string{}
		for n := int64(1); n <= 4; n++ {
			ids[n] = r.create(member.Member{Number: n, Status: member.StatusActive, FirstName: "Anna", LastName: "Aalto"}).ID
		}
		otherMember := r.createIn(other.ID, member.Member{Number: 1, Status: member.StatusActive, FirstName: "Anna", LastName: "Aalto"})
		exec := func(aid, sql string, args ...any) {
			t.Helper()
			if err := r.write(aid, func(tx *store.TenantTx) error {
				_, err := tx.Exec(r.ctx, sql, args...)
				return err
			}); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		exec(r.aid, `INSERT INTO fees (id, association_id, name, created_at, updated_at) VALUES ($2, $1, 'Junior', $3, $3)`, "fee-a", now)
		exec(r.aid, `UPDATE members SET fee_id = $2 WHERE association_id = $1 AND id IN ($3, $4)`, "fee-a", ids[1], ids[2])
		exec(r.aid, `INSERT INTO groups (id, association_id, kind, name, created_at) VALUES ($2, $1, 'tag', 'Kuoro', $3)`, "group-a", now)
		exec(r.aid, `INSERT INTO group_members (association_id, group_id, member_id, added_at) VALUES ($1, $2, $3, $4), ($1, $2, $5, $4)`,
			"group-a", ids[2], now, ids[3])
		exec(r.aid, `INSERT INTO custom_fields (id, association_id, name, kind, created_at) VALUES ($2, $1, 'Koko', 'text', $3)`, "field-a", now)
		exec(r.aid, `INSERT INTO custom_values (association_id, member_id, field_id, value) VALUES ($1, $2, $3, 'M'), ($1, $4, $3, 'L')`,
			ids[3], "field-a", ids[4])
		exec(other.ID, `INSERT INTO groups (id, association_id, kind, name, created_at) VALUES ($2, $1, 'tag', 'Kuoro', $3)`, "group-b", now)
		exec(other.ID, `INSERT INTO group_members (association_id, group_id, member_id, added_at) VALUES ($1, $2, $3, $4)`,
			"group-b", otherMember.ID, now)

		for _, c := range []struct {
			q    member.Query
			want []int64
		}{
			{member.Query{FeeID: "fee-a"}, []int64{1, 2}},
			{member.Query{GroupID: "group-a"}, []int64{2, 3}},
			{member.Query{FeeID: "fee-a", GroupID: "group-a"}, []int64{2}},
			{member.Query{CustomField: "field-a"}, []int64{3, 4}},
			{member.Query{CustomField: "field-a", CustomValue: "L"}, []int64{4}},
			{member.Query{CustomField: "field-a", CustomValue: "XL"}, []int64{}},
			{member.Query{Text: "anna", GroupID: "group-a", Sort: member.SortLastName}, []int64{2, 3}},
			{member.Query{GroupID: "group-b"}, []int64{}},
			{member.Query{FeeID: "no-such-fee"}, []int64{}},
		} {
			p, err := r.search(r.aid, c.q)
			if err != nil {
				t.Fatalf("%+v: %v", c.q, err)
			}
			if got := numbers(p); !slices.Equal(got, c.want) {
				t.Errorf("%+v: %v, want %v", c.q, got, c.want)
			}
		}
		if _, err := r.search(r.aid, member.Query{CustomValue: "L"}); !errors.Is(err, member.ErrBadQuery) {
			t.Errorf("custom value without a field: %v, want ErrBadQuery", err)
		}
	})
}
