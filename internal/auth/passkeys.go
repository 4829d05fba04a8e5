package auth

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// Passkey is a WebAuthn credential an account uses as its second factor.
type Passkey struct {
	ID         string
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
}

// Ceremony is the first half of a WebAuthn registration or login: Options
// go to navigator.credentials (JSON, binary fields base64url), State comes
// back with the authenticator's answer. State is sealed (AES-GCM, bound to
// the user, the purpose and the browser session), so the browser can
// neither read nor change the challenge it carries.
type Ceremony struct {
	Options json.RawMessage
	State   string
}

// Passkey errors callers turn into messages.
var (
	// ErrPasskeysUnavailable means the public base URL has no domain name
	// (WebAuthn refuses IP addresses as relying party ids).
	ErrPasskeysUnavailable = errors.New("passkeys need a base URL with a domain name")
	// ErrBadPasskey is every failed ceremony: a wrong, replayed, expired or
	// malformed answer. The reason is in the audit event.
	ErrBadPasskey = errors.New("the passkey was not accepted")
	// ErrLastFactor refuses removing the last second factor of an account
	// whose roles require one.
	ErrLastFactor = errors.New("the last second factor cannot be removed while your role requires two-step verification")
	// ErrTooManyPasskeys caps the credentials of one account.
	ErrTooManyPasskeys = errors.New("too many passkeys on this account")
)

const (
	// ceremonyTTL is how long a begun ceremony can be finished.
	ceremonyTTL = 5 * time.Minute
	// MaxPasskeys is how many passkeys one account may register.
	MaxPasskeys     = 20
	purposeRegister = "passkey-register"
	purposeLogin    = "passkey-login"
)

// HasSecondFactor reports whether the account can pass the second step:
// TOTP is on or at least one passkey is registered.
func (u User) HasSecondFactor() bool { return u.TOTPEnabled || u.HasPasskey }

// PasskeysAvailable reports whether the base URL allows WebAuthn.
func (s *Service) PasskeysAvailable() bool {
	_, err := s.relyingParty()
	return err == nil
}

// relyingParty configures WebAuthn from the public base URL: the relying
// party id is its host name, the only accepted origin the URL itself.
func (s *Service) relyingParty() (*webauthn.WebAuthn, error) {
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, ErrPasskeysUnavailable
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil, ErrPasskeysUnavailable
	}
	rp, err := webauthn.New(&webauthn.Config{
		RPID:                  host,
		RPDisplayName:         "Seura",
		RPOrigins:             []string{u.Scheme + "://" + u.Host},
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPasskeysUnavailable, err)
	}
	return rp, nil
}

// passkeyUser is an account as the WebAuthn library sees it. Its handle is
// the account id, which carries no personal data.
type passkeyUser struct {
	u     User
	creds []webauthn.Credential
	ids   []string // row id of each credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return []byte(p.u.ID) }
func (p *passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return p.u.Name }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// rowOf returns the row id and index of the credential with credential id cid.
func (p *passkeyUser) rowOf(cid []byte) (string, int) {
	for i, c := range p.creds {
		if string(c.ID) == string(cid) {
			return p.ids[i], i
		}
	}
	return "", -1
}

func loadPasskeyUser(ctx context.Context, tx *store.Tx, u User) (*passkeyUser, error) {
	rows, err := tx.Query(ctx, `SELECT id, credential_id, public_key, sign_count, aaguid, transports, flags
		FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id`, u.ID)
	if err != nil {
		return nil, fmt.Errorf("read passkeys: %w", err)
	}
	defer rows.Close()
	p := &passkeyUser{u: u}
	for rows.Next() {
		var id, transports string
		var c webauthn.Credential
		var count int64
		var flags int
		if err := rows.Scan(&id, &c.ID, &c.PublicKey, &count, &c.Authenticator.AAGUID, &transports, &flags); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		c.Authenticator.SignCount = uint32(count)
		c.Flags = webauthn.CredentialFlagsFromMsgpByte(byte(flags))
		for _, t := range strings.Split(transports, ",") {
			if t != "" {
				c.Transport = append(c.Transport, protocol.AuthenticatorTransport(t))
			}
		}
		p.creds = append(p.creds, c)
		p.ids = append(p.ids, id)
	}
	return p, rows.Err()
}

// ceremonyState is what the sealed State carries.
type ceremonyState struct {
	Session webauthn.SessionData `json:"s"`
	Issued  time.Time            `json:"t"`
}

// stateBinding ties a sealed state to one purpose, one account and one
// browser session (by the hash of its token), so it is worthless anywhere
// else, and a login state dies with the session rotated at its success.
func stateBinding(purpose, userID, sessionToken string) string {
	return purpose + ":" + userID + ":" + hashToken(sessionToken)
}

func (s *Service) sealState(purpose, userID, sessionToken string, sd *webauthn.SessionData) (string, error) {
	b, err := json.Marshal(ceremonyState{Session: *sd, Issued: s.Clock.Now()})
	if err != nil {
		return "", err
	}
	sealed, err := s.seal(b, stateBinding(purpose, userID, sessionToken))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (s *Service) openState(purpose, userID, sessionToken, state string) (webauthn.SessionData, error) {
	raw, err := base64.RawURLEncoding.DecodeString(state)
	if err != nil {
		return webauthn.SessionData{}, err
	}
	plain, err := s.open(raw, stateBinding(purpose, userID, sessionToken))
	if err != nil {
		return webauthn.SessionData{}, err
	}
	var cs ceremonyState
	if err := json.Unmarshal(plain, &cs); err != nil {
		return webauthn.SessionData{}, err
	}
	if age := s.Clock.Now().Sub(cs.Issued); age > ceremonyTTL || age < -time.Minute {
		return webauthn.SessionData{}, errors.New("ceremony expired")
	}
	return cs.Session, nil
}

// BeginPasskeyRegistration starts adding a passkey to u, whose browser
// session has token sessionToken. The account's existing passkeys are
// excluded, so one authenticator is not registered twice.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, u User, sessionToken string) (Ceremony, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Ceremony{}, err
	}
	var pu *passkeyUser
	if err := s.DB.Read(ctx, func(tx *store.Tx) error {
		pu, err = loadPasskeyUser(ctx, tx, u)
		return err
	}); err != nil {
		return Ceremony{}, err
	}
	if len(pu.creds) >= MaxPasskeys {
		return Ceremony{}, ErrTooManyPasskeys
	}
	exclude := webauthn.Credentials(pu.creds).CredentialDescriptors()
	creation, sd, err := rp.BeginRegistration(pu, webauthn.WithExclusions(exclude))
	if err != nil {
		return Ceremony{}, fmt.Errorf("begin passkey registration: %w", err)
	}
	return s.ceremony(creation, purposeRegister, u.ID, sessionToken, sd)
}

func (s *Service) ceremony(options any, purpose, userID, sessionToken string, sd *webauthn.SessionData) (Ceremony, error) {
	opts, err := json.Marshal(options)
	if err != nil {
		return Ceremony{}, err
	}
	state, err := s.sealState(purpose, userID, sessionToken, sd)
	if err != nil {
		return Ceremony{}, err
	}
	return Ceremony{Options: opts, State: state}, nil
}

// FinishPasskeyRegistration checks the authenticator's answer (the JSON of
// a PublicKeyCredential from navigator.credentials.create) against the
// sealed state and stores the credential under name. A failure is audited
// and returned as ErrBadPasskey.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, u User, sessionToken, state, credential, name string) (Passkey, error) {
	name, err := CheckPasskeyName(name)
	if err != nil {
		return Passkey{}, err
	}
	rp, err := s.relyingParty()
	if err != nil {
		return Passkey{}, err
	}
	sd, err := s.openState(purposeRegister, u.ID, sessionToken, state)
	if err != nil {
		return Passkey{}, s.passkeyFailure(ctx, "user.passkey_add", u.ID, "state", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(credential))
	if err != nil {
		return Passkey{}, s.passkeyFailure(ctx, "user.passkey_add", u.ID, "malformed", err)
	}
	var pu *passkeyUser
	if err := s.DB.Read(ctx, func(tx *store.Tx) error {
		pu, err = loadPasskeyUser(ctx, tx, u)
		return err
	}); err != nil {
		return Passkey{}, err
	}
	cred, err := rp.CreateCredential(pu, sd, parsed)
	if err != nil {
		return Passkey{}, s.passkeyFailure(ctx, "user.passkey_add", u.ID, "verify", err)
	}
	transports := make([]string, 0, len(cred.Transport))
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	pk := Passkey{ID: uuid.Must(uuid.NewV7()).String(), Name: name, CreatedAt: s.Clock.Now()}
	duplicate, tooMany := false, false
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		var n, taken int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
			return fmt.Errorf("count passkeys: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM webauthn_credentials WHERE credential_id = $1`, cred.ID).Scan(&taken); err != nil {
			return fmt.Errorf("look up passkey: %w", err)
		}
		if taken > 0 || n >= MaxPasskeys {
			duplicate, tooMany = taken > 0, taken == 0
			reason := "duplicate"
			if tooMany {
				reason = "too_many"
			}
			return s.Audit.Record(ctx, tx, audit.Event{Action: "user.passkey_add", Outcome: audit.Failure,
				ObjectType: "user", ObjectID: u.ID, Details: map[string]any{"reason": reason}})
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webauthn_credentials
			(id, user_id, credential_id, public_key, sign_count, aaguid, transports, flags, name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			pk.ID, u.ID, cred.ID, cred.PublicKey, int64(cred.Authenticator.SignCount), cred.Authenticator.AAGUID,
			strings.Join(transports, ","), int(cred.Flags.MsgpByte()), pk.Name, pk.CreatedAt); err != nil {
			return fmt.Errorf("store passkey: %w", err)
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "user.passkey_add", ObjectType: "user", ObjectID: u.ID,
			Changes: []audit.Change{{Field: "passkey", After: pk.Name}},
			Details: map[string]any{"passkey_id": pk.ID, "attestation": cred.AttestationFormat}})
	})
	switch {
	case err != nil:
		return Passkey{}, err
	case duplicate:
		return Passkey{}, fmt.Errorf("%w: already registered", ErrBadPasskey)
	case tooMany:
		return Passkey{}, ErrTooManyPasskeys
	}
	return pk, nil
}

// CheckPasskeyName trims a passkey's name and checks its length.
func CheckPasskeyName(name string) (string, error) { return valid.Text("name", name, 100) }

// passkeyFailure records a failed ceremony in its own transaction and
// returns ErrBadPasskey with the cause, for the debug log.
func (s *Service) passkeyFailure(ctx context.Context, action, userID, reason string, cause error) error {
	details := map[string]any{"reason": reason}
	if action == "auth.mfa" {
		details["factor"] = "passkey"
	}
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		return s.Audit.Record(ctx, tx, audit.Event{Action: action, Outcome: audit.Failure, ObjectType: "user",
			ObjectID: userID, Details: details})
	})
	if err != nil {
		return err
	}
	return fmt.Errorf("%w (%s): %v", ErrBadPasskey, reason, cause)
}

// BeginPasskeyLogin starts the second step with a passkey for u, whose
// password-checked session has token sessionToken.
func (s *Service) BeginPasskeyLogin(ctx context.Context, u User, sessionToken string) (Ceremony, error) {
	rp, err := s.relyingParty()
	if err != nil {
		return Ceremony{}, err
	}
	var pu *passkeyUser
	if err := s.DB.Read(ctx, func(tx *store.Tx) error {
		pu, err = loadPasskeyUser(ctx, tx, u)
		return err
	}); err != nil {
		return Ceremony{}, err
	}
	if len(pu.creds) == 0 {
		return Ceremony{}, fmt.Errorf("%w: no passkeys", ErrBadPasskey)
	}
	assertion, sd, err := rp.BeginLogin(pu)
	if err != nil {
		return Ceremony{}, fmt.Errorf("begin passkey login: %w", err)
	}
	return s.ceremony(assertion, purposeLogin, u.ID, sessionToken, sd)
}

// FinishPasskeyLogin checks an assertion (the JSON of a PublicKeyCredential
// from navigator.credentials.get) as u's second factor. The signature
// counter must grow, unless the authenticator keeps none (always 0): a
// counter that stands still or goes back means a cloned key, and the login
// is refused. Both outcomes are audited as auth.mfa with factor passkey.
func (s *Service) FinishPasskeyLogin(ctx context.Context, u User, sessionToken, state, credential string) error {
	rp, err := s.relyingParty()
	if err != nil {
		return err
	}
	sd, err := s.openState(purposeLogin, u.ID, sessionToken, state)
	if err != nil {
		return s.passkeyFailure(ctx, "auth.mfa", u.ID, "state", err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(credential))
	if err != nil {
		return s.passkeyFailure(ctx, "auth.mfa", u.ID, "malformed", err)
	}
	var reason string
	var cause error
	err = s.DB.Write(ctx, func(tx *store.Tx) error {
		pu, err := loadPasskeyUser(ctx, tx, u)
		if err != nil {
			return err
		}
		fail := func(why string, err error) error {
			reason, cause = why, err
			return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.mfa", Outcome: audit.Failure, ObjectType: "user",
				ObjectID: u.ID, Details: map[string]any{"factor": "passkey", "reason": why}})
		}
		cred, err := rp.ValidateLogin(pu, sd, parsed)
		if err != nil {
			return fail("verify", err)
		}
		id, i := pu.rowOf(cred.ID)
		if i < 0 {
			return fail("verify", errors.New("credential vanished"))
		}
		if cred.Authenticator.CloneWarning {
			return fail("sign_count", fmt.Errorf("sign count %d after %d", parsed.Response.AuthenticatorData.Counter, pu.creds[i].Authenticator.SignCount))
		}
		// The stored counter must still be the one checked against: two
		// uses of a cloned key at once cannot both pass.
		res, err := tx.Exec(ctx, `UPDATE webauthn_credentials SET sign_count = $3, flags = $4, last_used_at = $5
			WHERE id = $1 AND sign_count = $2`, id, int64(pu.creds[i].Authenticator.SignCount),
			int64(cred.Authenticator.SignCount), int(cred.Flags.MsgpByte()), s.Clock.Now())
		if err != nil {
			return fmt.Errorf("update passkey: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fail("sign_count", errors.New("sign count changed concurrently"))
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.mfa", ObjectType: "user", ObjectID: u.ID,
			Details: map[string]any{"factor": "passkey", "passkey_id": id}})
	})
	if err != nil {
		return err
	}
	if reason != "" {
		return fmt.Errorf("%w (%s): %v", ErrBadPasskey, reason, cause)
	}
	return nil
}

// Passkeys lists an account's passkeys, oldest first.
func Passkeys(ctx context.Context, tx *store.Tx, userID string) ([]Passkey, error) {
	rows, err := tx.Query(ctx, `SELECT id, name, created_at, last_used_at FROM webauthn_credentials
		WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		var p Passkey
		var used sql.NullTime
		if err := rows.Scan(&p.ID, &p.Name, &p.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.LastUsedAt = used.Time
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemovePasskey deletes one of u's passkeys. It refuses to remove the last
// second factor of an account whose roles require one (ErrLastFactor); a
// passkey of another account is ErrNotFound.
func (s *Service) RemovePasskey(ctx context.Context, u User, passkeyID string) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var name string
		err := tx.QueryRow(ctx, `SELECT name FROM webauthn_credentials WHERE id = $1 AND user_id = $2`, passkeyID, u.ID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read passkey: %w", err)
		}
		fresh, err := UserByID(ctx, tx, u.ID)
		if err != nil {
			return err
		}
		if !fresh.TOTPEnabled {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1`, u.ID).Scan(&n); err != nil {
				return fmt.Errorf("count passkeys: %w", err)
			}
			required, err := MFARequired(ctx, tx, fresh)
			if err != nil {
				return err
			}
			if n <= 1 && required {
				return ErrLastFactor
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2`, passkeyID, u.ID); err != nil {
			return fmt.Errorf("remove passkey: %w", err)
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "user.passkey_remove", ObjectType: "user", ObjectID: u.ID,
			Changes: []audit.Change{{Field: "passkey", Before: name}},
			Details: map[string]any{"passkey_id": passkeyID}})
	})
}
