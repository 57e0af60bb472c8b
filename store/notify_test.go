package store

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
)

// recorder collects notifications safely across goroutines.
type recorder[T any] struct {
	mu  sync.Mutex
	got []T
}

func (r *recorder[T]) add(v T) { r.mu.Lock(); r.got = append(r.got, v); r.mu.Unlock() }
func (r *recorder[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.got...)
}

func twoTableSchema() Schema {
	s := todoSchema()
	s.Tables = append(s.Tables, Table{Name: "notes", Columns: []Column{{"body", Text}}, LocalOnly: true})
	return s
}

func TestOnChangeReportsDeclaredNamesOncePerCommitInOrder(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var rec recorder[[]string]
	cancel := db.OnChange(nil, rec.add)
	defer cancel()

	mustExec(t, db, `INSERT INTO notes(id, body) VALUES ('n', 'x')`)
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('b', 'x')`)
		mustExec(t, tx, `UPDATE notes SET body = 'y'`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('c', 'x')`)
		return errors.New("roll back")
	})
	mustExec(t, db, `SELECT * FROM todos`)        // writes nothing: no notification
	mustExec(t, db, `DELETE FROM ps_data__todos`) // no WHERE: SQLite's truncate shortcut must not hide it

	// The application's tables only: PowerSync's own (ps_crud, ps_tx...)
	// are reported to whoever watches them by name.
	want := [][]string{
		{"notes"},
		{"notes", "todos"},
		{"todos"},
	}
	if got := rec.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestOnChangeFiltersByTableAndStopsWhenCancelled(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var rec recorder[[]string]
	cancel := db.OnChange([]string{"notes"}, rec.add)
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	mustExec(t, db, `INSERT INTO notes(id, body) VALUES ('n', 'x')`)
	cancel()
	mustExec(t, db, `INSERT INTO notes(id, body) VALUES ('m', 'x')`)
	if got := rec.all(); !reflect.DeepEqual(got, [][]string{{"notes"}}) {
		t.Fatalf("got %v", got)
	}
}

// A subscriber hears of the tables it watches, by the names it watches
// them under (issue 10: one transaction writing todos and notes reported
// the internal tables and notes to a watcher of todos).
func TestOnChangeReportsOnlyTheWatchedTables(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var todos, crud, both recorder[[]string]
	defer db.OnChange([]string{"todos"}, todos.add)()
	defer db.OnChange([]string{"ps_crud"}, crud.add)()
	defer db.OnChange([]string{"ps_data__todos", "notes"}, both.add)()
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
		mustExec(t, tx, `INSERT INTO notes(id, body) VALUES ('n', 'x')`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO notes(id, body) VALUES ('m', 'x')`) // local-only: no ps_crud
	if got := todos.all(); !reflect.DeepEqual(got, [][]string{{"todos"}}) {
		t.Fatalf("todos watcher got %v", got)
	}
	if got := crud.all(); !reflect.DeepEqual(got, [][]string{{"ps_crud"}}) {
		t.Fatalf("ps_crud watcher got %v", got)
	}
	if got := both.all(); !reflect.DeepEqual(got, [][]string{{"notes", "todos"}, {"notes"}}) {
		t.Fatalf("todos+notes watcher got %v", got)
	}
}

// A subscriber may use the database, also to write; its own write is
// reported after it returns, not inside it.
func TestOnChangeSubscribersMayWriteToTheDatabase(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var rec recorder[[]string]
	depth := 0
	db.OnChange([]string{"todos", "notes"}, func(changed []string) {
		depth++
		defer func() { depth-- }()
		if depth > 1 {
			t.Error("delivered recursively")
		}
		rec.add(changed)
		if changed[0] == "todos" || changed[len(changed)-1] == "todos" {
			if _, err := db.Execute(bg, `INSERT INTO notes(id, body) VALUES ('n', 'from callback')`); err != nil {
				t.Error(err)
			}
		}
	})
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	want := [][]string{{"todos"}, {"notes"}}
	eventually(t, "both notifications", func() bool { return len(rec.all()) == 2 })
	if got := rec.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

func TestTrackRowsSeesEveryWriter(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var rec recorder[[]RowChange]
	stop, err := db.TrackRows("todos", rec.add)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		sql  string
		want []RowChange
	}{
		{`INSERT INTO todos(id, title) VALUES ('a', 'x')`,
			[]RowChange{{RowPut, "a", `{"title":"x","done":null,"weight":null}`}}},
		{`UPDATE todos SET done = 1 WHERE id = 'a'`,
			[]RowChange{{RowPut, "a", `{"title":"x","done":1,"weight":null}`}}},
		{`INSERT INTO ps_data__todos(id, data) VALUES ('b', '{"title":"raw"}')`,
			[]RowChange{{RowPut, "b", `{"title":"raw"}`}}},
		{`REPLACE INTO ps_data__todos(id, data) VALUES ('a', '{"title":"synced"}')`,
			[]RowChange{{RowPut, "a", `{"title":"synced"}`}}},
		{`UPDATE ps_data__todos SET id = 'c' WHERE id = 'b'`,
			[]RowChange{{RowDelete, "b", ""}, {RowPut, "c", `{"title":"raw"}`}}},
		{`DELETE FROM todos WHERE id = 'c'`,
			[]RowChange{{RowDelete, "c", ""}}},
		{`DELETE FROM ps_data__todos`,
			[]RowChange{{RowDelete, "a", ""}}},
		{`INSERT INTO notes(id, body) VALUES ('n', 'other table')`, nil},
	}
	for _, s := range steps {
		before := len(rec.all())
		mustExec(t, db, s.sql)
		got := rec.all()[before:]
		if s.want == nil {
			if len(got) != 0 {
				t.Fatalf("%s: unexpected %v", s.sql, got)
			}
			continue
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], s.want) {
			t.Fatalf("%s:\n got %v\nwant %v", s.sql, got, s.want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id) VALUES ('z')`)
	if n := len(rec.all()); n != 7 {
		t.Fatalf("%d deliveries after stop, want 7", n)
	}
	if n := count(t, db, `SELECT count(*) FROM sqlite_temp_master WHERE type = 'trigger'`); n != 0 {
		t.Fatalf("%d tracking triggers left", n)
	}
}

func TestTrackRowsGroupsOneTransactionAndSkipsRollbacks(t *testing.T) {
	db := openMem(t, todoSchema())
	var rec recorder[[]RowChange]
	if _, err := db.TrackRows("todos", rec.add); err != nil {
		t.Fatal(err)
	}
	db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id) VALUES ('a')`)
		return errors.New("roll back")
	})
	// A statement that fails leaves nothing behind, even inside a
	// transaction that then commits.
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id) VALUES ('b')`)
		if _, err := tx.Execute(bg, `INSERT INTO ps_data__todos(id, data) VALUES ('c', '{}'), ('b', '{}')`); err == nil {
			t.Error("duplicate id accepted")
		}
		mustExec(t, tx, `UPDATE todos SET title = 't' WHERE id = 'b'`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]RowChange{{
		{RowPut, "b", `{"title":null,"done":null,"weight":null}`},
		{RowPut, "b", `{"title":"t","done":null,"weight":null}`},
	}}
	if got := rec.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

// Tracking survives a schema change that rebuilds the data table.
func TestTrackRowsFollowsSchemaChanges(t *testing.T) {
	db := openMem(t, todoSchema())
	var rec recorder[[]RowChange]
	if _, err := db.TrackRows("todos", rec.add); err != nil {
		t.Fatal(err)
	}
	s := todoSchema()
	s.Tables[0].LocalOnly = true
	if err := db.UpdateSchema(bg, s); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id) VALUES ('a')`)
	if got := rec.all(); len(got) != 1 || got[0][0].ID != "a" {
		t.Fatalf("got %v", got)
	}
	if _, err := db.TrackRows("nope", rec.add); err == nil {
		t.Fatal("tracking an unknown table succeeded")
	}
}

func TestWatchRerunsWhenAReadTableChanges(t *testing.T) {
	db := openMem(t, twoTableSchema())
	var rec recorder[int64]
	cancel, err := db.Watch(bg, `SELECT count(*) AS n FROM todos WHERE title <> ?`, []any{"skip"}, func(r Rows, err error) {
		if err != nil {
			t.Error(err)
			return
		}
		rec.add(r.Values[0][0].(int64))
	})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	mustExec(t, db, `INSERT INTO notes(id, body) VALUES ('n', 'x')`) // not read: no re-run
	mustExec(t, db, `INSERT INTO ps_data__todos(id, data) VALUES ('b', '{"title":"y"}')`)
	cancel()
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('c', 'x')`)
	if got := rec.all(); !reflect.DeepEqual(got, []int64{0, 1, 2}) {
		t.Fatalf("got %v", got)
	}
	tables, err := db.readTables(bg, `SELECT * FROM todos JOIN notes USING (id)`, nil)
	if err != nil || !reflect.DeepEqual(sortedCopy(tables), []string{"notes", "todos"}) {
		t.Fatalf("tables = %v, %v", tables, err)
	}
}

// After a schema change, statements compiled before it report what the new
// triggers write, not what the old ones did.
func TestOnChangeFollowsSchemaChanges(t *testing.T) {
	db := openMem(t, todoSchema())
	insert := `INSERT INTO todos(id, title) VALUES (?, 'x')`
	mustExec(t, db, insert, "a") // compiled and cached for a synced table
	s := todoSchema()
	s.Tables[0].LocalOnly = true
	if err := db.UpdateSchema(bg, s); err != nil {
		t.Fatal(err)
	}
	var rec recorder[[]string]
	db.OnChange(nil, rec.add)
	mustExec(t, db, insert, "b")
	if got := rec.all(); !reflect.DeepEqual(got, [][]string{{"todos"}}) {
		t.Fatalf("got %v", got)
	}
}

// With Options.Yield a large transaction reaches a tracker in slices of
// trackSlice changes, in order, Yield called between them; without it, in
// one call.
func TestTrackRowsSlicesWithYield(t *testing.T) {
	for _, paced := range []bool{false, true} {
		yields := 0
		opts := &Options{}
		if paced {
			opts.Yield = func() { yields++ }
		}
		db, err := Open(bg, ":memory:", todoSchema(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var calls []int
		var ids []string
		if _, err := db.TrackRows("todos", func(chs []RowChange) {
			calls = append(calls, len(chs))
			for _, ch := range chs {
				ids = append(ids, ch.ID)
			}
		}); err != nil {
			t.Fatal(err)
		}
		const n = 2*trackSlice + 7
		mustExec(t, db, `INSERT INTO ps_data__todos(id, data) SELECT printf('%05d', value), '{}' FROM generate_series(1, ?)`, n)
		want := []int{n}
		if paced {
			want = []int{trackSlice, trackSlice, 7}
		}
		if !reflect.DeepEqual(calls, want) {
			t.Errorf("paced %v: tracker calls of %v changes, want %v", paced, calls, want)
		}
		if len(ids) != n || !slices.IsSorted(ids) {
			t.Errorf("paced %v: %d changes, in order %v", paced, len(ids), slices.IsSorted(ids))
		}
		// Yield between two slices, each read from SQLite as it is handed over.
		if wantYields := map[bool]int{false: 0, true: 2}[paced]; yields != wantYields {
			t.Errorf("paced %v: %d yields, want %d", paced, yields, wantYields)
		}
		// What was handed over is gone from SQLite too.
		if r, err := db.Get(bg, `SELECT count(*) AS n FROM temp.`+trackTable); err != nil || r["n"] != int64(0) {
			t.Errorf("paced %v: %v changes left in %s (%v)", paced, r["n"], trackTable, err)
		}
		db.Close()
	}
}

// Stopping the last tracker leaves the connection as it found it: no
// temporary table or trigger (issue 10: ps_track_rows stayed behind).
func TestStoppingTheLastTrackerLeavesNoTemporaryObjects(t *testing.T) {
	db := openMem(t, twoTableSchema())
	temp := func() []any {
		rows, err := db.GetAll(bg, `SELECT name FROM sqlite_temp_master ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var names []any
		for _, r := range rows.Values {
			names = append(names, r[0])
		}
		return names
	}
	before := temp()
	var rec recorder[[]RowChange]
	stopTodos, err := db.TrackRows("todos", rec.add)
	if err != nil {
		t.Fatal(err)
	}
	stopNotes, err := db.TrackRows("notes", rec.add)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	if err := stopTodos(); err != nil {
		t.Fatal(err)
	}
	if len(temp()) == len(before) {
		t.Fatal("the notes tracker lost its objects when the todos tracker stopped")
	}
	if err := stopNotes(); err != nil {
		t.Fatal(err)
	}
	if got := temp(); !reflect.DeepEqual(got, before) {
		t.Fatalf("temporary objects after the last tracker stopped: %v, before: %v", got, before)
	}
	// Tracking again works.
	stop, err := db.TrackRows("todos", rec.add)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('b', 'x')`)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.all()); n != 2 {
		t.Fatalf("%d deliveries, want 2", n)
	}
}
