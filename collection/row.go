package collection

import (
	"bytes"
	"reflect"
	"time"
)

// mergeRow returns a new row: base with changes applied.
func mergeRow(base, changes Row) Row {
	out := make(Row, len(base)+len(changes))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

// cloneRow deep-copies a row, so that a mutator can change a draft (even its
// nested maps and slices) without touching the collection's state.
func cloneRow(r Row) Row {
	out := make(Row, len(r))
	for k, v := range r {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return cloneRow(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	case []byte:
		return bytes.Clone(x)
	default:
		return v
	}
}

// diffRow returns the fields of draft that differ from orig; a field removed
// from the draft is recorded as nil.
func diffRow(orig, draft Row) Row {
	var changes Row
	for k, v := range draft {
		if ov, ok := orig[k]; !ok || !valuesEqual(ov, v) {
			if changes == nil {
				changes = make(Row)
			}
			changes[k] = v
		}
	}
	for k := range orig {
		if _, ok := draft[k]; !ok {
			if changes == nil {
				changes = make(Row)
			}
			changes[k] = nil
		}
	}
	return changes
}

// rowsEqual compares two rows deeply.
func rowsEqual(a, b Row) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) > 0 && reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true // the same map: rows are never changed in place
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || !valuesEqual(av, bv) {
			return false
		}
	}
	return true
}

// valuesEqual compares two item values: numbers by value whatever their Go
// type, times by instant, containers deeply.
func valuesEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64, int, float64, int32, float32:
		xf, xok := toNumber(a)
		yf, yok := toNumber(b)
		if !xok || !yok {
			return false
		}
		if xi, ok := a.(int64); ok {
			if yi, ok := b.(int64); ok {
				return xi == yi // exact beyond 2^53
			}
		}
		return xf == yf
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case map[string]any:
		y, ok := b.(map[string]any)
		return ok && rowsEqual(x, y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(a, b)
	}
}

// toNumber converts the numeric Go types items use to float64.
func toNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case float64:
		return x, true
	case int32:
		return float64(x), true
	case float32:
		return float64(x), true
	default:
		return 0, false
	}
}
