-- import_mappings: how an association last mapped the columns of an import
-- file to member fields, so that next year's file from the same spreadsheet
-- is mapped the same way without the treasurer choosing again.
--
-- header_signature is the file's headings, normalised (lowercase letters and
-- digits only) and joined with "|"; the row with the signature "*" holds the
-- mapping of the association's latest import, used for a file whose headings
-- match only in part. mapping is a JSON array of {"heading", "field"}
-- objects, one per column, with "" as the field of an ignored column.
CREATE TABLE import_mappings (
    association_id   TEXT NOT NULL REFERENCES associations(id),
    header_signature TEXT NOT NULL,
    mapping          TEXT NOT NULL,
    updated_at       {{TS}} NOT NULL,
    PRIMARY KEY (association_id, header_signature)
);
