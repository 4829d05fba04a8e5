-- Saved reports: a report definition (columns, filters, sort; see package
-- report) or a saved member-list search, stored per association under a
-- name so the board runs the same list every year. definition is JSON.
CREATE TABLE saved_reports (
    id             TEXT PRIMARY KEY,
    association_id TEXT NOT NULL REFERENCES associations(id),
    name           TEXT NOT NULL,
    definition     TEXT NOT NULL,
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     {{TS}} NOT NULL,
    updated_at     {{TS}} NOT NULL,
    UNIQUE (association_id, name)
);
