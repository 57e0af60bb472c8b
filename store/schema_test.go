package store

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"encoding/json"
)

func TestValidateRejectsWhatPowerSyncRejects(t *testing.T) {
	col := func(n string) []Column { return []Column{{Name: n, Type: Text}} }
	many := make([]Column, maxColumns+1)
	for i := range many {
		many[i] = Column{Name: "c" + itoa(i), Type: Text}
	}
	cases := []struct {
		name         string
		tables       []Table
		table, colum string
		reason       string
	}{
		{"empty table name", []Table{{Name: "", Columns: col("a")}}, "", "", "empty table name"},
		{"quote in table name", []Table{{Name: `a"b`, Columns: col("a")}}, `a"b`, "", "invalid characters in table name"},
		{"space in table name", []Table{{Name: "a b", Columns: col("a")}}, "a b", "", "invalid characters"},
		{"dot in view name", []Table{{Name: "t", ViewName: "v.x", Columns: col("a")}}, "t", "", "invalid characters in view name"},
		{"bracket in column name", []Table{{Name: "t", Columns: col("a[0]")}}, "t", "a[0]", "invalid characters in column name"},
		{"percent in column name", []Table{{Name: "t", Columns: col("50%")}}, "t", "50%", "invalid characters"},
		{"empty column name", []Table{{Name: "t", Columns: col("")}}, "t", "", "empty column name"},
		{"declared id", []Table{{Name: "t", Columns: col("id")}}, "t", "id", "implicit"},
		{"duplicate column", []Table{{Name: "t", Columns: []Column{{"a", Text}, {"a", Integer}}}}, "t", "a", "duplicate column"},
		{"unknown type", []Table{{Name: "t", Columns: []Column{{"a", "BLOB"}}}}, "t", "a", "unknown column type"},
		{"too many columns", []Table{{Name: "t", Columns: many}}, "t", "", "too many columns"},
		{"local-only with metadata", []Table{{Name: "t", Columns: col("a"), LocalOnly: true, TrackMetadata: true}}, "t", "", "metadata"},
		{"local-only with previous", []Table{{Name: "t", Columns: col("a"), LocalOnly: true, TrackPrevious: true}}, "t", "", "previous values"},
		{"index on unknown column", []Table{{Name: "t", Columns: col("a"), Indexes: []Index{{Name: "i", Columns: ParseIndexShorthand([]string{"-b"})}}}}, "t", "b", "unknown column"},
		{"duplicate index", []Table{{Name: "t", Columns: col("a"), Indexes: []Index{{Name: "i", Columns: ParseIndexShorthand([]string{"a"})}, {Name: "i", Columns: ParseIndexShorthand([]string{"a"})}}}}, "t", "", "duplicate index"},
		{"duplicate table", []Table{{Name: "t", Columns: col("a")}, {Name: "t", Columns: col("b")}}, "t", "", "duplicate table"},
		{"tables differing in case", []Table{{Name: "t", Columns: col("a")}, {Name: "T", Columns: col("b")}}, "T", "", "ignore case"},
		{"views differing in case", []Table{{Name: "t", Columns: col("a")}, {Name: "u", ViewName: "T", Columns: col("b")}}, "u", "", "ignore case"},
		{"duplicate view", []Table{{Name: "t", Columns: col("a")}, {Name: "u", ViewName: "t", Columns: col("b")}}, "u", "", "duplicate view"},
		{"view named like an internal table", []Table{{Name: "ps_oplog", Columns: col("a")}}, "ps_oplog", "", "taken by PowerSync's or SQLite's"},
		{"view named like a data table", []Table{{Name: "t", ViewName: "PS_DATA__x", Columns: col("a")}}, "t", "", "taken"},
		{"view in SQLite's namespace", []Table{{Name: "sqlite_stuff", Columns: col("a")}}, "sqlite_stuff", "", "taken"},
		{"previous of unknown column", []Table{{Name: "t", Columns: col("a"), TrackPrevious: true, TrackPreviousColumns: []string{"z"}}}, "t", "z", "unknown column"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Schema{Tables: c.tables}.Validate()
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error = %v, want a *SchemaError", err)
			}
			if se.Table != c.table || se.Column != c.colum || !strings.Contains(se.Reason, c.reason) {
				t.Fatalf("got %+v, want table %q column %q reason containing %q", *se, c.table, c.colum, c.reason)
			}
			if !strings.HasPrefix(err.Error(), "store: schema: ") {
				t.Fatalf("message %q lacks the package prefix", err.Error())
			}
		})
	}
}

func TestValidateAcceptsEveryTableKind(t *testing.T) {
	if err := goldenSchema().Validate(); err != nil {
		t.Fatal(err)
	}
}

// Opening with an invalid schema creates nothing.
func TestOpenWithAnInvalidSchemaCreatesNothing(t *testing.T) {
	path := tempPath(t)
	_, err := Open(bg, path, Schema{Tables: []Table{{Name: "bad name"}}}, nil)
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("error = %v", err)
	}
	if fileExists(path) {
		t.Fatal("the database file was created")
	}
}

func TestParseIndexShorthandMarksDescendingColumns(t *testing.T) {
	got := ParseIndexShorthand([]string{"a", "-b"})
	want := []IndexedColumn{{Name: "a", Ascending: true}, {Name: "b", Ascending: false}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v", got)
	}
}

// The JSON is the form PowerSync's JS SDK produces with Schema.toJSON.
func TestSchemaMarshalsToPowerSyncsSerializedForm(t *testing.T) {
	s := Schema{Tables: []Table{
		{Name: "todos", Columns: []Column{{"title", Text}, {"n", Integer}},
			Indexes: []Index{{Name: "i", Columns: ParseIndexShorthand([]string{"-n"})}}},
		{Name: "lists", ViewName: "l", Columns: []Column{{"name", Text}}, TrackPrevious: true,
			TrackPreviousColumns: []string{"name"}, TrackPreviousOnlyWhenChanged: true, TrackMetadata: true, IgnoreEmptyUpdates: true},
		{Name: "d", Columns: []Column{{"x", Real}}, LocalOnly: true},
	}}
	got, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"tables":[` +
		`{"name":"todos","view_name":"todos","columns":[{"name":"title","type":"TEXT"},{"name":"n","type":"INTEGER"}],"indexes":[{"name":"i","columns":[{"name":"n","ascending":false,"type":"INTEGER"}]}],"local_only":false,"insert_only":false,"include_old":false,"include_old_only_when_changed":false,"include_metadata":false,"ignore_empty_update":false},` +
		`{"name":"lists","view_name":"l","columns":[{"name":"name","type":"TEXT"}],"indexes":[],"local_only":false,"insert_only":false,"include_old":["name"],"include_old_only_when_changed":true,"include_metadata":true,"ignore_empty_update":true},` +
		`{"name":"d","view_name":"d","columns":[{"name":"x","type":"REAL"}],"indexes":[],"local_only":true,"insert_only":false,"include_old":false,"include_old_only_when_changed":false,"include_metadata":false,"ignore_empty_update":false}]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	var back Schema
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	s.Tables[0].Indexes[0].Columns[0].Type = Integer // resolved from the column on the way out
	if !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", back, s)
	}
}

// A schema as the JS SDK serializes it (options absent or null) decodes.
func TestSchemaUnmarshalsWhatJavaScriptSends(t *testing.T) {
	in := `{"tables":[{"name":"t","view_name":"t","columns":[{"name":"a","type":"text"}],"indexes":[],
		"local_only":false,"insert_only":true,"include_old":true,"include_old_only_when_changed":false}]}`
	var s Schema
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	want := Schema{Tables: []Table{{Name: "t", Columns: []Column{{"a", Text}}, InsertOnly: true, TrackPrevious: true}}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("got %+v", s)
	}
	if err := json.Unmarshal([]byte(`{"tables":[],"raw_tables":[{"name":"x"}]}`), &s); err == nil {
		t.Fatal("raw tables were accepted")
	}
}
