package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"
)

// FuzzParseJSON checks the parser of the JSON text JS sends: no input
// panics; what it accepts re-encodes (Encoder) to text that parses to the
// same value; and on valid UTF-8 JSON it agrees with encoding/json, the
// oracle. Seeds: testdata/fuzz/FuzzParseJSON and the f.Add calls.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","n":1,"r":2.5,"b":true,"z":null,"l":[1,"x",{"k":[]}]}`,
		`"\ud83d\ude00 \u00e9 \n\t\"\\\/"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`,
		`9007199254740993`, `-9223372036854775808`, `1e308`, `1e700`, `-9.0e+999`, `-0`, `0.1`, `1E-7`,
		`{"$blob":0}`, ` [ ] `, `{}`, `[1,]`, `{"a" 1}`, `01`, `1.`, `"a`, "\"\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		v, err := parseJSON(text)
		if err != nil {
			// Only invalid JSON is refused (a number beyond float64, such as
			// SQLite's 9.0e+999, is ±Inf, as JSON.parse reads it).
			var std any
			if json.Valid(text) && utf8.Valid(text) && json.Unmarshal(text, &std) == nil {
				t.Fatalf("rejected valid JSON %q: %v", text, err)
			}
			return
		}
		var e Encoder
		if err := e.Value(v); err != nil {
			t.Fatalf("encode %#v: %v", v, err)
		}
		if !json.Valid(e.Buf) {
			t.Fatalf("encoder wrote invalid JSON %q for %q", e.Buf, text)
		}
		side := e.Blobs
		if e.Escaped && side == nil {
			side = []any{} // jsonArray's empty blobs array (see blobKey)
		}
		back, err := DecodeJSON(e.Buf, side)
		if err != nil {
			t.Fatalf("re-parse %q: %v", e.Buf, err)
		}
		if utf8.Valid(text) && !reflect.DeepEqual(back, v) {
			t.Fatalf("%q parsed to %#v, re-encoded as %q, parsed back to %#v", text, v, e.Buf, back)
		}
		if !json.Valid(text) || !utf8.Valid(text) {
			return
		}
		d := json.NewDecoder(bytes.NewReader(text))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			return
		}
		if !sameJSON(v, want) {
			t.Fatalf("%q: parsed %#v, encoding/json says %#v", text, v, want)
		}
	})
}

// sameJSON compares our parse with encoding/json's (numbers as json.Number).
func sameJSON(ours, std any) bool {
	switch s := std.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil && !(math.IsInf(f, 0) && errors.Is(err, strconv.ErrRange)) {
			return false // beyond float64 is ±Inf, as JSON.parse reads it; nothing else fails here
		}
		switch o := ours.(type) {
		case int64:
			if i, err := strconv.ParseInt(string(s), 10, 64); err == nil {
				return i == o
			}
			return float64(o) == f
		case float64:
			return o == f || math.IsNaN(o) && math.IsNaN(f)
		}
		return false
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok || len(o) != len(s) {
			return false
		}
		for k, v := range s {
			if !sameJSON(o[k], v) {
				return false
			}
		}
		return true
	case []any:
		o, ok := ours.([]any)
		if !ok || len(o) != len(s) {
			return false
		}
		for i := range s {
			if !sameJSON(o[i], s[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(ours, std)
}
