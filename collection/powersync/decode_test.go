package powersync

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

func TestDecodeCastsJSONValuesAsTheViewDoes(t *testing.T) {
	tbl := store.Table{Name: "t", Columns: []store.Column{
		{Name: "s", Type: store.Text}, {Name: "i", Type: store.Integer}, {Name: "r", Type: store.Real},
		{Name: "missing", Type: store.Text},
	}}
	d := newRowDecoder(tbl)
	cases := []struct {
		data string
		want collection.Row
	}{
		{`{"s":"x","i":3,"r":1.5}`, collection.Row{"id": "k", "s": "x", "i": int64(3), "r": 1.5, "missing": nil}},
		{`{"s":12,"i":"42abc","r":"2.5"}`, collection.Row{"id": "k", "s": "12", "i": int64(42), "r": 2.5, "missing": nil}},
		{`{"s":true,"i":true,"r":2}`, collection.Row{"id": "k", "s": "1", "i": int64(1), "r": 2.0, "missing": nil}},
		{`{"s":{"a": 1},"i":1.9,"r":null}`, collection.Row{"id": "k", "s": `{"a":1}`, "i": int64(1), "r": nil, "missing": nil}},
		{`{"i":"abc","r":"x"}`, collection.Row{"id": "k", "s": nil, "i": int64(0), "r": 0.0, "missing": nil}},
		// SQLite's JSON spells infinity 9.0e+999.
		{`{"s":-9.0e+999,"i":9.0e+999,"r":-9.0e+999}`, collection.Row{"id": "k", "s": "-Inf", "i": int64(math.MaxInt64), "r": math.Inf(-1), "missing": nil}},
	}
	for _, tc := range cases {
		got, err := d.decode("k", tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.data, got, tc.want)
		}
	}
	// Whatever RFC 8259 refuses is an error, not a row with guessed
	// values (jsontext's rules, the same as every other JSON we read).
	for _, bad := range []string{"{broken", `{"i":01}`, `{"i":1.}`, `{"i":-}`, `{"s":tru}`, `{"s":"a\x"}`,
		"{\"s\":\"tab\t\"}", `{"s":1,}`, `{"s":1} x`, `[1]`, `{"s":[1,]}`} {
		if row, err := d.decode("k", bad); err == nil {
			t.Errorf("%s decoded to %v", bad, row)
		}
	}
}

// The decoder against its judge: SQLite's view over the same data column,
// for values that exercise every cast, escapes, duplicate keys, containers
// and numbers at the edges.
func TestDecodeAgreesWithTheView(t *testing.T) {
	tbl := store.Table{Name: "judge", Columns: []store.Column{
		{Name: "s", Type: store.Text}, {Name: "i", Type: store.Integer}, {Name: "r", Type: store.Real},
	}}
	db, err := store.Open(context.Background(), ":memory:", store.Schema{Tables: []store.Table{tbl}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	values := []string{
		`"plain"`, `""`, `"with \"quotes\" and \\ and \n and \u00e9 and \ud83d\ude00"`, `"héllo 世界"`,
		`"12"`, `"  42abc"`, `"-7.5e2x"`, `"1e3"`, `"0x10"`, `"-"`, `"+3"`, `".5"`, `"9223372036854775808"`,
		`0`, `-0`, `7`, `-42`, `9223372036854775807`, `-9223372036854775808`, `9223372036854775808`,
		`1.5`, `-0.0`, `2.0`, `1e3`, `1E-2`, `123456789012345678901234567890`, `0.1`, `1e300`,
		`1e400`, `-1e400`, `1e-400`, `1e15`, `1e14`, `123456.0`, `1e-5`, `0.000123`, `3.141592653589793`, `1e16`,
		`1e17`, `1.5e17`, `-1e16`, `123456789012345678`, `12345678901234567890.0`, `1.0000000000000002`, `1.5e-5`,
		`0.0001`, `-0.00012345678901234567`, `2.5e15`, `1e100`, `-2.5`, `100`, `1e-7`, `1.7976931348623157e308`,
		// Not subnormals (below 2.2e-308): SQLite renders 5e-324 with 17
		// digits where 15 read back the same; formatReal uses 15.
		`"1e400"`, `"-9223372036854775809"`, `" \t-12.5e1"`, `"1e-400"`, `"0.1"`,
		`true`, `false`, `null`,
		`{"b": 1, "a": [1, 2, {"c": null}]}`, `[ ]`, `{}`, `["x", "y\"z"]`,
	}
	var datas []string
	for _, v := range values {
		datas = append(datas, `{"s":`+v+`,"i":`+v+`,"r":`+v+`}`)
	}
	datas = append(datas,
		`{}`, ` { "s" : "spaced" , "i" : 1 } `, `{"s":"first","s":"second","i":1,"i":2}`,
		`{"\u0073":"escaped key","i":3}`, `{"other":{"s":"nested"},"r":2}`, `{"S":"case","I":1}`,
	)
	for i, d := range datas {
		if _, err := db.Execute(context.Background(), `INSERT INTO ps_data__judge(id, data) VALUES (?, ?)`, fmt.Sprintf("k%03d", i), d); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.GetAll(context.Background(), `SELECT id, s, i, r FROM judge ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	dec := newRowDecoder(tbl)
	for n, vals := range rows.Values {
		want := collection.Row{"id": vals[0], "s": vals[1], "i": vals[2], "r": vals[3]}
		got, err := dec.decode(vals[0].(string), datas[n])
		if err != nil {
			t.Errorf("%s: %v", datas[n], err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", datas[n], got, want)
		}
	}
}

// BenchmarkDecodeRow decodes a row of W7's table (BENCHMARKS.md): what a
// synced change costs before it reaches the collection.
func BenchmarkDecodeRow(b *testing.B) {
	tbl := store.Table{Name: "todos", Columns: []store.Column{
		{Name: "owner", Type: store.Text}, {Name: "description", Type: store.Text}, {Name: "completed", Type: store.Integer},
		{Name: "created_at", Type: store.Text}, {Name: "priority", Type: store.Integer},
	}}
	d := newRowDecoder(tbl)
	const data = `{"owner":"00000007-7d1c-4b2a-9e5f-000000000007","description":"Buy item 000007","completed":1,"created_at":"2026-11-08T07:07:00.000Z","priority":2}`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.decode("t0000007", data); err != nil {
			b.Fatal(err)
		}
	}
}
