-- By status and joining date, members without one last.
CREATE INDEX members_status_joined ON members (association_id, status,
    COALESCE(joined_on, DATE '9999-12-31'), id);

-- The words member.Search looks members up by, one row per word of a
-- member: the words of the names, town and postcode, lowercased as
-- member.Search folds them and with hyphens as spaces; the e-mail address
-- after chr(1); the phone number reversed after chr(2), so "ends with these
-- digits" is a prefix lookup. Byte order (COLLATE "C") makes a prefix a
-- range of the index. The words only narrow a search down: member.Search
-- checks each candidate against the exact rules.
CREATE TABLE member_words (
    association_id TEXT NOT NULL REFERENCES associations(id),
    member_id      TEXT NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    word           TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (association_id, word, member_id)
);
CREATE INDEX member_words_member ON member_words (member_id);
-- member_words_of lists the words of one member's card.
CREATE FUNCTION member_words_of(first_name TEXT, last_name TEXT, org_name TEXT, town TEXT, postcode TEXT,
        email TEXT, phone TEXT) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT DISTINCT w FROM (
        SELECT regexp_split_to_table(lower(replace(replace(replace(replace(replace(replace(
            first_name || ' ' || last_name || ' ' || org_name || ' ' || town || ' ' || postcode,
            'Å', 'å'), 'Ä', 'ä'), 'Ö', 'ö'), 'Ü', 'ü'), 'É', 'é'), '-', ' ')), ' ') AS w
        UNION ALL SELECT chr(1) || email WHERE email <> ''
        UNION ALL SELECT chr(2) || reverse(phone) WHERE phone <> ''
    ) AS words WHERE w <> ''
$$;

-- Inserts come in batches (member.InsertBatch writes many rows in one
-- statement): one statement-level trigger indexes the whole batch.
CREATE FUNCTION member_words_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_words (association_id, member_id, word)
    SELECT n.association_id, n.id, w.word
    FROM new_members AS n,
        LATERAL member_words_of(n.first_name, n.last_name, n.org_name, n.town, n.postcode, n.email, n.phone) AS w(word);
    RETURN NULL;
END $$;
CREATE TRIGGER member_words_insert AFTER INSERT ON members
    REFERENCING NEW TABLE AS new_members FOR EACH STATEMENT EXECUTE FUNCTION member_words_insert();

CREATE FUNCTION member_words_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM member_words WHERE association_id = OLD.association_id AND member_id = OLD.id;
    INSERT INTO member_words (association_id, member_id, word)
    SELECT NEW.association_id, NEW.id, w
    FROM member_words_of(NEW.first_name, NEW.last_name, NEW.org_name, NEW.town, NEW.postcode, NEW.email, NEW.phone) AS w;
    RETURN NULL;
END $$;
CREATE TRIGGER member_words_update AFTER UPDATE OF first_name, last_name, org_name, town, postcode, email, phone
    ON members FOR EACH ROW EXECUTE FUNCTION member_words_update();

-- The members already registered, read past row-level security (the owner
-- migrates, and forced security would show it no association's rows).
ALTER TABLE members NO FORCE ROW LEVEL SECURITY;
INSERT INTO member_words (association_id, member_id, word)
SELECT m.association_id, m.id, w.word
FROM members AS m,
    LATERAL member_words_of(m.first_name, m.last_name, m.org_name, m.town, m.postcode, m.email, m.phone) AS w(word);
ALTER TABLE members FORCE ROW LEVEL SECURITY;

ALTER TABLE member_words ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_words FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON member_words
    USING (association_id = current_setting('seura.association_id', true));
