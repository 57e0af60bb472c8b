package protocol

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the JSON scanner under DecodeLine: it reads the sync
// lines' shapes straight into Line without reflection. It accepts exactly
// what encoding/json's Unmarshal into a Line accepts, and decodes to the
// same Line (FuzzReader compares the two): the same grammar and nesting
// limit, keys matched case-insensitively as encoding/json matches them,
// null leaving non-pointer fields alone, invalid UTF-8 and lone
// surrogates read as U+FFFD, and a repeated key decoding into what the
// first one left. RATIONALE.md says why it replaced encoding/json here.

// maxDepth is encoding/json's nesting limit (scanner.go maxNestingDepth).
const maxDepth = 10000

// decoder reads one line. The strings it decodes share one allocation
// (strs), and the pointers the line's optional fields need come from
// pools, so a data line of a thousand ops costs a few dozen allocations
// instead of several per op; keeping any string of a line keeps that
// line's strings alive.
type decoder struct {
	s     []byte
	i     int
	depth int
	strs  strings.Builder
	tmp   []byte // unescaped text on its way into strs, and unescaped keys
	raws  []byte // backing store of the line's json.RawMessage values
	sptrs pool[string]
	iptrs pool[int]
	lptrs pool[int64]
	optrs pool[OpID]
}

// pool hands out pointers to elements of chunks it allocates: one
// allocation for many small values. A full chunk is left to the pointers
// into it, never reallocated.
type pool[T any] struct{ chunk []T }

func (p *pool[T]) new() *T {
	if len(p.chunk) == cap(p.chunk) {
		p.chunk = make([]T, 0, min(max(2*cap(p.chunk), 8), 1024))
	}
	p.chunk = p.chunk[:len(p.chunk)+1]
	return &p.chunk[len(p.chunk)-1]
}

// syntaxError is a JSON syntax or type error at an offset of the line.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.off, e.msg) }

func (d *decoder) errorf(format string, args ...any) error {
	return &syntaxError{off: d.i, msg: fmt.Sprintf(format, args...)}
}

// unexpected reports the byte at the current offset, or the end of input.
func (d *decoder) unexpected(context string) error {
	if d.i >= len(d.s) {
		return d.errorf("unexpected end of input %s", context)
	}
	return d.errorf("invalid character %q %s", d.s[d.i], context)
}

// mismatch reports a valid JSON value of the wrong kind for a field.
func (d *decoder) mismatch(want string) error {
	return d.errorf("%s, want %s", kindAt(d.s, d.i), want)
}

func kindAt(s []byte, i int) string {
	if i >= len(s) {
		return "end of input"
	}
	switch c := s[i]; {
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
	return fmt.Sprintf("invalid character %q", s[i])
}

// ws skips JSON whitespace.
func (d *decoder) ws() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the byte at the current offset, 0 at the end.
func (d *decoder) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// null reads the literal null.
func (d *decoder) null() error { return d.literal("null") }

func (d *decoder) literal(lit string) error {
	if len(d.s)-d.i >= len(lit) && string(d.s[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return nil
	}
	for j := 0; j < len(lit) && d.i < len(d.s) && d.s[d.i] == lit[j]; j++ {
		d.i++
	}
	return d.unexpected("in literal " + lit)
}

// plain marks the bytes that stand for themselves inside a JSON string:
// printable ASCII other than the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Bytes repeated in each of a word's eight.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainRun returns the end of the run of plain bytes from s[i], eight at
// a time while it can: string text is most of a sync line.
func plainRun(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		// A byte's high bit is set where it is a control character, a
		// quote, a backslash or not ASCII. Only bytes above such a byte
		// can be false alarms, which the loop below sorts out.
		if ((x-ones*0x20)|(x^(ones*'"')-ones)|(x^(ones*'\\')-ones)|x)&highs != 0 {
			break
		}
	}
	for i < len(s) && plain[s[i]] {
		i++
	}
	return i
}

// scanString reads the string starting at the current quote, checking
// it without keeping it.
func (d *decoder) scanString() error {
	s := d.s
	i := d.i + 1
	for {
		i = plainRun(s, i)
		if i >= len(s) {
			d.i = i
			return d.unexpected("in string")
		}
		switch c := s[i]; {
		case c == '"':
			d.i = i + 1
			return nil
		case c == '\\':
			n, err := d.escape(i)
			if err != nil {
				return err
			}
			i += n
		case c < 0x20:
			d.i = i
			return d.unexpected("in string")
		default: // outside ASCII: any byte goes
			i++
		}
	}
}

// escape checks the escape at s[i] and returns its length.
func (d *decoder) escape(i int) (int, error) {
	s := d.s
	if i+1 < len(s) {
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			return 2, nil
		case 'u':
			for j := i + 2; j < i+6; j++ {
				if j >= len(s) || !isHex(s[j]) {
					d.i = j
					return 0, d.unexpected("in \\u escape")
				}
			}
			return 6, nil
		}
	}
	d.i = i + 1
	return 0, d.unexpected("in string escape")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// readString reads the string starting at the current quote and returns
// its text: the input's own bytes when it is ASCII without escapes, else
// the text decoded into d.tmp as encoding/json's unquote decodes it
// (escapes resolved, invalid UTF-8 and unpaired surrogates as U+FFFD).
func (d *decoder) readString() ([]byte, error) {
	s := d.s
	start := d.i + 1
	i := plainRun(s, start)
	if i < len(s) && s[i] == '"' {
		d.i = i + 1
		return s[start:i], nil
	}
	out := append(d.tmp[:0], s[start:i]...)
	for {
		if i >= len(s) {
			d.i = i
			return nil, d.unexpected("in string")
		}
		switch c := s[i]; {
		case c == '"':
			d.i = i + 1
			d.tmp = out
			return out, nil
		case c == '\\':
			n, err := d.escape(i)
			if err != nil {
				return nil, err
			}
			if n == 2 {
				out = append(out, unescape[s[i+1]])
				i += 2
				break
			}
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				// A pair only if a valid \uXXXX follows; an invalid one
				// fails when the loop reaches it.
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' && isHex(s[i+2]) && isHex(s[i+3]) && isHex(s[i+4]) && isHex(s[i+5]) {
					if dec := utf16.DecodeRune(r, hex4(s[i+2:])); dec != unicode.ReplacementChar {
						out = utf8.AppendRune(out, dec)
						i += 6
						break
					}
				}
				r = unicode.ReplacementChar
			}
			out = utf8.AppendRune(out, r)
		case c < 0x20:
			d.i = i
			return nil, d.unexpected("in string")
		case c < utf8.RuneSelf:
			j := plainRun(s, i)
			out = append(out, s[i:j]...)
			i = j
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, utf8.RuneError)
			} else {
				out = append(out, s[i:i+size]...)
			}
			i += size
		}
	}
}

// unescape maps the byte after a backslash to what the two-byte escape
// stands for.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c >= 'a':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// string reads a string value into the line's shared string storage.
func (d *decoder) string() (string, error) {
	text, err := d.readString()
	if err != nil || len(text) == 0 {
		return "", err
	}
	if d.strs.Cap() == 0 {
		// Room for the rest of the line: strings never come out longer
		// than their JSON text, except bytes of bad UTF-8 (3 each).
		d.strs.Grow(max(len(d.s)-d.i+len(text), 64))
	}
	start := d.strs.Len()
	d.strs.Write(text)
	// A Builder never changes bytes it has handed out: this substring
	// stays as it is while later strings are appended.
	return d.strs.String()[start:], nil
}

// key reads an object member's key and the colon after it, and returns
// the key's text; unescaped keys alias the input.
func (d *decoder) key() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.unexpected("looking for an object key")
	}
	raw, err := d.readString()
	if err != nil {
		return nil, err
	}
	d.ws()
	if d.peek() != ':' {
		return nil, d.unexpected("after an object key")
	}
	d.i++
	d.ws()
	return raw, nil
}

// field returns the index of key in names as encoding/json matches a
// struct's fields: the exact name first, else one equal under case
// folding ("OP_ID" is op_id). -1 means an unknown key, whose value is
// skipped.
func field(key []byte, names []string) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	for i, n := range names {
		if foldEqual(key, n) {
			return i
		}
	}
	return -1
}

// foldEqual compares key with a lower-case ASCII name as encoding/json's
// foldName does: ASCII letters without case, other runes by their
// smallest case-fold equivalent (U+017F long s is "S", U+212A Kelvin is "K").
func foldEqual(key []byte, name string) bool {
	j := 0
	for i := 0; i < len(key); {
		var r rune
		if c := key[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
		} else {
			var n int
			r, n = utf8.DecodeRune(key[i:])
			i += n
		}
		r = foldRune(r)
		if j >= len(name) || r != foldRune(rune(name[j])) {
			return false
		}
		j++
	}
	return j == len(name)
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			r -= 'a' - 'A'
		}
		return r
	}
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}

// open consumes an object's or array's opening bracket and reports
// whether members or elements follow (false: c, the closing one, did).
func (d *decoder) open(c byte) (bool, error) {
	d.depth++
	if d.depth > maxDepth {
		return false, d.errorf("exceeded max depth %d", maxDepth)
	}
	d.i++
	d.ws()
	if d.peek() == c {
		d.i++
		d.depth--
		return false, nil
	}
	return true, nil
}

// next reads what follows a member or element: a comma (true) or the
// closing bracket c (false).
func (d *decoder) next(c byte) (bool, error) {
	d.ws()
	switch d.peek() {
	case ',':
		d.i++
		d.ws()
		return true, nil
	case c:
		d.i++
		d.depth--
		return false, nil
	}
	if c == '}' {
		return false, d.unexpected("after an object member")
	}
	return false, d.unexpected("after an array element")
}

// skip reads and checks a value of any kind, keeping nothing.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		more, err := d.open('}')
		for more && err == nil {
			if _, err = d.key(); err != nil {
				return err
			}
			if err = d.skip(); err != nil {
				return err
			}
			more, err = d.next('}')
		}
		return err
	case c == '[':
		more, err := d.open(']')
		for more && err == nil {
			if err = d.skip(); err != nil {
				return err
			}
			more, err = d.next(']')
		}
		return err
	case c == '"':
		return d.scanString()
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.null()
	case c == '-' || (c >= '0' && c <= '9'):
		_, err := d.number()
		return err
	}
	return d.unexpected("looking for a value")
}

// number reads a number and returns its text.
func (d *decoder) number() ([]byte, error) {
	s, start, i := d.s, d.i, d.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	default:
		d.i = i
		return nil, d.unexpected("in number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return nil, d.unexpected("after decimal point in number")
		}
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			d.i = i
			return nil, d.unexpected("in exponent of number")
		}
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
	}
	d.i = i
	return s[start:i], nil
}

// smallInt parses JSON integer text of at most 18 digits; ok is false
// for anything else (a fraction, an exponent, more digits), which the
// caller hands to strconv.
func smallInt(b []byte) (v int64, ok bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
