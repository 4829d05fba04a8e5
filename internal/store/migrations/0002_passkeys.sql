-- WebAuthn passkeys, a second factor beside TOTP. A platform table like
-- users: a credential belongs to an account, not to an association.
-- flags keeps the authenticator flags seen at registration (backup
-- eligibility must not change between ceremonies).

CREATE TABLE webauthn_credentials (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id {{BYTES}} NOT NULL UNIQUE,
    public_key    {{BYTES}} NOT NULL,
    sign_count    BIGINT NOT NULL DEFAULT 0,
    aaguid        {{BYTES}},
    transports    TEXT NOT NULL DEFAULT '',
    flags         INTEGER NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    created_at    {{TS}} NOT NULL,
    last_used_at  {{TS}}
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);
