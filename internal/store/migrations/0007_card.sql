-- card: the rest of the member card (c/o, further e-mail addresses, invoices
-- by e-mail) and the association's own custom fields with their values.

ALTER TABLE members ADD COLUMN care_of TEXT NOT NULL DEFAULT '';
-- Further e-mail addresses besides the primary one (email), as a JSON array
-- of lowercased addresses.
ALTER TABLE members ADD COLUMN extra_emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN email_invoices BOOLEAN NOT NULL DEFAULT FALSE;

-- A custom field an association adds to its member cards. kind is one of
-- text, number, date, yesno, choice; choices is a JSON array of the values a
-- choice field offers ('[]' for the other kinds).
CREATE TABLE custom_fields (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'yesno', 'choice')),
    choices        TEXT NOT NULL DEFAULT '[]',
    required       BOOLEAN NOT NULL DEFAULT FALSE,
    position       INTEGER NOT NULL DEFAULT 0,
    created_at     {{TS}} NOT NULL,
    UNIQUE (association_id, name)
);
CREATE INDEX custom_fields_position ON custom_fields (association_id, position);

-- One member's value of one custom field, in canonical form: numbers as
-- "12.5", dates as "2026-01-31", yes/no as "true"/"false". A field left
-- empty has no row.
CREATE TABLE custom_values (
    association_id TEXT NOT NULL REFERENCES associations(id),
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    field_id       TEXT NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value          TEXT NOT NULL,
    -- The association leads the key, so reading a page of members' values
    -- (association and member ids) uses it rather than the field index.
    PRIMARY KEY (association_id, member_id, field_id)
);
CREATE INDEX custom_values_field ON custom_values (association_id, field_id);
