-- Remembered import mappings are association data: visible only to their
-- tenant.
ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_mappings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_mappings
    USING (association_id = current_setting('seura.association_id', true));
