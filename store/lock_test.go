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
