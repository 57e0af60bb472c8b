package query

import (
	"encoding/hex"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/localfirst/gopowersync/collection"
)

// canon appends a canonical text of v to b: two values get the same text
// exactly when collection.Eval's eq finds them equal (numbers by value
// whatever their Go type, booleans as 0 and 1, times by instant), so
// join and group keys agree with the where clause. Containers are encoded
// deeply, maps with sorted keys.
func canon(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, 'n')
	case undefinedValue:
		return append(b, 'u')
	case canonText:
		return append(b, x...)
	case string:
		return strconv.AppendQuote(append(b, 's'), x)
	case bool:
		if x {
			return append(b, "#1"...)
		}
		return append(b, "#0"...)
	case int64:
		return strconv.AppendInt(append(b, '#'), x, 10)
	case int:
		return strconv.AppendInt(append(b, '#'), int64(x), 10)
	case int32:
		return strconv.AppendInt(append(b, '#'), int64(x), 10)
	case float32:
		return canonFloat(b, float64(x))
	case float64:
		return canonFloat(b, x)
	case time.Time:
		return strconv.AppendQuote(append(b, 's'), x.UTC().Format(time.RFC3339Nano))
	case []byte:
		return append(append(b, 'x'), hex.EncodeToString(x)...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = canon(b, e)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, k)
			b = append(b, ':')
			b = canon(b, x[k])
		}
		return append(b, '}')
	default:
		return append(b, '?')
	}
}

func canonFloat(b []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.AppendInt(append(b, '#'), int64(f), 10)
	}
	return strconv.AppendFloat(append(b, '#'), f, 'g', -1, 64)
}

// undefinedValue stands for a grouped value that is undefined (see
// collection.Evaluate): TanStack DB groups it apart from null, and the
// group's row leaves it out.
type undefinedValue struct{}

// canonText is a text canon made earlier, embedded as is (a nested join's
// left key).
type canonText string

// canonKey is canon as a string.
func canonKey(v any) string { return string(canon(nil, v)) }

// compareOrdered orders two values for one Ordering as TanStack DB's
// comparator does: nulls first (or last) in either direction, strings
// by locale (see StringSortLocale) or bytes, everything else by
// collection's order (numbers, then text, then blobs).
func compareOrdered(a, b any, o *Ordering) int {
	an, bn := a == nil, b == nil
	switch {
	case an && bn:
		return 0
	case an:
		if o.Nulls == NullsLast {
			return 1
		}
		return -1
	case bn:
		if o.Nulls == NullsLast {
			return -1
		}
		return 1
	}
	c := compareValues(a, b, o.StringSort)
	if o.Direction == Desc {
		return -c
	}
	return c
}

// compareValues is the ascending order of two non-null values.
func compareValues(a, b any, ss StringSort) int {
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			if ss == StringSortLexical {
				return strings.Compare(as, bs)
			}
			return localeCompare(as, bs)
		}
	}
	if ab, ok := a.(bool); ok {
		if bb, ok := b.(bool); ok {
			switch {
			case ab == bb:
				return 0
			case bb:
				return -1
			}
			return 1
		}
	}
	c, _ := collection.Compare(a, b)
	return c
}
