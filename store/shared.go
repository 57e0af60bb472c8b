package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Shared lets several contexts (browser tabs and workers of one origin),
// each with its own DB over its own copy of one database file, write that
// database in turn: it is set in Options.Shared by the host that keeps the
// copies in step (the browser bridge, over Web Locks and BroadcastChannel).
//
// Around every write transaction the store calls Lock (before it takes
// the connection, so that reads go on while it waits), CatchUp (with the
// connection held) and Unlock, so that a transaction always runs on the
// latest state any context committed and no two contexts write at once.
// Commits of other contexts that arrive between writes are applied with
// [DB.ApplyRemote].
type Shared interface {
	// Lock returns once this context alone may write. An error (the lock
	// not granted in time, storage failing) fails the write; nothing was
	// written and Unlock is not called.
	Lock(ctx context.Context) error
	// CatchUp, called with the connection held after Lock, brings this
	// context's copy of the file to the latest commit of every context
	// and returns the commits it applied, oldest first, for the store to
	// report. After an error the write fails and Unlock(nil) follows.
	CatchUp(ctx context.Context) ([]Remote, error)
	// Unlock ends what Lock began. c describes the transaction when it
	// committed, and is nil when it rolled back or never began.
	Unlock(c *Committed)
	// Opened is called once, when Open succeeded: from then on the host
	// may call db.ApplyRemote.
	Opened(db *DB)
}

// SharedRows is implemented by a Shared that takes this context's row
// changes slice by slice, as the trackers get them after COMMIT (at most
// 500 changes of one table a call, Options.Yield called between two
// calls, the connection held), instead of gathered in Committed.Rows. A
// host that sends them on at once (the browser encodes and posts each
// slice) then never holds a large commit's changes whole, in Go or
// anywhere, and no step of it is longer than a slice. CommittedRows is
// called before Unlock of the same transaction; part is not reused.
type SharedRows interface {
	CommittedRows(table string, part []RowChange)
}

// TableRows is one table's row changes in one transaction, in statement
// order.
type TableRows struct {
	Table   string      // the table's name in the schema
	Changes []RowChange // as TrackRows reports them
}

// Committed is what one write transaction of this context changed, as
// other contexts need it to report the same changes: the tables (as
// OnChange names them) and the row changes of every data table.
type Committed struct {
	Tables []string
	Rows   []TableRows
}

// Remote is a commit of another context, applied to this context's copy
// of the file. Tables nil means the changed tables are not known (the
// copy was reloaded whole): every table is reported changed. Rows holds
// the row changes to hand to TrackRows trackers; a commit reported
// without them (Tables nil) reaches OnChange and Watch, not trackers.
//
// Next, when non-nil, gives the commit's further row changes after Rows,
// one slice a call, until ok is false: the host decodes each slice when
// the store hands it to the trackers (Options.Yield called between two),
// so a large commit is never whole in memory. An error ends that
// commit's rows: the trackers miss the rest, and the error is returned.
type Remote struct {
	Tables []string
	Rows   []TableRows
	Next   func() (rows TableRows, ok bool, err error)
}

// ApplyRemote takes the connection, calls apply (which brings the file
// up to date with other contexts' commits and returns them) and reports
// the commits as this context's own: trackers, OnChange and Watch. It is
// how a context sees other contexts' writes between its own.
func (db *DB) ApplyRemote(ctx context.Context, apply func() ([]Remote, error)) error {
	if err := db.acquire(ctx); err != nil {
		return err
	}
	defer db.release()
	remote, err := apply()
	if err != nil {
		return fmt.Errorf("store: apply remote commits: %w", err)
	}
	return db.reportRemote(remote)
}

// reportRemote hands other contexts' commits to trackers and queues their
// notifications. The caller holds the connection. Every commit is
// reported to OnChange and Watch even when handing one's rows over fails.
func (db *DB) reportRemote(remote []Remote) error {
	if len(remote) == 0 {
		return nil
	}
	var errs []error
	// The upload-queue bookkeeping of another context's commit may have
	// rewritten ps_kv: the next local write checks it again.
	db.kvMarked = false
	for _, r := range remote {
		if err := db.tracking.deliverRemote(r, db.opts.Yield); err != nil {
			errs = append(errs, fmt.Errorf("store: hand another context's row changes to trackers: %w", err))
		}
		tables := r.Tables
		if tables == nil {
			tables = db.allTables()
			if err := db.resetTrackers(); err != nil {
				errs = append(errs, err)
			}
		}
		if len(tables) > 0 {
			db.notify.enqueue(tables)
		}
	}
	return errors.Join(errs...)
}

// resetTrackers gives every TrackRows tracker its table's whole content
// after a commit of unknown changes (RowReset, then every row). The caller
// holds the connection.
func (db *DB) resetTrackers() error {
	for name, trackers := range db.tracking.byTable {
		if !slices.ContainsFunc(trackers, func(t *rowTracker) bool { return !t.collector }) {
			continue
		}
		t, ok := db.schema.Table(name)
		if !ok {
			continue
		}
		changes := []RowChange{{Op: RowReset}}
		stmt, _, err := db.conn.Prepare(`SELECT id, data FROM ` + quoteIdent(t.DataTable()))
		if err != nil {
			return fmt.Errorf("store: reread the rows of %q: %w", name, err)
		}
		for stmt.Step() {
			changes = append(changes, RowChange{Op: RowPut, ID: stmt.ColumnText(0), Data: stmt.ColumnText(1)})
		}
		if err := errors.Join(stmt.Err(), stmt.Close()); err != nil {
			return fmt.Errorf("store: reread the rows of %q: %w", name, err)
		}
		for _, tr := range trackers {
			if !tr.collector {
				tr.fn(changes)
			}
		}
	}
	return nil
}

// allTables lists every table a commit could have changed, as OnChange
// names them: the schema's tables and PowerSync's internal ones.
func (db *DB) allTables() []string {
	out := []string{"ps_buckets", "ps_crud", "ps_kv", "ps_oplog", "ps_stream_subscriptions", "ps_sync_state", "ps_tx", "ps_untyped", "ps_updated_rows"}
	for _, t := range db.schema.Tables {
		out = append(out, t.Name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sharedTracking installs, when the database is shared, a tracker on
// every table of the schema that collects the transaction's row changes
// for Committed: another context may track any table.
func (db *DB) sharedTracking(s Schema) error {
	if db.opts.Shared == nil {
		return nil
	}
	for _, t := range s.Tables {
		if db.shared.tracked[t.Name] {
			continue
		}
		name := t.Name
		if sr, ok := db.opts.Shared.(SharedRows); ok {
			tr := &rowTracker{collector: true, fn: func(part []RowChange) { sr.CommittedRows(name, part) }}
			if err := db.tracking.add(db.conn, t, tr); err != nil {
				return err
			}
			if db.shared.tracked == nil {
				db.shared.tracked = map[string]bool{}
			}
			db.shared.tracked[t.Name] = true
			continue
		}
		tr := &rowTracker{collector: true, fn: func(part []RowChange) {
			n := len(db.shared.rows)
			if n == 0 || db.shared.rows[n-1].Table != name {
				db.shared.rows = append(db.shared.rows, TableRows{Table: name})
				n++
			}
			db.shared.rows[n-1].Changes = append(db.shared.rows[n-1].Changes, part...)
		}}
		if err := db.tracking.add(db.conn, t, tr); err != nil {
			return err
		}
		if db.shared.tracked == nil {
			db.shared.tracked = map[string]bool{}
		}
		db.shared.tracked[t.Name] = true
	}
	return nil
}

// sharedState is the DB's part of sharing, guarded by the DB lock.
type sharedState struct {
	tracked map[string]bool // tables with a collecting tracker
	rows    []TableRows     // the open transaction's collected changes
}

// deliverRemote hands the row changes of another context's commit to the
// trackers (not to the collecting ones: those gather this context's own
// changes), in slices as deliver does: Rows cut to trackSlice, then each
// slice r.Next gives, yield called between two.
func (rt *rowTracking) deliverRemote(r Remote, yield func()) error {
	slice := trackSlice
	if yield == nil {
		slice = math.MaxInt
	}
	started := false
	hand := func(table string, part []RowChange) {
		if started && yield != nil {
			yield()
		}
		started = true
		for _, t := range rt.byTable[table] {
			if !t.collector {
				t.fn(part)
			}
		}
	}
	for _, tr := range r.Rows {
		for lo := 0; lo < len(tr.Changes); lo += slice {
			hand(tr.Table, tr.Changes[lo:min(lo+slice, len(tr.Changes))])
		}
	}
	if r.Next == nil {
		return nil
	}
	for {
		if started && yield != nil {
			yield() // the host decodes the next slice in its own turn
			started = false
		}
		tr, ok, err := r.Next()
		if err != nil || !ok {
			return err
		}
		if len(tr.Changes) > 0 {
			hand(tr.Table, tr.Changes)
		}
	}
}
