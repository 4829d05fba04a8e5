package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"

	"seura.fi/seura/internal/auth"
	"seura.fi/seura/internal/testenv"
)

// softKey is a software authenticator: a P-256 key with a signature
// counter, answering ceremonies the way a security key does, with "none"
// attestation. It lets these tests run both ceremonies without a browser.
type softKey struct {
	t     *testing.T
	priv  *ecdsa.PrivateKey
	id    []byte
	count uint32
	rpID  string
	orig  string
}

func newSoftKey(t *testing.T) *softKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	return &softKey{t: t, priv: priv, id: id, rpID: "seura.test", orig: "https://seura.test"}
}

var b64 = base64.RawURLEncoding.EncodeToString

// challenge reads the challenge from a ceremony's options.
func challenge(t *testing.T, c auth.Ceremony) string {
	t.Helper()
	var o struct {
		PublicKey struct{ Challenge string } `json:"publicKey"`
	}
	if err := json.Unmarshal(c.Options, &o); err != nil || o.PublicKey.Challenge == "" {
		t.Fatalf("options %s: %v", c.Options, err)
	}
	return o.PublicKey.Challenge
}

func (k *softKey) authData(flags byte, extra []byte) []byte {
	rp := sha256.Sum256([]byte(k.rpID))
	d := append(rp[:], flags)
	d = binary.BigEndian.AppendUint32(d, k.count)
	return append(d, extra...)
}

func (k *softKey) clientData(typ, challenge string) []byte {
	return fmt.Appendf(nil, `{"type":%q,"challenge":%q,"origin":%q,"crossOrigin":false}`, typ, challenge, k.orig)
}

// create answers a registration ceremony.
func (k *softKey) create(c auth.Ceremony) string {
	k.t.Helper()
	raw, err := k.priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		k.t.Fatal(err)
	}
	pub, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, XCoord: raw[1:33], YCoord: raw[33:],
	})
	if err != nil {
		k.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), pub...)
	// Flags: user present, user verified, attested credential data.
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": k.authData(0x45, attested)})
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64(k.clientData("webauthn.create", challenge(k.t, c))),
			"attestationObject": b64(obj),
			"transports":        []string{"usb"},
		},
	})
	return string(out)
}

// get answers a login ceremony, with the counter moved on first.
func (k *softKey) get(c auth.Ceremony, userHandle string) string {
	k.t.Helper()
	k.count++
	authData := k.authData(0x05, nil)
	cd := k.clientData("webauthn.get", challenge(k.t, c))
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, authData...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	out, _ := json.Marshal(map[string]any{
		"id": b64(k.id), "rawId": b64(k.id), "type": "public-key",
		"response": map[string]any{
			"clientDataJSON":    b64(cd),
			"authenticatorData": b64(authData),
			"signature":         b64(sig),
			"userHandle":        b64([]byte(userHandle)),
		},
	})
	return string(out)
}

// reasons lists "outcome factor reason" of the user's events with action.
func reasons(t *testing.T, env *testenv.Env, userID, action string) []string {
	t.Helper()
	var out []string
	for _, e := range events(t, env, "", action) {
		if e.ObjectID != userID {
			continue
		}
		var d map[string]any
		_ = json.Unmarshal([]byte(e.Details), &d)
		f, _ := d["factor"].(string)
		r, _ := d["reason"].(string)
		out = append(out, strings.Join(strings.Fields(e.Outcome+" "+f+" "+r), " "))
	}
	return out
}

func TestPasskeysAvailable(t *testing.T) {
	env := testenv.New(t, testenv.Engines(t)[0])
	for base, want := range map[string]bool{
		"https://seura.test":        true,
		"https://seura.example.fi/": true,
		"http://localhost:8080":     true,
		"http://127.0.0.1:8080":     false,
		"https://[::1]:8443":        false,
		"":                          false,
		"ftp://seura.test":          false,
		"https://seura..test":       false,
		"https://" + strings.Repeat("a", 70) + ".fi": false,
	} {
		env.Auth.BaseURL = base
		if got := env.Auth.PasskeysAvailable(); got != want {
			t.Errorf("PasskeysAvailable with base URL %q = %v, want %v", base, got, want)
		}
	}
	env.Auth.BaseURL = "http://127.0.0.1:8080"
	u := env.User(t, "ip@example.fi", false, "", "")
	if _, err := env.Auth.BeginPasskeyRegistration(context.Background(), u, strings.Repeat("a", 64)); !errors.Is(err, auth.ErrPasskeysUnavailable) {
		t.Fatalf("BeginPasskeyRegistration with an IP base URL: %v", err)
	}
}

// TestPasskeyCeremonies registers a passkey and logs in with it on each
// engine, and checks what must be refused: another session's ceremony, an
// expired one, a replayed answer, a counter that does not grow.
func TestPasskeyCeremonies(t *testing.T) {
	testenv.Each(t, func(t *testing.T, e testenv.Engine) {
		env := testenv.New(t, e)
		ctx := context.Background()
		a := env.Association(t, "Avain ry", 0)
		u := env.User(t, "key@example.fi", false, a.ID, auth.RoleAdmin)
		sess := newSession(t, env, u.ID).Token
		key := newSoftKey(t)

		// Registration.
		c, err := env.Auth.BeginPasskeyRegistration(ctx, u, sess)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Auth.FinishPasskeyRegistration(ctx, u, strings.Repeat("b", 64), c.State, key.create(c), "Key"); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("registration finished in another session: %v", err)
		}
		pk, err := env.Auth.FinishPasskeyRegistration(ctx, u, sess, c.State, key.create(c), "  Yubikey  ")
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		if pk.Name != "Yubikey" {
			t.Errorf("name %q", pk.Name)
		}
		// The same authenticator again is refused (it is excluded, and
		// its credential id is taken).
		c, _ = env.Auth.BeginPasskeyRegistration(ctx, u, sess)
		if !strings.Contains(string(c.Options), b64(key.id)) {
			t.Errorf("registration options do not exclude the registered key: %s", c.Options)
		}
		if _, err := env.Auth.FinishPasskeyRegistration(ctx, u, sess, c.State, key.create(c), "Again"); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("registering one credential twice: %v", err)
		}
		if got := reasons(t, env, u.ID, "user.passkey_add"); strings.Join(got, ",") != "failure state,success,failure duplicate" {
			t.Fatalf("registration events: %q", got)
		}
		var fresh auth.User
		if err := env.DB.Read(ctx, func(tx *storeTx) error {
			var err error
			fresh, err = auth.UserByID(ctx, tx, u.ID)
			return err
		}); err != nil || !fresh.HasPasskey || fresh.TOTPEnabled || !fresh.HasSecondFactor() {
			t.Fatalf("user after registration: %+v, %v", fresh, err)
		}

		// Login.
		pending := sess // the binding is only the token; a pending session works alike
		c, err = env.Auth.BeginPasskeyLogin(ctx, fresh, pending)
		if err != nil {
			t.Fatal(err)
		}
		answer := key.get(c, u.ID)
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, c.State, answer); err != nil {
			t.Fatalf("login: %v", err)
		}
		var count int64
		platformQuery(t, env, &count, `SELECT sign_count FROM webauthn_credentials WHERE id = $1`, pk.ID)
		if count != 1 {
			t.Fatalf("sign count after login %d, want 1", count)
		}
		// The same answer again: the counter did not grow.
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, c.State, answer); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("replayed assertion: %v", err)
		}
		// A cloned key: a fresh ceremony, but the counter goes back.
		c, _ = env.Auth.BeginPasskeyLogin(ctx, fresh, pending)
		key.count = 0
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, c.State, key.get(c, u.ID)); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("counter going back: %v", err)
		}
		// Another session's ceremony, and an expired one.
		c, _ = env.Auth.BeginPasskeyLogin(ctx, fresh, pending)
		key.count = 10
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, strings.Repeat("c", 64), c.State, key.get(c, u.ID)); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("login state of another session: %v", err)
		}
		env.Clock.Advance(6 * time.Minute)
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, c.State, key.get(c, u.ID)); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("expired login state: %v", err)
		}
		// A registration state is no login state.
		r, _ := env.Auth.BeginPasskeyRegistration(ctx, fresh, pending)
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, r.State, key.get(c, u.ID)); !errors.Is(err, auth.ErrBadPasskey) {
			t.Fatalf("registration state used for login: %v", err)
		}
		// A good one still works, and the counter moves on.
		c, _ = env.Auth.BeginPasskeyLogin(ctx, fresh, pending)
		if err := env.Auth.FinishPasskeyLogin(ctx, fresh, pending, c.State, key.get(c, u.ID)); err != nil {
			t.Fatalf("login after failures: %v", err)
		}
		platformQuery(t, env, &count, `SELECT sign_count FROM webauthn_credentials WHERE id = $1`, pk.ID)
		if count != int64(key.count) {
			t.Fatalf("sign count %d, want %d", count, key.count)
		}
		want := "success passkey,failure passkey sign_count,failure passkey sign_count,failure passkey state,failure passkey state,failure passkey state,success passkey"
		if got := reasons(t, env, u.ID, "auth.mfa"); strings.Join(got, ",") != want {
			t.Fatalf("second-factor events:\n%q\nwant %s", got, want)
		}

		// The listing, and removal: an administrator without TOTP keeps
		// the last passkey.
		var list []auth.Passkey
		if err := env.DB.Read(ctx, func(tx *storeTx) error {
			var err error
			list, err = auth.Passkeys(ctx, tx, u.ID)
			return err
		}); err != nil || len(list) != 1 || list[0].LastUsedAt.IsZero() || list[0].Name != "Yubikey" {
			t.Fatalf("Passkeys: %+v, %v", list, err)
		}
		if err := env.Auth.RemovePasskey(ctx, fresh, pk.ID); !errors.Is(err, auth.ErrLastFactor) {
			t.Fatalf("removing an administrator's last factor: %v", err)
		}
		other := env.User(t, "other@example.fi", false, "", "")
		if err := env.Auth.RemovePasskey(ctx, other, pk.ID); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("removing another account's passkey: %v", err)
		}
		lastEventOf := lastEvent(t, env, "", "user.passkey_add")
		if lastEventOf.ObjectID != u.ID {
			t.Fatalf("last passkey_add event is about %s", lastEventOf.ObjectID)
		}
	})
}
