package auth_test

import (
	"context"
	"regexp"
	"testing"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

// event is a stored audit event, as far as these tests look at it.
type event struct {
	AssociationID string
	ActorType     string
	ActorID       string
	ObjectID      string
	Outcome       string
	Changes       string
	Details       string
}

// events returns the stored events with the given action, oldest first.
// Without a tenant only platform events are visible on PostgreSQL, so
// assoc names the association whose events to include ("" for none).
func events(t *testing.T, env *testenv.Env, assoc, action string) []event {
	t.Helper()
	ctx := context.Background()
	var out []event
	read := func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT COALESCE(association_id, ''), actor_type, actor_id, object_id, outcome, changes, details
			FROM audit_events WHERE action = $1 ORDER BY seq`, action)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e event
			if err := rows.Scan(&e.AssociationID, &e.ActorType, &e.ActorID, &e.ObjectID, &e.Outcome, &e.Changes, &e.Details); err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	}
	var err error
	if assoc == "" {
		err = env.DB.Read(ctx, read)
	} else {
		err = env.DB.For(assoc).Read(ctx, func(tx *store.TenantTx) error { return read(tx.Platform()) })
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lastEvent is the newest event with the action; it fails the test if
// there is none.
func lastEvent(t *testing.T, env *testenv.Env, assoc, action string) event {
	t.Helper()
	es := events(t, env, assoc, action)
	if len(es) == 0 {
		t.Fatalf("no %s audit event", action)
	}
	return es[len(es)-1]
}

// newSession starts a fully logged-in session for userID.
func newSession(t *testing.T, env *testenv.Env, userID string) auth.Session {
	t.Helper()
	ctx := context.Background()
	var s auth.Session
	if err := env.DB.Write(ctx, func(tx *store.Tx) error {
		var err error
		s, err = env.Auth.NewSession(ctx, tx, userID, true, "192.0.2.1", "test browser")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// platformQuery reads one value from the platform tables.
func platformQuery(t *testing.T, env *testenv.Env, dest any, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := env.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, query, args...).Scan(dest)
	}); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// platformExec changes the platform tables directly, for states the
// service has no call for yet (a disabled account).
func platformExec(t *testing.T, env *testenv.Env, stmt string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if err := env.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, stmt, args...)
		return err
	}); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

var linkToken = regexp.MustCompile(`https://seura\.test/(activate|reset)/([0-9a-f]{64})\n`)

// mailedLinks returns the purpose and token of each link in the mails sent
// since index from.
func mailedLinks(t *testing.T, env *testenv.Env, from int) (to []string, purposes []string, tokens []string) {
	t.Helper()
	sent := env.Mail.Sent()
	for _, m := range sent[from:] {
		match := linkToken.FindStringSubmatch(m.Body)
		if match == nil {
			t.Fatalf("mail to %s has no link:\n%s", m.To, m.Body)
		}
		to, purposes, tokens = append(to, m.To), append(purposes, match[1]), append(tokens, match[2])
	}
	return to, purposes, tokens
}

type storeTx = store.Tx
