package store

import "context"

// OnChange calls fn with the user table names (as declared, sorted) changed
// by each committed write transaction that touched any of tables (nil means
// any). fn runs once per transaction, in commit order, never for a rolled
// back one, after the database lock is released, so fn may use the
// database. The returned function cancels the subscription.
func (db *DB) OnChange(tables []string, fn func(changed []string)) (cancel func()) {
	return func() {}
}

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

// TrackRows calls fn, for each committed write transaction that changed
// rows of table (a user table name), with those changes in statement order.
// fn runs synchronously right after COMMIT, still under the database lock
// and before the call that committed returns, so fn must not use the
// database. Every writer is seen: views, raw SQL on the data table, sync.
// Installing is atomic with respect to writes.
func (db *DB) TrackRows(table string, fn func([]RowChange)) (stop func() error, err error) {
	return nil, errNotImplemented
}

// Watch runs sql at once and again whenever a table it reads changes,
// calling fn with each result. The returned function stops watching.
func (db *DB) Watch(ctx context.Context, sql string, args []any, fn func(Rows, error)) (cancel func(), err error) {
	return nil, errNotImplemented
}
