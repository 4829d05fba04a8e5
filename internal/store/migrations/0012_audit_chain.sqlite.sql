-- The chain head may only move forward: the recorder increments it by one.
CREATE TRIGGER audit_chain_forward BEFORE UPDATE ON audit_chain
    WHEN NEW.seq <> OLD.seq + 1 BEGIN
    SELECT RAISE(ABORT, 'the audit chain head only moves forward by one');
END;
CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain BEGIN
    SELECT RAISE(ABORT, 'the audit chain head cannot be deleted');
END;
