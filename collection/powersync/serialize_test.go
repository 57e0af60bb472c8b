package powersync

import (
	"errors"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/store"
)

func TestSerializeConvertsValuesForTheirColumns(t *testing.T) {
	tbl := store.Table{Name: "t", Columns: []store.Column{
		{Name: "s", Type: store.Text}, {Name: "i", Type: store.Integer}, {Name: "r", Type: store.Real},
	}}
	when := time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.FixedZone("x", 3600))
	cases := []struct {
		col  string
		in   any
		want any
	}{
		{"s", "text", "text"},
		{"s", when, "2024-05-06T06:08:09.123Z"},
		{"s", map[string]any{"a": []any{int64(1), "b"}}, `{"a":[1,"b"]}`},
		{"s", nil, nil},
		{"i", true, int64(1)},
		{"i", false, int64(0)},
		{"i", 42, int64(42)},
		{"i", 42.0, int64(42)},
		{"i", "17", int64(17)},
		{"r", 1.25, 1.25},
		{"r", int64(3), int64(3)},
		{"r", "2.5", 2.5},
	}
	for _, tc := range cases {
		got, err := serializeField(tbl, nil, tc.col, tc.in)
		if err != nil {
			t.Errorf("%s %v: %v", tc.col, tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s %v: got %#v, want %#v", tc.col, tc.in, got, tc.want)
		}
	}
}

func TestSerializeRefusesUnknownColumnsAndNonNumbers(t *testing.T) {
	tbl := store.Table{Name: "t", Columns: []store.Column{{Name: "i", Type: store.Integer}}}
	var se *SerializationError
	if _, err := serializeField(tbl, nil, "nope", 1); !errors.As(err, &se) || se.Column != "nope" {
		t.Fatalf("unknown column: %v", err)
	}
	if _, err := serializeField(tbl, nil, "i", "abc"); !errors.As(err, &se) {
		t.Fatalf("non-number: %v", err)
	}
	if _, err := serializeField(tbl, nil, "i", struct{}{}); !errors.As(err, &se) {
		t.Fatalf("struct: %v", err)
	}
}

func TestACustomSerializerWins(t *testing.T) {
	tbl := store.Table{Name: "t", Columns: []store.Column{{Name: "s", Type: store.Text}}}
	custom := map[string]func(any) (any, error){"s": func(v any) (any, error) { return "custom", nil }}
	got, err := serializeField(tbl, custom, "s", 12)
	if err != nil || got != "custom" {
		t.Fatalf("%v %v", got, err)
	}
}
