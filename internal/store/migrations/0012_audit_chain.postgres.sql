-- Verification must read every association's events, which the tenant
-- policies hide even from the owner (FORCE ROW LEVEL SECURITY). The role that
-- runs the migrations (the owner) may read them all, but only in a
-- transaction that asks for it by setting seura.audit_verify, as
-- audit.Verify does; the application role never gets this policy.
CREATE POLICY audit_verify ON audit_events FOR SELECT TO CURRENT_USER
    USING (current_setting('seura.audit_verify', true) = 'on');

-- The chain head may only move forward: the recorder increments it by one.
CREATE FUNCTION audit_chain_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted';
    END IF;
    IF NEW.seq <> OLD.seq + 1 THEN
        RAISE EXCEPTION 'the audit chain head only moves forward by one';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain_forward BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_chain_forward();
