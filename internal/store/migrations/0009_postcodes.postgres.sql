-- An association's postcode overrides are association data: visible only to
-- its tenant. The platform table of postcodes is public reference data and
-- needs no policy.
ALTER TABLE association_postcodes ENABLE ROW LEVEL SECURITY;
ALTER TABLE association_postcodes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON association_postcodes
    USING (association_id = current_setting('seura.association_id', true));
