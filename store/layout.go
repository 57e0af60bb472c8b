package store

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/ncruces/go-sqlite3"
)

// layoutVersion is the version of PowerSync's internal table layout this
// package creates: the core extension's migration 14.
const layoutVersion = 14

// layoutDDL creates PowerSync's internal tables in their final shape after
// the core's migrations 1 to 14. The core reaches it step by step; a new
// database gets it in one go, which gives the same columns.
const layoutDDL = `
CREATE TABLE ps_oplog(
  bucket INTEGER NOT NULL,
  op_id INTEGER NOT NULL,
  row_type TEXT,
  row_id TEXT,
  key TEXT,
  data TEXT,
  hash INTEGER NOT NULL) STRICT;
CREATE INDEX ps_oplog_row ON ps_oplog (row_type, row_id);
CREATE INDEX ps_oplog_opid ON ps_oplog (bucket, op_id);
CREATE INDEX ps_oplog_key ON ps_oplog (bucket, key);

CREATE TABLE ps_buckets(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  last_applied_op INTEGER NOT NULL DEFAULT 0,
  last_op INTEGER NOT NULL DEFAULT 0,
  add_checksum INTEGER NOT NULL DEFAULT 0,
  op_checksum INTEGER NOT NULL DEFAULT 0,
  pending_delete INTEGER NOT NULL DEFAULT 0,
  count_at_last INTEGER NOT NULL DEFAULT 0,
  count_since_last INTEGER NOT NULL DEFAULT 0,
  downloaded_size INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX ps_buckets_name ON ps_buckets (name);

CREATE TABLE ps_untyped(type TEXT NOT NULL, id TEXT NOT NULL, data TEXT, PRIMARY KEY (type, id));

CREATE TABLE ps_crud (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT, tx_id INTEGER);

CREATE TABLE ps_tx(id INTEGER PRIMARY KEY NOT NULL, current_tx INTEGER, next_tx INTEGER);
INSERT INTO ps_tx(id, current_tx, next_tx) VALUES(1, NULL, 1);

CREATE TABLE ps_kv(key TEXT PRIMARY KEY NOT NULL, value BLOB);

CREATE TABLE ps_updated_rows(
  row_type TEXT,
  row_id TEXT,
  PRIMARY KEY(row_type, row_id)) STRICT, WITHOUT ROWID;

CREATE TABLE ps_sync_state (
  priority INTEGER NOT NULL PRIMARY KEY,
  last_synced_at INTEGER NOT NULL
) STRICT;

CREATE TABLE ps_stream_subscriptions (
  id INTEGER NOT NULL PRIMARY KEY,
  stream_name TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT FALSE,
  is_default INTEGER NOT NULL DEFAULT FALSE,
  local_priority INTEGER,
  local_params TEXT NOT NULL DEFAULT 'null',
  ttl INTEGER,
  expires_at INTEGER,
  last_synced_at INTEGER,
  UNIQUE (stream_name, local_params)
) STRICT;

WITH RECURSIVE v(id) AS (VALUES(1) UNION ALL SELECT id + 1 FROM v WHERE id < 14)
INSERT INTO ps_migration(id, down_migrations) SELECT id, NULL FROM v;
`

// LayoutError reports a database whose PowerSync layout this package
// cannot use: one written by an older or newer PowerSync core.
type LayoutError struct {
	Version int
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("store: database has PowerSync layout version %d, this package supports %d", e.Version, layoutVersion)
}

// ensureLayout creates the internal tables on a new database and checks
// the layout version of an existing one. It runs inside a write
// transaction.
func ensureLayout(c *sqlite3.Conn) error {
	if err := c.Exec(`CREATE TABLE IF NOT EXISTS ps_migration(id INTEGER PRIMARY KEY, down_migrations TEXT)`); err != nil {
		return err
	}
	version, err := queryInt(c, `SELECT ifnull(max(id), 0) FROM ps_migration`)
	if err != nil {
		return err
	}
	switch version {
	case layoutVersion:
		return nil
	case 0:
	default:
		return &LayoutError{Version: int(version)}
	}
	if err := c.Exec(layoutDDL); err != nil {
		return err
	}
	stmt, _, err := c.Prepare(`INSERT INTO ps_kv(key, value) VALUES('client_id', ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := stmt.BindText(1, uuid.NewString()); err != nil {
		return err
	}
	return stmt.Exec()
}

// queryInt runs a query returning one integer.
func queryInt(c *sqlite3.Conn, sql string) (int64, error) {
	stmt, _, err := c.Prepare(sql)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	if !stmt.Step() {
		if err := stmt.Err(); err != nil {
			return 0, err
		}
		return 0, nil
	}
	return stmt.ColumnInt64(0), stmt.Err()
}
