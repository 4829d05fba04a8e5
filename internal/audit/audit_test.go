package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/association"
	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/member"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// breakAudit makes every insert into audit_events fail from now on, as a
// full disk or a lost audit device would.
func breakAudit(t *testing.T, e testenv.Engine) {
	t.Helper()
	ctx := context.Background()
	owner, err := store.Open(ctx, e.OwnerDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	stmt := `CREATE TRIGGER audit_down BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit down'); END`
	if owner.Dialect() == store.Postgres {
		stmt = `CREATE FUNCTION audit_down() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'audit down'; END $$;
			CREATE TRIGGER audit_down BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_down();`
	}
	if err := owner.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, stmt)
		return err
	}); err != nil {
		t.Fatalf("install failing audit trigger: %v", err)
	}
}

func TestFailedAuditRollsBackItsChange(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 2)
		env.User(t, "puheenjohtaja@example.fi", false, a.ID, auth.RoleAdmin)
		kassa := env.User(t, "kassa@example.fi", false, a.ID, auth.RoleUser)
		var sess auth.Session
		if err := env.DB.Write(ctx, func(tx *store.Tx) error {
			var err error
			sess, err = env.Auth.NewSession(ctx, tx, kassa.ID, true, "192.0.2.1", "test")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		before := len(env.AuditActions(t, a.ID))

		breakAudit(t, e)

		// (a) A settings change is refused and leaves the settings as they were.
		err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return association.UpdateSettings(ctx, tx, env.Audit, association.Settings{
				Name: "Uusi nimi ry", DefaultLanguage: "sv", RequireMFA: true})
		})
		if err == nil {
			t.Fatal("UpdateSettings succeeded although its audit event could not be written")
		}
		if !strings.Contains(err.Error(), "audit") {
			t.Errorf("UpdateSettings error %q does not say the audit failed", err)
		}
		var got association.Association
		if err := env.DB.Read(ctx, func(tx *store.Tx) error {
			var err error
			got, err = association.Get(ctx, tx, a.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got.Name != "Kuoro ry" || got.DefaultLanguage != "fi" || got.RequireMFA {
			t.Errorf("settings changed without their audit event: %+v", got)
		}

		// (b) A role change is refused: the role stays and the sessions it
		// would have ended live on.
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return env.Auth.ChangeRole(ctx, tx, kassa.ID, auth.RoleGuest)
		})
		if err == nil {
			t.Fatal("ChangeRole succeeded although its audit event could not be written")
		}
		var role auth.Role
		if err := env.DB.Read(ctx, func(tx *store.Tx) error {
			var err error
			role, err = auth.RoleIn(ctx, tx, kassa.ID, a.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if role != auth.RoleUser {
			t.Errorf("role is %q after a refused change, want %q", role, auth.RoleUser)
		}
		if _, err := env.Auth.LookupSession(ctx, sess.Token); err != nil {
			t.Errorf("the refused role change still ended the session: %v", err)
		}

		// (c) A login that cannot be audited does not succeed, with the
		// right password or a wrong one.
		u, err := env.Auth.Login(ctx, "kassa@example.fi", testenv.Password)
		if err == nil {
			t.Fatal("Login succeeded although its audit event could not be written")
		}
		if u.ID != "" {
			t.Errorf("failed Login still returned user %s", u.ID)
		}
		if _, err := env.Auth.Login(ctx, "kassa@example.fi", "wrong password, long enough"); err == nil {
			t.Fatal("a wrong-password Login reported no error although its audit event could not be written")
		}

		// Register data is protected the same way.
		err = env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			if err := member.InsertBatch(ctx, tx, env.Clock.Now(), []member.Member{{Number: 3, Status: member.StatusActive, FirstName: "Uusi"}}); err != nil {
				return err
			}
			return env.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "member.create", ObjectType: "member"})
		})
		if err == nil {
			t.Fatal("a member insert committed although its audit event failed")
		}
		if n := len(env.Members(t, a.ID)); n != 2 {
			t.Errorf("association has %d members after a refused insert, want 2", n)
		}
		if n := len(env.AuditActions(t, a.ID)); n != before {
			t.Errorf("audit trail grew from %d to %d events while the audit was down", before, n)
		}
	})
}

func TestSensitiveValuesAreMasked(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		const hetu, hetu2, password = "010190-123A", "020290-234B", "a new secret password"
		record := func(rec *audit.Recorder, changes ...audit.Change) {
			t.Helper()
			if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				return rec.Record(ctx, tx.Platform(), audit.Event{Action: "member.update", ObjectType: "member", ObjectID: "m1", Changes: changes})
			}); err != nil {
				t.Fatal(err)
			}
		}
		record(env.Audit,
			audit.Change{Field: "first_name", Before: "Anna", After: "Anni"},
			audit.Change{Field: "identity_code", Before: hetu, After: hetu2, Sensitivity: audit.Personal},
			audit.Change{Field: "password", Before: "old password here", After: password, Sensitivity: audit.Secret},
			audit.Change{Field: "street", Before: "", After: "Kauppakatu 1", Sensitivity: audit.Personal},
		)
		record(env.Audit, audit.Change{Field: "identity_code", Before: hetu2, Sensitivity: audit.Personal})
		other := audit.NewRecorder([]byte("another installation's key......"), env.Clock)
		record(other, audit.Change{Field: "identity_code", Before: hetu2, Sensitivity: audit.Personal})

		entries := list(t, env, a.ID)
		if len(entries) < 3 {
			t.Fatalf("got %d events, want at least 3", len(entries))
		}
		first, second, third := entries[len(entries)-3], entries[len(entries)-2], entries[len(entries)-1]
		if len(first.Changes) != 4 {
			t.Fatalf("first event has %d changes, want 4: %+v", len(first.Changes), first.Changes)
		}
		plain, personal, secret, street := first.Changes[0], first.Changes[1], first.Changes[2], first.Changes[3]
		if plain.Before != "Anna" || plain.After != "Anni" {
			t.Errorf("plain change stored as %+v", plain)
		}
		for _, v := range []string{personal.Before, personal.After, street.After} {
			if !strings.HasPrefix(v, "hmac:") || len(v) <= len("hmac:") {
				t.Errorf("personal value stored as %q, want hmac:…", v)
			}
		}
		if personal.Before == personal.After {
			t.Error("two different identity codes have the same hmac")
		}
		if street.Before != "" {
			t.Errorf("an empty personal value is stored as %q, want empty", street.Before)
		}
		if secret.Before != "" || secret.After != "(changed)" {
			t.Errorf("secret change stored as before %q after %q; want no before and (changed)", secret.Before, secret.After)
		}
		// Equal values under the same key can be matched; another key
		// gives another hash.
		if second.Changes[0].Before != personal.After {
			t.Errorf("the same identity code hashed to %q and %q", second.Changes[0].Before, personal.After)
		}
		if third.Changes[0].Before == second.Changes[0].Before {
			t.Error("two recorders with different keys produced the same hmac")
		}

		// The plain values appear nowhere in what is stored.
		err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			rows, err := tx.Query(ctx, `SELECT changes, details FROM audit_events WHERE association_id = $1`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var changes, details string
				if err := rows.Scan(&changes, &details); err != nil {
					return err
				}
				for _, v := range []string{hetu, hetu2, password, "old password here", "Kauppakatu"} {
					if strings.Contains(changes+details, v) {
						t.Errorf("stored audit event contains %q: %s", v, changes)
					}
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			return env.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "member.create"})
		}); err != nil {
			t.Fatal(err)
		}
		want := env.AuditActions(t, a.ID)
		if len(want) == 0 {
			t.Fatal("no audit events to tamper with")
		}
		for _, stmt := range []string{
			`UPDATE audit_events SET action = 'rewritten' WHERE association_id = $1`,
			`DELETE FROM audit_events WHERE association_id = $1`,
		} {
			err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				_, err := tx.Exec(ctx, stmt)
				return err
			})
			if err == nil {
				t.Errorf("%s succeeded", stmt)
			}
			// Nor through a platform transaction.
			err = env.DB.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, strings.ReplaceAll(stmt, "association_id = $1", "action <> $1"), "x")
				return err
			})
			if err == nil {
				t.Errorf("%s (platform) succeeded", stmt)
			}
		}
		got := env.AuditActions(t, a.ID)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("audit trail changed: %v, was %v", got, want)
		}
	})
}

func TestRecordTakesRequestFromContext(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Partio ry", 0)
		user := audit.Actor{Type: audit.ActorUser, ID: "user-1", Label: "kassa@example.fi"}
		ctx := audit.WithRequest(context.Background(), audit.Request{ID: "req-7f3a", ClientIP: "192.0.2.44", Actor: user})
		if got := audit.RequestFrom(ctx); got.ID != "req-7f3a" || got.Actor != user {
			t.Fatalf("RequestFrom = %+v", got)
		}
		env.Clock.Advance(90 * time.Minute)
		at := env.Clock.Now()

		write := func(ctx context.Context, assoc string, ev audit.Event) error {
			return env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
				return env.Audit.Record(ctx, tx.Platform(), ev)
			})
		}
		if err := write(ctx, a.ID, audit.Event{Action: "member.create", ObjectType: "member", ObjectID: "m1"}); err != nil {
			t.Fatal(err)
		}
		apiKey := audit.Actor{Type: audit.ActorAPIKey, ID: "k1"}
		if err := write(audit.WithActor(ctx, apiKey), a.ID, audit.Event{Action: "member.update", Outcome: audit.Denied}); err != nil {
			t.Fatal(err)
		}
		op := &audit.Actor{Type: audit.ActorOperator, ID: "op-1", Label: "operator@example.fi"}
		if err := write(ctx, a.ID, audit.Event{Action: "member.export", Actor: op, Details: map[string]any{"rows": 3}}); err != nil {
			t.Fatal(err)
		}
		if err := write(context.Background(), a.ID, audit.Event{Action: "member.delete"}); err != nil {
			t.Fatal(err)
		}
		if err := write(ctx, a.ID, audit.Event{}); err == nil {
			t.Error("an event without an action was recorded")
		}

		es := list(t, env, a.ID)
		es = es[len(es)-4:]
		created, updated, exported, deleted := es[0], es[1], es[2], es[3]
		if created.Action != "member.create" || created.Actor != user || created.RequestID != "req-7f3a" ||
			created.ClientIP != "192.0.2.44" || created.AssociationID != a.ID || created.Outcome != audit.Success ||
			created.ObjectType != "member" || created.ObjectID != "m1" || !created.OccurredAt.Equal(at) || created.EventID == "" {
			t.Errorf("first event stored as %+v", created)
		}
		if updated.Actor != apiKey || updated.RequestID != "req-7f3a" || updated.ClientIP != "192.0.2.44" || updated.Outcome != audit.Denied {
			t.Errorf("WithActor event stored as %+v", updated)
		}
		if exported.Actor != *op || exported.RequestID != "req-7f3a" || exported.Details["rows"] != float64(3) {
			t.Errorf("event with its own actor stored as %+v", exported)
		}
		if deleted.Actor.Type != audit.ActorAnon || deleted.RequestID != "" || deleted.ClientIP != "" {
			t.Errorf("event without request stored as %+v", deleted)
		}
		if !(created.Seq < updated.Seq && updated.Seq < exported.Seq && exported.Seq < deleted.Seq) {
			t.Errorf("sequence numbers not increasing: %d %d %d %d", created.Seq, updated.Seq, exported.Seq, deleted.Seq)
		}

		// Events of A are not A's neighbour's.
		for _, en := range list(t, env, b.ID) {
			if en.AssociationID != b.ID || en.RequestID == "req-7f3a" {
				t.Errorf("B's trail shows %+v", en)
			}
		}
		// Paging: newest first, before a given seq.
		var page []audit.Entry
		if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			var err error
			page, err = audit.List(ctx, tx, deleted.Seq, 2)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(page) != 2 || page[0].Seq != exported.Seq || page[1].Seq != updated.Seq {
			t.Errorf("List(before %d, 2) = %+v", deleted.Seq, page)
		}

		// A platform transaction files the event under no association.
		if err := env.DB.Write(ctx, func(tx *store.Tx) error {
			return env.Audit.Record(ctx, tx, audit.Event{Action: "platform.test"})
		}); err != nil {
			t.Fatal(err)
		}
		var assoc, reqID string
		if err := env.DB.Read(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(ctx, `SELECT COALESCE(association_id, '(null)'), request_id FROM audit_events WHERE action = $1`, "platform.test").Scan(&assoc, &reqID)
		}); err != nil {
			t.Fatal(err)
		}
		if assoc != "(null)" || reqID != "req-7f3a" {
			t.Errorf("platform event filed under %q with request %q", assoc, reqID)
		}
	})
}

// list returns an association's events, oldest first.
func list(t *testing.T, env *testenv.Env, assoc string) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	err := env.DB.For(assoc).Read(context.Background(), func(tx *store.TenantTx) error {
		var err error
		es, err = audit.List(context.Background(), tx, 0, 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}
