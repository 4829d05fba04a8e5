package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/clock"
	"seura.fi/seura/internal/keys"
	mailer "seura.fi/seura/internal/mail"
	"seura.fi/seura/internal/store"
	"seura.fi/seura/internal/valid"
)

// User is an account: an association user, a platform operator, or both.
type User struct {
	ID          string
	Email       string
	Name        string
	IsOperator  bool
	Language    string
	TOTPEnabled bool
	// HasPasskey is true when at least one passkey is registered.
	HasPasskey bool
	Activated  bool
	Disabled   bool
	CreatedAt  time.Time
}

// Membership is a user's role in one association.
type Membership struct {
	AssociationID   string
	AssociationName string
	Role            Role
	RequireMFA      bool
}

// Errors callers turn into messages. ErrBadCredentials is deliberately the
// same for an unknown e-mail, a wrong password and a disabled account.
var (
	ErrBadCredentials = errors.New("wrong e-mail or password")
	ErrNotFound       = errors.New("not found")
	ErrTokenInvalid   = errors.New("the link is invalid or has expired")
	ErrBadCode        = errors.New("wrong code")
	ErrEmailTaken     = errors.New("e-mail: already in use")
	ErrLastAdmin      = errors.New("an association must keep at least one administrator")
)

// Service holds accounts and sessions.
type Service struct {
	DB      *store.DB
	Audit   *audit.Recorder
	Clock   clock.Clock
	Mail    mailer.Sender
	BaseURL string

	// IdleTimeout ends a session not used for this long; AbsoluteTimeout
	// ends any session this long after login.
	IdleTimeout     time.Duration
	AbsoluteTimeout time.Duration

	totpKey []byte
}

// NewService wires the account service.
func NewService(db *store.DB, rec *audit.Recorder, ring *keys.Ring, c clock.Clock, m mailer.Sender, baseURL string) *Service {
	return &Service{DB: db, Audit: rec, Clock: c, Mail: m, BaseURL: strings.TrimRight(baseURL, "/"),
		IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, totpKey: ring.Derive("totp")}
}

// NormalizeEmail checks an address and returns it lowercased, as accounts
// are keyed by it.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("e-mail: required")
	}
	if len(s) > 254 {
		return "", errors.New("e-mail: too long")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "", fmt.Errorf("e-mail: %q is not an address", s)
	}
	return strings.ToLower(s), nil
}

func checkName(name string) (string, error) { return valid.Text("name", name, 200) }

const userColumns = `id, email, name, is_operator, language, totp_enabled,
	EXISTS (SELECT 1 FROM webauthn_credentials wc WHERE wc.user_id = users.id), password_hash IS NOT NULL, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.IsOperator, &u.Language, &u.TOTPEnabled, &u.HasPasskey, &u.Activated, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UserByID reads an account.
func UserByID(ctx context.Context, tx *store.Tx, id string) (User, error) {
	return scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByEmail reads an account by address.
func UserByEmail(ctx context.Context, tx *store.Tx, email string) (User, error) {
	return scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, strings.ToLower(email)))
}

// CreateUser adds an account inside tx. An empty password leaves it waiting
// for activation.
func (s *Service) CreateUser(ctx context.Context, tx *store.Tx, email, name, password string, operator bool) (User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return User{}, err
	}
	if name, err = checkName(name); err != nil {
		return User{}, err
	}
	var hash any
	if password != "" {
		if err := CheckPassword(password); err != nil {
			return User{}, err
		}
		h, err := HashPassword(password)
		if err != nil {
			return User{}, err
		}
		hash = h
	}
	now := s.Clock.Now()
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, Name: name, IsOperator: operator, Activated: hash != nil, CreatedAt: now}
	_, err = tx.Exec(ctx, `INSERT INTO users (id, email, name, password_hash, is_operator, created_at, password_changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6)`, u.ID, u.Email, u.Name, hash, operator, now)
	if store.IsUniqueViolation(err) {
		return User{}, ErrEmailTaken
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, s.Audit.Record(ctx, tx, audit.Event{Action: "user.create", ObjectType: "user", ObjectID: u.ID,
		Changes: []audit.Change{{Field: "email", After: email}, {Field: "name", After: name},
			{Field: "is_operator", After: fmt.Sprint(operator)}}})
}

// Memberships lists the associations a user belongs to, by name.
func Memberships(ctx context.Context, tx *store.Tx, userID string) ([]Membership, error) {
	rows, err := tx.Query(ctx, `SELECT m.association_id, a.name, m.role, a.require_mfa
		FROM memberships m JOIN associations a ON a.id = m.association_id
		WHERE m.user_id = $1 ORDER BY a.name`, userID)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.AssociationID, &m.AssociationName, &m.Role, &m.RequireMFA); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RoleIn returns the user's role in an association, or ErrNotFound.
func RoleIn(ctx context.Context, tx *store.Tx, userID, associationID string) (Role, error) {
	var r Role
	err := tx.QueryRow(ctx, `SELECT role FROM memberships WHERE user_id = $1 AND association_id = $2`, userID, associationID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	return r, err
}

// MFARequired reports whether the user must have a second factor: every
// operator and administrator must, and so must everyone in an association
// that requires it.
func MFARequired(ctx context.Context, tx *store.Tx, u User) (bool, error) {
	if u.IsOperator {
		return true, nil
	}
	ms, err := Memberships(ctx, tx, u.ID)
	if err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.Role == RoleAdmin || m.RequireMFA {
			return true, nil
		}
	}
	return false, nil
}

// Login checks an e-mail and password. Both outcomes are audited. The same
// error and the same work (one Argon2id hash) answer an unknown address, a
// wrong password and a disabled account, so a login reveals nothing.
func (s *Service) Login(ctx context.Context, email, password string) (User, error) {
	var user User
	failed := false
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		email = strings.ToLower(strings.TrimSpace(email))
		var hash sql.NullString
		u, err := scanUserWithHash(ctx, tx, email, &hash)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		encoded := dummyHash
		if err == nil && hash.Valid {
			encoded = hash.String
		}
		ok, verr := VerifyPassword(password, encoded)
		if verr != nil || !ok || err != nil || !hash.Valid || u.Disabled {
			ev := audit.Event{Action: "auth.login", Outcome: audit.Failure, ObjectType: "user", ObjectID: u.ID,
				Details: map[string]any{"reason": failureReason(err, hash.Valid, u.Disabled)}}
			if u.ID == "" {
				// The address someone tried is personal data; keep only its keyed hash.
				ev.Changes = []audit.Change{{Field: "email", After: email, Sensitivity: audit.Personal}}
			}
			// The failure is committed (its event must stay), then reported.
			failed = true
			return s.Audit.Record(ctx, tx, ev)
		}
		user = u
		return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.login", ObjectType: "user", ObjectID: u.ID,
			Actor:   &audit.Actor{Type: actorType(u), ID: u.ID, Label: u.Email},
			Details: map[string]any{"factor": "password"}})
	})
	if err != nil {
		// Not even a successful check counts when its audit event could
		// not be written: the login is refused.
		return User{}, err
	}
	if failed {
		return User{}, ErrBadCredentials
	}
	return user, nil
}

func failureReason(lookupErr error, hasPassword, disabled bool) string {
	switch {
	case lookupErr != nil:
		return "unknown_email"
	case !hasPassword:
		return "not_activated"
	case disabled:
		return "disabled"
	}
	return "wrong_password"
}

func actorType(u User) string {
	if u.IsOperator {
		return audit.ActorOperator
	}
	return audit.ActorUser
}

// ActorFor is how u appears in audit events.
func ActorFor(u User) audit.Actor {
	return audit.Actor{Type: actorType(u), ID: u.ID, Label: u.Email}
}

func scanUserWithHash(ctx context.Context, tx *store.Tx, email string, hash *sql.NullString) (User, error) {
	var u User
	err := tx.QueryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.Email, &u.Name, &u.IsOperator, &u.Language, &u.TOTPEnabled, &u.HasPasskey, &u.Activated, &u.Disabled, &u.CreatedAt, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, err
}

// ChangePassword sets a new password after checking the current one, and
// ends the user's other sessions.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next, keepSession string) error {
	if err := CheckPassword(next); err != nil {
		return err
	}
	failed := false
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		var hash sql.NullString
		if err := tx.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&hash); err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		if ok, _ := VerifyPassword(current, hash.String); !ok {
			failed = true
			return s.Audit.Record(ctx, tx, audit.Event{Action: "user.password", Outcome: audit.Failure, ObjectType: "user", ObjectID: userID})
		}
		return s.setPassword(ctx, tx, userID, next, keepSession)
	})
	if err == nil && failed {
		return ErrBadCredentials
	}
	return err
}

func (s *Service) setPassword(ctx context.Context, tx *store.Tx, userID, pw, keepSession string) error {
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, userID, h, s.Clock.Now()); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, hashToken(keepSession)); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	// A reset link asked for before the change must not undo it.
	if _, err := tx.Exec(ctx, `UPDATE tokens SET used_at = $2 WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL`,
		userID, s.Clock.Now()); err != nil {
		return fmt.Errorf("cancel reset links: %w", err)
	}
	return s.Audit.Record(ctx, tx, audit.Event{Action: "user.password", ObjectType: "user", ObjectID: userID,
		Changes: []audit.Change{{Field: "password", Sensitivity: audit.Secret}}})
}

// SetLanguage stores the user's language for the interface.
func (s *Service) SetLanguage(ctx context.Context, userID, lang string) error {
	if lang != "fi" && lang != "sv" && lang != "en" {
		return fmt.Errorf("language: %q is not one of fi, sv, en", lang)
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		var old string
		if err := tx.QueryRow(ctx, `SELECT language FROM users WHERE id = $1`, userID).Scan(&old); err != nil {
			return fmt.Errorf("read user: %w", err)
		}
		if old == lang {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET language = $2 WHERE id = $1`, userID, lang); err != nil {
			return fmt.Errorf("set language: %w", err)
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "user.language", ObjectType: "user", ObjectID: userID,
			Changes: []audit.Change{{Field: "language", Before: old, After: lang}}})
	})
}

// newToken returns a random token and the hash under which it is stored;
// the database never holds a usable token.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	token = hex.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SetPasswordByEmail sets a password from the command line (an operator
// helping someone locked out) and ends the account's sessions.
func (s *Service) SetPasswordByEmail(ctx context.Context, email, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := UserByEmail(ctx, tx, email)
		if err != nil {
			return fmt.Errorf("account %s: %w", email, err)
		}
		return s.setPassword(ctx, tx, u.ID, password, "")
	})
}
