package store

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3"
)

func TestInsertRecordsAPutWithTheNonNullColumns(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title, done) VALUES (?, ?, ?)`, "a", "milk", nil)
	want := []string{`{"op":"PUT","id":"a","type":"todos","data":{"title":"milk"}}`}
	if got := crudData(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	row, err := db.Get(bg, `SELECT data FROM ps_data__todos WHERE id = 'a'`)
	if err != nil || row["data"] != `{"title":"milk","done":null,"weight":null}` {
		t.Fatalf("data row = %v, %v", row, err)
	}
}

func TestUpdateRecordsOnlyChangedColumnsAndNullsForCleared(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title, done) VALUES ('a', 'milk', 0)`)
	mustExec(t, db, `UPDATE todos SET done = 1, title = NULL WHERE id = 'a'`)
	got := crudData(t, db)[1]
	if got != `{"op":"PATCH","id":"a","type":"todos","data":{"done":1,"title":null}}` {
		t.Fatalf("got %s", got)
	}
}

func TestDeleteRecordsADeleteWithoutData(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'milk')`)
	mustExec(t, db, `DELETE FROM todos WHERE id = 'a'`)
	if got := crudData(t, db)[1]; got != `{"op":"DELETE","id":"a","type":"todos"}` {
		t.Fatalf("got %s", got)
	}
	if n := count(t, db, `SELECT count(*) FROM ps_data__todos`); n != 0 {
		t.Fatalf("%d data rows left", n)
	}
}

func count(t testing.TB, db *DB, sql string) int64 {
	t.Helper()
	rows, err := db.GetAll(bg, sql)
	if err != nil || rows.Len() != 1 {
		t.Fatalf("%s: %v, %d rows", sql, err, rows.Len())
	}
	n, ok := rows.Values[0][0].(int64)
	if !ok {
		t.Fatalf("%s: %v is not an integer", sql, rows.Values[0][0])
	}
	return n
}

// One transaction id per SQLite transaction that records writes; ps_tx
// counts them.
func TestEachWriteTransactionGetsOneTransactionID(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('b', 'y')`)
		mustExec(t, tx, `UPDATE todos SET title = 'z' WHERE id = 'a'`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `SELECT * FROM todos`) // records nothing: no id used
	mustExec(t, db, `DELETE FROM todos`)   // two rows, one statement
	var ids []int64
	for _, r := range crudRows(t, db) {
		ids = append(ids, r.TxID)
	}
	if want := []int64{1, 2, 2, 3, 3}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("tx ids = %v, want %v", ids, want)
	}
	if n := count(t, db, `SELECT next_tx FROM ps_tx WHERE id = 1`); n != 4 {
		t.Fatalf("next_tx = %d", n)
	}
}

// Every recorded write marks the row as locally updated and sets the
// checkpoint target, forgetting seen checkpoints.
func TestWritesMarkUpdatedRowsAndTheCheckpointTarget(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO ps_kv(key, value) VALUES ('last_seen_checkpoint_request_id', 5), ('last_applied_checkpoint_request_id', 4)`)
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	rows, err := db.GetAll(bg, `SELECT key, value FROM ps_kv WHERE key <> 'client_id' ORDER BY key`)
	if err != nil {
		t.Fatal(err)
	}
	if got := formatRows(rows); got != "target_checkpoint_request_id | 9223372036854775807\n" {
		t.Fatalf("ps_kv = %q", got)
	}
	rows, err = db.GetAll(bg, `SELECT row_type, row_id FROM ps_updated_rows`)
	if err != nil || formatRows(rows) != "todos | a\n" {
		t.Fatalf("ps_updated_rows = %v, %v", rows, err)
	}
}

func TestTrackPreviousVariants(t *testing.T) {
	base := Table{Name: "t", Columns: []Column{{"a", Text}, {"b", Integer}}}
	cases := []struct {
		name          string
		configure     func(*Table)
		patch, delete string
	}{
		{"all columns", func(t *Table) { t.TrackPrevious = true },
			`"data":{"b":2},"old":{"a":"x","b":1}`, `"old":{"a":"x","b":2}`},
		{"some columns", func(t *Table) { t.TrackPrevious = true; t.TrackPreviousColumns = []string{"a"} },
			`"data":{"b":2},"old":{"a":"x"}`, `"old":{"a":"x"}`},
		{"only when changed", func(t *Table) { t.TrackPrevious = true; t.TrackPreviousOnlyWhenChanged = true },
			`"data":{"b":2},"old":{"b":1}`, `"old":{"a":"x","b":2}`},
		{"not tracked", func(*Table) {}, `"data":{"b":2}}`, `"type":"t"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tbl := base
			c.configure(&tbl)
			db := openMem(t, Schema{Tables: []Table{tbl}})
			mustExec(t, db, `INSERT INTO t(id, a, b) VALUES ('r', 'x', 1)`)
			mustExec(t, db, `UPDATE t SET b = 2 WHERE id = 'r'`)
			mustExec(t, db, `DELETE FROM t WHERE id = 'r'`)
			got := crudData(t, db)
			if !strings.Contains(got[1], c.patch) || !strings.Contains(got[2], c.delete) {
				t.Fatalf("got\n%s\n%s", got[1], got[2])
			}
		})
	}
}

func TestMetadataTravelsWithPutPatchAndDelete(t *testing.T) {
	db := openMem(t, Schema{Tables: []Table{{Name: "t", Columns: []Column{{"a", Text}}, TrackMetadata: true}}})
	mustExec(t, db, `INSERT INTO t(id, a, _metadata) VALUES ('r', 'x', 'm1')`)
	mustExec(t, db, `UPDATE t SET a = 'y', _metadata = 'm2' WHERE id = 'r'`)
	mustExec(t, db, `UPDATE t SET _deleted = TRUE, _metadata = 'm3' WHERE id = 'r'`)
	want := []string{
		`{"op":"PUT","id":"r","type":"t","data":{"a":"x"},"metadata":"m1"}`,
		`{"op":"PATCH","id":"r","type":"t","data":{"a":"y"},"metadata":"m2"}`,
		`{"op":"DELETE","id":"r","type":"t","metadata":"m3"}`,
	}
	if got := crudData(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if n := count(t, db, `SELECT count(*) FROM t`); n != 0 {
		t.Fatalf("row not deleted")
	}
}

func TestLocalOnlyTablesRecordNothing(t *testing.T) {
	db := openMem(t, Schema{Tables: []Table{{Name: "t", Columns: []Column{{"a", Text}}, LocalOnly: true}}})
	mustExec(t, db, `INSERT INTO t(id, a) VALUES ('r', 'x')`)
	mustExec(t, db, `UPDATE t SET a = 'y'`)
	if n := count(t, db, `SELECT count(*) FROM ps_data_local__t`); n != 1 {
		t.Fatalf("%d local rows", n)
	}
	if got := crudRows(t, db); len(got) != 0 {
		t.Fatalf("crud = %v", got)
	}
	if n := count(t, db, `SELECT next_tx FROM ps_tx`); n != 1 {
		t.Fatalf("a transaction id was used: next_tx = %d", n)
	}
}

func TestInsertOnlyTablesQueueWithoutKeepingRows(t *testing.T) {
	db := openMem(t, Schema{Tables: []Table{{Name: "t", Columns: []Column{{"a", Text}}, InsertOnly: true}}})
	mustExec(t, db, `INSERT INTO t(id, a) VALUES ('r', 'x')`)
	if n := count(t, db, `SELECT count(*) FROM ps_data__t`); n != 0 {
		t.Fatalf("%d data rows", n)
	}
	if got := crudData(t, db); len(got) != 1 || got[0] != `{"op":"PUT","type":"t","id":"r","data":{"a":"x"}}` {
		t.Fatalf("crud = %v", got)
	}
	if _, err := db.Execute(bg, `UPDATE t SET a = 'y'`); err == nil {
		t.Fatal("update of an insert-only view succeeded")
	}
	// Insert-only writes do not hold back downloads.
	if n := count(t, db, `SELECT count(*) FROM ps_kv WHERE key = 'target_checkpoint_request_id'`); n != 0 {
		t.Fatal("an insert-only write set the checkpoint target")
	}
	if n := count(t, db, `SELECT count(*) FROM ps_updated_rows`); n != 0 {
		t.Fatal("an insert-only write marked a row as updated")
	}
}

func TestIgnoreEmptyUpdatesSkipsPatchesThatChangeNothing(t *testing.T) {
	for _, ignore := range []bool{false, true} {
		db := openMem(t, Schema{Tables: []Table{{Name: "t", Columns: []Column{{"a", Text}}, IgnoreEmptyUpdates: ignore}}})
		mustExec(t, db, `INSERT INTO t(id, a) VALUES ('r', 'x')`)
		mustExec(t, db, `UPDATE t SET a = 'x'`)
		want := 2
		if ignore {
			want = 1
		}
		if got := len(crudRows(t, db)); got != want {
			t.Errorf("ignore=%v: %d entries, want %d", ignore, got, want)
		}
	}
}

// A null or non-text id fails with SQLite's error and writes nothing.
func TestBadIDsFailWithNothingWritten(t *testing.T) {
	cases := []struct {
		sql, msg string
	}{
		{`INSERT INTO todos(id, title) VALUES (NULL, 'x')`, "id is required"},
		{`INSERT INTO todos(title) VALUES ('x')`, "id is required"},
		{`INSERT INTO todos(id, title) VALUES (42, 'x')`, "id should be text"},
		{`INSERT INTO todos(id, title) VALUES (x'00', 'x')`, "id should be text"},
		{`UPDATE todos SET id = 'other' WHERE id = 'a'`, "Cannot update id"},
	}
	for _, c := range cases {
		t.Run(c.msg, func(t *testing.T) {
			db := openMem(t, todoSchema())
			mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'keep')`)
			before := snapshot(t, db)
			_, err := db.Execute(bg, c.sql)
			var se *sqlite3.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error = %v, want SQLite error %q", err, c.msg)
			}
			if after := snapshot(t, db); after != before {
				t.Fatalf("database changed:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

// A failed or panicking write transaction leaves data and queue as before.
func TestFailedWriteTransactionsLeaveEverythingAsBefore(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'keep')`)
	before := snapshot(t, db)
	boom := errors.New("boom")
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('b', 'x')`)
		mustExec(t, tx, `UPDATE todos SET title = 'changed' WHERE id = 'a'`)
		mustExec(t, tx, `DELETE FROM todos WHERE id = 'a'`)
		return boom
	})
	wantErrIs(t, err, boom)
	if after := snapshot(t, db); after != before {
		t.Fatalf("after error:\n%s\nwant\n%s", after, before)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was swallowed")
			}
		}()
		db.WriteTx(bg, func(tx *Tx) error {
			mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('c', 'x')`)
			panic("boom")
		})
	}()
	if after := snapshot(t, db); after != before {
		t.Fatalf("after panic:\n%s\nwant\n%s", after, before)
	}
	// A failing statement in the middle also rolls the whole transaction back.
	err = db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('d', 'x')`)
		_, err := tx.Execute(bg, `INSERT INTO todos(id) VALUES (NULL)`)
		return err
	})
	if err == nil {
		t.Fatal("no error")
	}
	if after := snapshot(t, db); after != before {
		t.Fatalf("after failed statement:\n%s\nwant\n%s", after, before)
	}
	// And the database still works, with the next transaction id.
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('e', 'x')`)
	if rows := crudRows(t, db); rows[len(rows)-1].TxID != 2 {
		t.Fatalf("tx id after rollbacks = %d, want 2", rows[len(rows)-1].TxID)
	}
}

func TestGetCrudBatchHandsOutUpToLimitEntries(t *testing.T) {
	db := openMem(t, todoSchema())
	if b, err := db.GetCrudBatch(bg, 10); b != nil || err != nil {
		t.Fatalf("empty queue: %v, %v", b, err)
	}
	for _, id := range []string{"a", "b", "c"} {
		mustExec(t, db, `INSERT INTO todos(id, title, done, weight) VALUES (?, 'x', 9007199254740993, 2.0)`, id)
	}
	b, err := db.GetCrudBatch(bg, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Crud) != 2 || !b.HaveMore || b.Crud[0].ID != "a" || b.Crud[1].ID != "b" {
		t.Fatalf("batch = %+v", b)
	}
	e := b.Crud[0]
	if e.Op != OpPut || e.Table != "todos" || e.TransactionID != 1 || e.OpData["title"] != "x" || e.OpData["done"] != int64(9007199254740993) || e.OpData["weight"] != 2.0 || e.PreviousValues != nil || e.Metadata != nil {
		t.Fatalf("entry = %+v", e)
	}
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('d', 'x')`) // after hand-out: stays
	if err := b.Complete(bg); err != nil {
		t.Fatal(err)
	}
	b, err = db.GetCrudBatch(bg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Crud) != 2 || b.HaveMore || b.Crud[0].ID != "c" || b.Crud[1].ID != "d" {
		t.Fatalf("second batch = %+v", b)
	}
}

func TestGetNextCrudTransactionReturnsOneTransaction(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('b', 'x')`)
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('c', 'x')`)
		return nil
	})
	var got [][]string
	for {
		tx, err := db.GetNextCrudTransaction(bg)
		if err != nil {
			t.Fatal(err)
		}
		if tx == nil {
			break
		}
		var ids []string
		for _, e := range tx.Crud {
			ids = append(ids, e.ID)
			if e.TransactionID != tx.TransactionID {
				t.Fatalf("entry of tx %d in tx %d", e.TransactionID, tx.TransactionID)
			}
		}
		got = append(got, ids)
		if err := tx.Complete(bg); err != nil {
			t.Fatal(err)
		}
	}
	if want := [][]string{{"a"}, {"b", "c"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("transactions = %v", got)
	}
}

// GetCrudTransactionAfter walks the queue a transaction at a time without
// completing; completing a later one completes the earlier ones too.
func TestGetCrudTransactionAfterWalksTheQueue(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('b', 'x')`)
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('c', 'x')`)
		return nil
	})
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('d', 'x')`)
	var got [][]string
	var txs []*CrudTransaction
	var after int64
	for {
		tx, err := db.GetCrudTransactionAfter(bg, after)
		if err != nil {
			t.Fatal(err)
		}
		if tx == nil {
			break
		}
		var ids []string
		for _, e := range tx.Crud {
			ids = append(ids, e.ID)
		}
		got = append(got, ids)
		txs = append(txs, tx)
		after = tx.Crud[len(tx.Crud)-1].ClientID
	}
	if want := [][]string{{"a"}, {"b", "c"}, {"d"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("transactions = %v", got)
	}
	if !txs[0].HaveMore || txs[2].HaveMore {
		t.Fatalf("haveMore %v, %v", txs[0].HaveMore, txs[2].HaveMore)
	}
	if err := txs[1].Complete(bg); err != nil {
		t.Fatal(err)
	}
	next, err := db.GetNextCrudTransaction(bg)
	if err != nil || next == nil || next.Crud[0].ID != "d" {
		t.Fatalf("after completing the second: %v, %v", next, err)
	}
}

// Completing the last batch sets the checkpoint target, as PowerSync does.
func TestCompletingTheQueueSetsTheCheckpointTarget(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	mustExec(t, db, `DELETE FROM ps_kv WHERE key = 'target_checkpoint_request_id'`)
	b, _ := db.GetCrudBatch(bg, 10)
	if err := b.Complete(bg); err != nil {
		t.Fatal(err)
	}
	row, err := db.Get(bg, `SELECT value FROM ps_kv WHERE key = 'target_checkpoint_request_id'`)
	if err != nil || row["value"] != int64(9223372036854775807) {
		t.Fatalf("target = %v, %v", row, err)
	}
	if c, size, err := db.UploadQueueStats(bg); c != 0 || size != 0 || err != nil {
		t.Fatalf("stats = %d %d %v", c, size, err)
	}
}

// Entries handed out but not completed survive a crash.
func TestUncompletedEntriesSurviveReopening(t *testing.T) {
	path := tempPath(t)
	db := openFile(t, path, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	b, err := db.GetCrudBatch(bg, 10)
	if err != nil || len(b.Crud) != 1 {
		t.Fatalf("batch = %v, %v", b, err)
	}
	db.Close() // the upload happened, Complete never ran
	db = openFile(t, path, todoSchema())
	defer db.Close()
	again, err := db.GetCrudBatch(bg, 10)
	if err != nil || again == nil || !reflect.DeepEqual(again.Crud, b.Crud) {
		t.Fatalf("after reopening: %+v, %v", again, err)
	}
	n, size, err := db.UploadQueueStats(bg)
	if n != 1 || size != int64(len(`{"op":"PUT","id":"a","type":"todos","data":{"title":"x"}}`)) || err != nil {
		t.Fatalf("stats = %d %d %v", n, size, err)
	}
}

func TestCrudEntryMarshalsLikePowerSyncsToJSON(t *testing.T) {
	m := "meta"
	e := CrudEntry{ClientID: 3, ID: "a", Op: OpPatch, Table: "todos", OpData: map[string]any{"x": 1},
		TransactionID: 7, Metadata: &m, PreviousValues: map[string]any{"x": 0}}
	got, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"op_id":3,"op":"PATCH","type":"todos","id":"a","tx_id":7,"data":{"x":1},"old":{"x":0},"metadata":"meta"}`
	if string(got) != want {
		t.Fatalf("got %s", got)
	}
}

// Every local write after a checkpoint was seen resets the target again,
// also when an earlier write already did.
func TestEveryLocalWriteAfterACheckpointResetsTheTarget(t *testing.T) {
	db := openMem(t, todoSchema())
	state := func() string {
		rows, err := db.GetAll(bg, `SELECT key, value FROM ps_kv WHERE key <> 'client_id' ORDER BY key`)
		if err != nil {
			t.Fatal(err)
		}
		return formatRows(rows)
	}
	marked := "target_checkpoint_request_id | 9223372036854775807\n"
	for i, id := range []string{"a", "b", "c"} {
		mustExec(t, db, `INSERT INTO todos(id) VALUES (?)`, id)
		if got := state(); got != marked {
			t.Fatalf("write %d: ps_kv = %q", i, got)
		}
		// A download saw a checkpoint (as sync does).
		mustExec(t, db, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES ('last_seen_checkpoint_request_id', 7), ('target_checkpoint_request_id', 7)`)
	}
	// A rolled back write leaves the download's state alone.
	db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id) VALUES ('z')`)
		return errors.New("roll back")
	})
	if got := state(); got != "last_seen_checkpoint_request_id | 7\ntarget_checkpoint_request_id | 7\n" {
		t.Fatalf("after rollback: %q", got)
	}
}

func TestEntriesDecodeNestedAndEscapedValues(t *testing.T) {
	e, err := parseEntry(1, 2, `{"op":"PUT","id":"a\"b","type":"t","data":{"s":"x\ny","i":-3,"f":2.5,"b":true,"n":null,"arr":[1,2.0,{"k":"v"}]},"metadata":"m"}`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"s": "x\ny", "i": int64(-3), "f": 2.5, "b": true, "n": nil,
		"arr": []any{int64(1), 2.0, map[string]any{"k": "v"}}}
	if e.ID != `a"b` || e.Op != OpPut || e.Table != "t" || *e.Metadata != "m" || !reflect.DeepEqual(e.OpData, want) {
		t.Fatalf("got %+v", e)
	}
	if _, err := parseEntry(1, 2, `{"op":`); err == nil {
		t.Fatal("broken JSON accepted")
	}
}

// SQLite's JSON writes a REAL infinity as 9.0e+999: the queue must still be
// read (as JSON.parse reads it, Infinity), or one such row blocks every
// upload after it.
func TestTheQueueReadsInfinitiesAsSQLiteWritesThem(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title, weight) VALUES ('inf', 'x', ?)`, math.Inf(1))
	mustExec(t, db, `INSERT INTO todos(id, title, weight) VALUES ('-inf', 'x', ?)`, math.Inf(-1))
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('next', 'y')`)
	b, err := db.GetCrudBatch(bg, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Crud) != 3 || !math.IsInf(b.Crud[0].OpData["weight"].(float64), 1) || !math.IsInf(b.Crud[1].OpData["weight"].(float64), -1) || b.Crud[2].ID != "next" {
		t.Fatalf("batch = %+v", b)
	}
	tx, err := db.GetNextCrudTransaction(bg)
	if err != nil || tx == nil || len(tx.Crud) != 1 {
		t.Fatalf("next transaction = %+v, %v", tx, err)
	}
}
