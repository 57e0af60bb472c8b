// Package rowjson keeps a row as the JSON object text the dev sync server
// stores and sends: keys in the order they were first written, values as
// the client sent them (compacted, numbers never parsed into float64), so
// that the op's data string, and so its checksum, depends only on what
// was uploaded.
package rowjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Field is one key of an object and its value's JSON text.
type Field struct {
	Key   string
	Value json.RawMessage
}

// Object is a JSON object as an ordered list of fields with distinct keys.
type Object []Field

// ErrNotObject is wrapped by Parse's error when the text is valid JSON
// but not an object.
var ErrNotObject = errors.New("not a JSON object")

// Parse reads a JSON object, keeping its key order. Values are compacted;
// a key that repeats keeps its first position and its last value. null
// gives an empty Object.
func Parse(raw []byte) (Object, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("rowjson: %w", err)
	}
	if tok == nil {
		return nil, checkEnd(dec)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("rowjson: %w", ErrNotObject)
	}
	var o Object
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("rowjson: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("rowjson: key %v is not a string", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("rowjson: value of %q: %w", key, err)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return nil, fmt.Errorf("rowjson: value of %q: %w", key, err)
		}
		o.Set(key, buf.Bytes())
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("rowjson: %w", err)
	}
	return o, checkEnd(dec)
}

func checkEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("rowjson: data after the object")
	}
	return nil
}

// Get returns the value of key.
func (o Object) Get(key string) (json.RawMessage, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Set replaces key's value where the key stands, or appends the key.
func (o *Object) Set(key string, value json.RawMessage) {
	for i := range *o {
		if (*o)[i].Key == key {
			(*o)[i].Value = value
			return
		}
	}
	*o = append(*o, Field{key, value})
}

// Delete removes key, keeping the order of the others.
func (o *Object) Delete(key string) {
	for i := range *o {
		if (*o)[i].Key == key {
			*o = append((*o)[:i], (*o)[i+1:]...)
			return
		}
	}
}

// String returns the compact JSON text of the object.
func (o Object) String() string {
	b := make([]byte, 0, 64)
	b = append(b, '{')
	for i, f := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, f.Key)
		b = append(b, ':')
		b = append(b, f.Value...)
	}
	return string(append(b, '}'))
}

// AppendString appends s as a JSON string, escaped as JavaScript's
// JSON.stringify escapes it except that invalid UTF-8 becomes U+FFFD and
// U+2028 and U+2029 are escaped (Go's encoder); HTML characters are not
// escaped.
func AppendString(dst []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		// Encoding a string cannot fail.
		panic(err)
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
