package bridge

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// blobKey marks a binary value inside JSON text: {"$blob": i} stands for
// the i-th entry of the blob list that travels beside the text, because
// JSON has no byte strings and base64 would cost a copy on each side.
const blobKey = "$blob"

// Encoder appends Go values to JSON text for JS's JSON.parse. It handles
// exactly the values rows and change events carry, without reflection.
// Byte slices are set aside in Blobs and replaced by a {"$blob": i} marker.
type Encoder struct {
	Buf   []byte
	Blobs [][]byte
}

// Value appends v. Integers beyond 2^53 keep their digits; JS rounds them
// on parse, as PowerSync's own JS client does. NaN and infinities become
// null since JSON cannot carry them.
func (e *Encoder) Value(v any) error {
	b := e.Buf
	switch v := v.(type) {
	case nil:
		b = append(b, "null"...)
	case bool:
		b = strconv.AppendBool(b, v)
	case int:
		b = strconv.AppendInt(b, int64(v), 10)
	case int32:
		b = strconv.AppendInt(b, int64(v), 10)
	case int64:
		b = strconv.AppendInt(b, v, 10)
	case float64:
		b = appendFloat(b, v)
	case float32:
		b = appendFloat(b, float64(v))
	case string:
		b = appendString(b, v)
	case time.Time:
		b = appendString(b, v.UTC().Format(time.RFC3339Nano))
	case []byte:
		b = append(b, `{"`+blobKey+`":`...)
		b = strconv.AppendInt(b, int64(len(e.Blobs)), 10)
		b = append(b, '}')
		e.Blobs = append(e.Blobs, v)
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
		e.Buf = appendString(e.Buf, k)
		e.Buf = append(e.Buf, ':')
		if err := e.Value(m[k]); err != nil {
			return fmt.Errorf("bridge: field %q: %w", k, err)
		}
	}
	e.Buf = append(e.Buf, '}')
	return nil
}

// Rows appends a query result as a JSON array of objects, one per row,
// built straight from the column list so no map is allocated per row.
func (e *Encoder) Rows(columns []string, values [][]any) error {
	names := make([][]byte, len(columns))
	for i, c := range columns {
		names[i] = append(appendString(nil, c), ':')
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

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD so
// the text always parses.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// DecodeJSON parses JSON text from JS. Whole numbers that fit become int64
// (SQLite INTEGER), other numbers float64, and {"$blob": i} markers are
// replaced by blobs[i].
func DecodeJSON(text []byte, blobs [][]byte) (any, error) {
	v, err := parseJSON(text)
	if err != nil {
		return nil, fmt.Errorf("bridge: decode JSON: %w", err)
	}
	return restoreBlobs(v, blobs)
}

// DecodeObject is DecodeJSON for text that must hold an object (a row).
func DecodeObject(text []byte, blobs [][]byte) (map[string]any, error) {
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
func DecodeObjects(text []byte, blobs [][]byte) ([]map[string]any, error) {
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

// restoreBlobs replaces {"$blob": i} markers by blobs[i].
func restoreBlobs(v any, blobs [][]byte) (any, error) {
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
		if len(v) == 1 {
			if i, ok := v[blobKey].(int64); ok {
				if i < 0 || i >= int64(len(blobs)) {
					return nil, fmt.Errorf("bridge: blob marker %d out of range", i)
				}
				return blobs[i], nil
			}
		}
		for k, x := range v {
			n, err := restoreBlobs(x, blobs)
			if err != nil {
				return nil, err
			}
			v[k] = n
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
