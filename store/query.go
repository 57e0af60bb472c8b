package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ncruces/go-sqlite3"
)

// Rows is a query result. Values are nil, int64, float64, string or []byte.
type Rows struct {
	Columns []string
	Values  [][]any
}

// Len returns the number of rows.
func (r Rows) Len() int { return len(r.Values) }

// Map returns row i as a map from column name to value.
func (r Rows) Map(i int) map[string]any {
	m := make(map[string]any, len(r.Columns))
	for j, c := range r.Columns {
		m[c] = r.Values[i][j]
	}
	return m
}

// Result is the outcome of Execute.
type Result struct {
	RowsAffected int64
	InsertID     int64
	Rows         Rows
}

// Querier runs SQL. *DB and *Tx implement it. On *DB each call is its own
// transaction (Execute: a write transaction).
//
// Arguments may be nil, bool (stored as 1/0), any integer type, float32,
// float64, string, []byte or time.Time (stored as ISO 8601 text in UTC
// with milliseconds, like JavaScript's Date.toISOString).
type Querier interface {
	Execute(ctx context.Context, sql string, args ...any) (Result, error)
	GetAll(ctx context.Context, sql string, args ...any) (Rows, error)
	Get(ctx context.Context, sql string, args ...any) (map[string]any, error)
	GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error)
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

// ArgCountError reports a statement run with a number of arguments other
// than its number of parameters (?, ?NNN, :name...).
type ArgCountError struct{ Params, Args int }

// Error returns "statement has N parameters, M arguments given".
func (e *ArgCountError) Error() string {
	return fmt.Sprintf("statement has %d parameters, %d arguments given", e.Params, e.Args)
}

// ErrTxControl is returned, before it runs, for a transaction-control
// statement (BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT, RELEASE) given to
// Execute, GetAll, a Tx or a Locked: the store opens and ends every
// transaction itself (WriteTx, ReadTx, and one per write elsewhere), so a
// transaction the caller opened would stay open past the call and make
// every later transaction fail with "cannot start a transaction within a
// transaction". This is the one place such statements are refused.
var ErrTxControl = errors.New("store: a transaction-control statement (BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT, RELEASE)")

// ErrWriteInRead is returned for a statement that writes, run in a read
// transaction (ReadTx) or a read lock (Lock with write false).
var ErrWriteInRead = errors.New("store: a statement that writes, in a read transaction or read lock")

// run executes sql (one statement, or several without arguments) on the
// connection, which the caller holds, and returns the rows of the last
// statement. Single statements are kept in the statement cache.
func (db *DB) run(ctx context.Context, sql string, args []any, readOnly bool) (Result, error) {
	c := db.conn
	if ctx != context.Background() {
		old := c.SetInterrupt(ctx)
		defer c.SetInterrupt(old)
	}
	if cs := db.cache.get(sql); cs != nil {
		return db.step(cs, args, readOnly)
	}
	var res Result
	rest := sql
	for first := true; ; first = false {
		cs, tail, err := db.prepare(rest)
		if err != nil {
			return Result{}, err
		}
		if cs == nil { // only whitespace or comments left
			if first {
				return Result{}, errors.New("empty statement")
			}
			return res, nil
		}
		single := first && strings.TrimSpace(tail) == ""
		if !first && len(args) > 0 {
			cs.stmt.Close()
			return Result{}, errors.New("arguments given to several statements")
		}
		res, err = db.step(cs, args, readOnly)
		if single {
			cs.sql = sql
			db.cache.put(cs)
			return res, err
		}
		cs.stmt.Close()
		if err != nil {
			return Result{}, err
		}
		rest = tail
		args = nil
	}
}

// prepare compiles one statement and finds the tables it may write.
func (db *DB) prepare(sql string) (*cachedStmt, string, error) {
	var writes []string
	db.changes.collect = &writes
	db.changes.txControl = false
	stmt, tail, err := db.conn.Prepare(sql)
	db.changes.collect = nil
	txControl := db.changes.txControl
	db.changes.txControl = false
	if err != nil || stmt == nil {
		return nil, tail, err
	}
	return &cachedStmt{sql: sql, stmt: stmt, writes: writes, txControl: txControl}, tail, nil
}

// step binds args, runs the statement to completion and collects its
// rows, then leaves it reset and unbound for reuse. When the statement
// changed rows, the tables it writes join the transaction's change set.
func (db *DB) step(cs *cachedStmt, args []any, readOnly bool) (res Result, err error) {
	stmt := cs.stmt
	before := db.conn.TotalChanges()
	defer func() {
		if len(cs.writes) > 0 && db.conn.TotalChanges() != before {
			db.changes.addAll(cs.writes)
		}
		if rerr := stmt.Reset(); err == nil && rerr != nil {
			err = rerr
		}
		if len(args) > 0 {
			stmt.ClearBindings()
		}
	}()
	if cs.txControl {
		return Result{}, ErrTxControl
	}
	if readOnly && !stmt.ReadOnly() {
		return Result{}, ErrWriteInRead
	}
	if n := stmt.BindCount(); n != len(args) {
		return Result{}, &ArgCountError{Params: n, Args: len(args)}
	}
	for i, a := range args {
		if err := bind(stmt, i+1, a); err != nil {
			return Result{}, err
		}
	}
	n := stmt.ColumnCount()
	if n > 0 {
		res.Rows.Columns = make([]string, n)
		for i := range n {
			res.Rows.Columns[i] = stmt.ColumnName(i)
		}
	}
	for stmt.Step() {
		// Columns reads the whole row in one call into SQLite, which
		// matters under WebAssembly where each call is expensive.
		row := make([]any, n)
		if err := stmt.Columns(row...); err != nil {
			return Result{}, err
		}
		res.Rows.Values = append(res.Rows.Values, row)
	}
	if err := stmt.Err(); err != nil {
		return Result{}, err
	}
	if !stmt.ReadOnly() {
		res.RowsAffected = db.conn.Changes()
		res.InsertID = db.conn.LastInsertRowID()
	}
	return res, nil
}

// isoTime is JavaScript's Date.toISOString format.
const isoTime = "2006-01-02T15:04:05.000Z"

func bind(stmt *sqlite3.Stmt, i int, a any) error {
	switch v := a.(type) {
	case nil:
		return stmt.BindNull(i)
	case bool:
		return stmt.BindBool(i, v)
	case int:
		return stmt.BindInt64(i, int64(v))
	case int8:
		return stmt.BindInt64(i, int64(v))
	case int16:
		return stmt.BindInt64(i, int64(v))
	case int32:
		return stmt.BindInt64(i, int64(v))
	case int64:
		return stmt.BindInt64(i, v)
	case uint8:
		return stmt.BindInt64(i, int64(v))
	case uint16:
		return stmt.BindInt64(i, int64(v))
	case uint32:
		return stmt.BindInt64(i, int64(v))
	case uint:
		return bindUint(stmt, i, uint64(v))
	case uint64:
		return bindUint(stmt, i, v)
	case float32:
		return stmt.BindFloat(i, float64(v))
	case float64:
		return stmt.BindFloat(i, v)
	case string:
		return stmt.BindText(i, v)
	case []byte:
		if v == nil {
			return stmt.BindNull(i)
		}
		return stmt.BindBlob(i, v)
	case time.Time:
		return stmt.BindText(i, v.UTC().Format(isoTime))
	}
	return fmt.Errorf("argument %d: unsupported type %T", i, a)
}

// bindUint binds an unsigned integer as SQLite's INTEGER, a signed
// 64-bit integer; a larger value would wrap to a negative one, so it is
// refused rather than stored wrong.
func bindUint(stmt *sqlite3.Stmt, i int, v uint64) error {
	if v > math.MaxInt64 {
		return fmt.Errorf("argument %d: %d does not fit SQLite's 64-bit signed INTEGER", i, v)
	}
	return stmt.BindInt64(i, int64(v))
}

func firstRow(rows Rows) map[string]any {
	if rows.Len() == 0 {
		return nil
	}
	return rows.Map(0)
}

func noRows(sql string) error { return fmt.Errorf("store: get %q: %w", sql, ErrNoRows) }

func queryError(op, sql string, err error) error {
	return fmt.Errorf("store: %s %q: %w", op, sql, err)
}

// Execute runs sql in its own write transaction and returns its rows (for
// statements with RETURNING or reads), the rows it changed and the last
// inserted rowid.
func (db *DB) Execute(ctx context.Context, sql string, args ...any) (Result, error) {
	var res Result
	err := db.write(ctx, func() error {
		var err error
		res, err = db.run(ctx, sql, args, false)
		return err
	})
	if err != nil {
		return Result{}, queryError("execute", sql, err)
	}
	return res, nil
}

// GetAll runs a query and returns all rows. A statement that writes runs in
// its own write transaction, as with Execute.
func (db *DB) GetAll(ctx context.Context, sql string, args ...any) (Rows, error) {
	if err := db.acquire(ctx); err != nil {
		return Rows{}, queryError("query", sql, err)
	}
	var res Result
	var err error
	if db.isReadOnly(sql) {
		res, err = db.run(ctx, sql, args, false)
	} else {
		err = db.writeLocked(ctx, func() error {
			var err error
			res, err = db.run(ctx, sql, args, false)
			return err
		})
	}
	db.release()
	if err != nil {
		return Rows{}, queryError("query", sql, err)
	}
	return res.Rows, nil
}

// isReadOnly reports whether sql is a single statement that does not
// write. Preparing it also caches it for the run that follows.
func (db *DB) isReadOnly(sql string) bool {
	if cs := db.cache.get(sql); cs != nil {
		return cs.stmt.ReadOnly()
	}
	cs, tail, err := db.prepare(sql)
	if err != nil || cs == nil {
		return true // let run report the error
	}
	if strings.TrimSpace(tail) != "" {
		cs.stmt.Close()
		return false
	}
	db.cache.put(cs)
	return cs.stmt.ReadOnly()
}

// Get runs a query and returns its first row, or an error wrapping ErrNoRows.
func (db *DB) Get(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := db.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	if rows.Len() == 0 {
		return nil, noRows(sql)
	}
	return rows.Map(0), nil
}

// GetOptional runs a query and returns its first row, or nil when there is none.
func (db *DB) GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := db.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return firstRow(rows), nil
}
