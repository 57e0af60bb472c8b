package store

import "context"

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
// Arguments may be nil, bool (stored as 1/0), int, int64, float64, string,
// []byte or time.Time (stored as ISO 8601 text).
type Querier interface {
	Execute(ctx context.Context, sql string, args ...any) (Result, error)
	GetAll(ctx context.Context, sql string, args ...any) (Rows, error)
	Get(ctx context.Context, sql string, args ...any) (map[string]any, error)
	GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error)
}

// Tx is a transaction handed to the function given to WriteTx or ReadTx. It
// is valid only during that call.
type Tx struct {
	db *DB
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

// Execute runs sql in its own write transaction.
func (db *DB) Execute(ctx context.Context, sql string, args ...any) (Result, error) {
	return Result{}, errNotImplemented
}

// GetAll runs a query and returns all rows.
func (db *DB) GetAll(ctx context.Context, sql string, args ...any) (Rows, error) {
	return Rows{}, errNotImplemented
}

// Get runs a query and returns its first row, or an error wrapping ErrNoRows.
func (db *DB) Get(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	return nil, errNotImplemented
}

// GetOptional runs a query and returns its first row, or nil when there is none.
func (db *DB) GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	return nil, errNotImplemented
}

// WriteTx runs fn in a write transaction. If fn returns an error or panics,
// the transaction rolls back and nothing is kept.
func (db *DB) WriteTx(ctx context.Context, fn func(tx *Tx) error) error {
	return errNotImplemented
}

// ReadTx runs fn in a read transaction.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	return errNotImplemented
}

// Execute runs sql inside the transaction.
func (tx *Tx) Execute(ctx context.Context, sql string, args ...any) (Result, error) {
	return Result{}, errNotImplemented
}

// GetAll runs a query inside the transaction and returns all rows.
func (tx *Tx) GetAll(ctx context.Context, sql string, args ...any) (Rows, error) {
	return Rows{}, errNotImplemented
}

// Get returns the first row, or an error wrapping ErrNoRows.
func (tx *Tx) Get(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	return nil, errNotImplemented
}

// GetOptional returns the first row, or nil when there is none.
func (tx *Tx) GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	return nil, errNotImplemented
}
