package collection

import (
	"encoding/json"
	"os"
	"testing"
)

// TestStringFunctionsMatchJS evaluates upper, lower and length on sample
// texts and wants what Node's toUpperCase, toLowerCase and length gave
// (scripts/gen-unicode.mjs wrote testdata/jsstrings.json).
func TestStringFunctionsMatchJS(t *testing.T) {
	raw, err := os.ReadFile("testdata/jsstrings.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		S, Upper, Lower string
		Length          int64
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		for _, f := range []struct {
			e    Expr
			want any
		}{{Upper(Value(c.S)), c.Upper}, {Lower(Value(c.S)), c.Lower}, {Length(Value(c.S)), c.Length}} {
			got, err := Eval(f.e, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != f.want {
				t.Errorf("%v of %q = %#v, JS has %#v", f.e, c.S, got, f.want)
			}
		}
	}
}
