package store

import (
	"reflect"
	"testing"
)

// TestJSStringFunctions calls powersync_js_upper, powersync_js_lower and
// powersync_js_length from SQL: JavaScript's results on text, where
// SQLite's UPPER('straße') is 'STRAßE' and LENGTH('👍') is 1, and other
// values as collection.Eval gives them (as they are; length 0).
func TestJSStringFunctions(t *testing.T) {
	db := openMem(t, todoSchema())
	row, err := db.Get(bg, `SELECT powersync_js_upper('straße') AS u, powersync_js_lower('ΟΔΟΣ') AS l,
		powersync_js_length('👍') AS n, powersync_js_upper(12) AS un, powersync_js_lower(NULL) AS ln,
		powersync_js_length(1.5) AS nn, typeof(powersync_js_upper(12)) AS ut`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"u": "STRASSE", "l": "οδος", "n": int64(2), "un": int64(12), "ln": nil, "nn": int64(0), "ut": "integer"}
	if !reflect.DeepEqual(map[string]any(row), want) {
		t.Errorf("got %v, want %v", row, want)
	}
}
