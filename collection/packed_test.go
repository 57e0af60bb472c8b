package collection

import (
	"math"
	"reflect"
	"testing"
)

func TestPackedItemsUnpackToTheSameValuesAndTypes(t *testing.T) {
	var s shapes
	rows := []Row{
		{"id": "a", "s": "text", "empty": "", "i": int64(-7), "big": int64(math.MaxInt64), "small": int64(math.MinInt64),
			"f": 0.5, "negzero": math.Copysign(0, -1), "inf": math.Inf(-1), "t": true, "no": false, "null": nil,
			"blob": []byte{0, 1, 255}, "emptyblob": []byte{}, "unicode": "héllo, 世界"},
		{},
		{"id": "b"},
	}
	for _, r := range rows {
		h := s.pack(r)
		if h.packed == "" {
			t.Fatalf("%v was not packed", r)
		}
		got := s.unpack(h)
		if !reflect.DeepEqual(got, r) {
			t.Errorf("unpack(pack(%v)) = %v", r, got)
		}
		for k, v := range r {
			if reflect.TypeOf(got[k]) != reflect.TypeOf(v) {
				t.Errorf("%s: %T, want %T", k, got[k], v)
			}
		}
	}
	if got := s.unpack(s.pack(Row{"negzero": math.Copysign(0, -1)}))["negzero"].(float64); !math.Signbit(got) {
		t.Error("-0 lost its sign")
	}
	if len(s.cols) != 4 {
		t.Errorf("%d shapes, want 4", len(s.cols))
	}
	s.pack(Row{"id": "c"})
	if len(s.cols) != 4 {
		t.Error("a second row of a known shape added a shape")
	}
}

func TestItemsWithOtherValuesAreKeptAsTheyAre(t *testing.T) {
	var s shapes
	for _, r := range []Row{
		{"id": "a", "nested": map[string]any{"x": 1.0}},
		{"id": "b", "list": []any{"x"}},
		{"id": "c", "n": 3}, // int, not int64: unpacking must not change its type
	} {
		h := s.pack(r)
		if h.packed != "" {
			t.Fatalf("%v was packed", r)
		}
		if got := s.unpack(h); !reflect.DeepEqual(got, r) {
			t.Errorf("unpack = %v, want %v", got, r)
		}
	}
}

func TestReadsOfASyncedItemAreIndependentCopies(t *testing.T) {
	c := newCollection(NewRuntime(), Config{})
	c.setSynced("a", Row{"id": "a", "blob": []byte{1}})
	first, _ := c.visible("a")
	first["id"] = "changed"
	first["blob"].([]byte)[0] = 9
	second, _ := c.visible("a")
	if second["id"] != "a" || second["blob"].([]byte)[0] != 1 {
		t.Fatalf("a change to one read showed in the next: %v", second)
	}
}
