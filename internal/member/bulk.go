package member

import (
	"context"
	"fmt"

	"seura.fi/seura/internal/store"
)

// bulkSetAside are the SQLite indexes and triggers on members that a bulk
// load keeps out of its way: the sort indexes (each insert would land at a
// random place in them) and the word index's insert triggers. Built once
// after the load, in order, they cost a fraction of keeping them current
// row by row: a million demo members load in under a minute instead of
// several.
var bulkSetAside = []string{"members_status_name", "members_status_joined", "members_fee",
	"member_search_insert", "member_search_drain_insert"}

// BulkLoad runs load, which inserts many members (seura demo), with the
// secondary indexes and search triggers of SQLite set aside, then rebuilds
// them and indexes the new members' words in one statement. Their
// definitions are kept in the database while they are away, so a load
// that is killed is repaired by the next BulkLoad or RestoreSetAside. On
// PostgreSQL the word index is filled per statement already, and load runs
// as it is.
func BulkLoad(ctx context.Context, db *store.DB, load func() error) error {
	if db.Dialect() != store.SQLite {
		return load()
	}
	if err := RestoreSetAside(ctx, db); err != nil {
		return err
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		var maxRowid int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM members`).Scan(&maxRowid); err != nil {
			return fmt.Errorf("read the last member row: %w", err)
		}
		for _, name := range bulkSetAside {
			var typ, def string
			if err := tx.QueryRow(ctx, `SELECT type, sql FROM sqlite_master WHERE name = ? AND tbl_name = 'members'`,
				name).Scan(&typ, &def); err != nil {
				return fmt.Errorf("read the definition of %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO member_bulk_set_aside (name, type, sql, max_rowid) VALUES (?, ?, ?, ?)`,
				name, typ, def, maxRowid); err != nil {
				return fmt.Errorf("keep the definition of %s: %w", name, err)
			}
			if _, err := tx.Exec(ctx, `DROP `+typ+` `+name); err != nil {
				return fmt.Errorf("set %s aside: %w", name, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	loadErr := load()
	if err := RestoreSetAside(ctx, db); err != nil {
		return fmt.Errorf("%w (after the load: %v)", err, loadErr)
	}
	return loadErr
}

// RestoreSetAside puts back what an interrupted BulkLoad set aside, and
// indexes the words of the members it loaded. It does nothing when nothing
// is set aside, or on PostgreSQL.
func RestoreSetAside(ctx context.Context, db *store.DB) error {
	if db.Dialect() != store.SQLite {
		return nil
	}
	return db.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, type, sql, max_rowid FROM member_bulk_set_aside ORDER BY type, name`)
		if err != nil {
			return fmt.Errorf("read what a bulk load set aside: %w", err)
		}
		type aside struct {
			name, typ, def string
			maxRowid       int64
		}
		var list []aside
		for rows.Next() {
			var a aside
			if err := rows.Scan(&a.name, &a.typ, &a.def, &a.maxRowid); err != nil {
				rows.Close()
				return fmt.Errorf("read what a bulk load set aside: %w", err)
			}
			list = append(list, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(list) == 0 {
			return err
		}
		// Indexes sort in one pass each; the loaded members' words go into
		// the index in one statement, before the triggers that would
		// otherwise have queued them come back.
		for _, a := range list {
			if a.typ == "index" {
				if _, err := tx.Exec(ctx, a.def); err != nil {
					return fmt.Errorf("rebuild %s: %w", a.name, err)
				}
			}
		}
		if _, err := tx.Exec(ctx, `INSERT OR IGNORE INTO member_search_pending (member_rowid)
			SELECT rowid FROM members WHERE rowid > ?`, list[0].maxRowid); err != nil {
			return fmt.Errorf("queue the loaded members' words: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO member_search (rowid, a, hay, email, tel) SELECT * FROM member_search_queued`); err != nil {
			return fmt.Errorf("index the loaded members' words: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM member_search_pending`); err != nil {
			return fmt.Errorf("empty the word queue: %w", err)
		}
		for _, a := range list {
			if a.typ == "trigger" {
				if _, err := tx.Exec(ctx, a.def); err != nil {
					return fmt.Errorf("put back %s: %w", a.name, err)
				}
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM member_bulk_set_aside`)
		return err
	})
}
