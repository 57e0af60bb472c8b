// Package sqlitespike measures two ways of running SQLite under our browser
// module, driven from Go through the same minimal interface (DB, Stmt):
// today's wasm2go translation compiled into the Go module
// (github.com/ncruces/go-sqlite3, package gosqlite), and a clang-built SQLite
// instantiated by the browser's own WebAssembly engine beside the Go module
// and called through syscall/js (package clang: the wa-sqlite build that
// @powersync/web ships). It is a spike for issue 12, not a port: the store
// keeps using ncruces/go-sqlite3 directly. RATIONALE.md, "SQLite compiled by
// clang beside the Go module", has the decision and BENCHMARKS.md the
// figures; tests/browser/bench/sqlite-spike.js runs it in Chromium, and
// package native's test runs the workloads natively in `go test ./...`.
//
// The workloads mimic the SQL that the store runs for the browser
// benchmark's W1 and W3 (tests/browser/bench/browser-bench.js) on the same
// PowerSync layout (the DDL comes from store.Open, package native), without
// the store's change tracking: they measure SQLite and the calls into it.
package sqlitespike

import (
	"errors"
	"fmt"
	"time"
)

// DB is one SQLite connection: the part of SQLite's C API that the
// workloads use.
type DB interface {
	// Exec runs sql, which may hold several statements, without results.
	Exec(sql string) error
	// Prepare compiles the first statement of sql.
	Prepare(sql string) (Stmt, error)
	// Changes is sqlite3_changes64: the cheapest call into SQLite there is,
	// used to measure the cost of one call.
	Changes() int64
	Close() error
}

// Stmt is one prepared statement. Parameters and columns are numbered as in
// SQLite's C API: parameters from 1, columns from 0.
type Stmt interface {
	BindInt64(param int, v int64) error
	BindText(param int, s string) error
	// Step reports whether a row is available; at the end it returns
	// false and nil, on an error false and the error.
	Step() (bool, error)
	ColumnInt64(col int) int64
	ColumnText(col int) string
	// Rows steps to the end, calling fn with each row's values (int64,
	// float64, string or nil; the slice is reused), then resets: the
	// store's way of reading rows (a whole row per call into SQLite,
	// store/query.go), which a build may batch further.
	Rows(fn func(row []any)) error
	Reset() error
	Close() error
}

// The statements of a W1 write, as the store runs them for
// `todos.update(id, d => { d.n = i })`: the update through the view (its
// trigger queues the upload entry), the check of the entries this
// transaction queued, and the bump of the transaction counter before
// COMMIT (store/queue_commit.go); then the read back.
const (
	sqlUpdate   = `UPDATE todos SET n = ? WHERE id = ?`
	sqlQueued   = `SELECT c.tx_id = t.next_tx, c.data->>'type' FROM ps_crud c, ps_tx t WHERE t.id = 1 ORDER BY c.id DESC`
	sqlNextTx   = `UPDATE ps_tx SET next_tx = next_tx + 1 WHERE id = 1`
	sqlReadBack = `SELECT id, title, n FROM todos WHERE id = ?`
	sqlInsert   = `INSERT INTO todos (id, title, n) VALUES (?, ?, ?)`
	sqlScan     = `SELECT id, title, n FROM todos`
)

// Session runs the workloads on one DB. Like the store (store/stmtcache.go),
// it prepares each statement once and resets it after use; BEGIN, COMMIT
// and DDL go through DB.Exec.
type Session struct {
	db    DB
	stmts map[string]Stmt
}

// NewSession returns a Session on db.
func NewSession(db DB) *Session { return &Session{db: db, stmts: map[string]Stmt{}} }

// Close finalizes the prepared statements and closes the DB.
func (s *Session) Close() error {
	var errs []error
	for _, st := range s.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, s.db.Close())...)
}

// stmt returns sql's statement, preparing it on first use.
func (s *Session) stmt(sql string) (Stmt, error) {
	if st, ok := s.stmts[sql]; ok {
		return st, nil
	}
	st, err := s.db.Prepare(sql)
	if err != nil {
		return nil, fmt.Errorf("sqlitespike: prepare %q: %w", sql, err)
	}
	s.stmts[sql] = st
	return st, nil
}

// FirstUse creates the schema (ddl, store.Open's statements), inserts one
// row through the view and reads its title back: the first visit's SQL.
func (s *Session) FirstUse(ddl []string) (string, error) {
	for _, q := range ddl {
		if err := s.db.Exec(q); err != nil {
			return "", fmt.Errorf("sqlitespike: create schema: %w", err)
		}
	}
	if err := s.insert("first", "the first todo"); err != nil {
		return "", err
	}
	var title string
	err := s.query(sqlReadBack, func(st Stmt) error { return st.BindText(1, "first") }, func(st Stmt) bool {
		title = st.ColumnText(1)
		return true
	})
	return title, err
}

// insert inserts one row through the view in a transaction of its own.
func (s *Session) insert(id, title string) error {
	err := s.write(func() error {
		return s.exec(sqlInsert, func(st Stmt) error {
			return errors.Join(st.BindText(1, id), st.BindText(2, title), st.BindInt64(3, 0))
		})
	})
	if err != nil {
		return fmt.Errorf("sqlitespike: insert %s: %w", id, err)
	}
	return nil
}

// W1 inserts row id, then updates its n warm+n times, each in a
// transaction of its own followed by a read back of the row, and returns
// the durations of the last n (write and read back). A read back that does
// not see the value written is an error.
func (s *Session) W1(id string, warm, n int) ([]time.Duration, error) {
	if err := s.insert(id, "x"); err != nil {
		return nil, err
	}
	var out []time.Duration
	for i := 1; i <= warm+n; i++ {
		t0 := time.Now()
		if err := s.write(func() error {
			return s.exec(sqlUpdate, func(st Stmt) error {
				return errors.Join(st.BindInt64(1, int64(i)), st.BindText(2, id))
			})
		}); err != nil {
			return nil, fmt.Errorf("sqlitespike: W1 update %d: %w", i, err)
		}
		got := int64(-1)
		if err := s.query(sqlReadBack, func(st Stmt) error { return st.BindText(1, id) }, func(st Stmt) bool {
			got = st.ColumnInt64(2)
			return true
		}); err != nil {
			return nil, fmt.Errorf("sqlitespike: W1 read back %d: %w", i, err)
		}
		d := time.Since(t0)
		if got != int64(i) {
			return nil, fmt.Errorf("sqlitespike: W1 read back %d, want %d", got, i)
		}
		if i > warm {
			out = append(out, d)
		}
	}
	return out, nil
}

// W3 inserts rows rows through the view in one transaction, with ids
// prefix-0 .. prefix-(rows-1), as the store persists an optimistic
// `todos.insert(rows)`: one prepared statement, bound and stepped per row.
func (s *Session) W3(prefix string, rows int) (time.Duration, error) {
	t0 := time.Now()
	ins, err := s.stmt(sqlInsert)
	if err != nil {
		return 0, err
	}
	err = s.write(func() error {
		for i := range rows {
			if err := errors.Join(ins.BindText(1, fmt.Sprintf("%s-%d", prefix, i)),
				ins.BindText(2, "a todo item with a typical title"), ins.BindInt64(3, int64(i))); err != nil {
				return err
			}
			if err := stepDone(ins); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitespike: W3 %s: %w", prefix, err)
	}
	return time.Since(t0), nil
}

// Calls makes n calls of sqlite3_changes64 and returns the time per call.
func (s *Session) Calls(n int) time.Duration {
	var sum int64
	t0 := time.Now()
	for range n {
		sum += s.db.Changes()
	}
	d := time.Since(t0)
	if sum < 0 {
		panic("unreachable: keeps the loop") // changes are never negative
	}
	return d / time.Duration(n)
}

// Scan reads every row of todos with a step and three column reads per
// row (id and title as text, n as an integer) and returns the time and the
// number of rows.
func (s *Session) Scan() (time.Duration, int, error) {
	t0 := time.Now()
	rows, bytes := 0, 0
	err := s.query(sqlScan, nil, func(st Stmt) bool {
		rows++
		bytes += len(st.ColumnText(0)) + len(st.ColumnText(1)) + int(st.ColumnInt64(2)&1)
		return true
	})
	d := time.Since(t0)
	if err == nil && rows > 0 && bytes == 0 {
		err = errors.New("sqlitespike: scan read empty rows")
	}
	return d, rows, err
}

// ScanRows reads every row of todos as Scan does, a row at a time through
// Stmt.Rows, and returns the time and the number of rows.
func (s *Session) ScanRows() (time.Duration, int, error) {
	t0 := time.Now()
	st, err := s.stmt(sqlScan)
	if err != nil {
		return 0, 0, err
	}
	rows, bytes := 0, 0
	err = st.Rows(func(row []any) {
		rows++
		id, _ := row[0].(string)
		title, _ := row[1].(string)
		n, _ := row[2].(int64)
		bytes += len(id) + len(title) + int(n&1)
	})
	d := time.Since(t0)
	if err == nil && rows > 0 && bytes == 0 {
		err = errors.New("sqlitespike: scan read empty rows")
	}
	return d, rows, err
}

// write runs fn in a transaction and does the store's bookkeeping before
// COMMIT: reading back the entries this transaction queued and bumping the
// transaction counter.
func (s *Session) write(fn func() error) error {
	if err := s.db.Exec(`BEGIN DEFERRED`); err != nil {
		return err
	}
	err := fn()
	if err == nil {
		// The transaction's entries are the last ones: read backwards and
		// stop at the first older one, as the store does.
		queued := false
		err = s.query(sqlQueued, nil, func(st Stmt) bool {
			if st.ColumnInt64(0) != 1 {
				return false
			}
			queued = true
			return true
		})
		if err == nil && !queued {
			err = errors.New("sqlitespike: the transaction queued no upload entry")
		}
	}
	if err == nil {
		err = s.exec(sqlNextTx, nil)
	}
	if err == nil {
		return s.db.Exec(`COMMIT`)
	}
	return errors.Join(err, s.db.Exec(`ROLLBACK`))
}

// stepDone steps a statement that returns no rows and resets it.
func stepDone(st Stmt) error {
	_, err := st.Step()
	return errors.Join(err, st.Reset())
}

// exec binds sql's statement with bind (if not nil), runs it and resets it.
func (s *Session) exec(sql string, bind func(Stmt) error) error {
	st, err := s.stmt(sql)
	if err != nil {
		return err
	}
	if bind != nil {
		if err := bind(st); err != nil {
			return errors.Join(err, st.Reset())
		}
	}
	return stepDone(st)
}

// query binds sql's statement (if bind is not nil), calls row for each row
// until it returns false, and resets it.
func (s *Session) query(sql string, bind func(Stmt) error, row func(Stmt) bool) error {
	st, err := s.stmt(sql)
	if err != nil {
		return err
	}
	if bind != nil {
		err = bind(st)
	}
	for err == nil {
		var more bool
		if more, err = st.Step(); !more || !row(st) {
			break
		}
	}
	return errors.Join(err, st.Reset())
}
