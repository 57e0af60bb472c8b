package store

import "testing"

// coreTestTable is the table PowerSync's core uses in its own view tests
// (crates/core/src/views.rs): lower-case type names, as the core receives
// them from hand-written schemas.
func coreTestTable() Table {
	return Table{Name: "table", Columns: []Column{{"a", "text"}, {"b", "integer"}}}
}

// The generated view and index SQL equals, byte for byte, what PowerSync's
// core tests assert for the same table.
func TestGeneratedSQLEqualsPowerSyncCoreOutput(t *testing.T) {
	tbl := coreTestTable()
	cases := []struct{ name, got, want string }{
		{"view", tbl.viewSQL(),
			`CREATE VIEW "table"("id", "a", "b") AS SELECT id, CAST(json_extract(data, '$.a') as text), CAST(json_extract(data, '$.b') as integer) FROM "ps_data__table" -- powersync-auto-generated`},
		{"index", Table{Name: "table"}.indexSQL(Index{Name: "index", Columns: []IndexedColumn{{"a", true, "text"}, {"b", false, "integer"}}}),
			`CREATE INDEX "ps_data__table__index" ON "ps_data__table"(CAST(json_extract(data, '$.a') as text), CAST(json_extract(data, '$.b') as integer) DESC)`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

// Local-only tables never write to the upload queue.
func TestLocalOnlyTriggersDoNotMentionTheUploadQueue(t *testing.T) {
	tbl := coreTestTable()
	tbl.LocalOnly = true
	for _, sql := range tbl.viewObjects() {
		if containsStr(sql, "ps_crud") || containsStr(sql, "ps_updated_rows") {
			t.Errorf("local-only trigger writes the queue: %s", sql)
		}
	}
}

// More than 50 columns are built in chunks merged by powersync_json_merge.
func TestWideTablesChunkJSONObjects(t *testing.T) {
	var cols []Column
	for i := range 120 {
		cols = append(cols, Column{Name: "c" + itoa(i), Type: Integer})
	}
	tbl := Table{Name: "wide", Columns: cols}
	got := jsonObject("NEW", tbl.Columns)
	if !hasPrefix(got, "powersync_json_merge(json_object('c0'") || countStr(got, "json_object(") != 3 {
		t.Fatalf("unexpected fragment: %.200s", got)
	}
	db := openMem(t, Schema{Tables: []Table{tbl}})
	mustExec(t, db, `INSERT INTO wide(id, c0, c119) VALUES ('w', 1, 2)`)
	row, err := db.Get(bg, `SELECT c0, c1, c119 FROM wide`)
	if err != nil {
		t.Fatal(err)
	}
	if row["c0"] != int64(1) || row["c1"] != nil || row["c119"] != int64(2) {
		t.Fatalf("row = %v", row)
	}
	if got := crudData(t, db); len(got) != 1 || got[0] != `{"op":"PUT","id":"w","type":"wide","data":{"c0":1,"c119":2}}` {
		t.Fatalf("crud = %v", got)
	}
}
