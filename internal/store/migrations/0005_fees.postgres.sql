-- New members get the association's default fee. A BEFORE trigger sets the
-- column in the row being written, so a bulk insert pays one index lookup
-- per row and no second write.
CREATE FUNCTION members_default_fee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT id INTO NEW.fee_id FROM fees WHERE association_id = NEW.association_id AND is_default;
    RETURN NEW;
END $$;
CREATE TRIGGER members_default_fee BEFORE INSERT ON members
    FOR EACH ROW WHEN (NEW.fee_id IS NULL) EXECUTE FUNCTION members_default_fee();

-- Fees and periods are association data: visible only to their tenant.
ALTER TABLE fees ENABLE ROW LEVEL SECURITY;
ALTER TABLE fees FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON fees
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE periods ENABLE ROW LEVEL SECURITY;
ALTER TABLE periods FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON periods
    USING (association_id = current_setting('seura.association_id', true));
