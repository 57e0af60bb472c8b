package powersync

import (
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
	if _, err := d.decode("k", "{broken"); err == nil {
		t.Fatal("broken JSON decoded")
	}
}
