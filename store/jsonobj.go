package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// This file reads and writes flat JSON objects without building maps: the
// triggers call powersync_diff once per written row, so it is on the hot
// path of every local write.

// member is one key/value pair of a JSON object: the decoded key and the
// value's raw JSON text. The key aliases the input unless it had escapes.
type member struct {
	key []byte
	raw []byte
}

var errNotObject = errors.New("expected a JSON object")

// parseObject splits a JSON object into its members, appending to dst.
// The text is read by jsontext (RFC 8259, as encoding/json reads it):
// anything else is an error that wraps errNotObject.
func parseObject(dst []member, s []byte) ([]member, error) {
	var d jsontext.Decoder
	d.Reset(s)
	d.Space()
	if d.Peek() != '{' {
		return dst, errNotObject
	}
	more, err := d.Open('}')
	for more && err == nil {
		var token []byte
		if token, err = d.KeyToken(); err != nil {
			break
		}
		var key []byte
		if key, err = decodeKey(token); err != nil {
			break
		}
		start := d.Offset()
		if err = d.Skip(); err != nil {
			break
		}
		dst = append(dst, member{key: key, raw: s[start:d.Offset()]})
		more, err = d.Next('}')
	}
	if err == nil {
		err = d.End()
	}
	if err != nil {
		return dst, fmt.Errorf("%w: %w", errNotObject, err)
	}
	return dst, nil
}

// decodeKey returns the text of a JSON string token without copying it
// when it has no escapes.
func decodeKey(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], nil
	}
	return jsontext.Unquote(nil, raw)
}

// decodeString returns the text of a JSON string token (jsontext.Unquote);
// any other value is an error.
func decodeString(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	text, err := jsontext.Unquote(nil, raw)
	return string(text), err
}

func isNull(raw []byte) bool { return string(raw) == "null" }

// equalJSON compares two JSON values the way serde_json's Value does in
// PowerSync's core: integers and floats are different kinds (1 != 1.0),
// floats compare numerically (1.0 == 1.00), strings by their decoded text.
func equalJSON(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	switch {
	case a[0] == '"' && b[0] == '"':
		sa, errA := decodeString(a)
		sb, errB := decodeString(b)
		return errA == nil && errB == nil && sa == sb
	case isNumberStart(a[0]) && isNumberStart(b[0]):
		fa, fb := isFloatText(a), isFloatText(b)
		if fa != fb {
			return false
		}
		if !fa {
			return false // different integer texts are different integers
		}
		x, err1 := strconv.ParseFloat(string(a), 64)
		y, err2 := strconv.ParseFloat(string(b), 64)
		return err1 == nil && err2 == nil && x == y
	case (a[0] == '{' || a[0] == '[') && a[0] == b[0]:
		var x, y any
		if decodeAny(a, &x) != nil || decodeAny(b, &y) != nil {
			return false
		}
		var bx, by []byte
		bx, _ = appendCanonical(bx, x)
		by, _ = appendCanonical(by, y)
		return bytes.Equal(bx, by)
	}
	return false
}

func isNumberStart(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

func isFloatText(b []byte) bool { return bytes.ContainsAny(b, ".eE") }

func decodeAny(raw []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

// appendValue appends raw re-serialized as serde_json would print it:
// strings with its escapes, floats in its shortest form, nested values
// compact with sorted keys. Plain values SQLite produced pass unchanged.
func appendValue(dst, raw []byte) []byte {
	switch {
	case len(raw) == 0:
		return append(dst, "null"...)
	case raw[0] == '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return append(dst, raw...)
		}
		s, err := decodeString(raw)
		if err != nil {
			return append(dst, raw...)
		}
		return jsontext.AppendString(dst, s)
	case isNumberStart(raw[0]):
		if !isFloatText(raw) {
			return append(dst, raw...)
		}
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return append(dst, raw...)
		}
		return jsontext.AppendFloatSerde(dst, f)
	case raw[0] == '{' || raw[0] == '[':
		var v any
		if decodeAny(raw, &v) != nil {
			return append(dst, raw...)
		}
		out, err := appendCanonical(dst, v)
		if err != nil {
			return append(dst, raw...)
		}
		return out
	}
	return append(dst, raw...)
}

// appendCanonical serializes a decoded value like serde_json (sorted keys).
func appendCanonical(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return jsontext.AppendString(dst, v), nil
	case json.Number:
		return appendValue(dst, []byte(v)), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendCanonical(dst, e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, k)
			dst = append(dst, ':')
			var err error
			if dst, err = appendCanonical(dst, v[k]); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	}
	return dst, errors.New("unexpected JSON value")
}

// diffObjects is PowerSync's powersync_diff: the members of newer whose
// values differ from older, nulls dropped, keys of older missing or null in
// newer reported as null, keys sorted (serde_json's map order).
func diffObjects(dst []byte, scratch []member, older, newer []byte) ([]byte, []member, error) {
	out, scratch, err := diffMembers(scratch, older, newer)
	if err != nil {
		return dst, scratch, err
	}
	dst = append(dst, '{')
	for i, m := range out {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, m.key)
		dst = append(dst, ':')
		dst = appendValue(dst, m.raw)
	}
	dst = append(dst, '}')
	return dst, scratch, nil
}

// diffMembers computes the members of the diff, sorted by key. They live
// in scratch (returned, grown as needed, for reuse), after the parsed
// members of both objects.
func diffMembers(scratch []member, older, newer []byte) (out, all []member, err error) {
	scratch, err = parseObject(scratch[:0], newer)
	if err != nil {
		return nil, scratch, err
	}
	nNew := len(scratch)
	scratch, err = parseObject(scratch, older)
	if err != nil {
		return nil, scratch, err
	}
	nParsed := len(scratch)
	// Make room for the result after the parsed members, so that it
	// needs no allocation of its own once scratch has grown.
	scratch = slices.Grow(scratch, nParsed)
	nw, old := dropNulls(scratch[:nNew]), dropNulls(scratch[nNew:nParsed])
	out = scratch[nParsed:nParsed]
	for _, m := range nw {
		if o, ok := find(old, m.key); ok && equalJSON(o.raw, m.raw) {
			continue
		}
		out = append(out, m)
	}
	for _, o := range old {
		if _, ok := find(nw, o.key); !ok {
			out = append(out, member{key: o.key, raw: nil})
		}
	}
	slices.SortStableFunc(out, compareMembers)
	return dedupe(out), scratch, nil
}

func compareMembers(a, b member) int { return bytes.Compare(a.key, b.key) }

// appendKey appends a decoded key as a JSON string.
func appendKey(dst, key []byte) []byte {
	if bytes.IndexByte(key, '"') < 0 && bytes.IndexByte(key, '\\') < 0 && !hasControl(key) {
		dst = append(dst, '"')
		dst = append(dst, key...)
		return append(dst, '"')
	}
	return jsontext.AppendString(dst, string(key))
}

func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// dropNulls removes null members in place.
func dropNulls(ms []member) []member {
	out := ms[:0]
	for _, m := range ms {
		if !isNull(m.raw) {
			out = append(out, m)
		}
	}
	return out
}

// dedupe keeps the last of members with equal keys (a JSON object with a
// repeated key means its last value), given sorted input.
func dedupe(ms []member) []member {
	if len(ms) < 2 {
		return ms
	}
	out := ms[:1]
	for _, m := range ms[1:] {
		if bytes.Equal(m.key, out[len(out)-1].key) {
			out[len(out)-1] = m
			continue
		}
		out = append(out, m)
	}
	return out
}

func find(ms []member, key []byte) (member, bool) {
	for i := len(ms) - 1; i >= 0; i-- { // last wins
		if bytes.Equal(ms[i].key, key) {
			return ms[i], true
		}
	}
	return member{}, false
}
