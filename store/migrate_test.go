package store

import (
	"errors"
	"strings"
	"testing"
)

func TestOpenCreatesPowerSyncsInternalTables(t *testing.T) {
	db := openMem(t, todoSchema())
	for _, table := range []string{"ps_migration", "ps_crud", "ps_tx", "ps_kv", "ps_buckets", "ps_oplog",
		"ps_untyped", "ps_updated_rows", "ps_sync_state", "ps_stream_subscriptions"} {
		if n := count(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '`+table+`'`); n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
	if n := count(t, db, `SELECT max(id) FROM ps_migration`); n != 14 {
		t.Errorf("layout version %d", n)
	}
	rows, err := db.GetAll(bg, `SELECT * FROM ps_tx`)
	if err != nil || formatRows(rows) != "1 | NULL | 1\n" {
		t.Errorf("ps_tx = %q, %v", formatRows(rows), err)
	}
	id := db.ClientID()
	if len(id) != 36 || strings.Count(id, "-") != 4 {
		t.Errorf("client id %q is not a uuid", id)
	}
	row, err := db.Get(bg, `SELECT powersync_client_id() AS id`)
	if err != nil || row["id"] != id {
		t.Errorf("powersync_client_id() = %v, %v", row, err)
	}
}

func TestReopeningKeepsTheClientIDAndData(t *testing.T) {
	path := tempPath(t)
	db := openFile(t, path, todoSchema())
	id := db.ClientID()
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	db.Close()
	db = openFile(t, path, todoSchema())
	defer db.Close()
	if db.ClientID() != id {
		t.Fatalf("client id changed: %s -> %s", id, db.ClientID())
	}
	if n := count(t, db, `SELECT count(*) FROM todos`); n != 1 {
		t.Fatalf("%d rows", n)
	}
}

func TestOpeningAnUnknownLayoutFails(t *testing.T) {
	path := tempPath(t)
	db := openFile(t, path, todoSchema())
	mustExec(t, db, `INSERT INTO ps_migration(id) VALUES (15)`)
	db.Close()
	_, err := Open(bg, path, todoSchema(), nil)
	var le *LayoutError
	if !errors.As(err, &le) || le.Version != 15 {
		t.Fatalf("error = %v", err)
	}
}

// A table leaving the schema parks its rows in ps_untyped; they return
// with the table, and views, triggers and indexes follow the schema.
func TestRemovedTablesKeepTheirRowsUntilTheyReturn(t *testing.T) {
	lists := Table{Name: "lists", Columns: []Column{{"name", Text}}}
	drafts := Table{Name: "drafts", Columns: []Column{{"body", Text}}, LocalOnly: true}
	full := Schema{Tables: append(todoSchema().Tables, lists, drafts)}
	db := openMem(t, full)
	mustExec(t, db, `INSERT INTO lists(id, name) VALUES ('l1', 'home')`)
	mustExec(t, db, `INSERT INTO drafts(id, body) VALUES ('d1', 'x')`)

	if err := db.UpdateSchema(bg, todoSchema()); err != nil {
		t.Fatal(err)
	}
	rows, err := db.GetAll(bg, `SELECT type, id, data FROM ps_untyped`)
	if err != nil || formatRows(rows) != "lists | l1 | {\"name\":\"home\"}\n" {
		t.Fatalf("ps_untyped = %q, %v", formatRows(rows), err)
	}
	for _, gone := range []string{"lists", "drafts", "ps_data__lists", "ps_data_local__drafts", "ps_view_insert_lists"} {
		if n := count(t, db, `SELECT count(*) FROM sqlite_master WHERE name = '`+gone+`'`); n != 0 {
			t.Errorf("%s still exists", gone)
		}
	}
	if _, err := db.Execute(bg, `INSERT INTO lists(id, name) VALUES ('l2', 'x')`); err == nil {
		t.Fatal("the removed view still accepts writes")
	}

	if err := db.UpdateSchema(bg, full); err != nil {
		t.Fatal(err)
	}
	row, err := db.Get(bg, `SELECT name FROM lists WHERE id = 'l1'`)
	if err != nil || row["name"] != "home" {
		t.Fatalf("returned row = %v, %v", row, err)
	}
	if n := count(t, db, `SELECT count(*) FROM ps_untyped`); n != 0 {
		t.Fatalf("%d rows left in ps_untyped", n)
	}
	if n := count(t, db, `SELECT count(*) FROM drafts`); n != 0 {
		t.Fatalf("local-only rows came back: %d", n)
	}
}

// Changing a table's columns or indexes rebuilds view and indexes but
// keeps rows, and a reopened database with the same schema is untouched.
func TestChangedTablesAreRebuiltAroundTheirData(t *testing.T) {
	path := tempPath(t)
	db := openFile(t, path, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title, done) VALUES ('a', 'x', 1)`)
	db.Close()

	s := todoSchema()
	s.Tables[0].Columns = append(s.Tables[0].Columns, Column{"note", Text})
	s.Tables[0].Indexes = []Index{{Name: "by_note", Columns: ParseIndexShorthand([]string{"note"})}}
	s.Tables[0].TrackPrevious = true
	db = openFile(t, path, s)
	defer db.Close()
	row, err := db.Get(bg, `SELECT title, done, note FROM todos`)
	if err != nil || row["title"] != "x" || row["done"] != int64(1) || row["note"] != nil {
		t.Fatalf("row = %v, %v", row, err)
	}
	idx, err := db.GetAll(bg, `SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB 'ps_data__todos__*'`)
	if err != nil || formatRows(idx) != "ps_data__todos__by_note\n" {
		t.Fatalf("indexes = %q", formatRows(idx))
	}
	mustExec(t, db, `UPDATE todos SET note = 'n' WHERE id = 'a'`)
	if got := crudData(t, db); got[len(got)-1] != `{"op":"PATCH","id":"a","type":"todos","data":{"note":"n"},"old":{"title":"x","done":1,"weight":null,"note":null}}` {
		t.Fatalf("new triggers not in place: %v", got)
	}
}

// Switching a table to local-only starts it afresh, as in PowerSync.
func TestSwitchingToLocalOnlyReplacesTheDataTable(t *testing.T) {
	db := openMem(t, todoSchema())
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('a', 'x')`)
	s := todoSchema()
	s.Tables[0].LocalOnly = true
	if err := db.UpdateSchema(bg, s); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO todos(id, title) VALUES ('b', 'y')`)
	rows, err := db.GetAll(bg, `SELECT id FROM ps_data_local__todos`)
	if err != nil || formatRows(rows) != "b\n" {
		t.Fatalf("local rows = %q, %v", formatRows(rows), err)
	}
	if n := count(t, db, `SELECT count(*) FROM sqlite_master WHERE name = 'ps_data__todos'`); n != 0 {
		t.Fatal("the synced data table survived")
	}
}

func TestUpdateSchemaRejectsAnInvalidSchemaAndKeepsTheOld(t *testing.T) {
	db := openMem(t, todoSchema())
	err := db.UpdateSchema(bg, Schema{Tables: []Table{{Name: "x", Columns: []Column{{"id", Text}}}}})
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v", err)
	}
	if _, ok := db.Schema().Table("todos"); !ok {
		t.Fatal("schema replaced")
	}
	mustExec(t, db, `INSERT INTO todos(id) VALUES ('a')`)
}
