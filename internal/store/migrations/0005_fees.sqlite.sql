-- New members get the association's default fee. SQLite cannot change the
-- row in a BEFORE trigger, so the row is updated after the insert, and only
-- when the association has a default fee (demo loads without fees pay one
-- index lookup per row).
CREATE TRIGGER members_default_fee AFTER INSERT ON members
    WHEN NEW.fee_id IS NULL
     AND EXISTS (SELECT 1 FROM fees WHERE association_id = NEW.association_id AND is_default)
BEGIN
    UPDATE members SET fee_id = (SELECT id FROM fees WHERE association_id = NEW.association_id AND is_default)
     WHERE id = NEW.id;
END;
