package rowjson

import (
	"errors"
	"testing"
)

func TestParseKeepsOrderAndValuesAsWritten(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"b": 1, "a": [1, 2], "c": {"x": 1.50}}`, `{"b":1,"a":[1,2],"c":{"x":1.50}}`},
		{`{"n": 123456789012345678901234567890, "e": 1E+2, "s": "\u00e9<>"}`, `{"n":123456789012345678901234567890,"e":1E+2,"s":"\u00e9<>"}`},
		{`{"a": 1, "b": 2, "a": 3}`, `{"a":3,"b":2}`},
		{`{}`, `{}`},
		{`null`, `{}`},
	}
	for _, c := range cases {
		o, err := Parse([]byte(c.in))
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := o.String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseRefusesWhatIsNotOneObject(t *testing.T) {
	for _, in := range []string{`[1]`, `"x"`, `1`, `{"a":1} {}`, `{"a":}`, ``} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	if _, err := Parse([]byte(`[]`)); !errors.Is(err, ErrNotObject) {
		t.Errorf("[]: %v, want ErrNotObject", err)
	}
}

func TestSetReplacesInPlaceAndAppendsNewKeys(t *testing.T) {
	o := Object{{"id", []byte(`"x"`)}, {"a", []byte(`1`)}}
	o.Set("b", []byte(`2`))
	o.Set("a", []byte(`3`))
	o.Delete("id")
	if got := o.String(); got != `{"a":3,"b":2}` {
		t.Fatalf("got %s", got)
	}
}

func TestAppendStringEscapesLikeJSONStringify(t *testing.T) {
	cases := map[string]string{`a"b\c`: `"a\"b\\c"`, "<&>": `"<&>"`, "é\n\x01": `"é\n\u0001"`}
	for in, want := range cases {
		if got := string(AppendString(nil, in)); got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
	}
}
