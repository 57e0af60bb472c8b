package jsontext_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

func TestDepthLimitIsEncodingJSONs(t *testing.T) {
	at := strings.Repeat("[", jsontext.MaxDepth) + strings.Repeat("]", jsontext.MaxDepth)
	if !jsontext.Valid([]byte(at)) {
		t.Errorf("nesting %d deep is refused", jsontext.MaxDepth)
	}
	past := "[" + at + "]"
	if jsontext.Valid([]byte(past)) {
		t.Errorf("nesting %d deep is accepted", jsontext.MaxDepth+1)
	}
}

func TestStringsAliasTheInputOnlyWithoutEscapes(t *testing.T) {
	in := []byte(`["plain", "caf\u00e9", "tab` + "\t" + `"]`)
	var d jsontext.Decoder
	d.Reset(in)
	if more, err := d.Open(']'); !more || err != nil {
		t.Fatal(more, err)
	}
	s, err := d.ReadString()
	if err != nil || string(s) != "plain" || &s[0] != &in[2] {
		t.Errorf("plain string: %q %v, aliases the input: %v", s, err, err == nil && &s[0] == &in[2])
	}
	d.Next(']')
	if s, err = d.ReadString(); err != nil || string(s) != "café" {
		t.Errorf("escaped string: %q %v", s, err)
	}
	d.Next(']')
	var syn *jsontext.SyntaxError
	if _, err = d.ReadString(); !errors.As(err, &syn) || syn.Offset != len(`["plain", "caf\u00e9", "tab`) {
		t.Errorf("raw tab: %v, want a *SyntaxError at its offset", err)
	}
}

func TestNumberKeepsItsSpelling(t *testing.T) {
	for _, n := range []string{"0", "-0", "1.50", "1E+02", "9.0e+999", "123456789012345678901234567890"} {
		var d jsontext.Decoder
		d.ResetString(n + ",")
		got, err := d.Number()
		if err != nil || string(got) != n {
			t.Errorf("Number(%q) = %q, %v", n, got, err)
		}
	}
	for _, bad := range []string{"01", "1.", ".5", "-", "+1", "1e", "1e+"} {
		var d jsontext.Decoder
		d.ResetString(bad)
		if got, err := d.Number(); err == nil && d.Offset() == len(bad) {
			t.Errorf("Number(%q) = %q, want an error or a shorter number", bad, got)
		}
	}
}

func ExampleDecoder() {
	var d jsontext.Decoder
	d.ResetString(`{"id": "t1", "n": 1.50, "tags": ["a", {"x": null}]}`)
	d.Space()
	more, err := d.Open('}')
	for more && err == nil {
		var key []byte
		if key, err = d.Key(); err != nil {
			break
		}
		start := d.Offset()
		if err = d.Skip(); err != nil {
			break
		}
		fmt.Printf("%s = %s\n", key, d.Input()[start:d.Offset()])
		more, err = d.Next('}')
	}
	if err == nil {
		err = d.End()
	}
	fmt.Println(err)
	// Output:
	// id = "t1"
	// n = 1.50
	// tags = ["a", {"x": null}]
	// <nil>
}
