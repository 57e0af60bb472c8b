package bridge

import (
	"fmt"
	"math"

	"github.com/localfirst/gopowersync/internal/jsonnum"
	"github.com/localfirst/gopowersync/internal/jsontext"
)

// parser reads the JSON text JS's JSON.stringify produces into Go values
// without reflection: objects become map[string]any, arrays []any, whole
// numbers that fit int64 (SQLite INTEGER), other numbers float64. The text
// itself is read by internal/jsontext, under the same rules as every other
// JSON we read (RFC 8259 as encoding/json reads it).
type parser struct {
	d jsontext.Decoder
	// keys interns object keys from the second object on: rows repeat
	// the same column names, and a lookup by string(bytes) does not
	// allocate. A lone object (one row) would only pay for the map.
	keys    map[string]string
	objects int
	// markers: some object has a key of blobKey's form (after
	// unescaping), so a {"$blob": i} marker or an escaped key may be in
	// the value.
	markers bool
}

func parseJSON(text []byte) (any, error) {
	v, _, err := parseJSONMarkers(text)
	return v, err
}

// parseJSONMarkers is parseJSON, and reports whether any object has the
// key blobKey: without one there is no marker to restore, and the value
// need not be walked again (a 10,000-row insert spent 4-5 ms of its
// 80-100 ms there, BENCHMARKS.md).
func parseJSONMarkers(text []byte) (any, bool, error) {
	var p parser
	p.d.Reset(text)
	p.d.Space()
	v, err := p.value()
	if err == nil {
		err = p.d.End()
	}
	if err != nil {
		return nil, false, err
	}
	return v, p.markers, nil
}

// value reads the value at the current offset; the whitespace before it
// has been read.
func (p *parser) value() (any, error) {
	switch c := p.d.Peek(); {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.d.ReadString()
		return string(s), err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.d.Literal("true")
	case c == 'f':
		return false, p.d.Literal("false")
	case c == 'n':
		return nil, p.d.Null()
	}
	return nil, p.d.Unexpected("looking for a value")
}

func (p *parser) object() (any, error) {
	m := make(map[string]any)
	if p.objects++; p.objects == 2 {
		p.keys = make(map[string]string)
	}
	more, err := p.d.Open('}')
	for more && err == nil {
		var raw []byte
		if raw, err = p.d.Key(); err != nil {
			return nil, err
		}
		k, ok := p.keys[string(raw)]
		if !ok {
			k = string(raw)
			if p.keys != nil {
				p.keys[k] = k
			}
			// A key is interned the first time it is seen, so this
			// check runs once per distinct key.
			p.markers = p.markers || isBlobKey(k)
		}
		var v any
		if v, err = p.value(); err != nil {
			return nil, err
		}
		m[k] = v
		more, err = p.d.Next('}')
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (p *parser) array() (any, error) {
	list := []any{}
	more, err := p.d.Open(']')
	for more && err == nil {
		var v any
		if v, err = p.value(); err != nil {
			return nil, err
		}
		list = append(list, v)
		more, err = p.d.Next(']')
	}
	if err != nil {
		return nil, err
	}
	return list, nil
}

func (p *parser) number() (any, error) {
	raw, err := p.d.Number()
	if err != nil {
		return nil, err
	}
	// A JSON number from JS is a JS number: whole and within ±(2^53-1) it
	// is an integer (SQLite INTEGER), else a float (REAL), the rule SQL
	// parameters follow too (values.go). Bigints travel as side values.
	if jsontext.IsInteger(raw) {
		if i, ok := jsontext.SmallInt(raw); ok && i >= -maxExact && i <= maxExact {
			return i, nil
		}
	}
	text := string(raw)
	f, err := jsonnum.ParseFloat(text)
	if err != nil {
		return nil, fmt.Errorf("bad number %q: %w", text, err)
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExact {
		return int64(f), nil
	}
	return f, nil
}
