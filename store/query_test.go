package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestArgumentsAndResultsRoundTrip(t *testing.T) {
	db := openMem(t, todoSchema())
	when := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	row, err := db.Get(bg, `SELECT ? AS n, ? AS b, ? AS i, ? AS f, ? AS s, ? AS blob, ? AS tm, ? AS u8`,
		nil, true, 42, 1.5, "text", []byte{1, 2}, when, uint8(7))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": nil, "b": int64(1), "i": int64(42), "f": 1.5, "s": "text",
		"blob": []byte{1, 2}, "tm": "2024-05-06T06:08:09.123Z", "u8": int64(7)}
	if !reflect.DeepEqual(row, want) {
		t.Fatalf("got %v", row)
	}
	if _, err := db.GetAll(bg, `SELECT ?`, struct{}{}); err == nil {
		t.Fatal("an unsupported argument type was accepted")
	}
	if _, err := db.GetAll(bg, `SELECT ?, ?`, 1); err == nil {
		t.Fatal("a missing argument was accepted")
	}
}

func TestExecuteReportsChangesAndReturningRows(t *testing.T) {
	db := openMem(t, todoSchema())
	res := mustExec(t, db, `INSERT INTO ps_data__todos(id, data) VALUES ('a', '{}'), ('b', '{}') RETURNING id`)
	if res.RowsAffected != 2 || res.Rows.Len() != 2 || res.Rows.Map(1)["id"] != "b" {
		t.Fatalf("result = %+v", res)
	}
	rows, err := db.GetAll(bg, `DELETE FROM ps_data__todos WHERE id = 'a' RETURNING id`)
	if err != nil || rows.Len() != 1 {
		t.Fatalf("writing GetAll = %v, %v", rows, err)
	}
	if n := count(t, db, `SELECT count(*) FROM ps_data__todos`); n != 1 {
		t.Fatalf("the write of GetAll was not committed: %d rows", n)
	}
	res = mustExec(t, db, `CREATE TABLE extra(x); INSERT INTO extra VALUES (1); SELECT x FROM extra`)
	if res.Rows.Len() != 1 {
		t.Fatalf("multi-statement result = %+v", res)
	}
}

func TestGetWrapsErrNoRowsAndGetOptionalReturnsNil(t *testing.T) {
	db := openMem(t, todoSchema())
	_, err := db.Get(bg, `SELECT * FROM todos`)
	wantErrIs(t, err, ErrNoRows)
	row, err := db.GetOptional(bg, `SELECT * FROM todos`)
	if row != nil || err != nil {
		t.Fatalf("GetOptional = %v, %v", row, err)
	}
	err = db.ReadTx(bg, func(tx *Tx) error {
		_, err := tx.Get(bg, `SELECT * FROM todos`)
		return err
	})
	wantErrIs(t, err, ErrNoRows)
}

func TestReadTxRefusesWrites(t *testing.T) {
	db := openMem(t, todoSchema())
	err := db.ReadTx(bg, func(tx *Tx) error {
		_, err := tx.Execute(bg, `INSERT INTO todos(id) VALUES ('a')`)
		return err
	})
	if err == nil {
		t.Fatal("write accepted in a read transaction")
	}
	if n := count(t, db, `SELECT count(*) FROM todos`); n != 0 {
		t.Fatalf("%d rows written", n)
	}
}

func TestTxCannotBeUsedAfterItsTransaction(t *testing.T) {
	db := openMem(t, todoSchema())
	var kept *Tx
	db.WriteTx(bg, func(tx *Tx) error { kept = tx; return nil })
	_, err := kept.Execute(bg, `INSERT INTO todos(id) VALUES ('a')`)
	wantErrIs(t, err, ErrTxDone)
}

func TestCancelledContextsStopWork(t *testing.T) {
	db := openMem(t, todoSchema())
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, err := db.Execute(ctx, `INSERT INTO todos(id) VALUES ('a')`)
	wantErrIs(t, err, context.Canceled)

	// A long query is interrupted when its context ends.
	ctx, cancel = context.WithTimeout(bg, 20*time.Millisecond)
	defer cancel()
	_, err = db.GetAll(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c`)
	if err == nil {
		t.Fatal("endless query finished")
	}
	// And the connection works afterwards.
	mustExec(t, db, `INSERT INTO todos(id) VALUES ('b')`)

	// Waiting for a busy connection also honours the context.
	started := make(chan struct{})
	release := make(chan struct{})
	go db.WriteTx(bg, func(tx *Tx) error { close(started); <-release; return nil })
	<-started
	ctx, cancel = context.WithTimeout(bg, 10*time.Millisecond)
	defer cancel()
	_, err = db.GetAll(ctx, `SELECT 1`)
	close(release)
	wantErrIs(t, err, context.DeadlineExceeded)
}

func TestClosedDatabaseRefusesCalls(t *testing.T) {
	db, err := Open(bg, ":memory:", todoSchema(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.Execute(bg, `SELECT 1`)
	wantErrIs(t, err, ErrClosed)
	if err := db.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if err := db.Flush(bg); !errors.Is(err, ErrClosed) {
		t.Fatalf("flush: %v", err)
	}
}

type fakeDurability struct{ calls int }

func (f *fakeDurability) WaitDurable(context.Context) error { f.calls++; return nil }

func TestFlushWaitsForTheDurabilityHook(t *testing.T) {
	d := &fakeDurability{}
	db, err := Open(bg, ":memory:", todoSchema(), &Options{Durability: d})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Flush(bg); err != nil || d.calls != 1 {
		t.Fatalf("flush = %v, calls = %d", err, d.calls)
	}
}

// Every integer type binds exactly or is refused: an unsigned value past
// int64 would wrap to a negative INTEGER, silently.
func TestIntegersBindExactlyOrAreRefused(t *testing.T) {
	db := openMem(t, todoSchema())
	exact := []any{int8(-8), int16(-16), int32(-32), int64(math.MinInt64), uint(7), uint16(16), uint32(math.MaxUint32), uint64(math.MaxInt64)}
	for _, v := range exact {
		row, err := db.Get(bg, `SELECT ? AS v`, v)
		if err != nil {
			t.Fatalf("%T %v: %v", v, v, err)
		}
		if got := fmt.Sprint(row["v"]); got != fmt.Sprint(v) {
			t.Errorf("%T %v came back as %v", v, v, got)
		}
	}
	for _, v := range []any{uint64(math.MaxInt64) + 1, uint64(math.MaxUint64), uint(math.MaxUint64)} {
		if row, err := db.Get(bg, `SELECT ? AS v`, v); err == nil {
			t.Errorf("%T %v was accepted as %v", v, v, row["v"])
		}
	}
}

// PowerSync's docs insert rows with uuid(); the core also names it
// gen_random_uuid(). Each call is a new version 4 UUID.
func TestUUIDFunctionsGiveFreshVersion4UUIDs(t *testing.T) {
	db := openMem(t, todoSchema())
	if _, err := db.Execute(bg, `INSERT INTO todos(id, title) VALUES (uuid(), 'a'), (gen_random_uuid(), 'b')`); err != nil {
		t.Fatal(err)
	}
	rows, err := db.GetAll(bg, `SELECT id FROM todos`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rows.Values {
		id := r[0].(string)
		if len(id) != 36 || id[14] != '4' {
			t.Fatalf("id %q is not a version 4 UUID", id)
		}
		ids[id] = true
	}
	if len(ids) != 2 {
		t.Fatalf("ids %v: want two different ones", ids)
	}
}
