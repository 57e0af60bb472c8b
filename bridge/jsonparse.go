package bridge

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/internal/jsonnum"
)

// parser reads the JSON text JS's JSON.stringify produces into Go values
// without reflection: objects become map[string]any, arrays []any, whole
// numbers that fit int64 (SQLite INTEGER), other numbers float64.
type parser struct {
	s   []byte
	pos int
	// keys interns object keys: rows repeat the same column names, and a
	// lookup by string(bytes) does not allocate.
	keys map[string]string
}

var errUnexpectedEnd = errors.New("unexpected end of JSON input")

func parseJSON(text []byte) (any, error) {
	p := parser{s: text, keys: make(map[string]string)}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.s) {
		return nil, fmt.Errorf("unexpected %q after the JSON value at offset %d", p.s[p.pos], p.pos)
	}
	return v, nil
}

func (p *parser) space() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (any, error) {
	p.space()
	if p.pos >= len(p.s) {
		return nil, errUnexpectedEnd
	}
	switch c := p.s[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return true, nil
	case p.literal("false"):
		return false, nil
	case p.literal("null"):
		return nil, nil
	default:
		return nil, fmt.Errorf("unexpected %q at offset %d", c, p.pos)
	}
}

func (p *parser) literal(word string) bool {
	if len(p.s)-p.pos >= len(word) && string(p.s[p.pos:p.pos+len(word)]) == word {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *parser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.s) {
		return errUnexpectedEnd
	}
	if p.s[p.pos] != c {
		return fmt.Errorf("want %q at offset %d, got %q", c, p.pos, p.s[p.pos])
	}
	p.pos++
	return nil
}

// peek skips space and reports whether the next byte is c, consuming it.
func (p *parser) peek(c byte) bool {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *parser) object() (any, error) {
	p.pos++ // {
	m := make(map[string]any)
	if p.peek('}') {
		return m, nil
	}
	for {
		p.space()
		if p.pos >= len(p.s) || p.s[p.pos] != '"' {
			return nil, fmt.Errorf("want an object key at offset %d", p.pos)
		}
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		if p.peek('}') {
			return m, nil
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
	}
}

func (p *parser) array() (any, error) {
	p.pos++ // [
	list := []any{}
	if p.peek(']') {
		return list, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		if p.peek(']') {
			return list, nil
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
	}
}

// key reads an object key, interned when it has no escapes.
func (p *parser) key() (string, error) {
	end := p.pos + 1
	for end < len(p.s) && p.s[end] != '"' && p.s[end] != '\\' && p.s[end] >= 0x20 {
		end++
	}
	if end < len(p.s) && p.s[end] == '"' {
		raw := p.s[p.pos+1 : end]
		k, ok := p.keys[string(raw)]
		if !ok {
			k = string(raw)
			p.keys[k] = k
		}
		p.pos = end + 1
		return k, nil
	}
	return p.string()
}

func (p *parser) string() (string, error) {
	p.pos++ // "
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '"' {
			s := string(p.s[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), p.s[start:p.pos]...)
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", fmt.Errorf("control character in string at offset %d", p.pos)
		case c != '\\':
			buf = append(buf, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.s) {
			return "", errUnexpectedEnd
		}
		esc := p.s[p.pos+1]
		p.pos += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := p.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate pairs with a low one in the next escape;
				// anything else leaves it lone (U+FFFD, as encoding/json
				// and TextEncoder give) and the next escape is its own.
				paired := false
				if r < 0xdc00 && p.pos+5 < len(p.s) && p.s[p.pos] == '\\' && p.s[p.pos+1] == 'u' {
					save := p.pos
					p.pos += 2
					r2, err := p.hex4()
					if err == nil && r2 >= 0xdc00 && r2 <= 0xdfff {
						r, paired = utf16.DecodeRune(r, r2), true
					} else {
						p.pos = save
					}
				}
				if !paired {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", fmt.Errorf("bad escape \\%c at offset %d", esc, p.pos-2)
		}
	}
	return "", errUnexpectedEnd
}

func (p *parser) hex4() (rune, error) {
	if p.pos+4 > len(p.s) {
		return 0, errUnexpectedEnd
	}
	n, err := strconv.ParseUint(string(p.s[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad \\u escape at offset %d", p.pos)
	}
	p.pos += 4
	return rune(n), nil
}

func (p *parser) number() (any, error) {
	start := p.pos
	whole := true
	if p.s[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
			whole = false
			p.pos++
			continue
		}
		break
	}
	text := string(p.s[start:p.pos])
	// A JSON number from JS is a JS number: whole and within ±(2^53-1) it
	// is an integer (SQLite INTEGER), else a float (REAL), the rule SQL
	// parameters follow too (values.go). Bigints travel as side values.
	if whole {
		if i, err := strconv.ParseInt(text, 10, 64); err == nil && i >= -maxExact && i <= maxExact {
			return i, nil
		}
	}
	f, err := jsonnum.ParseFloat(text)
	if err != nil {
		return nil, fmt.Errorf("bad number %q", text)
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxExact {
		return int64(f), nil
	}
	return f, nil
}
