-- Groups, households and positions are association data: visible only to
-- their tenant.
ALTER TABLE groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE groups FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON groups
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE group_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE group_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON group_members
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON households
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE household_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON household_members
    USING (association_id = current_setting('seura.association_id', true));

ALTER TABLE positions ENABLE ROW LEVEL SECURITY;
ALTER TABLE positions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON positions
    USING (association_id = current_setting('seura.association_id', true));
