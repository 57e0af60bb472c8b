package powersync

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/jsonnum"
	"github.com/localfirst/gopowersync/internal/jsontext"
	"github.com/localfirst/gopowersync/store"
)

// rowDecoder turns a data row's JSON (store.RowChange.Data) into the row
// its view shows: the declared columns, each cast to its type as the
// view's CAST(json_extract(data, '$.col') AS type) does, so that changes
// and the initial load (which reads the view) agree. It reads the object in
// one pass, without an intermediate map: a 100,000-row sync decodes every
// row here, under WebAssembly on the page's thread, and decoding through
// encoding/json into a map of raw values was 1.5 s of it and most of its
// garbage (BENCHMARKS.md, "while 100,000 rows arrive by sync").
type rowDecoder struct {
	cols  []store.Column
	index map[string]int // column name -> index in cols
}

func newRowDecoder(t store.Table) *rowDecoder {
	d := &rowDecoder{cols: t.Columns, index: make(map[string]int, len(t.Columns))}
	for i, c := range t.Columns {
		d.index[c.Name] = i
	}
	return d
}

// errRowData is the error of data that is not one JSON object.
var errRowData = errors.New("not a JSON object")

// decode returns the row of id whose data column holds data ("" reads as
// an object without members). A key given twice counts the first time, as
// json_extract reads it. Data that is not one JSON object is an error
// (errRowData, or jsontext's *SyntaxError with the offset), as it is to
// json_extract.
func (d *rowDecoder) decode(id, data string) (collection.Row, error) {
	row := make(collection.Row, len(d.cols)+1)
	if data != "" {
		var dec jsontext.Decoder
		dec.ResetString(data)
		dec.Space()
		if dec.Peek() != '{' {
			return nil, errRowData
		}
		more, err := dec.Open('}')
		for more && err == nil {
			var key []byte
			if key, err = dec.Key(); err != nil {
				return nil, err
			}
			c, ok := d.index[string(key)]
			start := dec.Offset()
			if err = dec.Skip(); err != nil {
				return nil, err
			}
			if ok {
				if name := d.cols[c].Name; !hasKey(row, name) {
					row[name] = castJSON(data[start:dec.Offset()], d.cols[c].Type)
				}
			}
			more, err = dec.Next('}')
		}
		if err == nil {
			err = dec.End()
		}
		if err != nil {
			return nil, err
		}
	}
	for _, c := range d.cols {
		if _, ok := row[c.Name]; !ok {
			row[c.Name] = nil
		}
	}
	row["id"] = id
	return row, nil
}

func hasKey(row collection.Row, name string) bool {
	_, ok := row[name]
	return ok
}

// jsonString returns the text of a JSON string token that jsontext
// checked: the token's own bytes when it has no escapes (kept as they are,
// as json_extract keeps them), else decoded by jsontext.Unquote.
func jsonString(raw string) (string, error) {
	if strings.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], nil
	}
	text, err := jsontext.Unquote(nil, []byte(raw))
	return string(text), err
}

// castJSON applies SQLite's CAST to a JSON value as json_extract returns it.
func castJSON(raw string, typ store.ColumnType) any {
	switch raw[0] {
	case 'n':
		return nil
	case '"':
		str, err := jsonString(raw)
		if err != nil {
			return nil
		}
		return castText(str, typ)
	case 't', 'f':
		n := int64(0)
		if raw[0] == 't' {
			n = 1
		}
		return castInt(n, typ)
	case '{', '[':
		// json_extract returns containers as minified JSON text, members
		// in their order.
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(raw)); err != nil {
			return nil
		}
		return castText(b.String(), typ)
	default:
		if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return castInt(i, typ)
		}
		f, err := parseReal(raw)
		if err != nil {
			return nil
		}
		switch typ {
		case store.Text:
			return formatReal(f)
		case store.Integer:
			return realToInt(f)
		default:
			return f
		}
	}
}

func castInt(i int64, typ store.ColumnType) any {
	switch typ {
	case store.Text:
		return strconv.FormatInt(i, 10)
	case store.Real:
		return float64(i)
	default:
		return i
	}
}

// castText casts text as SQLite does: to INTEGER by its longest prefix
// that reads as an integer ("12.7" and "1e3" give 12 and 1), clamped to
// the int64 range; to REAL by its longest prefix that reads as a number,
// fraction and exponent included; 0 when there is none.
func castText(s string, typ store.ColumnType) any {
	switch typ {
	case store.Integer:
		// ParseInt clamps out-of-range values, and gives 0 for no prefix.
		i, _ := strconv.ParseInt(integerPrefix(s), 10, 64)
		return i
	case store.Real:
		if f, err := parseReal(numericPrefix(s)); err == nil {
			return f
		}
		return 0.0
	default:
		return s
	}
}

// integerPrefix returns the sign and digits that start s (after leading
// spaces).
func integerPrefix(s string) string {
	s = strings.TrimLeft(s, " \t\n\r")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// numericPrefix returns the longest prefix of s (after leading spaces)
// that reads as a number, fraction and exponent included.
func numericPrefix(s string) string {
	s = strings.TrimLeft(s, " \t\n\r")
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(s) && s[i] == '.' {
		i++
		digits()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = j
			digits()
		}
	}
	return s[:i]
}

// parseReal parses a REAL as SQLite writes it (jsonnum.ParseFloat: beyond
// the float64 range, as SQLite's JSON spells infinity, it is ±Inf).
func parseReal(s string) (float64, error) { return jsonnum.ParseFloat(s) }

func realToInt(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(f)
}

// formatReal renders a REAL as SQLite's CAST(x AS TEXT) does: 15
// significant digits, or 17 when 15 do not read back as the same value,
// trailing zeros dropped but always a fraction ("2.0", "1.0e+17"); plain
// notation from 1e-4 up to below 1e17, an exponent of at least two digits
// outside it; no sign on zero; Inf and -Inf.
func formatReal(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case f == 0:
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', 14, 64)
	if back, _ := strconv.ParseFloat(e, 64); back != f {
		e = strconv.FormatFloat(f, 'e', 16, 64)
	}
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	digits := strings.TrimRight(mant[:1]+mant[2:], "0")
	if digits == "" {
		digits = "0"
	}
	var b strings.Builder
	b.WriteString(sign)
	switch {
	case exp < -4 || exp >= 17:
		b.WriteString(digits[:1])
		b.WriteByte('.')
		if len(digits) > 1 {
			b.WriteString(digits[1:])
		} else {
			b.WriteByte('0')
		}
		b.WriteByte('e')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
	case exp < 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -exp-1))
		b.WriteString(digits)
	default:
		whole := exp + 1
		if len(digits) <= whole {
			b.WriteString(digits)
			b.WriteString(strings.Repeat("0", whole-len(digits)))
			b.WriteString(".0")
		} else {
			b.WriteString(digits[:whole])
			b.WriteByte('.')
			b.WriteString(digits[whole:])
		}
	}
	return b.String()
}
