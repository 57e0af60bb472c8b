package store

import (
	"context"
	"errors"
	"strings"

	"github.com/ncruces/go-sqlite3"
)

// maxOpID is the "no checkpoint yet" target PowerSync stores after a local
// write: the largest int64.
const maxOpID = "9223372036854775807"

// queueTx follows what the open write transaction added to the upload
// queue, from the pre-update hook, so that the store can finish the
// transaction's bookkeeping before COMMIT (see crudInsertSQL in ddl.go).
type queueTx struct {
	firstEntry int64 // rowid of the first ps_crud row inserted; 0: none
}

func (q *queueTx) reset() { q.firstEntry = 0 }

// beforeCommit ends a write transaction that recorded upload queue entries
// the way PowerSync's core does: the transaction id the entries carry is
// used up (ps_tx.next_tx increments), and, when an entry is not from an
// insert-only table, the checkpoint target becomes "unknown yet" and the
// checkpoints seen so far are forgotten: none of them can contain these
// writes, so downloads must not overwrite them until a new write
// checkpoint arrives.
func (db *DB) beforeCommit() error {
	first := db.queue.firstEntry
	if first == 0 {
		return nil
	}
	ctx := context.Background()
	mark := true
	if only := insertOnlyNames(db.schema); only != "" {
		res, err := db.run(ctx, `SELECT 1 FROM ps_crud WHERE id >= ? AND data->>'type' NOT IN (`+only+`) LIMIT 1`, []any{first}, false)
		if err != nil {
			return err
		}
		mark = res.Rows.Len() > 0
	}
	if _, err := db.run(ctx, `UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1`, nil, false); err != nil {
		return err
	}
	if mark {
		if _, err := db.run(ctx, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES('target_checkpoint_request_id', `+maxOpID+`)`, nil, false); err != nil {
			return err
		}
		if _, err := db.run(ctx, `DELETE FROM ps_kv WHERE key IN ('last_seen_checkpoint_request_id', 'last_applied_checkpoint_request_id')`, nil, false); err != nil {
			return err
		}
	}
	db.queue.reset()
	return nil
}

// insertOnlyNames lists the insert-only tables as SQL string literals.
func insertOnlyNames(s Schema) string {
	var names []string
	for _, t := range s.Tables {
		if t.insertOnly() {
			names = append(names, quoteString(t.Name))
		}
	}
	return strings.Join(names, ", ")
}

func execStmt(stmt *sqlite3.Stmt) error {
	err := stmt.Exec()
	return errors.Join(err, stmt.Reset())
}
