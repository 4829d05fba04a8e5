-- Customers are association data: visible only to their tenant.
ALTER TABLE customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE customers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON customers
    USING (association_id = current_setting('seura.association_id', true));
