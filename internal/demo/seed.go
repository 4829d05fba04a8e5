package demo

import (
	"context"
	"fmt"
	"time"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
)

// Rows per INSERT statement and per transaction. One statement carries
// batchRows × 22 parameters, within both engines' limits; a transaction
// of txRows keeps the SQLite WAL and PostgreSQL's memory small.
const (
	batchRows = 500
	txRows    = 50000
)

// Plan says what to generate.
type Plan struct {
	Members      int
	Associations int
	Seed         uint64
	Today        time.Time
	// Progress, if set, is called with the number of members written so far.
	Progress func(done int)
}

// Result names what was created.
type Result struct {
	Associations []association.Association
	Members      int
	// Registers counts the rest of each association's register, in the
	// order of Associations.
	Registers []RegisterResult
}

// Populate creates the associations and streams the members into them,
// spread evenly, grouping some of them into households on the way. Then
// it gives each association fees and a current period, groups, custom
// fields, positions of trust and customers (see register.go). Memory
// stays bounded: one batch of members at a time. Each association's
// generation is audited as one event with its member count and one with
// the counts of the rest, besides the few definitions' own events.
func Populate(ctx context.Context, db *store.DB, rec *audit.Recorder, p Plan) (Result, error) {
	if p.Associations < 1 {
		return Result{}, fmt.Errorf("associations: must be at least 1")
	}
	if p.Members < 0 {
		return Result{}, fmt.Errorf("members: must not be negative")
	}
	if p.Today.IsZero() {
		p.Today = time.Now().UTC()
	}
	ctx = audit.WithActor(ctx, audit.Actor{Type: audit.ActorSystem, Label: "seura demo"})
	var res Result
	for i := 0; i < p.Associations; i++ {
		var a association.Association
		err := db.Write(ctx, func(tx *store.Tx) error {
			var err error
			lang := "fi"
			if i == 0 {
				lang = "sv"
			}
			a, err = association.Create(ctx, tx, rec, p.Today, uniqueName(ctx, tx, AssociationName(i)), lang)
			return err
		})
		if err != nil {
			return res, err
		}
		res.Associations = append(res.Associations, a)
	}
	// The members go in with the register's secondary indexes set aside
	// (member.BulkLoad), which are rebuilt once at the end.
	err := member.BulkLoad(ctx, db, func() error { return populate(ctx, db, rec, p, &res) })
	return res, err
}

// populate writes the members and registers of res's associations.
func populate(ctx context.Context, db *store.DB, rec *audit.Recorder, p Plan, res *Result) error {
	gen := New(p.Seed, p.Today)
	batch := make([]member.Member, 0, batchRows)
	for i, a := range res.Associations {
		share := p.Members / p.Associations
		if i < p.Members%p.Associations {
			share++
		}
		tenant := db.For(a.ID)
		number := int64(1)
		var reg *register
		if err := tenant.Write(ctx, func(tx *store.TenantTx) error {
			var err error
			reg, err = newRegister(ctx, tx, rec, p.Today, p.Seed+uint64(i))
			return err
		}); err != nil {
			return fmt.Errorf("define register of %s: %w", a.Name, err)
		}
		for written := 0; written < share; {
			chunk := min(txRows, share-written)
			err := tenant.Write(ctx, func(tx *store.TenantTx) error {
				for done := 0; done < chunk; {
					batch = batch[:0]
					for len(batch) < batchRows && done+len(batch) < chunk {
						person := gen.Next()
						room := min(batchRows, chunk-done) - len(batch) - 1
						reg.homes.shape(&person, len(batch), room)
						batch = append(batch, fromPerson(person, number))
						number++
					}
					if err := member.InsertBatch(ctx, tx, p.Today, batch); err != nil {
						return err
					}
					if err := reg.addBatch(ctx, tx, batch); err != nil {
						return err
					}
					done += len(batch)
				}
				if written+chunk == share {
					return rec.Record(ctx, tx.Platform(), audit.Event{Action: "demo.generate", ObjectType: "association",
						ObjectID: a.ID, Details: map[string]any{"members": share, "seed": p.Seed}})
				}
				return nil
			})
			if err != nil {
				return err
			}
			written += chunk
			res.Members += chunk
			if p.Progress != nil {
				p.Progress(res.Members)
			}
		}
		if err := tenant.Write(ctx, func(tx *store.TenantTx) error {
			counts, err := reg.finish(ctx, tx, rec, p.Seed+uint64(i))
			if err != nil {
				return fmt.Errorf("finish register of %s: %w", a.Name, err)
			}
			res.Registers = append(res.Registers, counts)
			return rec.Record(ctx, tx.Platform(), audit.Event{Action: "demo.generate", ObjectType: "association",
				ObjectID: a.ID, Details: map[string]any{"seed": p.Seed, "fees": counts.Fees, "groups": counts.Groups,
					"group_members": counts.GroupMembers, "households": counts.Households,
					"household_members": counts.HouseholdMembers, "positions": counts.Positions,
					"custom_fields": counts.CustomFields, "custom_values": counts.CustomValues, "customers": counts.Customers}})
		}); err != nil {
			return err
		}
	}
	return nil
}

// uniqueName adds a number to a generated name already in use, so running
// the generator twice on one database gives distinguishable associations.
func uniqueName(ctx context.Context, tx *store.Tx, name string) string {
	candidate := name
	for n := 2; ; n++ {
		var count int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM associations WHERE name = $1`, candidate).Scan(&count); err != nil || count == 0 {
			return candidate
		}
		candidate = fmt.Sprintf("%s (%d)", name, n)
	}
}

func fromPerson(p Person, number int64) member.Member {
	return member.Member{
		Number: number, Kind: "person", Status: p.Status, FirstName: p.FirstName, LastName: p.LastName,
		Gender: p.Gender, BirthDate: p.BirthDate, Email: p.Email, Phone: p.Phone, Street: p.Street,
		Postcode: p.Postcode, Town: p.Town, Municipality: p.Municipality, Country: "FI", Language: p.Language,
		JoinedOn: p.JoinedOn, LeftOn: p.LeftOn,
	}
}
