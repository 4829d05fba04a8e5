package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/testenv"
)

var keyFormat = regexp.MustCompile(`^seura_([0-9a-f]{12})_([0-9a-f]{64})$`)

func TestAPIKeys(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		env := testenv.New(t, e)
		a := env.Association(t, "Kuoro ry", 0)
		b := env.Association(t, "Partio ry", 0)

		var key string
		var created auth.APIKey
		if err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
			var err error
			key, created, err = env.Auth.CreateAPIKey(ctx, tx, " Jäsenrekisterin synkronointi ", auth.ScopeWrite)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		m := keyFormat.FindStringSubmatch(key)
		if m == nil {
			t.Fatalf("key %q does not look like seura_<prefix>_<secret>", key)
		}
		prefix, secret := m[1], m[2]
		if created.Prefix != prefix || created.AssociationID != a.ID || created.Scope != auth.ScopeWrite || created.Name != "Jäsenrekisterin synkronointi" {
			t.Errorf("CreateAPIKey returned %+v", created)
		}
		if ev := lastEvent(t, env, a.ID, "apikey.create"); ev.ObjectID != created.ID || strings.Contains(ev.Changes, secret) {
			t.Errorf("key creation audited as %+v", ev)
		}

		// Only the secret's hash is stored.
		var stored string
		if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			return tx.QueryRow(ctx, `SELECT id || '|' || name || '|' || prefix || '|' || secret_hash || '|' || scope
				FROM api_keys WHERE association_id = $1`).Scan(&stored)
		}); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if strings.Contains(stored, secret) || !strings.Contains(stored, hex.EncodeToString(sum[:])) {
			t.Errorf("stored key row %q: want the secret's SHA-256 and not the secret", stored)
		}

		env.Clock.Advance(time.Hour)
		k, err := env.Auth.AuthenticateAPIKey(ctx, key)
		if err != nil {
			t.Fatalf("AuthenticateAPIKey: %v", err)
		}
		if k.ID != created.ID || k.AssociationID != a.ID || k.Scope != auth.ScopeWrite || !k.LastUsedAt.Equal(env.Clock.Now()) {
			t.Errorf("AuthenticateAPIKey = %+v", k)
		}
		var listed []auth.APIKey
		if err := env.DB.For(a.ID).Read(ctx, func(tx *store.TenantTx) error {
			var err error
			listed, err = auth.ListAPIKeys(ctx, tx)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 1 || !listed[0].LastUsedAt.Equal(env.Clock.Now()) || listed[0].Revoked {
			t.Errorf("ListAPIKeys = %+v; want the key, used now, not revoked", listed)
		}

		flip := func(s string, i int) string {
			c := byte('0')
			if s[i] == '0' {
				c = '1'
			}
			return s[:i] + string(c) + s[i+1:]
		}
		for name, bad := range map[string]string{
			"secret changed":   flip(key, len(key)-1),
			"prefix changed":   flip(key, len("seura_")),
			"secret truncated": key[:len(key)-1],
			"secret extended":  key + "0",
			"wrong marker":     "sk_" + strings.TrimPrefix(key, "seura_"),
			"no separator":     "seura_" + prefix + secret,
			"only the prefix":  "seura_" + prefix + "_",
			"empty":            "",
			"another key's":    "seura_" + prefix + "_" + strings.Repeat("0", 64),
		} {
			if _, err := env.Auth.AuthenticateAPIKey(ctx, bad); !errors.Is(err, auth.ErrBadAPIKey) {
				t.Errorf("AuthenticateAPIKey(%s) = %v; want ErrBadAPIKey", name, err)
			}
		}

		// Only the key's own association can revoke it.
		revoke := func(assoc string) error {
			return env.DB.For(assoc).Write(ctx, func(tx *store.TenantTx) error {
				return env.Auth.RevokeAPIKey(ctx, tx, prefix)
			})
		}
		if err := revoke(b.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("revoking A's key through B = %v; want ErrNotFound", err)
		}
		if _, err := env.Auth.AuthenticateAPIKey(ctx, key); err != nil {
			t.Fatalf("B's attempt revoked A's key: %v", err)
		}
		if err := revoke(a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Auth.AuthenticateAPIKey(ctx, key); !errors.Is(err, auth.ErrBadAPIKey) {
			t.Errorf("a revoked key = %v; want ErrBadAPIKey", err)
		}
		if err := revoke(a.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Errorf("revoking twice = %v; want ErrNotFound", err)
		}
		if ev := lastEvent(t, env, a.ID, "apikey.revoke"); ev.ObjectID != prefix {
			t.Errorf("revocation audited as %+v", ev)
		}

		// B sees none of A's keys.
		if err := env.DB.For(b.ID).Read(ctx, func(tx *store.TenantTx) error {
			ks, err := auth.ListAPIKeys(ctx, tx)
			if len(ks) != 0 {
				t.Errorf("B lists A's keys: %+v", ks)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}

		// Bad input creates nothing.
		for _, tt := range []struct{ name, scope string }{{"", auth.ScopeRead}, {"  ", auth.ScopeRead}, {"x", "admin"}} {
			err := env.DB.For(a.ID).Write(ctx, func(tx *store.TenantTx) error {
				_, _, err := env.Auth.CreateAPIKey(ctx, tx, tt.name, tt.scope)
				return err
			})
			if err == nil {
				t.Errorf("CreateAPIKey(%q, %q) succeeded", tt.name, tt.scope)
			}
		}
	})
}
