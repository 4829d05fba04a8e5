-- Custom fields and their values are association data: visible only to
-- their tenant.
ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_fields FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON custom_fields
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE custom_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE custom_values FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON custom_values
    USING (association_id = current_setting('seura.association_id', true));
