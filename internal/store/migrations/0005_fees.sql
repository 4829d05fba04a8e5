-- Fees and periods: the association's fee types (medlemsavgifter), the fee
-- each member pays, and the fiscal years (periods) the fees are invoiced for.

-- A fee type. price_cents is the yearly price in euro cents. age_from is the
-- age at which a member moves to this fee at a period change, for age-based
-- fees; at most one fee per association is the default for new members.
CREATE TABLE fees (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    product        TEXT NOT NULL DEFAULT '',
    price_cents    BIGINT NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    age_from       INTEGER CHECK (age_from IS NULL OR (age_from >= 0 AND age_from <= 150)),
    age_based      BOOLEAN NOT NULL DEFAULT FALSE,
    is_default     BOOLEAN NOT NULL DEFAULT FALSE,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    UNIQUE (association_id, name)
);
-- At most one default fee per association, enforced by the database so two
-- concurrent changes cannot both win.
CREATE UNIQUE INDEX fees_one_default ON fees (association_id) WHERE is_default;

-- The fee a member pays; NULL when none is set. New members get the
-- association's default fee from a trigger (see the engine files), so the
-- one insert path, member.InsertBatch, needs no change.
ALTER TABLE members ADD COLUMN fee_id TEXT REFERENCES fees(id);
CREATE INDEX members_fee ON members (association_id, fee_id);

-- The association's fiscal years. The current period is the one containing
-- today, or else the latest.
CREATE TABLE periods (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    starts_on      DATE NOT NULL,
    ends_on        DATE NOT NULL,
    created_at     {{TS}} NOT NULL,
    CHECK (ends_on >= starts_on),
    UNIQUE (association_id, starts_on)
);
