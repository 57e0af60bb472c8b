package store

import (
	"context"
	"fmt"
)

// Locked is the database as seen by the function given to Lock: the lock
// is held, no transaction is open, and each statement is its own, as with
// the DB's own Execute and GetAll. It is valid only during that call, and
// only on the goroutine that runs it.
type Locked struct {
	db    *DB
	write bool
	done  bool
}

var _ Querier = (*Locked)(nil)

// Lock runs fn holding the database's lock, without a transaction, as
// PowerSync's readLock (write false) and writeLock (write true): nothing
// else uses the database meanwhile. A statement that writes, in a write
// lock, commits (and queues its upload) when it returns, as with Execute;
// in a read lock it fails. Use WriteTx for all-or-nothing writes.
func (db *DB) Lock(ctx context.Context, write bool, fn func(l *Locked) error) error {
	if err := db.acquire(ctx); err != nil {
		return fmt.Errorf("store: lock: %w", err)
	}
	defer db.release()
	l := &Locked{db: db, write: write}
	defer func() { l.done = true }()
	return fn(l)
}

// Execute runs sql as DB.Execute does, under the lock.
func (l *Locked) Execute(ctx context.Context, sql string, args ...any) (Result, error) {
	res, err := l.run(ctx, sql, args)
	if err != nil {
		return Result{}, queryError("execute", sql, err)
	}
	return res, nil
}

// GetAll runs sql as DB.GetAll does, under the lock.
func (l *Locked) GetAll(ctx context.Context, sql string, args ...any) (Rows, error) {
	res, err := l.run(ctx, sql, args)
	if err != nil {
		return Rows{}, queryError("query", sql, err)
	}
	return res.Rows, nil
}

// Get returns the first row, or an error wrapping ErrNoRows.
func (l *Locked) Get(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := l.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	if rows.Len() == 0 {
		return nil, noRows(sql)
	}
	return rows.Map(0), nil
}

// GetOptional returns the first row, or nil when there is none.
func (l *Locked) GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := l.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return firstRow(rows), nil
}

// run runs one statement: a read as it is, a write in a write transaction
// of its own (or, in a read lock, as a read-only statement, which fails).
func (l *Locked) run(ctx context.Context, sql string, args []any) (Result, error) {
	if l.done {
		return Result{}, ErrTxDone
	}
	db := l.db
	if !l.write || db.isReadOnly(sql) {
		return db.run(ctx, sql, args, !l.write)
	}
	var res Result
	err := db.writeLocked(ctx, func() error {
		var err error
		res, err = db.run(ctx, sql, args, false)
		return err
	})
	return res, err
}
