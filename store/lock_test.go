package store

import (
	"context"
	"errors"
	"testing"
)

func TestLockRunsStatementsWithoutATransaction(t *testing.T) {
	ctx := context.Background()
	db := openMem(t, todoSchema())
	err := db.Lock(ctx, true, func(l *Locked) error {
		if _, err := l.Execute(ctx, `INSERT INTO todos (id, title) VALUES ('a', 'one')`); err != nil {
			return err
		}
		// Each statement commits on its own: a failing one keeps the first.
		if _, err := l.Execute(ctx, `INSERT INTO nope VALUES (1)`); err == nil {
			t.Error("want an error from a missing table")
		}
		r, err := l.Get(ctx, `SELECT count(*) AS n FROM todos`)
		if err != nil {
			return err
		}
		if r["n"] != int64(1) {
			t.Errorf("count = %v", r["n"])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.GetCrudBatch(ctx, 10)
	if err != nil || b == nil || len(b.Crud) != 1 {
		t.Fatalf("upload queue: %v, %v", b, err)
	}
	var stale *Locked
	err = db.Lock(ctx, false, func(l *Locked) error {
		stale = l
		if _, err := l.Execute(ctx, `DELETE FROM todos`); err == nil {
			t.Error("a read lock let a statement write")
		}
		rows, err := l.GetAll(ctx, `SELECT id FROM todos`)
		if err != nil || rows.Len() != 1 {
			t.Errorf("rows %v, %v", rows, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stale.GetAll(ctx, `SELECT 1`); !errors.Is(err, ErrTxDone) {
		t.Errorf("after the lock: %v, want ErrTxDone", err)
	}
}

// A transaction-control statement, through any way in (a lock of either
// kind, a transaction, Execute, GetAll, alone or after another statement),
// is refused before it runs: the database stays usable afterwards.
func TestTransactionControlIsRefusedEverywhere(t *testing.T) {
	ctx := context.Background()
	db := openMem(t, todoSchema())
	stmts := []string{`BEGIN`, `BEGIN IMMEDIATE`, `BEGIN EXCLUSIVE`, `COMMIT`, `END`, `ROLLBACK`,
		`SAVEPOINT a`, `RELEASE a`, `ROLLBACK TO a`, `SELECT 1; BEGIN`, ` begin transaction `}
	refused := func(way, sql string, err error) {
		t.Helper()
		if !errors.Is(err, ErrTxControl) {
			t.Errorf("%s %q: err = %v, want ErrTxControl", way, sql, err)
		}
		if !db.conn.GetAutocommit() {
			t.Fatalf("%s %q left a transaction open", way, sql)
		}
	}
	for _, sql := range stmts {
		for _, write := range []bool{true, false} {
			err := db.Lock(ctx, write, func(l *Locked) error {
				_, err := l.Execute(ctx, sql)
				refused("lock", sql, err)
				_, err = l.GetAll(ctx, sql)
				refused("lock GetAll", sql, err)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.Execute(ctx, sql)
		refused("Execute", sql, err)
		_, err = db.GetAll(ctx, sql)
		refused("GetAll", sql, err)
		if err := db.WriteTx(ctx, func(tx *Tx) error { _, err := tx.Execute(ctx, sql); return err }); !errors.Is(err, ErrTxControl) {
			t.Errorf("WriteTx %q: err = %v", sql, err)
		}
		if err := db.ReadTx(ctx, func(tx *Tx) error { _, err := tx.Execute(ctx, sql); return err }); !errors.Is(err, ErrTxControl) {
			t.Errorf("ReadTx %q: err = %v", sql, err)
		}
	}
	// Afterwards every way in works.
	if _, err := db.Execute(ctx, `INSERT INTO todos (id, title) VALUES ('x', 'after')`); err != nil {
		t.Fatal(err)
	}
	if err := db.WriteTx(ctx, func(tx *Tx) error {
		_, err := tx.Execute(ctx, `INSERT INTO todos (id, title) VALUES ('y', 'after')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReadTx(ctx, func(tx *Tx) error { _, err := tx.GetAll(ctx, `SELECT id FROM todos`); return err }); err != nil {
		t.Fatal(err)
	}
	// Words that only look like transaction control still run.
	if _, err := db.GetAll(ctx, `SELECT 'BEGIN' AS begin, 'SAVEPOINT' AS savepoint`); err != nil {
		t.Fatal(err)
	}
}
