-- Inserts are counted by member.InsertBatch, once per batch and status: a
-- trigger per inserted row cost a fifth of a bulk load's time.
CREATE TRIGGER member_counts_delete AFTER DELETE ON members BEGIN
    UPDATE member_counts SET n = n - 1 WHERE association_id = OLD.association_id AND status = OLD.status;
END;
CREATE TRIGGER member_counts_update AFTER UPDATE OF status ON members WHEN OLD.status <> NEW.status BEGIN
    UPDATE member_counts SET n = n - 1 WHERE association_id = OLD.association_id AND status = OLD.status;
    INSERT INTO member_counts (association_id, status, n) VALUES (NEW.association_id, NEW.status, 1)
    ON CONFLICT (association_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
