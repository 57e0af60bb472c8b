// Package storage is the dev sync server's SQLite database: the rows the
// backend holds, the op log every bucket is made of, bucket checksums kept
// up to date as ops are appended, write checkpoints, and the server's
// settings. It knows nothing of HTTP.
//
// One connection serves every call, one call at a time; each call is
// short (a write batch, a checkpoint, one data line's ops), so streams
// interleave with uploads. Every commit that appends ops or changes a
// write checkpoint closes the channel Snapshot handed out, which is how
// open streams learn of changes without polling.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"

	"github.com/localfirst/gopowersync/syncserver/internal/rules"
)

// ErrClosed is returned by calls on a closed DB.
var ErrClosed = errors.New("storage: database is closed")

// DB is the server's database. It is safe for concurrent use.
type DB struct {
	// lock admits one call at a time; a channel so that waiting honours
	// a context.
	lock chan struct{}

	// Guarded by lock.
	conn   *sqlite3.Conn
	stmts  map[string]*sqlite3.Stmt
	rules  *rules.Rules
	closed bool
	// head is the newest op id committed, gen counts compactions that
	// rewrote ops, changed is closed and replaced on every change.
	head    int64
	gen     uint64
	changed chan struct{}
	// txHead is the newest op id appended by the open transaction.
	txHead int64
}

const schema = `
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY NOT NULL, value BLOB) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tables(name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rows(type TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY(type, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS buckets(
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	checksum INTEGER NOT NULL DEFAULT 0,
	count INTEGER NOT NULL DEFAULT 0,
	last_op INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS ops(
	op_id INTEGER PRIMARY KEY AUTOINCREMENT,
	bucket INTEGER NOT NULL,
	op TEXT NOT NULL,
	object_type TEXT,
	object_id TEXT,
	subkey TEXT,
	data TEXT,
	checksum INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ops_bucket ON ops(bucket, op_id);
CREATE TABLE IF NOT EXISTS memberships(type TEXT NOT NULL, id TEXT NOT NULL, bucket INTEGER NOT NULL, PRIMARY KEY(type, id, bucket)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS write_checkpoints(user_id TEXT NOT NULL, client_id TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY(user_id, client_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS upload_clients(client_id TEXT PRIMARY KEY NOT NULL, last_op_id INTEGER NOT NULL) WITHOUT ROWID;
`

// Open opens (creating if needed) the database at path, or an in-memory
// one for ":memory:", and applies r. When r maps rows to buckets
// differently from the rules the database was last opened with, every row
// is placed again: REMOVE ops leave the buckets it no longer belongs to
// and PUT ops enter the new ones, as the service reprocesses its data
// when sync rules change.
func Open(ctx context.Context, path string, r *rules.Rules) (*DB, error) {
	name := path
	if path != ":memory:" && !vfs.SupportsFileLocking {
		// On js and wasip1 the default VFS cannot lock files, and SQLite
		// refuses to open them unless told not to lock. The one
		// connection serializes access within the process; sharing the
		// file with another process is not supported there.
		name = "file:" + url.PathEscape(path) + "?nolock=1"
	}
	conn, err := sqlite3.OpenContext(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("storage: open %q: %w", path, err)
	}
	db := &DB{lock: make(chan struct{}, 1), conn: conn, stmts: map[string]*sqlite3.Stmt{}, rules: r, changed: make(chan struct{})}
	if err := db.init(path); err != nil {
		return nil, errors.Join(fmt.Errorf("storage: open %q: %w", path, err), db.closeConn())
	}
	return db, nil
}

func (db *DB) init(path string) error {
	c := db.conn
	if err := c.BusyTimeout(5e9); err != nil {
		return err
	}
	if path != ":memory:" && vfs.SupportsSharedMemory {
		// Without shared memory (js, wasip1) WAL is impossible and the
		// rollback journal stays.
		if err := c.Exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL`); err != nil {
			return fmt.Errorf("pragmas: %w", err)
		}
	}
	if err := c.Exec(schema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := db.query(`SELECT seq FROM sqlite_sequence WHERE name = 'ops'`, nil, func(s *sqlite3.Stmt) error {
		db.head = s.ColumnInt64(0)
		return nil
	}); err != nil {
		return fmt.Errorf("head: %w", err)
	}
	return db.tx(db.applyRules)
}

// applyRules places every row again when the rules changed (see Open).
func (db *DB) applyRules() error {
	want := db.rules.Fingerprint()
	have, ok, err := db.meta("rules")
	if err != nil {
		return err
	}
	if ok && string(have) == want {
		return nil
	}
	if ok {
		if err := db.replaceAll(); err != nil {
			return fmt.Errorf("apply new sync rules: %w", err)
		}
	}
	return db.exec(`INSERT INTO meta(key, value) VALUES('rules', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, want)
}

// Close closes the database and wakes every Snapshot waiter.
func (db *DB) Close() error {
	db.lock <- struct{}{}
	defer func() { <-db.lock }()
	if db.closed {
		return nil
	}
	db.closed = true
	close(db.changed)
	return db.closeConn()
}

func (db *DB) closeConn() error {
	var errs []error
	for _, s := range db.stmts {
		errs = append(errs, s.Close())
	}
	clear(db.stmts)
	errs = append(errs, db.conn.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("storage: close: %w", err)
	}
	return nil
}

// acquire takes the connection, or fails when ctx ends first or the
// database is closed.
func (db *DB) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case db.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if db.closed {
		<-db.lock
		return ErrClosed
	}
	return nil
}

func (db *DB) release() { <-db.lock }

// tx runs fn in a write transaction; the caller holds the lock.
func (db *DB) tx(fn func() error) (err error) {
	if err := db.conn.Exec(`BEGIN IMMEDIATE`); err != nil {
		return err
	}
	db.txHead = 0
	defer func() {
		if err != nil && !db.conn.GetAutocommit() {
			err = errors.Join(err, db.conn.Exec(`ROLLBACK`))
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	if err := db.conn.Exec(`COMMIT`); err != nil {
		return err
	}
	if db.txHead > db.head {
		db.head = db.txHead
	}
	return nil
}

// broadcast wakes every stream waiting on the last Snapshot's channel.
func (db *DB) broadcast() {
	close(db.changed)
	db.changed = make(chan struct{})
}

func (db *DB) prepare(sql string) (*sqlite3.Stmt, error) {
	if s, ok := db.stmts[sql]; ok {
		return s, nil
	}
	s, tail, err := db.conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	if tail != "" {
		return nil, errors.Join(fmt.Errorf("storage: more than one statement in %q", sql), s.Close())
	}
	db.stmts[sql] = s
	return s, nil
}

func bind(s *sqlite3.Stmt, args []any) error {
	for i, a := range args {
		var err error
		switch v := a.(type) {
		case nil:
			err = s.BindNull(i + 1)
		case string:
			err = s.BindText(i+1, v)
		case *string:
			if v == nil {
				err = s.BindNull(i + 1)
			} else {
				err = s.BindText(i+1, *v)
			}
		case []byte:
			err = s.BindBlob(i+1, v)
		case int:
			err = s.BindInt64(i+1, int64(v))
		case int64:
			err = s.BindInt64(i+1, v)
		case uint32:
			err = s.BindInt64(i+1, int64(v))
		default:
			err = fmt.Errorf("storage: cannot bind %T", a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// exec runs one statement.
func (db *DB) exec(sql string, args ...any) error {
	s, err := db.prepare(sql)
	if err != nil {
		return err
	}
	if err := bind(s, args); err != nil {
		return errors.Join(err, s.Reset())
	}
	return s.Exec()
}

// query runs one statement, calling row for each result row.
func (db *DB) query(sql string, args []any, row func(*sqlite3.Stmt) error) error {
	s, err := db.prepare(sql)
	if err != nil {
		return err
	}
	if err := bind(s, args); err != nil {
		return errors.Join(err, s.Reset())
	}
	for s.Step() {
		if err := row(s); err != nil {
			return errors.Join(err, s.Reset())
		}
	}
	return errors.Join(s.Err(), s.Reset())
}

func (db *DB) meta(key string) ([]byte, bool, error) {
	var v []byte
	found := false
	err := db.query(`SELECT value FROM meta WHERE key = ?`, []any{key}, func(s *sqlite3.Stmt) error {
		v, found = s.ColumnBlob(0, nil), true
		return nil
	})
	return v, found, err
}

// Secret returns the JWT signing key stored in the database, storing one
// made by newKey the first time, so that tokens stay valid across
// restarts.
func (db *DB) Secret(ctx context.Context, newKey func() ([]byte, error)) ([]byte, error) {
	if err := db.acquire(ctx); err != nil {
		return nil, err
	}
	defer db.release()
	var key []byte
	err := db.tx(func() error {
		v, ok, err := db.meta("jwt_secret")
		if err != nil || ok {
			key = v
			return err
		}
		if key, err = newKey(); err != nil {
			return err
		}
		return db.exec(`INSERT INTO meta(key, value) VALUES('jwt_secret', ?)`, key)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: signing key: %w", err)
	}
	return key, nil
}
