package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// Options configures Open.
type Options struct {
	// VFS is the name of a registered SQLite VFS; "" selects the default.
	VFS string
	// Durability, when non-nil, tells Flush when committed writes are
	// durable (the browser's OPFS journal). When nil, a commit is durable
	// when it returns.
	Durability interface {
		WaitDurable(ctx context.Context) error
	}
	// Yield, when non-nil, is called between slices of the work one write
	// does for its row trackers while holding the connection: reading the
	// transaction's tracked changes before COMMIT and handing them to the
	// trackers after it. A host with one thread (a browser page) hands the
	// thread back in it, so a transaction of 100,000 rows is not one long
	// task; trackers then get such a transaction's changes in several
	// calls (TrackRows). Without it each is done in one piece.
	Yield func()
	// Shared, when non-nil, coordinates this database with other contexts
	// writing their own copies of the same file (browser tabs): see Shared.
	// Every table of the schema is then tracked, to tell the others which
	// rows each commit changed.
	Shared Shared
	// SoleUser promises that no other connection, in this process or
	// another, opens the file while this DB has it open (the JS package's
	// lock file, js/node-lock.js, ensures that in Node). Where the platform
	// can neither lock files nor share memory (js, wasip1), it lets the
	// store keep the file in WAL mode (in exclusive locking mode, the WAL
	// index in the connection's memory), whose commits cost far fewer file
	// calls than a rollback journal's (BENCHMARKS.md, "File databases in
	// Node"); without it the store keeps a rollback journal, which another
	// connection to the file can follow. Elsewhere files are in WAL mode
	// anyway.
	SoleUser bool
}

// DB is an open PowerSync-compatible database. It is safe for concurrent
// use: one connection serves every call, one call at a time.
type DB struct {
	// lock admits one call to the connection at a time. It is a channel
	// rather than a mutex so that waiting for it honours a context.
	lock chan struct{}

	// Everything below is guarded by lock.
	conn     *sqlite3.Conn
	schema   Schema
	clientID string
	opts     Options
	cache    *stmtCache
	closed   bool
	inWrite  bool // a write transaction is open
	changes  changeSet
	tracking rowTracking
	shared   sharedState

	// kvMarked: ps_kv holds the checkpoint state a local write sets, as
	// the last commit left it. markedKV: the open transaction set it.
	kvMarked, markedKV bool

	notify notifier // has its own lock: delivery runs after lock is released
}

// stmtCacheSize bounds the prepared-statement cache.
const stmtCacheSize = 128

// ErrTxEnded is returned by a write transaction whose function ran a
// statement that ended it (COMMIT, ROLLBACK, END): what followed that
// statement ran outside the transaction.
var ErrTxEnded = errors.New("store: the transaction was ended by a statement inside it")

// Open opens (creating if needed) the database at path, or an in-memory
// database for ":memory:", creates PowerSync's internal tables and
// materializes schema, migrating an existing database to it. An invalid
// schema is reported as a *SchemaError before anything is created.
func Open(ctx context.Context, path string, schema Schema, opts *Options) (*DB, error) {
	if err := schema.Validate(); err != nil {
		return nil, err
	}
	db := &DB{lock: make(chan struct{}, 1), cache: newStmtCache(stmtCacheSize)}
	if opts != nil {
		db.opts = *opts
	}
	conn, err := openConn(ctx, path, db.opts.VFS, db.opts.SoleUser)
	if err != nil {
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	db.conn = conn
	if err := db.init(ctx, schema); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: open %q: %w", path, err)
	}
	if db.opts.Shared != nil {
		db.opts.Shared.Opened(db)
	}
	return db, nil
}

func openConn(ctx context.Context, path, vfsName string, sole bool) (*sqlite3.Conn, error) {
	name := path
	// Where files cannot be locked (js, wasip1), SQLite refuses to open
	// them unless told not to lock. The store's single connection
	// serializes access within the process; another connection to the
	// file, in this process or another, must not write it meanwhile.
	noLocks := path != ":memory:" && vfsName == "" && !vfs.SupportsFileLocking
	switch {
	case vfsName != "":
		name = "file:" + url.PathEscape(path) + "?vfs=" + url.QueryEscape(vfsName)
	case noLocks && sole:
		// soleVFS: locks that always succeed, which (unlike nolock=1)
		// allow WAL in exclusive locking mode.
		name = "file:" + url.PathEscape(path) + "?vfs=" + soleVFSNamed()
	case noLocks:
		name = "file:" + url.PathEscape(path) + "?nolock=1"
	}
	conn, err := sqlite3.OpenContext(ctx, name)
	if err != nil {
		return nil, err
	}
	// WAL lets a commit append to one file instead of writing a rollback
	// journal, syncing it, rewriting the pages and deleting it. Without
	// shared memory (js, wasip1) the WAL index lives in the connection's
	// own memory, which SQLite allows in exclusive locking mode only
	// (https://sqlite.org/wal.html#noshm), and which no other connection
	// sees: only for a sole user (Options.SoleUser). synchronous=FULL
	// syncs the WAL at each commit, so an acknowledged write survives a
	// power loss too, as with the rollback journal (NORMAL would only keep
	// the file consistent).
	var pragmas string
	switch {
	case path == ":memory:" || vfsName != "":
	case vfs.SupportsSharedMemory:
		pragmas = `PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL`
	case sole:
		pragmas = `PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL`
	}
	if pragmas != "" {
		if err := conn.Exec(pragmas); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if err := conn.BusyTimeout(5e9); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (db *DB) init(ctx context.Context, schema Schema) error {
	c := db.conn
	if err := registerFunctions(c, func() string { return db.clientID }); err != nil {
		return err
	}
	if err := c.SetAuthorizer(db.authorize); err != nil {
		return err
	}
	c.RollbackHook(db.changes.reset)
	return db.write(ctx, func() error {
		if err := ensureLayout(c); err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		if err := applySchema(c, schema); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		if err := db.sharedTracking(schema); err != nil {
			return fmt.Errorf("shared tracking: %w", err)
		}
		id, err := queryStrings(c, `SELECT value FROM ps_kv WHERE key = 'client_id'`)
		if err != nil || len(id) == 0 {
			return fmt.Errorf("client id: %w", errors.Join(err, errors.New("missing")))
		}
		db.clientID = id[0]
		db.schema = schema
		return nil
	})
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

// release gives the connection back and then delivers the change
// notifications of the transactions committed meanwhile.
func (db *DB) release() {
	<-db.lock
	db.notify.deliver()
}

// write runs fn in a write transaction while holding the connection; it
// is the body of every write: WriteTx, Execute, UpdateSchema, Complete.
func (db *DB) write(ctx context.Context, fn func() error) error {
	// A shared database is locked across contexts first, so that this
	// context's reads are not held up while another context writes.
	sh := db.opts.Shared
	if sh != nil {
		if err := sh.Lock(ctx); err != nil {
			return err
		}
	}
	if err := db.acquire(ctx); err != nil {
		if sh != nil {
			sh.Unlock(nil)
		}
		return err
	}
	defer db.release()
	return db.writeShared(ctx, fn, sh != nil)
}

// writeLocked runs fn in a write transaction; the caller holds the
// connection, and a shared database is locked across contexts here.
func (db *DB) writeLocked(ctx context.Context, fn func() error) (err error) {
	if sh := db.opts.Shared; sh != nil {
		if err := sh.Lock(ctx); err != nil {
			return err
		}
	}
	return db.writeShared(ctx, fn, db.opts.Shared != nil)
}

// writeShared runs fn in a write transaction; the caller holds the
// connection and, when shared, the lock across contexts, which it ends.
func (db *DB) writeShared(ctx context.Context, fn func() error, shared bool) (err error) {
	c := db.conn
	c.SetInterrupt(ctx)
	defer c.SetInterrupt(context.Background())
	var done *Committed // what the transaction committed, for Shared
	if shared {
		sh := db.opts.Shared
		// Runs after the rollback below (deferred later, so run earlier).
		defer func() { sh.Unlock(done) }()
		remote, err := sh.CatchUp(ctx)
		if err != nil {
			return err
		}
		if err := db.reportRemote(remote); err != nil {
			// The pages are applied: a later write goes on from them.
			return err
		}
		db.shared.rows = nil
	}
	if err := c.Exec(`BEGIN IMMEDIATE`); err != nil {
		return err
	}
	db.inWrite = true
	db.changes.reset()
	committed := false
	defer func() {
		db.inWrite = false
		if committed {
			return
		}
		// Roll back even when ctx is done.
		c.SetInterrupt(context.Background())
		if !c.GetAutocommit() {
			if rerr := c.Exec(`ROLLBACK`); rerr != nil && err == nil {
				err = rerr
			}
		}
		db.changes.reset() // the tracked changes roll back with the data
	}()
	if err = fn(); err != nil {
		return err
	}
	if c.GetAutocommit() {
		return ErrTxEnded
	}
	if err = db.beforeCommit(); err != nil {
		return err
	}
	c.SetInterrupt(context.Background())
	if err = c.Exec(`COMMIT`); err != nil {
		return err
	}
	committed = true
	switch {
	case db.markedKV:
		db.kvMarked = true
	case db.changes.has("ps_kv"):
		db.kvMarked = false
	}
	terr := db.tracking.deliver(c, db.opts.Yield)
	tables := db.changes.take(db.schema)
	if len(tables) > 0 {
		db.notify.enqueue(tables)
	}
	if db.opts.Shared != nil {
		done = &Committed{Tables: tables, Rows: db.shared.rows}
		db.shared.rows = nil
	}
	if terr != nil {
		return fmt.Errorf("store: the transaction committed, but reading its row changes for TrackRows failed (they are kept for the next commit): %w", terr)
	}
	return nil
}

// Close closes the database. Calls after Close fail with ErrClosed.
func (db *DB) Close() error {
	if err := db.acquire(context.Background()); err != nil {
		if errors.Is(err, ErrClosed) {
			return nil
		}
		return err
	}
	defer db.release()
	db.closed = true
	err := errors.Join(db.cache.clear(), db.tracking.close(), db.conn.Close())
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Schema returns the current schema.
func (db *DB) Schema() Schema {
	if db.acquire(context.Background()) != nil {
		return db.schema
	}
	defer db.release()
	return db.schema
}

// UpdateSchema replaces the schema, rebuilding views, triggers and indexes
// where they changed and keeping data: rows of a removed synced table move
// to ps_untyped and come back when the table returns; removed local-only
// tables are dropped.
func (db *DB) UpdateSchema(ctx context.Context, s Schema) error {
	if err := s.Validate(); err != nil {
		return err
	}
	err := db.write(ctx, func() error {
		if err := applySchema(db.conn, s); err != nil {
			return err
		}
		if err := db.tracking.reinstall(db.conn, s); err != nil {
			return err
		}
		if err := db.sharedTracking(s); err != nil {
			return err
		}
		// Cached statements know which tables they write; the new
		// triggers may write others.
		if err := db.cache.clear(); err != nil {
			return err
		}
		db.schema = s
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: update schema: %w", err)
	}
	return nil
}

// ClientID returns the database's PowerSync client id (ps_kv client_id).
func (db *DB) ClientID() string { return db.clientID }

// Flush waits until all committed writes are durable. Without
// Options.Durability a commit is durable when it returns, so Flush only
// checks that the database is open.
func (db *DB) Flush(ctx context.Context) error {
	if err := db.acquire(ctx); err != nil {
		return err
	}
	db.release()
	if db.opts.Durability == nil {
		return nil
	}
	if err := db.opts.Durability.WaitDurable(ctx); err != nil {
		return fmt.Errorf("store: flush: %w", err)
	}
	return nil
}
