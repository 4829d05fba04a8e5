-- Customers (asiakasrekisteri, kundregister): people and organisations the
-- association invoices who are not members. Their card is like a member's
-- but they live in their own table, so member lists, counts and reports
-- never include them. customer_number is a per-association sequence shown
-- to people; id is what URLs and the API use.
CREATE TABLE customers (
    id              TEXT PRIMARY KEY,
    association_id  TEXT NOT NULL REFERENCES associations(id),
    customer_number BIGINT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'organisation')),
    first_name      TEXT NOT NULL DEFAULT '',
    last_name       TEXT NOT NULL DEFAULT '',
    org_name        TEXT NOT NULL DEFAULT '',
    business_id     TEXT NOT NULL DEFAULT '',
    care_of         TEXT NOT NULL DEFAULT '',
    street          TEXT NOT NULL DEFAULT '',
    postcode        TEXT NOT NULL DEFAULT '',
    town            TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT 'FI',
    email           TEXT NOT NULL DEFAULT '',
    email_invoices  BOOLEAN NOT NULL DEFAULT FALSE,
    phone           TEXT NOT NULL DEFAULT '',
    phone_mobile    BOOLEAN NOT NULL DEFAULT FALSE,
    language        TEXT NOT NULL DEFAULT 'fi',
    notes           TEXT NOT NULL DEFAULT '',
    -- sort_name is the name as lists sort and search it (last name first
    -- for a person, the organisation's name otherwise), lowercased.
    sort_name       TEXT NOT NULL DEFAULT '',
    created_at      {{TS}} NOT NULL,
    updated_at      {{TS}} NOT NULL,
    UNIQUE (association_id, customer_number)
);
CREATE INDEX customers_sort_name ON customers (association_id, sort_name, id);
CREATE INDEX customers_email ON customers (association_id, email);
