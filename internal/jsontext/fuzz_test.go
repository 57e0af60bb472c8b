package jsontext

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzDecoder holds the package to its contract against encoding/json,
// the oracle, on any input: Valid agrees with json.Valid (invalid input is
// an error in both); on valid input the value built from the Decoder's
// tokens (numbers by their text, as json.Number) is the one json.Decoder
// with UseNumber gives, and every string token, read by ReadString and
// by Unquote, is the string json.Unmarshal gives. Seeds: the f.Add calls
// and testdata/fuzz/FuzzDecoder.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","n":1,"r":2.5,"b":true,"z":null,"l":[1,"x",{"k":[]}]}`,
		`"\ud83d\ude00 \u00e9 \n\t\"\\\/"`, `"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"\ud800\ud800\udc00"`,
		`9007199254740993`, `-9223372036854775808`, `1e308`, `1e700`, `-9.0e+999`, `-0`, `0.1`, `1E-7`,
		` [ ] `, `{}`, `[1,]`, `{"a" 1}`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `+1`, `1e`, `"a`, "\"\xff\"",
		"\"\t\"", `"\x"`, `"\u12"`, `tru`, `nul`, `[1 2]`, `{"a":1}{}`, `{"a":1 "b":2}`, "\xef\xbb\xbf{}",
		`{"a":{"b":[{"c":"d\u0000"}]}}`, `[[[[[]]]]]`, `"plain ascii text that is long enough"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ok := Valid(in)
		if ok != json.Valid(in) {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", in, ok, !ok)
		}
		var d Decoder
		d.Reset(in)
		d.Space()
		v, err := build(&d)
		if err == nil {
			err = d.End()
		}
		if (err == nil) != ok {
			t.Fatalf("decoding %q: error %v, but Valid says %v", in, err, ok)
		}
		if err != nil {
			if _, typed := err.(*SyntaxError); !typed {
				t.Fatalf("decoding %q: error %T %v is not a *SyntaxError", in, err, err)
			}
			return
		}
		std := json.NewDecoder(bytes.NewReader(in))
		std.UseNumber()
		var want any
		if err := std.Decode(&want); err != nil {
			t.Fatalf("encoding/json rejects %q, which Valid accepts: %v", in, err)
		}
		if !reflect.DeepEqual(v, want) {
			t.Fatalf("%q: decoded %#v, encoding/json says %#v", in, v, want)
		}
	})
}

// build reads one value into what encoding/json with UseNumber would
// give, and checks that Skip and Unquote agree with it.
func build(d *Decoder) (any, error) {
	start := d.Offset()
	var skip Decoder
	skip.Reset(d.Input())
	skip.i = start
	skipErr := skip.Skip()
	v, err := buildValue(d)
	if (err == nil) != (skipErr == nil) || err == nil && skip.Offset() != d.Offset() {
		return nil, &SyntaxError{Msg: "Skip disagrees with reading the value"}
	}
	return v, err
}

func buildValue(d *Decoder) (any, error) {
	switch c := d.Peek(); {
	case c == '{':
		m := map[string]any{}
		more, err := d.Open('}')
		for more && err == nil {
			// Key and KeyToken must read the same key.
			var tok Decoder
			tok.Reset(d.Input())
			tok.i = d.Offset()
			token, tokErr := tok.KeyToken()
			var k []byte
			if k, err = d.Key(); err != nil {
				return nil, err
			}
			key := string(k)
			if tokErr != nil || tok.Offset() != d.Offset() {
				return nil, &SyntaxError{Msg: "KeyToken disagrees with Key"}
			}
			if un, err := Unquote(nil, token); err != nil || string(un) != key {
				return nil, &SyntaxError{Msg: "the unquoted KeyToken disagrees with Key"}
			}
			var v any
			if v, err = build(d); err != nil {
				return nil, err
			}
			m[key] = v
			more, err = d.Next('}')
		}
		return m, err
	case c == '[':
		l := []any{}
		more, err := d.Open(']')
		for more && err == nil {
			var v any
			if v, err = build(d); err != nil {
				return nil, err
			}
			l = append(l, v)
			more, err = d.Next(']')
		}
		return l, err
	case c == '"':
		start := d.Offset()
		text, err := d.ReadString()
		if err != nil {
			return nil, err
		}
		token := d.Input()[start:d.Offset()]
		un, err := Unquote([]byte("prefix"), token)
		if err != nil || string(un) != "prefix"+string(text) {
			return nil, &SyntaxError{Msg: "Unquote disagrees with ReadString"}
		}
		return string(text), nil
	case c == 't':
		return true, d.Literal("true")
	case c == 'f':
		return false, d.Literal("false")
	case c == 'n':
		return nil, d.Null()
	case c == '-' || (c >= '0' && c <= '9'):
		num, err := d.Number()
		return json.Number(num), err
	}
	return nil, d.Unexpected("looking for a value")
}
