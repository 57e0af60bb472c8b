package powersync

import (
	"math"
	"strconv"
	"strings"
	"time"

	"encoding/json"

	"github.com/localfirst/gopowersync/store"
)

// isoTime is JavaScript's Date.toISOString layout, which the reference
// writes for dates.
const isoTime = "2006-01-02T15:04:05.000Z"

// SerializationError reports an item field that cannot be stored.
type SerializationError struct {
	Table, Column string
	Reason        string
	Err           error // the custom serializer's error, if any
}

// Unwrap returns the custom serializer's error.
func (e *SerializationError) Unwrap() error { return e.Err }

// Error describes the failure.
func (e *SerializationError) Error() string {
	return "powersync: serialize " + strconv.Quote(e.Table) + "." + strconv.Quote(e.Column) + ": " + e.Reason
}

// Name returns "SerializationError".
func (e *SerializationError) Name() string { return "SerializationError" }

// serializeField converts one item field to the value stored in its column:
// a custom serializer wins; TEXT takes strings, times as ISO text and
// anything else as JSON; INTEGER and REAL take numbers, booleans as 1/0 and
// numeric strings. Unknown columns are an error.
func serializeField(t store.Table, custom map[string]func(any) (any, error), name string, v any) (any, error) {
	if name == "id" {
		return v, nil
	}
	col, ok := t.Column(name)
	if !ok {
		return nil, &SerializationError{Table: t.Name, Column: name, Reason: "no such column in the table"}
	}
	if f := custom[name]; f != nil {
		out, err := f(v)
		if err != nil {
			return nil, &SerializationError{Table: t.Name, Column: name, Reason: err.Error(), Err: err}
		}
		return out, nil
	}
	if v == nil {
		return nil, nil
	}
	if col.Type == store.Text {
		switch x := v.(type) {
		case string:
			return x, nil
		case time.Time:
			return x.UTC().Format(isoTime), nil
		case []byte:
			return x, nil
		default:
			b, err := json.Marshal(x)
			if err != nil {
				return nil, &SerializationError{Table: t.Name, Column: name, Reason: err.Error()}
			}
			return string(b), nil
		}
	}
	var f float64
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float64:
		f = x
	case float32:
		f = float64(x)
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return int64(0), nil // Number("") is 0
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		p, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, &SerializationError{Table: t.Name, Column: name, Reason: "not a number: " + strconv.Quote(x)}
		}
		f = p
	case time.Time:
		return x.UnixMilli(), nil // Number(date)
	default:
		return nil, &SerializationError{Table: t.Name, Column: name, Reason: "cannot store this value in a " + string(col.Type) + " column"}
	}
	if math.IsNaN(f) {
		return nil, &SerializationError{Table: t.Name, Column: name, Reason: "NaN is not a number"}
	}
	if col.Type == store.Integer && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), nil
	}
	return f, nil
}
