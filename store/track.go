package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/ncruces/go-sqlite3"
)

// RowOp is the kind of a row change.
type RowOp uint8

// The row change kinds.
const (
	RowPut    RowOp = iota + 1 // inserted, replaced or updated
	RowDelete                  // deleted
)

// RowChange is one change to a row of a data table.
type RowChange struct {
	Op   RowOp
	ID   string
	Data string // the row's ps_data JSON object text; "" for delete
}

// Row tracking records every change to a tracked data table with temporary
// AFTER triggers that append to a temporary table. Being ordinary SQL
// writes inside the transaction, the records share its fate: a failed
// statement or a rolled back transaction takes them away with the data,
// and every writer is seen, whether it writes through a view, with raw SQL
// on the data table, or with REPLACE INTO from sync. Right before COMMIT
// the store reads and empties the temporary table (so it stays small and
// the commit includes the emptying), and after COMMIT succeeds it hands
// the changes to the trackers. With Options.Yield both go in slices of
// trackSlice changes, Yield called between two, the lock held throughout.

// trackSlice is how many tracked changes are read, or handed to a tracker,
// between two calls of Options.Yield: in the browser a tracker that
// decodes rows into a collection takes about 15 µs a row, so a slice stays
// well under a 50 ms task (Yield only hands the thread back once ~8 ms of
// work have run).
const trackSlice = 500

// trackTable is the temporary table the tracking triggers append to.
const trackTable = "ps_track_rows"

type rowTracking struct {
	conn    *sqlite3.Conn
	created bool
	byTable map[string][]*rowTracker

	drainStmt, clearStmt *sqlite3.Stmt

	// pending holds the changes drained before COMMIT, per table, in
	// the order the tables were first written.
	pending      map[string][]RowChange
	pendingOrder []string
}

type rowTracker struct {
	fn func([]RowChange)
}

// TrackRows calls fn, for each committed write transaction that changed
// rows of table (a user table name), with those changes in statement order.
// fn runs synchronously right after COMMIT, still under the database lock
// and before the call that committed returns, so fn must not use the
// database. With Options.Yield, a transaction of more than trackSlice
// (500) changes reaches fn in several calls, in order, Yield called
// between them and the lock held until the last: fn sees every change of
// a transaction before the next write begins, but not in one call. Every writer is seen: views, raw SQL on the data table, sync.
// Installing is atomic with respect to writes: a transaction either
// committed before TrackRows returned or is reported to fn.
func (db *DB) TrackRows(table string, fn func([]RowChange)) (stop func() error, err error) {
	if err := db.acquire(context.Background()); err != nil {
		return nil, err
	}
	defer db.release()
	t, ok := db.schema.Table(table)
	if !ok {
		return nil, fmt.Errorf("store: track rows: no table %q in the schema", table)
	}
	tr := &rowTracker{fn: fn}
	if err := db.tracking.add(db.conn, t, tr); err != nil {
		return nil, fmt.Errorf("store: track rows of %q: %w", table, err)
	}
	return func() error {
		if err := db.acquire(context.Background()); err != nil {
			if errors.Is(err, ErrClosed) {
				return nil
			}
			return err
		}
		defer db.release()
		if err := db.tracking.remove(db.conn, db.schema, table, tr); err != nil {
			return fmt.Errorf("store: stop tracking rows of %q: %w", table, err)
		}
		return nil
	}, nil
}

func (rt *rowTracking) add(c *sqlite3.Conn, t Table, tr *rowTracker) error {
	rt.conn = c
	if !rt.created {
		if err := c.Exec(`CREATE TEMP TABLE IF NOT EXISTS ` + trackTable + `(tbl TEXT NOT NULL, op INTEGER NOT NULL, id TEXT, data TEXT)`); err != nil {
			return err
		}
		rt.created = true
	}
	if len(rt.byTable[t.Name]) == 0 {
		if err := createTrackTriggers(c, t); err != nil {
			return err
		}
	}
	if rt.byTable == nil {
		rt.byTable = map[string][]*rowTracker{}
	}
	rt.byTable[t.Name] = append(rt.byTable[t.Name], tr)
	return nil
}

func (rt *rowTracking) remove(c *sqlite3.Conn, s Schema, table string, tr *rowTracker) error {
	list := rt.byTable[table]
	i := slices.Index(list, tr)
	if i < 0 {
		return nil
	}
	list = slices.Delete(list, i, i+1)
	if len(list) > 0 {
		rt.byTable[table] = list
		return nil
	}
	delete(rt.byTable, table)
	return dropTrackTriggers(c, table)
}

// reinstall recreates the triggers after a schema change, which may have
// dropped a data table (and its triggers) or renamed it.
func (rt *rowTracking) reinstall(c *sqlite3.Conn, s Schema) error {
	for table := range rt.byTable {
		if err := dropTrackTriggers(c, table); err != nil {
			return err
		}
		if t, ok := s.Table(table); ok {
			if err := createTrackTriggers(c, t); err != nil {
				return err
			}
		}
	}
	return nil
}

var trackOps = [...]string{"insert", "update", "delete"}

func trackTriggerName(op, table string) string { return quoteIdent("ps_track_" + op + "__" + table) }

func createTrackTriggers(c *sqlite3.Conn, t Table) error {
	on := `main.` + quoteIdent(t.DataTable())
	ins := `INSERT INTO temp.` + trackTable + `(tbl, op, id, data) `
	name := quoteString(t.Name)
	put := fmt.Sprintf(`%sVALUES(%s, %d, NEW.id, NEW.data);`, ins, name, RowPut)
	bodies := [...]string{
		put,
		fmt.Sprintf(`%sSELECT %s, %d, OLD.id, NULL WHERE OLD.id IS NOT NEW.id; %s`, ins, name, RowDelete, put),
		fmt.Sprintf(`%sVALUES(%s, %d, OLD.id, NULL);`, ins, name, RowDelete),
	}
	for i, op := range trackOps {
		sql := fmt.Sprintf(`CREATE TEMP TRIGGER %s AFTER %s ON %s BEGIN %s END`,
			trackTriggerName(op, t.Name), op, on, bodies[i])
		if err := c.Exec(sql); err != nil {
			return err
		}
	}
	return nil
}

func dropTrackTriggers(c *sqlite3.Conn, table string) error {
	for _, op := range trackOps {
		if err := c.Exec(`DROP TRIGGER IF EXISTS temp.` + trackTriggerName(op, table)); err != nil {
			return err
		}
	}
	return nil
}

// drain moves the changes recorded in this transaction into pending and
// empties the temporary table. It runs right before COMMIT; yield, when
// non-nil, is called every trackSlice rows read.
func (rt *rowTracking) drain(c *sqlite3.Conn, yield func()) error {
	if len(rt.byTable) == 0 {
		return nil
	}
	if rt.drainStmt == nil {
		var err error
		if rt.drainStmt, _, err = c.Prepare(`SELECT tbl, op, id, data FROM temp.` + trackTable + ` ORDER BY rowid`); err != nil {
			return err
		}
		if rt.clearStmt, _, err = c.Prepare(`DELETE FROM temp.` + trackTable); err != nil {
			return err
		}
	}
	if rt.pending == nil {
		rt.pending = map[string][]RowChange{}
	}
	stmt := rt.drainStmt
	var last string
	for n := 1; stmt.Step(); n++ {
		if yield != nil && n%trackSlice == 0 {
			yield() // the statement stays open: nothing else has the connection
		}
		tbl := stmt.ColumnRawText(0)
		if string(tbl) != last {
			last = string(tbl)
			if _, ok := rt.pending[last]; !ok {
				rt.pendingOrder = append(rt.pendingOrder, last)
			}
		}
		rt.pending[last] = append(rt.pending[last], RowChange{
			Op:   RowOp(stmt.ColumnInt(1)),
			ID:   stmt.ColumnText(2),
			Data: stmt.ColumnText(3),
		})
	}
	if err := errors.Join(stmt.Err(), stmt.Reset()); err != nil {
		return err
	}
	if len(rt.pendingOrder) == 0 {
		return nil
	}
	return execStmt(rt.clearStmt)
}

// deliver hands the drained changes of the committed transaction to the
// trackers: all at once, or, when yield is non-nil, trackSlice at a time
// with yield called between two slices.
func (rt *rowTracking) deliver(yield func()) {
	slice := trackSlice
	if yield == nil {
		slice = math.MaxInt
	}
	started := false
	for _, table := range rt.pendingOrder {
		changes := rt.pending[table]
		for lo := 0; lo < len(changes); lo += slice {
			if started && yield != nil {
				yield()
			}
			started = true
			part := changes[lo:min(lo+slice, len(changes))]
			for _, tr := range rt.byTable[table] {
				tr.fn(part)
			}
		}
	}
	rt.discard()
}

// discard forgets what a rolled back transaction recorded.
func (rt *rowTracking) discard() {
	clear(rt.pending)
	rt.pendingOrder = rt.pendingOrder[:0]
}

func (rt *rowTracking) close() error {
	var errs []error
	for _, s := range []*sqlite3.Stmt{rt.drainStmt, rt.clearStmt} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	rt.drainStmt, rt.clearStmt = nil, nil
	return errors.Join(errs...)
}
