package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ncruces/go-sqlite3"
)

// RowOp is the kind of a row change.
type RowOp uint8

// The row change kinds.
const (
	RowPut    RowOp = iota + 1 // inserted, replaced or updated
	RowDelete                  // deleted
	// RowReset comes first in a call to a TrackRows function when the
	// table may have changed in ways no row change describes (another
	// context's commits this one missed, the copy of the file reread
	// whole): forget every row; the RowPut changes that follow in the
	// same call are the table's whole content now. It has no ID nor Data.
	RowReset
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
// on the data table, or with REPLACE INTO from sync. A temporary table's
// rows outlive the COMMIT, so the changes stay in SQLite until they are
// handed over: after COMMIT succeeds the store reads them (with
// Options.Yield, trackSlice at a time, Yield called between two slices,
// the lock held throughout), hands them to the trackers, and deletes what
// it handed over. A large sync transaction thus never holds its 100,000
// changes in the Go heap, where, under WebAssembly, the collector would
// mark them in one piece whenever the module hands the thread back
// (RATIONALE.md, "Tracked changes wait in SQLite; change events wait packed").

// trackSlice is how many tracked changes are read and handed to a tracker
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

	readStmt, clearStmt, clearAllStmt *sqlite3.Stmt
}

type rowTracker struct {
	fn func([]RowChange)
	// collector: the tracker that gathers a shared database's own changes
	// for other contexts (see Shared); it does not get theirs.
	collector bool
}

// TrackRows calls fn, for each committed write transaction that changed
// rows of table (a user table name), with those changes in statement order.
// fn runs synchronously right after COMMIT, still under the database lock
// and before the call that committed returns, so fn must not use the
// database. With Options.Yield, a transaction of more than trackSlice
// (500) changes reaches fn in several calls, in order, Yield called
// between them and the lock held until the last: fn sees every change of
// a transaction before the next write begins, but not in one call. Every
// writer is seen: views, raw SQL on the data table, sync. Installing is
// atomic with respect to writes: a transaction either committed before
// TrackRows returned or is reported to fn. Should reading the recorded
// changes fail after COMMIT, the write returns an error saying it
// committed, and the changes reach fn with the next commit's.
//
// When the table's content is known only whole (see RowReset), fn gets
// one call: RowReset, then a RowPut for every row. That call is not
// sliced: it is the rare path of a context that missed other contexts'
// commits, and a collection must not show half of it.
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
	if err := dropTrackTriggers(c, table); err != nil {
		return err
	}
	if len(rt.byTable) > 0 {
		return nil
	}
	// The last tracker leaves the connection as it found it.
	if err := rt.close(); err != nil {
		return err
	}
	if err := c.Exec(`DROP TABLE IF EXISTS temp.` + trackTable); err != nil {
		return err
	}
	rt.created = false
	return nil
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

// deliver hands the changes the committed transaction recorded to the
// trackers, then deletes them from the temporary table. Without yield each
// tracker gets its table's changes in one call; with yield they are read
// and handed over trackSlice at a time in statement order (a slice split
// where the table changes), yield called between two slices. It runs
// after COMMIT, so a failure cannot undo the transaction: the changes not
// handed over stay in the table and reach the trackers with the next
// commit's, late rather than lost, and the error is returned for the
// caller to report.
func (rt *rowTracking) deliver(c *sqlite3.Conn, yield func()) error {
	if len(rt.byTable) == 0 {
		return nil
	}
	if rt.readStmt == nil {
		var err error
		if rt.readStmt, _, err = c.Prepare(`SELECT rowid, tbl, op, id, data FROM temp.` + trackTable + ` WHERE rowid > ? ORDER BY rowid LIMIT ?`); err != nil {
			return err
		}
		if rt.clearStmt, _, err = c.Prepare(`DELETE FROM temp.` + trackTable + ` WHERE rowid <= ?`); err != nil {
			return err
		}
		if rt.clearAllStmt, _, err = c.Prepare(`DELETE FROM temp.` + trackTable); err != nil {
			return err
		}
	}
	limit := trackSlice
	if yield == nil {
		limit = -1 // no LIMIT
	}
	var last int64
	for first := true; ; first = false {
		if !first {
			yield()
		}
		n, err := rt.deliverSlice(&last, limit)
		if err == nil && n == 0 && first {
			return nil // nothing recorded: no DELETE
		}
		if err != nil {
			return errors.Join(err, rt.clear(last))
		}
		if n < limit || limit < 0 {
			return rt.clear(0)
		}
	}
}

// deliverSlice reads up to limit (all when negative) changes after rowid
// *last, hands them to the trackers and advances *last. It returns how many
// it read.
func (rt *rowTracking) deliverSlice(last *int64, limit int) (int, error) {
	stmt := rt.readStmt
	if err := errors.Join(stmt.BindInt64(1, *last), stmt.BindInt(2, limit)); err != nil {
		return 0, err
	}
	var order []string
	byTable := map[string][]RowChange{}
	n := 0
	for stmt.Step() {
		n++
		rowid := stmt.ColumnInt64(0)
		tbl := stmt.ColumnText(1)
		if _, ok := byTable[tbl]; !ok {
			order = append(order, tbl)
		}
		byTable[tbl] = append(byTable[tbl], RowChange{
			Op:   RowOp(stmt.ColumnInt(2)),
			ID:   stmt.ColumnText(3),
			Data: stmt.ColumnText(4),
		})
		*last = rowid
	}
	if err := errors.Join(stmt.Err(), stmt.Reset()); err != nil {
		return n, err
	}
	for _, table := range order {
		for _, tr := range rt.byTable[table] {
			tr.fn(byTable[table])
		}
	}
	return n, nil
}

// clear deletes the changes up to rowid last, those handed over, or all
// of them when last is 0: a DELETE without WHERE, which SQLite carries out
// by freeing the table's pages rather than row by row (after 100,000
// changes, row by row took 180 ms of one task in the browser).
func (rt *rowTracking) clear(last int64) error {
	if last == 0 {
		return execStmt(rt.clearAllStmt)
	}
	if err := rt.clearStmt.BindInt64(1, last); err != nil {
		return err
	}
	return execStmt(rt.clearStmt)
}

func (rt *rowTracking) close() error {
	var errs []error
	for _, s := range []*sqlite3.Stmt{rt.readStmt, rt.clearStmt, rt.clearAllStmt} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	rt.readStmt, rt.clearStmt, rt.clearAllStmt = nil, nil, nil
	return errors.Join(errs...)
}
