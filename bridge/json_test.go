package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

func TestEncoderOutputParsesBackToTheSameValues(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"null", nil, `null`},
		{"integer", int64(-42), `-42`},
		{"largest exact integer", int64(1<<53 - 1), `9007199254740991`},
		{"whole float", 3.0, `3`},
		{"fraction", 0.25, `0.25`},
		{"NaN is null", math.NaN(), `null`},
		{"escapes", "a\"b\\c\n\x01é", `"a\"b\\c\n\u0001é"`},
		{"invalid UTF-8", "a\xffb", `"a\ufffdb"`},
		{"object sorted", map[string]any{"b": true, "a": []any{"x", nil}}, `{"a":["x",null],"b":true}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e Encoder
			if err := e.Value(c.in); err != nil {
				t.Fatal(err)
			}
			if string(e.Buf) != c.want {
				t.Fatalf("got %s, want %s", e.Buf, c.want)
			}
			if !json.Valid(e.Buf) {
				t.Fatalf("%s is not valid JSON", e.Buf)
			}
		})
	}
}

func TestRowsEncodeAsArrayOfObjectsWithBlobsSetAside(t *testing.T) {
	var e Encoder
	err := e.Rows([]string{"id", "b"}, [][]any{{"1", []byte{1, 2}}, {"2", nil}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"id":"1","b":{"$blob":0}},{"id":"2","b":null}]`
	if string(e.Buf) != want {
		t.Fatalf("got %s, want %s", e.Buf, want)
	}
	if b, _ := e.Blobs[0].([]byte); len(e.Blobs) != 1 || !bytes.Equal(b, []byte{1, 2}) {
		t.Fatalf("blobs = %v", e.Blobs)
	}
}

// What a JS number cannot hold exactly goes aside: integers beyond 2^53
// (JS gets a BigInt) and infinities.
func TestIntegersBeyondJSNumbersAndInfinitiesGoAside(t *testing.T) {
	var e Encoder
	err := e.Rows([]string{"a", "b", "c", "d", "e"}, [][]any{{int64(1<<53 - 1), int64(1 << 53), int64(-1 << 63), math.Inf(1), math.Inf(-1)}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"a":9007199254740991,"b":{"$blob":0},"c":{"$blob":1},"d":{"$blob":2},"e":{"$blob":3}}]`
	if string(e.Buf) != want {
		t.Fatalf("got %s, want %s", e.Buf, want)
	}
	if !reflect.DeepEqual(e.Blobs, []any{int64(1 << 53), int64(-1 << 63), math.Inf(1), math.Inf(-1)}) {
		t.Fatalf("side values %v", e.Blobs)
	}
}

func TestDecodeObjectTurnsWholeNumbersIntoInt64AndRestoresBlobs(t *testing.T) {
	got, err := DecodeObject([]byte(`{"n":3,"r":2.5,"big":1e3,"s":"x","b":{"$blob":0},"o":{"k":[1]}}`), []any{[]byte{9}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"n": int64(3), "r": 2.5, "big": int64(1000), "s": "x", "b": []byte{9}, "o": map[string]any{"k": []any{int64(1)}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

// A marker is found whichever way its key is spelled in JSON, and in any
// row, not only the first (keys are interned from the second object on).
func TestDecodeObjectsRestoresEscapedAndLaterMarkers(t *testing.T) {
	got, err := DecodeObjects([]byte(`[{"a":1},{"a":2,"b":{"\u0024blob":0}},{"a":3,"b":{"$bl\u006fb":1}}]`), []any{[]byte{1}, int64(7)})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{{"a": int64(1)}, {"a": int64(2), "b": []byte{1}}, {"a": int64(3), "b": int64(7)}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestDecodeObjectRejectsNonObjectsAndBadBlobMarkers(t *testing.T) {
	for _, text := range []string{`[1]`, `"x"`, `{`} {
		if _, err := DecodeObject([]byte(text), nil); err == nil {
			t.Errorf("DecodeObject(%s) succeeded, want an error", text)
		}
	}
	// With side values, {"$blob": i} is always a marker (user keys are
	// escaped): a bad one is an internal error, not user data.
	for _, text := range []string{`{"a":{"$blob":3}}`, `{"a":{"\u0024blob":0,"b":1}}`, `{"a":{"$blob":"0"}}`} {
		if _, err := DecodeObject([]byte(text), []any{}); err == nil {
			t.Errorf("DecodeObject(%s, []) succeeded, want an error", text)
		}
	}
}

// TestUserObjectsShapedLikeMarkersRoundTrip: user data holding "$blob"
// keys (and "$$blob", the escaped form) comes back unchanged, whether or
// not side values travel with it, both ways (see blobKey).
func TestUserObjectsShapedLikeMarkersRoundTrip(t *testing.T) {
	users := []map[string]any{
		{"m": map[string]any{"$blob": int64(0)}},
		{"m": map[string]any{"$blob": int64(7)}, "n": map[string]any{"$$blob": "x", "$blob": int64(1), "$$$blob": true}},
		{"m": map[string]any{"$blob": map[string]any{"$blob": int64(2)}}, "$blob": []any{map[string]any{"$$blob": nil}}},
		{"m": json.RawMessage(`{"$blob":0,"k":"\u0024$blob"}`)},
	}
	for _, withSide := range []bool{false, true} {
		for _, u := range users {
			row := map[string]any{}
			for k, v := range u {
				row[k] = v
			}
			if withSide {
				row["bytes"] = []byte{1, 2}
			}
			var e Encoder
			if err := e.Object(row); err != nil {
				t.Fatal(err)
			}
			side := e.Blobs
			if e.Escaped && side == nil {
				side = []any{} // jsonArray's empty blobs array
			}
			got, err := DecodeObject(e.Buf, side)
			if err != nil {
				t.Fatalf("%s: %v", e.Buf, err)
			}
			want := row
			if _, ok := row["m"].(json.RawMessage); ok { // read as its value
				want = map[string]any{"m": map[string]any{"$blob": int64(0), "k": "$$blob"}}
				if withSide {
					want["bytes"] = []byte{1, 2}
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%v went as %s and came back %v", want, e.Buf, got)
			}
		}
	}
}

func TestChangesEncodeWithPreviousValueOnlyWhenPresent(t *testing.T) {
	var e Encoder
	err := e.Changes([]collection.Change{
		{Type: collection.ChangeInsert, Key: "a", Value: map[string]any{"id": "a"}},
		{Type: collection.ChangeUpdate, Key: "a", Value: map[string]any{"id": "a", "n": int64(2)}, PreviousValue: map[string]any{"id": "a"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"type":"insert","key":"a","value":{"id":"a"}},{"type":"update","key":"a","value":{"id":"a","n":2},"previousValue":{"id":"a"}}]`
	if string(e.Buf) != want {
		t.Fatalf("got %s\nwant %s", e.Buf, want)
	}
}

func TestDecodeJSONReadsWhatJSONStringifyWrites(t *testing.T) {
	cases := []struct {
		text string
		want any
	}{
		{`null`, nil},
		{` true `, true},
		{`-12`, int64(-12)},
		{`1.5e2`, int64(150)},
		{`0.1`, 0.1},
		{`12345678901234567890`, 1.2345678901234567e19},
		{`"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`, "a\"\\/\b\f\n\r\té😀"},
		{`[]`, []any{}},
		{`{}`, map[string]any{}},
		{`{"a":[1,{"b":null}],"c":"d"}`, map[string]any{"a": []any{int64(1), map[string]any{"b": nil}}, "c": "d"}},
	}
	for _, c := range cases {
		got, err := DecodeJSON([]byte(c.text), nil)
		if err != nil {
			t.Errorf("DecodeJSON(%s): %v", c.text, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("DecodeJSON(%s) = %#v, want %#v", c.text, got, c.want)
		}
	}
}

func TestDecodeJSONRejectsMalformedText(t *testing.T) {
	for _, text := range []string{``, `{`, `[1,]`, `{"a" 1}`, `"abc`, `tru`, `1 2`, `"\x"`, "\"a\x01\"", `{"a":1,}`, `-`} {
		if _, err := DecodeJSON([]byte(text), nil); err == nil {
			t.Errorf("DecodeJSON(%q) succeeded, want an error", text)
		}
	}
}

func TestEncodedRowsDecodeToTheSameRows(t *testing.T) {
	row := map[string]any{"id": "x", "n": int64(-3), "r": 2.25, "s": "line\nbreak \"q\" \u2028", "nil": nil, "b": true,
		"nested": map[string]any{"list": []any{int64(1), "two"}}}
	var e Encoder
	if err := e.Object(row); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeObject(e.Buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, row) {
		t.Fatalf("round trip: got %#v\nwant %#v", got, row)
	}
}

func TestCrudEntriesEncodeInToJSONForm(t *testing.T) {
	meta := "m"
	var e Encoder
	err := e.CrudEntries([]store.CrudEntry{
		{ClientID: 1, ID: "a", Op: store.OpPut, Table: "t", OpData: map[string]any{"x": int64(1)}, TransactionID: 7, Metadata: &meta},
		{ClientID: 2, ID: "a", Op: store.OpDelete, Table: "t", TransactionID: 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"op_id":1,"op":"PUT","type":"t","id":"a","tx_id":7,"data":{"x":1},"old":null,"metadata":"m"},` +
		`{"op_id":2,"op":"DELETE","type":"t","id":"a","tx_id":8,"data":null,"old":null,"metadata":null}]`
	if string(e.Buf) != want {
		t.Fatalf("got %s\nwant %s", e.Buf, want)
	}
}

// rowsJSON is 1,000 rows shaped like the tests' documents table.
func rowsJSON() []byte {
	b := []byte{'['}
	for i := range 1000 {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `{"id":"r%d","name":"doc %d","content":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","n":%d,"score":%g}`, i, i, i, float64(i)/3)
	}
	return append(b, ']')
}

func BenchmarkDecodeObjects1000Rows(b *testing.B) {
	text := rowsJSON()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := DecodeObjects(text, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeRows1000(b *testing.B) {
	rows, _ := DecodeObjects(rowsJSON(), nil)
	b.ResetTimer()
	for b.Loop() {
		var e Encoder
		e.Buf = append(e.Buf, '[')
		for _, r := range rows {
			if err := e.Object(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// The parser refuses what JSON.parse refuses (jsontext's rules): JS never
// sends such text, but a lenient parser here would be a second set of rules.
func TestParseJSONRefusesWhatJSONParseRefuses(t *testing.T) {
	for _, bad := range []string{`01`, `-01`, `1.`, `1.e5`, `.5`, `-`, `1e`, `1e+`, `+1`, `[1,]`, `{"a":1,}`,
		`"\x"`, `tru`, `nul`, `[1 2]`, `{"a" 1}`, "\"tab\t\"", `"\u12"`, `{}x`} {
		if v, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("%s parsed as %#v", bad, v)
		}
	}
}
