-- Groups, households and positions of trust: the ways members are linked to
-- each other and to the association beyond their own card.

-- A named group of members: an activity (with participants), a section or
-- a tag. Names are unique per kind within an association.
CREATE TABLE groups (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    kind           TEXT NOT NULL CHECK (kind IN ('activity', 'section', 'tag')),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    created_at     {{TS}} NOT NULL,
    UNIQUE (association_id, kind, name)
);

-- Who is in a group. A member deleted outright leaves their groups with
-- them; an anonymised member keeps the links (the card is erased).
CREATE TABLE group_members (
    association_id TEXT NOT NULL REFERENCES associations(id),
    group_id       TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    added_at       {{TS}} NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE INDEX group_members_member ON group_members (association_id, member_id);

-- A household: members who share one postal address and get one letter,
-- addressed to the recipient, who must be one of the household's members.
CREATE TABLE households (
    id                  TEXT PRIMARY KEY,
    association_id      TEXT NOT NULL REFERENCES associations(id),
    name                TEXT NOT NULL,
    recipient_member_id TEXT REFERENCES members(id) ON DELETE SET NULL,
    created_at          {{TS}} NOT NULL
);
CREATE INDEX households_name ON households (association_id, name);

-- A member belongs to at most one household.
CREATE TABLE household_members (
    association_id TEXT NOT NULL REFERENCES associations(id),
    household_id   TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
    member_id      TEXT NOT NULL UNIQUE REFERENCES members(id) ON DELETE CASCADE,
    added_at       {{TS}} NOT NULL,
    PRIMARY KEY (household_id, member_id)
);
CREATE INDEX household_members_assoc ON household_members (association_id, household_id);

-- A position of trust (chair, secretary, auditor …) held by a member for a
-- term; ends_on is NULL while the term is open. Positions are history: a
-- member who held one is anonymised rather than deleted.
CREATE TABLE positions (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    title          TEXT NOT NULL,
    starts_on      DATE NOT NULL,
    ends_on        DATE,
    created_at     {{TS}} NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX positions_member ON positions (association_id, member_id);
CREATE INDEX positions_assoc ON positions (association_id, starts_on);
