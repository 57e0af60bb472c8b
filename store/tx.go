package store

import (
	"context"
	"errors"
	"fmt"
)

// Tx is a transaction handed to the function given to WriteTx or ReadTx.
// It is valid only during that call, and only on the goroutine that runs
// it; the function must not use the DB itself (its connection is taken).
type Tx struct {
	db       *DB
	readOnly bool
	done     bool
}

// ErrTxDone is returned by a Tx used after its transaction ended.
var ErrTxDone = errors.New("store: transaction has ended")

// WriteTx runs fn in a write transaction, committed when fn returns nil.
// If fn returns an error or panics, the transaction rolls back and nothing
// it wrote is kept, neither data nor upload queue entries; a panic is
// re-raised after the rollback.
func (db *DB) WriteTx(ctx context.Context, fn func(tx *Tx) error) error {
	err := db.write(ctx, func() error { return runTx(&Tx{db: db}, fn) })
	if err != nil {
		return fmt.Errorf("store: write transaction: %w", err)
	}
	return nil
}

// ReadTx runs fn in a read transaction: it sees one consistent snapshot,
// and statements that write fail.
func (db *DB) ReadTx(ctx context.Context, fn func(tx *Tx) error) error {
	if err := db.acquire(ctx); err != nil {
		return fmt.Errorf("store: read transaction: %w", err)
	}
	defer db.release()
	c := db.conn
	c.SetInterrupt(ctx)
	defer c.SetInterrupt(context.Background())
	if err := c.Exec(`BEGIN DEFERRED`); err != nil {
		return fmt.Errorf("store: read transaction: %w", err)
	}
	err := func() error {
		defer func() {
			c.SetInterrupt(context.Background())
			if !c.GetAutocommit() {
				c.Exec(`ROLLBACK`) // nothing was written: ending it is all there is to do
			}
		}()
		return runTx(&Tx{db: db, readOnly: true}, fn)
	}()
	if err != nil {
		return fmt.Errorf("store: read transaction: %w", err)
	}
	return nil
}

// runTx calls fn and ends the Tx, also when fn panics.
func runTx(tx *Tx, fn func(tx *Tx) error) error {
	defer func() { tx.done = true }()
	return fn(tx)
}

func (tx *Tx) run(ctx context.Context, sql string, args []any) (Result, error) {
	if tx.done {
		return Result{}, ErrTxDone
	}
	return tx.db.run(ctx, sql, args, tx.readOnly)
}

// Execute runs sql inside the transaction.
func (tx *Tx) Execute(ctx context.Context, sql string, args ...any) (Result, error) {
	res, err := tx.run(ctx, sql, args)
	if err != nil {
		return Result{}, queryError("execute", sql, err)
	}
	return res, nil
}

// GetAll runs a query inside the transaction and returns all rows.
func (tx *Tx) GetAll(ctx context.Context, sql string, args ...any) (Rows, error) {
	res, err := tx.run(ctx, sql, args)
	if err != nil {
		return Rows{}, queryError("query", sql, err)
	}
	return res.Rows, nil
}

// Get returns the first row, or an error wrapping ErrNoRows.
func (tx *Tx) Get(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := tx.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	if rows.Len() == 0 {
		return nil, noRows(sql)
	}
	return rows.Map(0), nil
}

// GetOptional returns the first row, or nil when there is none.
func (tx *Tx) GetOptional(ctx context.Context, sql string, args ...any) (map[string]any, error) {
	rows, err := tx.GetAll(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return firstRow(rows), nil
}
