package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/mail"
	"seura.fi/seura/internal/store"
)

// Token lifetimes: an activation link is good for a week, a reset link for
// an hour (it is asked for by someone who is at the keyboard now).
const (
	ActivationTTL = 7 * 24 * time.Hour
	ResetTTL      = time.Hour
)

// Member is a user as the association's administrators see them.
type Member struct {
	User
	Role Role
}

// ListUsers returns the association's users.
func ListUsers(ctx context.Context, tx *store.TenantTx) ([]Member, error) {
	rows, err := tx.Query(ctx, `SELECT u.id, u.email, u.name, u.is_operator, u.language, u.totp_enabled,
		EXISTS (SELECT 1 FROM webauthn_credentials wc WHERE wc.user_id = u.id), u.password_hash IS NOT NULL, u.disabled, u.created_at, m.role
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.association_id = $1 ORDER BY u.name, u.email`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.ID, &m.Email, &m.Name, &m.IsOperator, &m.Language, &m.TOTPEnabled, &m.HasPasskey, &m.Activated,
			&m.Disabled, &m.CreatedAt, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetMember reads one user of the association; a user of another
// association is ErrNotFound, as if it did not exist.
func GetMember(ctx context.Context, tx *store.TenantTx, userID string) (Member, error) {
	var m Member
	err := tx.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.is_operator, u.language, u.totp_enabled,
		EXISTS (SELECT 1 FROM webauthn_credentials wc WHERE wc.user_id = u.id), u.password_hash IS NOT NULL, u.disabled, u.created_at, m.role
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.association_id = $1 AND u.id = $2`, userID).
		Scan(&m.ID, &m.Email, &m.Name, &m.IsOperator, &m.Language, &m.TOTPEnabled, &m.HasPasskey, &m.Activated, &m.Disabled, &m.CreatedAt, &m.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	return m, err
}

// AddUser gives an address a role in the association. A new address gets an
// account waiting for activation and an activation link by mail; an
// existing account just gains the membership.
func (s *Service) AddUser(ctx context.Context, tx *store.TenantTx, email, name string, role Role) (Member, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return Member{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return Member{}, err
	}
	u, err := UserByEmail(ctx, tx.Platform(), email)
	isNew := errors.Is(err, ErrNotFound)
	if isNew {
		u, err = s.CreateUser(ctx, tx.Platform(), email, name, "", false)
	}
	if err != nil {
		return Member{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO memberships (association_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)`,
		u.ID, role, s.Clock.Now())
	if store.IsUniqueViolation(err) {
		return Member{}, errors.New("e-mail: already a user of this association")
	}
	if err != nil {
		return Member{}, fmt.Errorf("add membership: %w", err)
	}
	if err := s.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "user.role", ObjectType: "user", ObjectID: u.ID,
		Changes: []audit.Change{{Field: "role", After: string(role)}}}); err != nil {
		return Member{}, err
	}
	if isNew {
		if err := s.sendLink(ctx, tx.Platform(), u, "activate", ActivationTTL); err != nil {
			return Member{}, err
		}
	}
	return Member{User: u, Role: role}, nil
}

// ChangeRole sets a user's role in the association, keeping at least one
// administrator. The user's sessions end, so the new rights apply at once.
func (s *Service) ChangeRole(ctx context.Context, tx *store.TenantTx, userID string, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	m, err := GetMember(ctx, tx, userID)
	if err != nil {
		return err
	}
	if m.Role == role {
		return nil
	}
	if m.Role == RoleAdmin {
		if err := s.keepAnAdmin(ctx, tx, userID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE memberships SET role = $3 WHERE association_id = $1 AND user_id = $2`, userID, role); err != nil {
		return fmt.Errorf("change role: %w", err)
	}
	if _, err := tx.Platform().Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return s.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "user.role", ObjectType: "user", ObjectID: userID,
		Changes: []audit.Change{{Field: "role", Before: string(m.Role), After: string(role)}}})
}

// RemoveUser takes a user out of the association (the account stays).
func (s *Service) RemoveUser(ctx context.Context, tx *store.TenantTx, userID string) error {
	m, err := GetMember(ctx, tx, userID)
	if err != nil {
		return err
	}
	if m.Role == RoleAdmin {
		if err := s.keepAnAdmin(ctx, tx, userID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM memberships WHERE association_id = $1 AND user_id = $2`, userID); err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	if _, err := tx.Platform().Exec(ctx, `UPDATE sessions SET association_id = NULL WHERE user_id = $1 AND association_id = $2`,
		userID, tx.AssociationID()); err != nil {
		return fmt.Errorf("detach sessions: %w", err)
	}
	return s.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "user.remove", ObjectType: "user", ObjectID: userID,
		Changes: []audit.Change{{Field: "role", Before: string(m.Role)}}})
}

func (s *Service) keepAnAdmin(ctx context.Context, tx *store.TenantTx, leaving string) error {
	// On PostgreSQL the administrators' rows are locked, so that two
	// administrators demoting each other at once cannot both count the
	// other as the one who stays; the second waits and sees the first's
	// change. SQLite has a single writer, so its transactions never overlap.
	query := `SELECT user_id FROM memberships WHERE association_id = $1 AND role = 'admin'`
	if tx.Dialect() == store.Postgres {
		query += ` FOR UPDATE`
	}
	rows, err := tx.Query(ctx, query)
	if err != nil {
		return fmt.Errorf("count administrators: %w", err)
	}
	defer rows.Close()
	others := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("count administrators: %w", err)
		}
		if id != leaving {
			others++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count administrators: %w", err)
	}
	if others == 0 {
		return ErrLastAdmin
	}
	return nil
}

// sendLink mails an activation or reset link. Only the token's hash is kept.
func (s *Service) sendLink(ctx context.Context, tx *store.Tx, u User, purpose string, ttl time.Duration) error {
	token, hash := newToken()
	now := s.Clock.Now()
	if _, err := tx.Exec(ctx, `INSERT INTO tokens (hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, u.ID, purpose, now, now.Add(ttl)); err != nil {
		return fmt.Errorf("store %s token: %w", purpose, err)
	}
	link := s.BaseURL + "/" + purpose + "/" + token
	var msg mail.Message
	msg.To = u.Email
	if purpose == "activate" {
		msg.Subject = "Seura: aktivoi tunnuksesi / aktivera ditt konto / activate your account"
		msg.Body = "Hei / Hej / Hello " + u.Name + ",\n\n" +
			"Sinulle on luotu tunnus Seuraan. Aseta salasana tästä linkistä (voimassa 7 päivää):\n" +
			"Ett konto har skapats åt dig i Seura. Välj ditt lösenord via länken (giltig i 7 dagar):\n" +
			"An account has been created for you in Seura. Choose your password here (valid for 7 days):\n\n" + link + "\n"
	} else {
		msg.Subject = "Seura: salasanan vaihto / återställ lösenord / reset your password"
		msg.Body = "Hei / Hej / Hello " + u.Name + ",\n\n" +
			"Vaihda salasanasi tästä linkistä (voimassa tunnin). Jos et pyytänyt tätä, voit jättää viestin huomiotta.\n" +
			"Byt ditt lösenord via länken (giltig en timme). Om du inte bad om detta kan du strunta i meddelandet.\n" +
			"Reset your password with this link (valid for one hour). If you did not ask for it, ignore this message.\n\n" + link + "\n"
	}
	if err := s.Audit.Record(ctx, tx, audit.Event{Action: "user." + purpose + "_link", ObjectType: "user", ObjectID: u.ID,
		Details: map[string]any{"expires_at": now.Add(ttl).Format(time.RFC3339)}}); err != nil {
		return err
	}
	if err := s.Mail.Send(ctx, msg); err != nil {
		return fmt.Errorf("send %s link: %w", purpose, err)
	}
	return nil
}

// RequestReset mails a reset link when the address belongs to an active
// account, and does nothing visible otherwise, so that the answer never
// reveals whether an address is known.
func (s *Service) RequestReset(ctx context.Context, email string) error {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		u, err := UserByEmail(ctx, tx, email)
		if errors.Is(err, ErrNotFound) || (err == nil && (u.Disabled || !u.Activated)) {
			return s.Audit.Record(ctx, tx, audit.Event{Action: "user.reset_link", Outcome: audit.Failure,
				Changes: []audit.Change{{Field: "email", After: email, Sensitivity: audit.Personal}}})
		}
		if err != nil {
			return err
		}
		return s.sendLink(ctx, tx, u, "reset", ResetTTL)
	})
}

// CheckToken reports whether an activation or reset token is usable now,
// for showing the form.
func (s *Service) CheckToken(ctx context.Context, purpose, token string) error {
	return s.DB.Read(ctx, func(tx *store.Tx) error {
		_, err := s.tokenUser(ctx, tx, purpose, token)
		return err
	})
}

func (s *Service) tokenUser(ctx context.Context, tx *store.Tx, purpose, token string) (string, error) {
	var userID string
	var expires time.Time
	var used sql.NullTime
	err := tx.QueryRow(ctx, `SELECT user_id, expires_at, used_at FROM tokens WHERE hash = $1 AND purpose = $2`,
		hashToken(token), purpose).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (used.Valid || !s.Clock.Now().Before(expires))) {
		return "", ErrTokenInvalid
	}
	return userID, err
}

// UseToken sets the password through an activation or reset link, once.
// Every other session of the user ends.
func (s *Service) UseToken(ctx context.Context, purpose, token, password string) (User, error) {
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	var u User
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		userID, err := s.tokenUser(ctx, tx, purpose, token)
		if err != nil {
			return err
		}
		// Only one use wins, even when two arrive at once.
		res, err := tx.Exec(ctx, `UPDATE tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL`, hashToken(token), s.Clock.Now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrTokenInvalid
		}
		// Any other link of the same kind is spent too.
		if _, err := tx.Exec(ctx, `UPDATE tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
			userID, purpose, s.Clock.Now()); err != nil {
			return err
		}
		if err := s.setPassword(ctx, tx, userID, password, ""); err != nil {
			return err
		}
		u, err = UserByID(ctx, tx, userID)
		return err
	})
	return u, err
}
