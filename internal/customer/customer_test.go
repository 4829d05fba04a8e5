package customer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/customer"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/postcode"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// write runs fn in a write transaction of association aid.
func write(t *testing.T, env *testenv.Env, aid string, fn func(ctx context.Context, tx *store.TenantTx) error) error {
	t.Helper()
	ctx := context.Background()
	return env.DB.For(aid).Write(ctx, func(tx *store.TenantTx) error { return fn(ctx, tx) })
}

// company is a valid organisation customer.
func company() customer.Customer {
	return customer.Customer{Kind: "Organisation", OrgName: "Kahvila Kulma Oy", BusinessID: "0112038-9",
		Street: "Kauppatori 1", Postcode: "65100", Country: "fi", Email: "Laskut@Kulma.FI", EmailInvoices: true,
		Phone: "040 123 4567", Language: "sv"}
}

// TestCustomerLifecycle creates, reads, edits and deletes a customer,
// checking normalisation, the town taken from the postcode table, the
// numbers given, and the audit trail with personal data hashed.
func TestCustomerLifecycle(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kylä ry", 0)
		var c customer.Customer
		err := write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			var err error
			c, err = customer.Create(ctx, tx, env.Audit, env.Clock.Now(), company())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != 1 || c.Kind != "organisation" || c.Country != "FI" || c.Email != "laskut@kulma.fi" ||
			c.Phone != "+358401234567" || !c.PhoneMobile || c.Town != "VASA" || c.ID == "" {
			t.Errorf("created %+v", c)
		}
		var got customer.Customer
		err = env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			var err error
			got, err = customer.Get(context.Background(), tx, c.ID)
			return err
		})
		if err != nil || got.DisplayName() != "Kahvila Kulma Oy" || got.Town != "VASA" || got.BusinessID != "0112038-9" {
			t.Fatalf("get: %+v, %v", got, err)
		}

		// The second customer gets the next number; a town typed is kept.
		var p customer.Customer
		err = write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			var err error
			p, err = customer.Create(ctx, tx, env.Audit, env.Clock.Now(), customer.Customer{FirstName: "Aino",
				LastName: "Äijälä", Postcode: "00100", Town: "Kallio"})
			return err
		})
		if err != nil || p.Number != 2 || p.Town != "Kallio" || p.DisplayName() != "Äijälä, Aino" {
			t.Fatalf("second customer %+v, %v", p, err)
		}

		// Edit: a new postcode with the town cleared takes the association's
		// own name for it.
		next := got
		next.Postcode, next.Town, next.Notes = "65200", "", "Vuokraa kerhotilaa"
		err = write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			if err := postcode.Set(ctx, tx, env.Audit, env.Clock.Now(), "65200", "Vasklot"); err != nil {
				return err
			}
			var err error
			got, err = customer.Update(ctx, tx, env.Audit, env.Clock.Now(), c.ID, next)
			return err
		})
		if err != nil || got.Town != "Vasklot" || got.Notes != "Vuokraa kerhotilaa" || got.Number != 1 {
			t.Fatalf("update: %+v, %v", got, err)
		}

		// Taking another customer's number is refused.
		next = got
		next.Number = 2
		err = write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			_, err := customer.Update(ctx, tx, env.Audit, env.Clock.Now(), c.ID, next)
			return err
		})
		var ps customer.Problems
		if !errors.As(err, &ps) || ps[0].Field != "customer_number" {
			t.Errorf("number in use: %v", err)
		}

		err = write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			return customer.Delete(ctx, tx, env.Audit, c.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		err = env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			_, err := customer.Get(context.Background(), tx, c.ID)
			return err
		})
		if !errors.Is(err, customer.ErrNotFound) {
			t.Errorf("deleted customer still there: %v", err)
		}

		// The trail: create, update, delete, with personal values hashed.
		var events []audit.Entry
		err = env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			var err error
			events, err = audit.List(context.Background(), tx, 0, 100)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range events {
			if ev.ObjectType != "customer" {
				continue
			}
			actions = append(actions, ev.Action)
			for _, ch := range ev.Changes {
				if strings.Contains(ch.After+ch.Before, "Kulma") || strings.Contains(ch.After+ch.Before, "Äijälä") {
					t.Errorf("%s shows personal data in clear: %+v", ev.Action, ch)
				}
			}
		}
		if want := "customer.delete customer.update customer.create customer.create"; strings.Join(actions, " ") != want {
			t.Errorf("customer events %v, want %s", actions, want)
		}
	})
}

// TestCustomerValidation refuses bad cards with every problem named by its
// field, and writes nothing.
func TestCustomerValidation(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kylä ry", 0)
		cases := []struct {
			name   string
			change func(*customer.Customer)
			fields []string
		}{
			{"organisation without a name", func(c *customer.Customer) { c.OrgName = "" }, []string{"organisation_name"}},
			{"business ID check digit", func(c *customer.Customer) { c.BusinessID = "0112038-8" }, []string{"business_id"}},
			{"postcode", func(c *customer.Customer) { c.Postcode = "651" }, []string{"postcode"}},
			{"phone and e-mail", func(c *customer.Customer) { c.Phone = "12ab"; c.Email = "not an address" },
				[]string{"email", "phone"}},
			{"invoices by e-mail without an address", func(c *customer.Customer) { c.Email = "" }, []string{"email_invoices"}},
			{"person without a last name, with a business ID", func(c *customer.Customer) {
				c.Kind, c.FirstName = "person", "Aino"
			}, []string{"last_name", "business_id"}},
			{"kind, country, language", func(c *customer.Customer) { c.Kind, c.Country, c.Language = "robot", "XX", "de" },
				[]string{"kind", "country", "language"}},
			{"name on two lines", func(c *customer.Customer) { c.OrgName = "Kahvila\nKulma" }, []string{"organisation_name"}},
		}
		for _, tc := range cases {
			c := company()
			tc.change(&c)
			err := write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
				_, err := customer.Create(ctx, tx, env.Audit, env.Clock.Now(), c)
				return err
			})
			var ps customer.Problems
			if !errors.As(err, &ps) {
				t.Errorf("%s: %v, want Problems", tc.name, err)
				continue
			}
			var fields []string
			for _, p := range ps {
				fields = append(fields, p.Field)
			}
			if fmt.Sprint(fields) != fmt.Sprint(tc.fields) {
				t.Errorf("%s: problems with %v, want %v (%v)", tc.name, fields, tc.fields, ps)
			}
		}
		err := env.DB.For(a.ID).Read(context.Background(), func(tx *store.TenantTx) error {
			n, err := customer.Count(context.Background(), tx)
			if n != 0 {
				t.Errorf("%d customers written by refused cards", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range env.AuditActions(t, a.ID) {
			if strings.HasPrefix(action, "customer.") {
				t.Errorf("refused card audited as %s", action)
			}
		}
	})
}

// TestCustomersApart checks tenant isolation and that customers never show
// among members: the member counts and member search are the same after
// adding customers with names that would match.
func TestCustomersApart(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 3)
		b := env.Association(t, "Toinen ry", 0)
		memberView := func() (map[string]int64, int) {
			var counts map[string]int64
			var found int
			err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
				var err error
				if counts, err = member.Counts(ctx, tx); err != nil {
					return err
				}
				page, err := member.Search(ctx, tx, member.Query{Text: "testi", Statuses: []string{member.StatusAll}})
				found = len(page.Members)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return counts, found
		}
		countsBefore, foundBefore := memberView()
		var c customer.Customer
		err := write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			for i := range 3 {
				var err error
				c, err = customer.Create(ctx, tx, env.Audit, env.Clock.Now(), customer.Customer{
					FirstName: "Testi", LastName: fmt.Sprintf("Asiakas %d", i), Email: fmt.Sprintf("testi%d@example.fi", i)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		countsAfter, foundAfter := memberView()
		if fmt.Sprint(countsBefore) != fmt.Sprint(countsAfter) || foundBefore != foundAfter || foundBefore != 3 {
			t.Errorf("members changed by customers: counts %v → %v, search %d → %d", countsBefore, countsAfter,
				foundBefore, foundAfter)
		}
		if n := len(env.Members(t, a.ID)); n != 3 {
			t.Errorf("member list has %d, want 3", n)
		}

		// Association b sees none of a's customers and cannot touch them.
		err = env.DB.For(b.ID).Write(ctx, func(tx *store.TenantTx) error {
			if _, err := customer.Get(ctx, tx, c.ID); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("get from another association: %v", err)
			}
			if _, err := customer.Update(ctx, tx, env.Audit, env.Clock.Now(), c.ID, company()); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("update from another association: %v", err)
			}
			if err := customer.Delete(ctx, tx, env.Audit, c.ID); !errors.Is(err, customer.ErrNotFound) {
				t.Errorf("delete from another association: %v", err)
			}
			page, err := customer.Search(ctx, tx, customer.Query{Text: "testi"})
			if len(page.Customers) != 0 {
				t.Errorf("another association finds %d customers", len(page.Customers))
			}
			if err != nil || e.Name != "postgres" {
				return err
			}
			// Row-level security: a query that forgets its tenant condition
			// still sees only its own association's customers.
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM customers WHERE $1 <> ''`).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("row-level security lets association b see %d customers of a", n)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestCustomerSearch finds customers by name, e-mail and number and pages
// through them in name order.
func TestCustomerSearch(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Kylä ry", 0)
		err := write(t, env, a.ID, func(ctx context.Context, tx *store.TenantTx) error {
			for _, c := range []customer.Customer{
				{FirstName: "Aino", LastName: "Äijälä", Email: "aino@example.fi"},
				{FirstName: "Bertil", LastName: "Berg", Email: "bertil@example.se"},
				{Kind: "organisation", OrgName: "Kahvila Kulma Oy", Email: "laskut@kulma.fi"},
				{FirstName: "Cecilia", LastName: "Björk"},
				{FirstName: "Kalle", LastName: "Kulmala"},
			} {
				if _, err := customer.Create(ctx, tx, env.Audit, env.Clock.Now(), c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		search := func(q customer.Query) customer.Page {
			t.Helper()
			var p customer.Page
			err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
				var err error
				p, err = customer.Search(ctx, tx, q)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		names := func(p customer.Page) string {
			var out []string
			for _, c := range p.Customers {
				out = append(out, c.DisplayName())
			}
			return strings.Join(out, " | ")
		}
		for q, want := range map[string]string{
			"äijä":     "Äijälä, Aino",
			"ÄIJÄLÄ":   "Äijälä, Aino",
			"aino":     "Äijälä, Aino",
			"kulma":    "Kahvila Kulma Oy | Kulmala, Kalle",
			"laskut@":  "Kahvila Kulma Oy",
			"2":        "Berg, Bertil",
			"b":        "Berg, Bertil | Björk, Cecilia",
			"%":        "",
			"nobody":   "",
			"  berg  ": "Berg, Bertil",
		} {
			if got := names(search(customer.Query{Text: q})); got != want {
				t.Errorf("search %q: %q, want %q", q, got, want)
			}
		}
		var all []string
		p := search(customer.Query{Limit: 2})
		for pages := 0; ; pages++ {
			all = append(all, names(p))
			if p.Next == "" || pages > 5 {
				break
			}
			p = search(customer.Query{Limit: 2, After: p.Next})
		}
		if got := strings.Join(all, " | "); got != "Berg, Bertil | Björk, Cecilia | Kahvila Kulma Oy | Kulmala, Kalle | Äijälä, Aino" {
			t.Errorf("pages: %q", got)
		}
		err = env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			_, err := customer.Search(ctx, tx, customer.Query{After: "not a cursor!"})
			return err
		})
		if !errors.Is(err, customer.ErrBadCursor) {
			t.Errorf("bad cursor: %v", err)
		}
	})
}
