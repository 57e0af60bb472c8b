package store

import "testing"

// powersync_diff agrees with PowerSync's core on its own test cases
// (crates/core/src/diff.rs).
func TestDiffObjectsAgreesWithPowerSyncCore(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{`{}`, `{}`, `{}`},
		{`{"a": null}`, `{}`, `{}`},
		{`{}`, `{"a": null}`, `{}`},
		{`{"b": 1}`, `{"a": null, "b": 1}`, `{}`},
		{`{"b": 1}`, `{"a": null, "b": 2}`, `{"b":2}`},
		{`{"a": 0, "b": 1}`, `{"a": null, "b": 2}`, `{"a":null,"b":2}`},
		{`{"a": 1}`, `{"a": null}`, `{"a":null}`},
		{`{"a": 1}`, `{}`, `{"a":null}`},
		{`{"a": 1}`, `{"a": 2}`, `{"a":2}`},
		{`{"a": 1}`, `{"a": "1"}`, `{"a":"1"}`},
		{`{"a": 1}`, `{"a": 1.0}`, `{"a":1.0}`},
		{`{"a": 1.00}`, `{"a": 1.0}`, `{}`},
		{`{}`, `{"a": 1.0}`, `{"a":1.0}`},
		{`{}`, `{"a": [1,2,3]}`, `{"a":[1,2,3]}`},
		{`{"a": 1}`, `{"a": [1,2,3]}`, `{"a":[1,2,3]}`},
		// Keys come out sorted, as serde_json's map prints them.
		{`{}`, `{"b": 1, "a": 2}`, `{"a":2,"b":1}`},
		{`{"s": "x"}`, `{"s": "\u0078"}`, `{}`},
		{`{}`, `{"f": 1.0e+20, "g": 0.000001, "h": 123.456}`, `{"f":1e20,"g":1e-6,"h":123.456}`},
	}
	for _, c := range cases {
		got, _, err := diffObjects(nil, nil, []byte(c.old), []byte(c.new))
		if err != nil {
			t.Errorf("diff(%s, %s): %v", c.old, c.new, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("diff(%s, %s) = %s, want %s", c.old, c.new, got, c.want)
		}
	}
}

func TestDiffObjectsRejectsNonObjects(t *testing.T) {
	// Anything RFC 8259 refuses (jsontext's rules), not only the wrong
	// shape: PowerSync's core reads these with serde_json, which refuses
	// them too.
	for _, bad := range []string{`[]`, `1`, `{"a":`, `{"a" 1}`, ``, `{"a":xyz}`, `{"a":"b\q"}`, `{"a":1,}`,
		`{"a":[1,}`, `{"a":01}`, `{"a":-}`, `{"a":tru}`, "{\"a\":\"tab\t\"}", `{"a":1}x`, `{"a":{"b"}}`} {
		if _, _, err := diffObjects(nil, nil, []byte(`{}`), []byte(bad)); err == nil {
			t.Errorf("diff accepted %q", bad)
		}
	}
}

func TestParseEntryRefusesAStringFieldOfAnotherType(t *testing.T) {
	for _, data := range []string{`{"op":"PUT","type":"t","id":12}`, `{"op":"PUT","type":"t","id":"a","metadata":{}}`} {
		if e, err := parseEntry(1, 1, data); err == nil {
			t.Errorf("%s read as %+v", data, e)
		}
	}
}
