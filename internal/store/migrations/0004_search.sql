-- search: what makes member.Search answer in constant time however large the
-- register grows. Lists read one status at a time along an index in the
-- order shown, so a page costs the same on the first page or the hundredth
-- (keyset paging); the word index of each engine is in its own file.

-- By status and number: the everyday list. It begins with the columns of
-- the index it replaces, so it serves everything that one did.
DROP INDEX members_status;
CREATE INDEX members_status_number ON members (association_id, status, member_number);
-- By status and name: the organisation's or the person's last name, then
-- the first name, as member.Search sorts them.
CREATE INDEX members_status_name ON members (association_id, status,
    lower(CASE WHEN kind = 'organisation' THEN org_name ELSE last_name END), lower(first_name), id);
