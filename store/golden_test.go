package store

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output; diff it with -update and git diff.\ngot:\n%s", path, got)
	}
}

// goldenSchema has one table of each kind PowerSync distinguishes.
func goldenSchema() Schema {
	return Schema{Tables: []Table{
		{
			Name:    "todos",
			Columns: []Column{{"title", Text}, {"done", Integer}, {"weight", Real}},
			Indexes: []Index{{Name: "by_title", Columns: ParseIndexShorthand([]string{"title", "-done"})}},
		},
		{
			Name:                         "lists",
			ViewName:                     "my_lists",
			Columns:                      []Column{{"name", Text}, {"owner", Text}, {"pos", Integer}},
			TrackMetadata:                true,
			TrackPrevious:                true,
			TrackPreviousColumns:         []string{"name", "pos"},
			TrackPreviousOnlyWhenChanged: true,
			IgnoreEmptyUpdates:           true,
		},
		{Name: "audits", Columns: []Column{{"what", Text}}, TrackPrevious: true},
		{Name: "logs", Columns: []Column{{"msg", Text}, {"level", Integer}}, InsertOnly: true},
		{Name: "drafts", Columns: []Column{{"body", Text}}, LocalOnly: true, Indexes: []Index{{Name: "b", Columns: ParseIndexShorthand([]string{"body"})}}},
	}}
}

// The generated DDL, read back from sqlite_master after Open, is pinned.
func TestGeneratedDDLMatchesGolden(t *testing.T) {
	db := openMem(t, goldenSchema())
	rows, err := db.GetAll(bg, `SELECT type, name, sql FROM sqlite_master
		WHERE name GLOB 'ps_data*' OR name GLOB 'ps_view_*' OR sql GLOB '*-- powersync-auto-generated'
		ORDER BY tbl_name, type DESC, name`)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows.Values {
		b.WriteString("-- " + r[0].(string) + " " + r[1].(string) + "\n")
		if sql, ok := r[2].(string); ok {
			b.WriteString(sql + ";\n\n")
		}
	}
	checkGolden(t, "ddl.golden", b.String())
}

// A scripted sequence of writes produces pinned ps_crud rows.
func TestUploadQueueJSONMatchesGolden(t *testing.T) {
	db := openMem(t, goldenSchema())
	script := []string{
		`INSERT INTO todos(id, title, done, weight) VALUES ('t1', 'Buy milk', 0, 1.5)`,
		`INSERT INTO todos(id, title) VALUES ('t2', 'quote " and \ and newline
')`,
		`UPDATE todos SET done = 1 WHERE id = 't1'`,
		`UPDATE todos SET title = NULL, weight = 2.0 WHERE id = 't1'`,
		`UPDATE todos SET title = title WHERE id = 't2'`,
		`DELETE FROM todos WHERE id = 't2'`,
		`INSERT INTO my_lists(id, name, owner, pos, _metadata) VALUES ('l1', 'Home', 'ann', 1, 'created')`,
		`UPDATE my_lists SET pos = 2, owner = 'bob', _metadata = 'moved' WHERE id = 'l1'`,
		`UPDATE my_lists SET owner = 'bob' WHERE id = 'l1'`,
		`UPDATE my_lists SET _deleted = TRUE, _metadata = 'gone' WHERE id = 'l1'`,
		`INSERT INTO audits(id, what) VALUES ('a1', 'x')`,
		`UPDATE audits SET what = 'y' WHERE id = 'a1'`,
		`DELETE FROM audits WHERE id = 'a1'`,
		`INSERT INTO logs(id, msg, level) VALUES ('g1', 'hello', 3)`,
		`INSERT INTO drafts(id, body) VALUES ('d1', 'local')`,
		`INSERT INTO todos(id, title, done) VALUES ('t3', json_object('k', 1), 1e20)`,
	}
	for _, sql := range script {
		mustExec(t, db, sql)
	}
	err := db.WriteTx(bg, func(tx *Tx) error {
		mustExec(t, tx, `INSERT INTO todos(id, title) VALUES ('t4', 'one tx')`)
		mustExec(t, tx, `INSERT INTO logs(id, msg) VALUES ('g2', 'same tx')`)
		mustExec(t, tx, `DELETE FROM todos WHERE id = 't4'`)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range crudRows(t, db) {
		b.WriteString(fmtAny(r.ID) + " " + fmtAny(r.TxID) + " " + r.Data + "\n")
	}
	checkGolden(t, "crud.golden", b.String())
}
