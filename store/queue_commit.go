package store

import (
	"context"
	"errors"

	"github.com/ncruces/go-sqlite3"
)

// maxOpID is the "no checkpoint yet" target PowerSync stores after a local
// write: the largest int64.
const maxOpID = "9223372036854775807"

// beforeCommit ends a write transaction that recorded upload queue entries
// the way PowerSync's core does: the transaction id the entries carry is
// used up (ps_tx.next_tx increments), and, when an entry is not from an
// insert-only table, the checkpoint target becomes "unknown yet" and the
// checkpoints seen so far are forgotten: none of them can contain these
// writes, so downloads must not overwrite them until a new write
// checkpoint arrives.
//
// The checkpoint bookkeeping is skipped when the last commit already did
// it and nothing has written ps_kv since (kvMarked): it is two statements,
// and under WebAssembly every statement counts.
func (db *DB) beforeCommit() error {
	db.markedKV = false
	if !db.changes.has("ps_crud") {
		return nil
	}
	recorded, simple, err := db.entriesOfThisTransaction()
	if err != nil || !recorded {
		return err
	}
	ctx := context.Background()
	if _, err := db.run(ctx, `UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1`, nil, false); err != nil {
		return err
	}
	if simple && (!db.kvMarked || db.changes.has("ps_kv")) {
		db.markedKV = true
		if _, err := db.run(ctx, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES('target_checkpoint_request_id', `+maxOpID+`)`, nil, false); err != nil {
			return err
		}
		if _, err := db.run(ctx, `DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')`, nil, false); err != nil {
			return err
		}
	}
	return nil
}

// entriesOfThisTransaction tells whether the open transaction queued
// entries, and whether any is from a table that is not insert-only. The
// transaction's entries are the last ones, all with tx_id = next_tx (which
// only grows at commit), so this reads backwards from the end of the queue
// and stops at the first older entry.
func (db *DB) entriesOfThisTransaction() (recorded, simple bool, err error) {
	cs, _, err := db.cachedStmt(`SELECT c.tx_id = t.next_tx, c.data->>'type' FROM ps_crud c, ps_tx t WHERE t.id = 1 ORDER BY c.id DESC`)
	if err != nil {
		return false, false, err
	}
	stmt := cs.stmt
	defer stmt.Reset()
	for stmt.Step() && stmt.ColumnBool(0) {
		recorded = true
		if t, ok := db.schema.Table(stmt.ColumnText(1)); !ok || !t.insertOnly() {
			return true, true, nil
		}
	}
	return recorded, false, stmt.Err()
}

// cachedStmt returns the statement for sql from the cache, preparing and
// caching it when needed.
func (db *DB) cachedStmt(sql string) (*cachedStmt, string, error) {
	if cs := db.cache.get(sql); cs != nil {
		return cs, "", nil
	}
	cs, tail, err := db.prepare(sql)
	if err == nil && cs != nil {
		db.cache.put(cs)
	}
	return cs, tail, err
}

func execStmt(stmt *sqlite3.Stmt) error {
	err := stmt.Exec()
	return errors.Join(err, stmt.Reset())
}
