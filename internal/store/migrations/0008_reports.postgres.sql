-- Saved reports are association data: visible only to their tenant.
ALTER TABLE saved_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON saved_reports
    USING (association_id = current_setting('seura.association_id', true));
