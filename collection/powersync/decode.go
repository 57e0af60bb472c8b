package powersync

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"encoding/json"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// rowDecoder turns a data row's JSON (store.RowChange.Data) into the row
// its view shows: the declared columns, each cast to its type as the
// view's CAST(json_extract(data, '$.col') AS type) does, so that changes
// and the initial load (which reads the view) agree.
type rowDecoder struct {
	cols []store.Column
}

func newRowDecoder(t store.Table) *rowDecoder { return &rowDecoder{cols: t.Columns} }

func (d *rowDecoder) decode(id, data string) (collection.Row, error) {
	var fields map[string]json.RawMessage
	if data != "" {
		if err := json.Unmarshal([]byte(data), &fields); err != nil {
			return nil, err
		}
	}
	row := make(collection.Row, len(d.cols)+1)
	row["id"] = id
	for _, c := range d.cols {
		raw, ok := fields[c.Name]
		if !ok {
			row[c.Name] = nil
			continue
		}
		row[c.Name] = castJSON(raw, c.Type)
	}
	return row, nil
}

// castJSON applies SQLite's CAST to a JSON value as json_extract returns it.
func castJSON(raw json.RawMessage, typ store.ColumnType) any {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return nil
	}
	switch s[0] {
	case '"':
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return nil
		}
		return castText(str, typ)
	case 't', 'f':
		n := int64(0)
		if s[0] == 't' {
			n = 1
		}
		return castInt(n, typ)
	case '{', '[':
		var v any // json_extract returns containers as minified JSON text
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return castText(string(b), typ)
	default:
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return castInt(i, typ)
		}
		f, err := parseReal(s)
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

// castText casts text: to INTEGER or REAL by its longest numeric prefix
// (0 when there is none), as SQLite does.
func castText(s string, typ store.ColumnType) any {
	switch typ {
	case store.Integer:
		p := numericPrefix(s)
		if i, err := strconv.ParseInt(p, 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(p, 64); err == nil {
			return realToInt(f)
		}
		return int64(0)
	case store.Real:
		if f, err := parseReal(numericPrefix(s)); err == nil {
			return f
		}
		return 0.0
	default:
		return s
	}
}

// numericPrefix returns the longest prefix of s (after leading spaces)
// that reads as a number, fraction and exponent included (SQLite casts
// "12.7" to the INTEGER 12 through the real 12.7).
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

// parseReal parses a REAL as SQLite writes it; beyond the float64 range
// (SQLite's JSON spells infinity 9.0e+999) it is ±Inf, as in SQLite.
func parseReal(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && errors.Is(err, strconv.ErrRange) {
		return f, nil // ±Inf, or 0 for an underflow: SQLite's values too
	}
	return f, err
}

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

// formatReal renders a REAL as SQLite's CAST(x AS TEXT) does for common
// values: integral values keep ".0".
func formatReal(f float64) string {
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Inf"
		}
		return "-Inf"
	}
	s := strconv.FormatFloat(f, 'g', 15, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}
