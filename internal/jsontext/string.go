package jsontext

import (
	"encoding/binary"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

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

// SkipString reads and checks the string starting at the current quote,
// keeping nothing; its text, quotes included, is
// Input()[start:Offset()], for [Unquote].
func (d *Decoder) SkipString() error {
	s := d.s
	i := d.i + 1
	for {
		i = plainRun(s, i)
		if i >= len(s) {
			d.i = i
			return d.Unexpected("in string")
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
			return d.Unexpected("in string")
		default: // outside ASCII: any byte goes
			i++
		}
	}
}

// escape checks the escape at s[i] and returns its length.
func (d *Decoder) escape(i int) (int, error) {
	s := d.s
	if i+1 < len(s) {
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			return 2, nil
		case 'u':
			for j := i + 2; j < i+6; j++ {
				if j >= len(s) || !isHex(s[j]) {
					d.i = j
					return 0, d.Unexpected("in \\u escape")
				}
			}
			return 6, nil
		}
	}
	d.i = i + 1
	return 0, d.Unexpected("in string escape")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// ReadString reads the string starting at the current quote and returns
// its text, decoded as the package doc says. The text aliases the input
// when the string is printable ASCII without escapes; otherwise it is in
// the Decoder's buffer, which the next ReadString or Key reuses: copy
// what must outlive that.
func (d *Decoder) ReadString() ([]byte, error) {
	// One loop, not a fast path calling a decoding function: the sync
	// lines' strings with escapes (every op's data) take this path, and
	// the call cost 1% of a data line's instructions (BENCHMARKS.md).
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
			return nil, d.Unexpected("in string")
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
			return nil, d.Unexpected("in string")
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

// Unquote appends the text of the JSON string token (quotes included,
// as [Decoder.SkipString] delimits it) to dst, decoded as ReadString
// decodes it. Anything but exactly one string is a *SyntaxError.
func Unquote(dst, token []byte) ([]byte, error) {
	var d Decoder
	d.Reset(token)
	if d.Peek() != '"' {
		return dst, d.Mismatch("string")
	}
	// ReadString decodes into the spare capacity after dst, so that a
	// caller's buffer serves both.
	d.tmp = dst[len(dst):]
	text, err := d.ReadString()
	if err != nil {
		return dst, err
	}
	if d.i != len(token) {
		return dst, d.Unexpected("after the string")
	}
	return append(dst, text...), nil
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
