-- The member register's rules (member.Create, Update, ChangeStatus, Delete):
-- the organisation number (Finnish business ID, Y-tunnus, canonical
-- NNNNNNN-C) and whether the phone is a mobile (enables text messages) on
-- the card, and the history of every status a membership passed through.

ALTER TABLE members ADD COLUMN business_id TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN phone_mobile BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per status change, the first (from_status '') when the member was
-- created. on_date is the date the change takes effect (joining, leaving),
-- changed_at when it was recorded. A rejected application is deleted with
-- its history: it never was a member, and the audit trail keeps the trace.
CREATE TABLE member_status_history (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    from_status    TEXT NOT NULL DEFAULT '',
    to_status      TEXT NOT NULL,
    on_date        DATE,
    reason         TEXT NOT NULL DEFAULT '',
    changed_at     {{TS}} NOT NULL,
    actor_label    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX member_status_history_member ON member_status_history (association_id, member_id, changed_at);
