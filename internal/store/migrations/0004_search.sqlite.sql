-- By status and joining date, members without one last (the literal is how
-- the driver writes member.Search's stand-in date).
CREATE INDEX members_status_joined ON members (association_id, status,
    COALESCE(joined_on, '9999-12-31 00:00:00+00:00'), id);

-- The words member.Search looks members up by: a full-text index with one
-- document per member (rowid = the member's rowid), holding no copy of the
-- text. Columns: a, the association id without hyphens, so a lookup stays
-- within one association; hay, the names, town and postcode with hyphens
-- as spaces ("Anna-Liisa" has the words anna and liisa); email, the part of
-- the e-mail address before the @; tel, the phone number reversed, so "ends
-- with these digits" is a prefix lookup. The index only narrows a search
-- down: member.Search checks each candidate against the exact rules, so
-- the tokenizer may split more finely than they do.
CREATE VIRTUAL TABLE member_search USING fts5(a, hay, email, tel, content='', contentless_delete=1,
    tokenize="unicode61 remove_diacritics 0");

-- Members not yet in member_search. Adding documents one by one from a row
-- trigger costs a bulk load (seura demo, imports) more than the load
-- itself, while adding a few hundred in one statement costs little; so a
-- new or changed member waits here, member.Search reads the queue's few
-- rows besides the index, and every 256 changes it is moved into the index
-- at once.
CREATE TABLE member_search_pending (member_rowid INTEGER PRIMARY KEY);

-- member_search_queued is the queue as the index's documents.
CREATE VIEW member_search_queued AS
SELECT m.rowid, replace(m.association_id, '-', ''),
    replace(m.first_name || ' ' || m.last_name || ' ' || m.org_name || ' ' || m.town || ' ' || m.postcode, '-', ' '),
    CASE WHEN instr(m.email, '@') > 0 THEN substr(m.email, 1, instr(m.email, '@') - 1) ELSE m.email END,
    substr(m.phone, 24, 1) || substr(m.phone, 23, 1) || substr(m.phone, 22, 1) || substr(m.phone, 21, 1) || substr(m.phone, 20, 1) || substr(m.phone, 19, 1) || substr(m.phone, 18, 1) || substr(m.phone, 17, 1) || substr(m.phone, 16, 1) || substr(m.phone, 15, 1) || substr(m.phone, 14, 1) || substr(m.phone, 13, 1) || substr(m.phone, 12, 1) || substr(m.phone, 11, 1) || substr(m.phone, 10, 1) || substr(m.phone, 9, 1) || substr(m.phone, 8, 1) || substr(m.phone, 7, 1) || substr(m.phone, 6, 1) || substr(m.phone, 5, 1) || substr(m.phone, 4, 1) || substr(m.phone, 3, 1) || substr(m.phone, 2, 1) || substr(m.phone, 1, 1)
FROM member_search_pending AS p JOIN members AS m ON m.rowid = p.member_rowid;

CREATE TRIGGER member_search_insert AFTER INSERT ON members BEGIN
    INSERT OR IGNORE INTO member_search_pending (member_rowid) VALUES (NEW.rowid);
END;
CREATE TRIGGER member_search_update AFTER UPDATE OF first_name, last_name, org_name, town, postcode, email, phone
    ON members BEGIN
    DELETE FROM member_search WHERE rowid = OLD.rowid;
    INSERT OR IGNORE INTO member_search_pending (member_rowid) VALUES (NEW.rowid);
END;
CREATE TRIGGER member_search_delete AFTER DELETE ON members BEGIN
    DELETE FROM member_search_pending WHERE member_rowid = OLD.rowid;
    DELETE FROM member_search WHERE rowid = OLD.rowid;
END;
CREATE TRIGGER member_search_drain_insert AFTER INSERT ON members
    WHEN (SELECT count(*) FROM member_search_pending) >= 256 BEGIN
    INSERT INTO member_search (rowid, a, hay, email, tel) SELECT * FROM member_search_queued;
    DELETE FROM member_search_pending;
END;
CREATE TRIGGER member_search_drain_update AFTER UPDATE OF first_name, last_name, org_name, town, postcode, email, phone
    ON members WHEN (SELECT count(*) FROM member_search_pending) >= 256 BEGIN
    INSERT INTO member_search (rowid, a, hay, email, tel) SELECT * FROM member_search_queued;
    DELETE FROM member_search_pending;
END;

-- The members already registered.
INSERT INTO member_search_pending (member_rowid) SELECT rowid FROM members;
INSERT INTO member_search (rowid, a, hay, email, tel) SELECT * FROM member_search_queued;
DELETE FROM member_search_pending;

-- What member.BulkLoad set aside while it loads many members at once (the
-- indexes and triggers that are cheaper built once afterwards than kept
-- row by row), with their definitions, so that they are put back even
-- after a load that was killed half-way.
CREATE TABLE member_bulk_set_aside (
    name      TEXT PRIMARY KEY,
    type      TEXT NOT NULL,
    sql       TEXT NOT NULL,
    max_rowid INTEGER NOT NULL
);
