CREATE FUNCTION member_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE member_counts SET n = n - 1 WHERE association_id = OLD.association_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO member_counts (association_id, status, n) VALUES (NEW.association_id, NEW.status, 1)
        ON CONFLICT (association_id, status) DO UPDATE SET n = member_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
-- Inserts are counted by member.InsertBatch, once per batch and status.
CREATE TRIGGER member_counts_delete AFTER DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION member_counts_track();
CREATE TRIGGER member_counts_update AFTER UPDATE OF status ON members
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION member_counts_track();

-- Row-level security: association data is visible only inside a transaction
-- that has set seura.association_id (store.For does), even to the owner.
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON members
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE member_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON member_counts
    USING (association_id = current_setting('seura.association_id', true));

-- Audit events of an association are visible within it; platform events
-- (no association) carry no member data and are visible to the platform.
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_read ON audit_events FOR SELECT
    USING (association_id IS NULL OR association_id = current_setting('seura.association_id', true));
CREATE POLICY audit_append ON audit_events FOR INSERT
    WITH CHECK (association_id IS NULL OR association_id = current_setting('seura.association_id', true));
