package store

import (
	"context"
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
type Remote struct {
	Tables []string
	Rows   []TableRows
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
	db.reportRemote(remote)
	return nil
}

// reportRemote hands other contexts' commits to trackers and queues their
// notifications. The caller holds the connection.
func (db *DB) reportRemote(remote []Remote) {
	if len(remote) == 0 {
		return
	}
	// The upload-queue bookkeeping of another context's commit may have
	// rewritten ps_kv: the next local write checks it again.
	db.kvMarked = false
	for _, r := range remote {
		db.tracking.deliverRemote(r.Rows, db.opts.Yield)
		tables := r.Tables
		if tables == nil {
			tables = db.allTables()
		}
		if len(tables) > 0 {
			db.notify.enqueue(tables)
		}
	}
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

// deliverRemote hands row changes of another context's commit to the
// trackers (not to the collecting ones: those gather this context's own
// changes), in slices as deliver does.
func (rt *rowTracking) deliverRemote(rows []TableRows, yield func()) {
	slice := trackSlice
	if yield == nil {
		slice = math.MaxInt
	}
	started := false
	for _, tr := range rows {
		trackers := rt.byTable[tr.Table]
		for lo := 0; lo < len(tr.Changes); lo += slice {
			if started && yield != nil {
				yield()
			}
			started = true
			part := tr.Changes[lo:min(lo+slice, len(tr.Changes))]
			for _, t := range trackers {
				if !t.collector {
					t.fn(part)
				}
			}
		}
	}
}
