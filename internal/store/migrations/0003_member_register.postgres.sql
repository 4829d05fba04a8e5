-- Status history is association data: visible only to its tenant.
ALTER TABLE member_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE member_status_history FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON member_status_history
    USING (association_id = current_setting('seura.association_id', true));
