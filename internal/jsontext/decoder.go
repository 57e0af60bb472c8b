package jsontext

import (
	"fmt"
	"unsafe"
)

// MaxDepth is how deeply objects and arrays may nest, encoding/json's
// limit (its scanner's maxNestingDepth).
const MaxDepth = 10000

// A Decoder reads one JSON text from its start. Its methods read the
// token at the current offset (after [Decoder.Space] has skipped any
// whitespace before it) and leave the offset after it. The zero Decoder
// reads an empty input; [Decoder.Reset] and [Decoder.ResetString] give it
// one.
type Decoder struct {
	s     []byte
	i     int
	depth int
	tmp   []byte // strings with escapes or non-ASCII text, decoded
}

// Reset makes d read s from its start, keeping d's buffer.
func (d *Decoder) Reset(s []byte) {
	d.s, d.i, d.depth = s, 0, 0
}

// ResetString makes d read s without copying it: a Decoder never writes
// to its input, and what it returns from it must be treated as read-only.
func (d *Decoder) ResetString(s string) {
	d.Reset(unsafe.Slice(unsafe.StringData(s), len(s)))
}

// Input returns the text being read.
func (d *Decoder) Input() []byte { return d.s }

// Offset returns the byte offset of the next token (or of whitespace
// before it).
func (d *Decoder) Offset() int { return d.i }

// SyntaxError is a JSON syntax error, or a caller's type error, at a byte
// offset of the input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Errorf returns a *SyntaxError at the current offset.
func (d *Decoder) Errorf(format string, args ...any) error {
	return &SyntaxError{Offset: d.i, Msg: fmt.Sprintf(format, args...)}
}

// Unexpected reports the byte at the current offset, or the end of
// input, found in context ("in string", "after an object key").
func (d *Decoder) Unexpected(context string) error {
	if d.i >= len(d.s) {
		return d.Errorf("unexpected end of input %s", context)
	}
	return d.Errorf("invalid character %q %s", d.s[d.i], context)
}

// Mismatch reports a value of the wrong kind where want was expected.
func (d *Decoder) Mismatch(want string) error {
	return d.Errorf("%s, want %s", d.Kind(), want)
}

// Kind names the kind of value the current byte starts: "object",
// "array", "string", "bool", "null", "number", or what else is there.
func (d *Decoder) Kind() string {
	if d.i >= len(d.s) {
		return "end of input"
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "number"
	}
	return fmt.Sprintf("invalid character %q", d.s[d.i])
}

// Space skips JSON whitespace (space, tab, line feed, carriage return).
func (d *Decoder) Space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// Peek returns the byte at the current offset, 0 at the end.
func (d *Decoder) Peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// End skips trailing whitespace and reports an error unless the input
// ends there: a JSON text is one value.
func (d *Decoder) End() error {
	d.Space()
	if d.i != len(d.s) {
		return d.Unexpected("after top-level value")
	}
	return nil
}

// Null reads the literal null.
func (d *Decoder) Null() error { return d.Literal("null") }

// Literal reads the literal lit (true, false or null).
func (d *Decoder) Literal(lit string) error {
	if len(d.s)-d.i >= len(lit) && string(d.s[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return nil
	}
	for j := 0; j < len(lit) && d.i < len(d.s) && d.s[d.i] == lit[j]; j++ {
		d.i++
	}
	return d.Unexpected("in literal " + lit)
}

// Key reads an object member's key and the colon after it, and the
// whitespace before its value; it returns the key's text as
// [Decoder.ReadString] does.
func (d *Decoder) Key() ([]byte, error) {
	if d.Peek() != '"' {
		return nil, d.Unexpected("looking for an object key")
	}
	raw, err := d.ReadString()
	if err != nil {
		return nil, err
	}
	d.Space()
	if d.Peek() != ':' {
		return nil, d.Unexpected("after an object key")
	}
	d.i++
	d.Space()
	return raw, nil
}

// KeyToken reads an object member's key as [Decoder.Key] does, but
// returns the key's token as written (quotes and escapes included, an
// alias of the input), for callers that keep keys past the next read:
// [Unquote] decodes it.
func (d *Decoder) KeyToken() ([]byte, error) {
	if d.Peek() != '"' {
		return nil, d.Unexpected("looking for an object key")
	}
	start := d.i
	if err := d.SkipString(); err != nil {
		return nil, err
	}
	token := d.s[start:d.i]
	d.Space()
	if d.Peek() != ':' {
		return nil, d.Unexpected("after an object key")
	}
	d.i++
	d.Space()
	return token, nil
}

// Open reads an object's or array's opening bracket and the whitespace
// after it, and reports whether members or elements follow (false: c,
// the closing bracket, did and was read).
func (d *Decoder) Open(c byte) (bool, error) {
	d.depth++
	if d.depth > MaxDepth {
		return false, d.Errorf("exceeded max depth %d", MaxDepth)
	}
	d.i++
	d.Space()
	if d.Peek() == c {
		d.i++
		d.depth--
		return false, nil
	}
	return true, nil
}

// Next reads what follows a member or element: a comma and the
// whitespace after it (true), or the closing bracket c (false).
func (d *Decoder) Next(c byte) (bool, error) {
	d.Space()
	switch d.Peek() {
	case ',':
		d.i++
		d.Space()
		return true, nil
	case c:
		d.i++
		d.depth--
		return false, nil
	}
	if c == '}' {
		return false, d.Unexpected("after an object member")
	}
	return false, d.Unexpected("after an array element")
}

// Skip reads and checks a value of any kind, keeping nothing; the
// value's text is Input()[start:Offset()].
func (d *Decoder) Skip() error {
	switch c := d.Peek(); {
	case c == '{':
		more, err := d.Open('}')
		for more && err == nil {
			if _, err = d.Key(); err != nil {
				return err
			}
			if err = d.Skip(); err != nil {
				return err
			}
			more, err = d.Next('}')
		}
		return err
	case c == '[':
		more, err := d.Open(']')
		for more && err == nil {
			if err = d.Skip(); err != nil {
				return err
			}
			more, err = d.Next(']')
		}
		return err
	case c == '"':
		return d.SkipString()
	case c == 't':
		return d.Literal("true")
	case c == 'f':
		return d.Literal("false")
	case c == 'n':
		return d.Null()
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.Number()
		return err
	}
	return d.Unexpected("looking for a value")
}

// Check returns nil if s is one JSON text, else the *SyntaxError that
// says where it is not.
func Check(s []byte) error {
	var d Decoder
	d.Reset(s)
	d.Space()
	if err := d.Skip(); err != nil {
		return err
	}
	return d.End()
}

// Valid reports whether s is one JSON text, as encoding/json's Valid.
func Valid(s []byte) bool { return Check(s) == nil }
