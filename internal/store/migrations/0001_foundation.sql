-- The foundation: associations (tenants), accounts, sessions, API keys,
-- members (the first columns; the register grows them) and the audit trail.
-- Ids shown to people or in URLs are random (UUIDv7) text, never row counters.

CREATE TABLE associations (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    default_language TEXT NOT NULL DEFAULT 'fi',
    require_mfa      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       {{TS}} NOT NULL
);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT,
    is_operator         BOOLEAN NOT NULL DEFAULT FALSE,
    language            TEXT NOT NULL DEFAULT '',
    totp_secret         {{BYTES}},
    totp_enabled        BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          {{TS}} NOT NULL,
    password_changed_at {{TS}}
);

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   {{TS}},
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE memberships (
    association_id TEXT NOT NULL REFERENCES associations(id),
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'user', 'guest')),
    created_at     {{TS}} NOT NULL,
    PRIMARY KEY (association_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    association_id TEXT,
    mfa_done       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     {{TS}} NOT NULL,
    last_seen_at   {{TS}} NOT NULL,
    client_ip      TEXT NOT NULL DEFAULT '',
    user_agent     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('activate', 'reset')),
    created_at {{TS}} NOT NULL,
    expires_at {{TS}} NOT NULL,
    used_at    {{TS}}
);

CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    name           TEXT NOT NULL,
    prefix         TEXT NOT NULL UNIQUE,
    secret_hash    TEXT NOT NULL,
    scope          TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    created_at     {{TS}} NOT NULL,
    last_used_at   {{TS}},
    revoked_at     {{TS}}
);

CREATE TABLE members (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    member_number  BIGINT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
    status         TEXT NOT NULL CHECK (status IN ('applied', 'active', 'inactive', 'deceased')),
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    org_name       TEXT NOT NULL DEFAULT '',
    gender         TEXT NOT NULL DEFAULT '',
    birth_date     DATE,
    email          TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    street         TEXT NOT NULL DEFAULT '',
    postcode       TEXT NOT NULL DEFAULT '',
    town           TEXT NOT NULL DEFAULT '',
    municipality   TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT 'FI',
    language       TEXT NOT NULL DEFAULT 'fi',
    joined_on      DATE,
    left_on        DATE,
    notes          TEXT NOT NULL DEFAULT '',
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    UNIQUE (association_id, member_number)
);
CREATE INDEX members_status ON members (association_id, status);


-- Counts per status, so the dashboard answers in constant time however large
-- the register grows. member.InsertBatch (the one way members are inserted)
-- adds inserts; triggers follow status changes and deletes.
CREATE TABLE member_counts (
    association_id TEXT NOT NULL,
    status         TEXT NOT NULL,
    n              BIGINT NOT NULL,
    PRIMARY KEY (association_id, status)
);

-- The audit trail. Append-only; a later migration adds the hash chain.
CREATE TABLE audit_events (
    seq            {{SERIAL}},
    event_id       TEXT NOT NULL UNIQUE,
    occurred_at    {{TS}} NOT NULL,
    association_id TEXT,
    actor_type     TEXT NOT NULL,
    actor_id       TEXT NOT NULL DEFAULT '',
    actor_label    TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    object_type    TEXT NOT NULL DEFAULT '',
    object_id      TEXT NOT NULL DEFAULT '',
    outcome        TEXT NOT NULL DEFAULT 'success',
    changes        TEXT NOT NULL DEFAULT '[]',
    details        TEXT NOT NULL DEFAULT '{}',
    request_id     TEXT NOT NULL DEFAULT '',
    client_ip      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_association ON audit_events (association_id, seq);
