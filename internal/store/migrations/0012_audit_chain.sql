-- The audit trail's hash chain. Every event gets a gapless chain sequence
-- number and hash = SHA-256(prev_hash ‖ canonical(event)), written by
-- audit.Recorder.Record in the transaction of the change (docs/audit-format.md).
-- The columns stay NULL-able because SQLite cannot add a NOT NULL column to a
-- filled table; an event without a chain number is outside the chain and
-- `seura audit verify` reports it.
ALTER TABLE audit_events ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_chain_seq ON audit_events (chain_seq);

-- The head of the chain: the last event's sequence number and hash. Record
-- locks this row, so events are chained one transaction at a time and a
-- rolled-back transaction leaves no gap. It holds no personal data, so it has
-- no tenant row-level security. Events that existed before this migration
-- are chained by the Go step the audit package registers for version 12
-- (store.AfterMigration), in this migration's transaction.
CREATE TABLE audit_chain (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
