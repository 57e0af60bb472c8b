package bridge

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/jsontext"
	"github.com/localfirst/gopowersync/store"
)

// blobKey marks a value JSON cannot carry inside JSON text: {"$blob": i}
// stands for the i-th entry of the list of side values that travels beside
// the text. Bytes travel so because JSON has no byte strings and base64
// would cost a copy on each side; integers beyond 2^53 because a JS number
// would round them (JS gets a BigInt, as wa-sqlite returns); infinities
// because JSON has none.
//
// User data may hold objects that look like markers. The rule, the same
// both ways: when side values travel (JS sends a blobs list, Go answers in
// the [text, blobs] form), every object key of the form "$…$blob" (one or
// more "$", then "blob") in user data is written with one "$" more, so
// {"$blob": i} on the wire is always a marker and "$$blob" is a user's
// "$blob"; the reader drops the added "$". When no side values travel,
// nothing is escaped and no object is a marker. js/values.js (encode) and
// js/loader.js (revive) are the JS halves.
const blobKey = "$blob"

// isBlobKey reports whether k is of the form "$…$blob" (see blobKey).
func isBlobKey(k string) bool {
	n := len(k) - len("blob")
	if n < 1 || k[n:] != "blob" {
		return false
	}
	for i := 0; i < n; i++ {
		if k[i] != '$' {
			return false
		}
	}
	return true
}

// maxExact is the largest integer a JS number holds exactly (2^53-1).
const maxExact = 1<<53 - 1

// Encoder appends Go values to JSON text for JS's JSON.parse. It handles
// exactly the values rows and change events carry, without reflection.
// Values JSON cannot carry exactly are set aside in Blobs and replaced by
// a {"$blob": i} marker: []byte, int64 beyond ±(2^53-1), ±Inf float64.
type Encoder struct {
	Buf   []byte
	Blobs []any
	// Escaped: a user key of the form "$…$blob" was written with one "$"
	// more (see blobKey), so the text must travel in the [text, blobs]
	// form for JS to undo it, even without blobs.
	Escaped bool
}

// side sets v aside and appends its marker.
func (e *Encoder) side(b []byte, v any) []byte {
	b = append(b, `{"`+blobKey+`":`...)
	b = strconv.AppendInt(b, int64(len(e.Blobs)), 10)
	e.Blobs = append(e.Blobs, v)
	return append(b, '}')
}

// Value appends v. Integers beyond 2^53 and infinities go aside (see
// blobKey), so JS reads every value SQLite holds exactly; NaN, which
// SQLite never returns, becomes null.
func (e *Encoder) Value(v any) error {
	b := e.Buf
	switch v := v.(type) {
	case nil:
		b = append(b, "null"...)
	case bool:
		b = strconv.AppendBool(b, v)
	case int:
		b = e.appendInt(b, int64(v))
	case int32:
		b = strconv.AppendInt(b, int64(v), 10)
	case int64:
		b = e.appendInt(b, v)
	case float64:
		if math.IsInf(v, 0) {
			b = e.side(b, v)
		} else {
			b = appendFloat(b, v)
		}
	case float32:
		b = appendFloat(b, float64(v))
	case string:
		b = appendString(b, v)
	case time.Time:
		b = appendString(b, v.UTC().Format(time.RFC3339Nano))
	case json.RawMessage:
		// User JSON text (metadata), kept as JSON.stringify wrote it,
		// unless a key in it needs the marker escape (see blobKey): then
		// its value, which JS reads the same.
		if bytes.Contains(v, []byte("blob")) {
			x, err := parseJSON(v)
			if err != nil {
				return fmt.Errorf("bridge: user JSON: %w", err)
			}
			return e.Value(x)
		}
		b = append(b, v...)
	case []byte:
		b = e.side(b, v)
	case []any:
		e.Buf = append(b, '[')
		for i, x := range v {
			if i > 0 {
				e.Buf = append(e.Buf, ',')
			}
			if err := e.Value(x); err != nil {
				return err
			}
		}
		e.Buf = append(e.Buf, ']')
		return nil
	case map[string]any:
		return e.Object(v)
	case []string:
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	default:
		return fmt.Errorf("bridge: cannot encode %T as JSON", v)
	}
	e.Buf = b
	return nil
}

// appendInt appends an integer, set aside when a JS number cannot hold it.
func (e *Encoder) appendInt(b []byte, i int64) []byte {
	if i > maxExact || i < -maxExact {
		return e.side(b, i)
	}
	return strconv.AppendInt(b, i, 10)
}

// Object appends m with its keys sorted, so equal rows encode equally.
func (e *Encoder) Object(m map[string]any) error {
	if m == nil {
		e.Buf = append(e.Buf, "null"...)
		return nil
	}
	var small [16]string
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	e.Buf = append(e.Buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.Buf = append(e.Buf, ',')
		}
		e.Buf = e.appendKey(e.Buf, k)
		e.Buf = append(e.Buf, ':')
		if err := e.Value(m[k]); err != nil {
			return fmt.Errorf("bridge: field %q: %w", k, err)
		}
	}
	e.Buf = append(e.Buf, '}')
	return nil
}

// appendKey appends an object key, with the marker escape (see blobKey).
func (e *Encoder) appendKey(b []byte, k string) []byte {
	if isBlobKey(k) {
		e.Escaped = true
		return appendString(b, "$"+k)
	}
	return appendString(b, k)
}

// Rows appends a query result as a JSON array of objects, one per row,
// built straight from the column list so no map is allocated per row.
func (e *Encoder) Rows(columns []string, values [][]any) error {
	names := make([][]byte, len(columns))
	for i, c := range columns {
		names[i] = append(e.appendKey(nil, c), ':')
	}
	e.Buf = append(e.Buf, '[')
	for r, row := range values {
		if r > 0 {
			e.Buf = append(e.Buf, ',')
		}
		e.Buf = append(e.Buf, '{')
		for i, v := range row {
			if i > 0 {
				e.Buf = append(e.Buf, ',')
			}
			e.Buf = append(e.Buf, names[i]...)
			if err := e.Value(v); err != nil {
				return fmt.Errorf("bridge: column %q: %w", columns[i], err)
			}
		}
		e.Buf = append(e.Buf, '}')
	}
	e.Buf = append(e.Buf, ']')
	return nil
}

// The bridge writes text for JS's JSON.parse as JSON.stringify would:
// strings with its escapes, numbers spelled as Number::toString spells
// them (negative zero kept). The rules live in jsontext.
func appendFloat(b []byte, f float64) []byte { return jsontext.AppendFloatES(b, f) }

func appendString(b []byte, s string) []byte { return jsontext.AppendString(b, s) }

// rawJSON checks that text is one JSON value and returns it unchanged as
// a json.RawMessage: metadata a user hands over reaches the upload queue
// and comes back to JS as JSON.stringify wrote it (key order, escapes,
// number spelling), never parsed and re-encoded.
func rawJSON(text string) (json.RawMessage, error) {
	if err := jsontext.Check([]byte(text)); err != nil {
		return nil, fmt.Errorf("bridge: decode JSON: %w", err)
	}
	return json.RawMessage(text), nil
}

// DecodeJSON parses JSON text from JS. Whole numbers that fit become int64
// (SQLite INTEGER), other numbers float64, and {"$blob": i} markers are
// replaced by blobs[i] (the side values JS sent: []byte or int64).
// With blobs nil no side values travelled: nothing is a marker or escaped
// (see blobKey).
func DecodeJSON(text []byte, blobs []any) (any, error) {
	v, markers, err := parseJSONMarkers(text)
	if err != nil {
		return nil, fmt.Errorf("bridge: decode JSON: %w", err)
	}
	if !markers || blobs == nil {
		return v, nil
	}
	return restoreBlobs(v, blobs)
}

// DecodeObject is DecodeJSON for text that must hold an object (a row).
func DecodeObject(text []byte, blobs []any) (map[string]any, error) {
	v, err := DecodeJSON(text, blobs)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("bridge: decode JSON: want an object, got %T", v)
	}
	return m, nil
}

// DecodeObjects is DecodeJSON for text that must hold an array of objects.
func DecodeObjects(text []byte, blobs []any) ([]map[string]any, error) {
	v, err := DecodeJSON(text, blobs)
	if err != nil {
		return nil, err
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("bridge: decode JSON: want an array, got %T", v)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("bridge: decode JSON: item %d: want an object, got %T", i, x)
		}
		out[i] = m
	}
	return out, nil
}

// restoreBlobs replaces {"$blob": i} markers by blobs[i] and drops the
// "$" the escape added to user keys (see blobKey).
func restoreBlobs(v any, blobs []any) (any, error) {
	switch v := v.(type) {
	case []any:
		for i, x := range v {
			n, err := restoreBlobs(x, blobs)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
	case map[string]any:
		if m, ok := v[blobKey]; ok {
			i, ok := m.(int64)
			if len(v) != 1 || !ok || i < 0 || i >= int64(len(blobs)) {
				return nil, fmt.Errorf("bridge: internal error: bad side value marker %v", v)
			}
			return blobs[i], nil
		}
		var escaped []string
		for k, x := range v {
			n, err := restoreBlobs(x, blobs)
			if err != nil {
				return nil, err
			}
			v[k] = n
			if isBlobKey(k) {
				escaped = append(escaped, k)
			}
		}
		// Shortest first: "$$blob" becomes "$blob" before "$$$blob"
		// becomes "$$blob".
		sort.Slice(escaped, func(i, j int) bool { return len(escaped[i]) < len(escaped[j]) })
		for _, k := range escaped {
			v[k[1:]] = v[k]
			delete(v, k)
		}
	}
	return v, nil
}

// Changes appends collection change events as a JSON array of
// {type, key, value, previousValue?}, the shape subscribeChanges delivers.
func (e *Encoder) Changes(changes []collection.Change) error {
	e.Buf = append(e.Buf, '[')
	for i, c := range changes {
		if i > 0 {
			e.Buf = append(e.Buf, ',')
		}
		e.Buf = append(e.Buf, `{"type":`...)
		e.Buf = appendString(e.Buf, string(c.Type))
		e.Buf = append(e.Buf, `,"key":`...)
		e.Buf = appendString(e.Buf, c.Key)
		e.Buf = append(e.Buf, `,"value":`...)
		if err := e.Object(c.Value); err != nil {
			return err
		}
		if c.PreviousValue != nil {
			e.Buf = append(e.Buf, `,"previousValue":`...)
			if err := e.Object(c.PreviousValue); err != nil {
				return err
			}
		}
		e.Buf = append(e.Buf, '}')
	}
	e.Buf = append(e.Buf, ']')
	return nil
}

// CrudEntries appends upload queue entries in their toJSON form:
// [{op_id, op, type, id, tx_id, data, old, metadata}].
func (e *Encoder) CrudEntries(entries []store.CrudEntry) error {
	e.Buf = append(e.Buf, '[')
	for i, c := range entries {
		if i > 0 {
			e.Buf = append(e.Buf, ',')
		}
		e.Buf = append(e.Buf, `{"op_id":`...)
		e.Buf = strconv.AppendInt(e.Buf, c.ClientID, 10)
		e.Buf = append(e.Buf, `,"op":`...)
		e.Buf = appendString(e.Buf, string(c.Op))
		e.Buf = append(e.Buf, `,"type":`...)
		e.Buf = appendString(e.Buf, c.Table)
		e.Buf = append(e.Buf, `,"id":`...)
		e.Buf = appendString(e.Buf, c.ID)
		e.Buf = append(e.Buf, `,"tx_id":`...)
		e.Buf = strconv.AppendInt(e.Buf, c.TransactionID, 10)
		e.Buf = append(e.Buf, `,"data":`...)
		if err := e.Object(c.OpData); err != nil {
			return err
		}
		e.Buf = append(e.Buf, `,"old":`...)
		if err := e.Object(c.PreviousValues); err != nil {
			return err
		}
		e.Buf = append(e.Buf, `,"metadata":`...)
		if c.Metadata == nil {
			e.Buf = append(e.Buf, "null"...)
		} else {
			e.Buf = appendString(e.Buf, *c.Metadata)
		}
		e.Buf = append(e.Buf, '}')
	}
	e.Buf = append(e.Buf, ']')
	return nil
}
