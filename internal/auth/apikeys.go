package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"seura.fi/seura/internal/audit"
	"seura.fi/seura/internal/store"
)

// API key scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// APIKey is a key as stored: an id, a public prefix for lookup and the
// SHA-256 of the secret part. The full key is shown once, at creation.
type APIKey struct {
	ID            string
	AssociationID string
	Name          string
	Prefix        string
	Scope         string
	CreatedAt     time.Time
	LastUsedAt    time.Time
	Revoked       bool
}

// ErrBadAPIKey answers every unusable key alike.
var ErrBadAPIKey = errors.New("invalid API key")

// keyPrefix marks Seura keys, so secret scanners can recognise a leaked one.
const keyPrefix = "seura_"

// CreateAPIKey makes a key for the association and returns it in full; only
// its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, tx *store.TenantTx, name, scope string) (string, APIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", APIKey{}, errors.New("name: required")
	}
	if scope != ScopeRead && scope != ScopeWrite {
		return "", APIKey{}, fmt.Errorf("scope: %q is not read or write", scope)
	}
	pb := make([]byte, 6)
	if _, err := rand.Read(pb); err != nil {
		return "", APIKey{}, err
	}
	prefix := hex.EncodeToString(pb)
	secret, secretHash := newToken()
	k := APIKey{ID: uuid.Must(uuid.NewV7()).String(), AssociationID: tx.AssociationID(), Name: name, Prefix: prefix,
		Scope: scope, CreatedAt: s.Clock.Now()}
	if _, err := tx.Exec(ctx, `INSERT INTO api_keys (id, association_id, name, prefix, secret_hash, scope, created_at)
		VALUES ($2, $1, $3, $4, $5, $6, $7)`, k.ID, name, prefix, secretHash, scope, k.CreatedAt); err != nil {
		return "", APIKey{}, fmt.Errorf("create API key: %w", err)
	}
	err := s.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "apikey.create", ObjectType: "apikey", ObjectID: k.ID,
		Changes: []audit.Change{{Field: "name", After: name}, {Field: "scope", After: scope}, {Field: "prefix", After: prefix}}})
	return keyPrefix + prefix + "_" + secret, k, err
}

// AuthenticateAPIKey checks a presented key and notes its use.
func (s *Service) AuthenticateAPIKey(ctx context.Context, presented string) (APIKey, error) {
	rest, ok := strings.CutPrefix(presented, keyPrefix)
	prefix, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(prefix) != 12 || len(secret) != 64 {
		return APIKey{}, ErrBadAPIKey
	}
	var k APIKey
	var hash string
	var lastUsed, revoked sql.NullTime
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `SELECT id, association_id, name, prefix, scope, created_at, last_used_at, revoked_at, secret_hash
			FROM api_keys WHERE prefix = $1`, prefix).Scan(&k.ID, &k.AssociationID, &k.Name, &k.Prefix, &k.Scope,
			&k.CreatedAt, &lastUsed, &revoked, &hash)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return APIKey{}, ErrBadAPIKey
	}
	if err != nil {
		return APIKey{}, fmt.Errorf("read API key: %w", err)
	}
	if revoked.Valid || subtle.ConstantTimeCompare([]byte(hashToken(secret)), []byte(hash)) != 1 {
		return APIKey{}, ErrBadAPIKey
	}
	now := s.Clock.Now()
	if !lastUsed.Valid || now.Sub(lastUsed.Time) > time.Minute {
		if err := s.DB.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, k.ID, now)
			return err
		}); err != nil {
			return APIKey{}, fmt.Errorf("note API key use: %w", err)
		}
	}
	k.LastUsedAt = now
	return k, nil
}

// RevokeAPIKey ends a key for good.
func (s *Service) RevokeAPIKey(ctx context.Context, tx *store.TenantTx, prefix string) error {
	res, err := tx.Exec(ctx, `UPDATE api_keys SET revoked_at = $3 WHERE association_id = $1 AND prefix = $2 AND revoked_at IS NULL`,
		prefix, s.Clock.Now())
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return s.Audit.Record(ctx, tx.Platform(), audit.Event{Action: "apikey.revoke", ObjectType: "apikey", ObjectID: prefix})
}

// ListAPIKeys lists the association's keys (never their secrets).
func ListAPIKeys(ctx context.Context, tx *store.TenantTx) ([]APIKey, error) {
	rows, err := tx.Query(ctx, `SELECT id, association_id, name, prefix, scope, created_at, last_used_at, revoked_at
		FROM api_keys WHERE association_id = $1 ORDER BY created_at`)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var lastUsed, revoked sql.NullTime
		if err := rows.Scan(&k.ID, &k.AssociationID, &k.Name, &k.Prefix, &k.Scope, &k.CreatedAt, &lastUsed, &revoked); err != nil {
			return nil, err
		}
		k.LastUsedAt, k.Revoked = lastUsed.Time, revoked.Valid
		out = append(out, k)
	}
	return out, rows.Err()
}
