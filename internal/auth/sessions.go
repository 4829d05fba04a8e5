package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// Session is a logged-in browser. Its token lives only in the cookie; the
// database keeps a SHA-256 of it, so a leaked table opens no session.
type Session struct {
	Token         string
	UserID        string
	AssociationID string
	MFADone       bool
	CreatedAt     time.Time
	LastSeenAt    time.Time
}

// ErrNoSession means the token is unknown, or the session timed out.
var ErrNoSession = errors.New("no session")

// touchEvery limits how often a session's last-seen time is written.
const touchEvery = time.Minute

// NewSession starts a session for a user who has passed the password step
// (mfaDone false) or every step.
func (s *Service) NewSession(ctx context.Context, tx *store.Tx, userID string, mfaDone bool, clientIP, userAgent string) (Session, error) {
	token, hash := newToken()
	now := s.Clock.Now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, mfa_done, created_at, last_seen_at, client_ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, $6)`, hash, userID, mfaDone, now, clientIP, userAgent)
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return Session{Token: token, UserID: userID, MFADone: mfaDone, CreatedAt: now, LastSeenAt: now}, nil
}

// LookupSession finds the session for a cookie token, ending it if it has
// been idle or alive too long.
func (s *Service) LookupSession(ctx context.Context, token string) (Session, error) {
	if len(token) != 64 {
		return Session{}, ErrNoSession
	}
	hash := hashToken(token)
	var sess Session
	var assoc sql.NullString
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT user_id, association_id, mfa_done, created_at, last_seen_at FROM sessions WHERE id_hash = $1`, hash).
			Scan(&sess.UserID, &assoc, &sess.MFADone, &sess.CreatedAt, &sess.LastSeenAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	sess.Token = token
	sess.AssociationID = assoc.String
	now := s.Clock.Now()
	if now.Sub(sess.LastSeenAt) > s.IdleTimeout || now.Sub(sess.CreatedAt) > s.AbsoluteTimeout {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hash); err != nil {
				return err
			}
			return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.session_expired", ObjectType: "user", ObjectID: sess.UserID,
				Actor: &audit.Actor{Type: audit.ActorSystem}})
		})
		if err != nil {
			return Session{}, err
		}
		return Session{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1`, hash, now)
			return err
		})
		if err != nil {
			return Session{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return sess, nil
}

// Rotate replaces a session by a new one with a new token and the given
// state, so that a token seen before a login or a privilege change is worth
// nothing after it (session fixation).
func (s *Service) Rotate(ctx context.Context, tx *store.Tx, old Session, mfaDone bool, associationID string) (Session, error) {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashToken(old.Token)); err != nil {
		return Session{}, fmt.Errorf("end old session: %w", err)
	}
	token, hash := newToken()
	now := s.Clock.Now()
	var assoc any
	if associationID != "" {
		assoc = associationID
	}
	// The absolute timeout counts from the first login, not from rotation.
	_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, association_id, mfa_done, created_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, hash, old.UserID, assoc, mfaDone, old.CreatedAt, now)
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return Session{Token: token, UserID: old.UserID, AssociationID: associationID, MFADone: mfaDone, CreatedAt: old.CreatedAt, LastSeenAt: now}, nil
}

// EndSession logs one session out.
func (s *Service) EndSession(ctx context.Context, sess Session) error {
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hashToken(sess.Token)); err != nil {
			return fmt.Errorf("end session: %w", err)
		}
		return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.logout", ObjectType: "user", ObjectID: sess.UserID})
	})
}

// EndAllSessions logs a user out everywhere.
func (s *Service) EndAllSessions(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("end sessions: %w", err)
		}
		n, _ = res.RowsAffected()
		return s.Audit.Record(ctx, tx, audit.Event{Action: "auth.logout_everywhere", ObjectType: "user", ObjectID: userID,
			Details: map[string]any{"sessions": n}})
	})
	return n, err
}

// PurgeSessions deletes sessions past their timeouts; serve runs it hourly.
func (s *Service) PurgeSessions(ctx context.Context) error {
	now := s.Clock.Now()
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2`,
			now.Add(-s.IdleTimeout), now.Add(-s.AbsoluteTimeout))
		return err
	})
}
