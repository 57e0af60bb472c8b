package jsontext

import (
	"bytes"
	"math"
	"strconv"
	"unicode/utf8"
)

// Writing JSON text. Each writer appends to dst and returns the extended
// slice, allocating only when dst must grow. Two string rules and two
// number spellings exist because their readers differ; each is named for
// its source:
//
//   - [AppendString]: ECMAScript's JSON.stringify, which is also
//     serde_json's (PowerSync's core) and SQLite's json_quote. The store
//     writes ps_crud and powersync_diff data with it, the bridge the text
//     JS's JSON.parse reads.
//   - [AppendStringEscapeHTML] and [AppendCompactEscapeHTML]:
//     encoding/json's json.Marshal, which also escapes <, >, & and
//     U+2028, U+2029. internal/protocol writes sync lines with them, as
//     the service and the fuzz tests' encoding/json reference do.
//   - [AppendFloatSerde]: serde_json's (the ryu crate's) spelling, which
//     PowerSync's core gives the numbers of ps_crud and ps_oplog data; the
//     store's diff and queue writer.
//   - [AppendFloatES]: ECMAScript's Number::toString, which JSON.stringify
//     uses; the bridge's values for JS.

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string escaped as ECMAScript's
// JSON.stringify escapes it (QuoteJSONString,
// https://tc39.es/ecma262/#sec-quotejsonstring): \" \\ \b \f \n \r \t,
// other control characters as \u00xx in lower-case hex, everything else
// as it is. serde_json (https://docs.rs/serde_json, its format_escaped_str)
// and SQLite's json_quote write the same bytes. A byte of invalid UTF-8,
// which none of those can hold, becomes \ufffd, as encoding/json writes
// it, so the text is always valid UTF-8.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = appendASCIIEscape(append(dst, s[start:i]...), c)
			i++
			start = i
			continue
		}
		if c >= 0xC2 && c < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2 // a two-byte sequence (Latin, Greek, Cyrillic...), valid
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendASCIIEscape appends the escape of the ASCII byte c that both string
// rules share (JSON.stringify's and json.Marshal's): \" \\ \b \f \n \r \t
// short, any other byte as \u00xx in lower-case hex (json.Marshal's <, >
// and & among them).
func appendASCIIEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// htmlSafe marks the ASCII bytes json.Marshal writes as they are inside a
// string: printable, other than the quote, the backslash and <, >, &.
var htmlSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// AppendStringEscapeHTML appends s as a JSON string escaped as
// encoding/json's json.Marshal escapes it: [AppendString]'s escapes, and
// also <, >, & as \u003c, \u003e, \u0026 and U+2028, U+2029 as \u2028,
// \u2029, so the text is safe inside HTML and as JavaScript source.
func AppendStringEscapeHTML(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if htmlSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = appendASCIIEscape(append(dst, s[start:i]...), c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendCompactEscapeHTML appends the valid JSON text m without the
// whitespace outside its strings, escaping <, >, & and U+2028, U+2029
// inside them: what json.Marshal writes for a json.RawMessage (its
// compact with escaping on). m must be valid JSON ([Check]); other text
// is copied without a guarantee.
func AppendCompactEscapeHTML(dst, m []byte) []byte {
	in := false
	start := 0
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case in && (c == '<' || c == '>' || c == '&'):
			dst = append(dst, m[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			start = i + 1
		case in && c == 0xE2 && i+2 < len(m) && m[i+1] == 0x80 && m[i+2]&^1 == 0xA8:
			dst = append(dst, m[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[m[i+2]&0xF])
			i += 2
			start = i + 1
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			dst = append(dst, m[start:i]...)
			start = i + 1
		}
	}
	return append(dst, m[start:]...)
}

// shortest writes the shortest decimal digits that read back as f (finite,
// not zero) into buf and returns them with the sign and the position of
// the decimal point: |f| = 0.digits × 10^point.
func shortest(buf *[32]byte, f float64) (neg bool, digits []byte, point int) {
	e := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.ddde±xx
	if e[0] == '-' {
		neg = true
		e = e[1:]
	}
	ePos := len(e) - 4 // the exponent has two or three digits
	if e[ePos] != 'e' {
		ePos--
	}
	exp := 0
	for _, c := range e[ePos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if e[ePos+1] == '-' {
		exp = -exp
	}
	if ePos == 1 {
		return neg, e[:1], exp + 1
	}
	e[1] = e[0] // drop the '.': the digits are e[1:ePos]
	return neg, e[1:ePos], exp + 1
}

// AppendFloatSerde appends f as serde_json writes an f64 (with the ryu
// crate, https://docs.rs/ryu, its format64): the shortest digits that
// read back as f; plain notation when the decimal point falls within
// 16 digits to the left or 4 zeros to the right, whole numbers with
// ".0"; else d.ddde<exp> (no '+', no ".0" for one digit). Zero is "0.0"
// or "-0.0"; NaN and ±Inf, which JSON cannot hold, are null, as
// serde_json writes them.
func AppendFloatSerde(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if a := math.Abs(f); a >= 1e-5 && a < 1e16 {
		// Plain notation: the point falls within 16 digits to the left
		// or 4 zeros to the right, where strconv's 'f' writes the same
		// shortest digits; whole numbers take a ".0".
		n := len(dst)
		dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
		if bytes.IndexByte(dst[n:], '.') < 0 {
			dst = append(dst, '.', '0')
		}
		return dst
	}
	var buf [32]byte
	neg, digits, kk := shortest(&buf, f)
	if neg {
		dst = append(dst, '-')
	}
	n := len(digits)
	switch {
	case n <= kk && kk <= 16:
		dst = append(dst, digits...)
		for range kk - n {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	case kk > 0 && kk <= 16:
		dst = append(dst, digits[:kk]...)
		dst = append(dst, '.')
		return append(dst, digits[kk:]...)
	case kk > -5 && kk <= 0:
		dst = append(dst, '0', '.')
		for range -kk {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case n == 1:
		dst = append(dst, digits[0], 'e')
		return strconv.AppendInt(dst, int64(kk-1), 10)
	default:
		dst = append(dst, digits[0], '.')
		dst = append(dst, digits[1:]...)
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(kk-1), 10)
	}
}

// AppendFloatES appends f as ECMAScript's Number::toString spells it
// (https://tc39.es/ecma262/#sec-numeric-types-number-tostring), which is
// what JSON.stringify writes: the shortest digits that read back as f;
// plain notation when the decimal point falls within 21 digits to the
// left or 6 zeros to the right, whole numbers without a fraction; else
// d.ddde+<exp> or d.ddde-<exp>. NaN and ±Inf are null, as
// JSON.stringify writes them. One difference: negative zero is "-0"
// (Number::toString drops its sign), so that JSON.parse reads it back
// as -0 and a value crossing to JS keeps it.
func AppendFloatES(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(dst, '-', '0')
		}
		return append(dst, '0')
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		// Plain notation: the point falls within 21 digits to the left
		// or 6 zeros to the right, where strconv's 'f' writes the same
		// shortest digits.
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	var buf [32]byte
	neg, digits, n := shortest(&buf, f)
	if neg {
		dst = append(dst, '-')
	}
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		dst = append(dst, digits...)
		for range n - k {
			dst = append(dst, '0')
		}
		return dst
	case n > 0 && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		return append(dst, digits[n:]...)
	case n > -6 && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0])
	if k > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if n-1 >= 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(n-1), 10)
}
