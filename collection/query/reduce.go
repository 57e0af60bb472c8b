package query

import (
	"strconv"

	"github.com/localfirst/gopowersync/collection"
)

// reduce groups rows and maintains aggregates. Per group it keeps the
// grouped values, the number of rows, and per aggregate a small state
// that a row's arrival or departure updates in O(1) (count, sum, avg) or
// O(log n)-ish (min and max keep a count per distinct value and rescan
// those values only when the extreme leaves). After a batch, each touched
// group's output row is retracted and emitted again.
//
// The output row of a group is {"$group": {"0": v0, ...}, "$agg": {"0":
// a0, ...}}: the compiler rewrote select, having and orderBy so that a
// grouped expression reads $group.i and an aggregate $agg.j.
type reduce struct {
	groupBy []collection.Expr
	aggs    []collection.Func // each with one argument
	groups  map[string]*group
	next    sink
}

type group struct {
	values []any
	rows   int
	aggs   []aggState
	out    Row // emitted row, nil if none
}

type aggState struct {
	n        int // non-null values
	sumInt   int64
	sumFloat float64
	floats   int                    // non-integer values among n
	values   map[string]*valueCount // min and max: the distinct truthy values
	empties  int                    // min and max: rows whose value is ""
	extreme  any
	stale    bool // the extreme left: rescan values
}

type valueCount struct {
	v any
	n int
}

func newReduce(groupBy []collection.Expr, aggs []collection.Func, next sink) *reduce {
	return &reduce{groupBy: groupBy, aggs: aggs, groups: make(map[string]*group), next: next}
}

func (r *reduce) apply(ds []delta) {
	var touched []string
	seen := make(map[string]bool)
	for _, d := range ds {
		vals := make([]any, len(r.groupBy))
		var b []byte
		for i, e := range r.groupBy {
			vals[i] = groupValue(e, d.row)
			b = canon(append(b, '|'), vals[i])
		}
		gk := string(b)
		g := r.groups[gk]
		if g == nil {
			g = &group{values: vals, aggs: make([]aggState, len(r.aggs))}
			r.groups[gk] = g
		}
		g.rows += d.mult
		for i, a := range r.aggs {
			g.aggs[i].add(a.Name, evalOrNull(a.Args[0], d.row), d.mult)
		}
		if !seen[gk] {
			seen[gk] = true
			touched = append(touched, gk)
		}
	}
	var out []delta
	for _, gk := range touched {
		g := r.groups[gk]
		key := r.resultKey(g)
		if g.out != nil {
			out = append(out, delta{key: key, row: g.out, mult: -1})
			g.out = nil
		}
		if g.rows <= 0 {
			delete(r.groups, gk)
			continue
		}
		gv := make(Row, len(g.values))
		for i, v := range g.values {
			if _, ok := v.(undefinedValue); !ok { // left out: reads as undefined
				gv[strconv.Itoa(i)] = v
			}
		}
		av := make(Row, len(r.aggs))
		for i, a := range r.aggs {
			av[strconv.Itoa(i)] = g.aggs[i].value(a.Name, g.rows)
		}
		g.out = Row{groupKey: gv, aggKey: av}
		out = append(out, delta{key: key, row: g.out, mult: +1})
	}
	if len(out) > 0 {
		r.next(out)
	}
}

// groupValue is a grouped expression's value over r: undefinedValue where
// TanStack DB evaluates undefined, which groups apart from null there.
func groupValue(e collection.Expr, r Row) any {
	v, defined, err := collection.Evaluate(e, r)
	switch {
	case err != nil:
		return nil
	case !defined:
		return undefinedValue{}
	}
	return v
}

// resultKey is the key of a group's row: the canonical JSON of its
// grouped values.
func (r *reduce) resultKey(g *group) string {
	return string(canon(nil, g.values))
}

// add counts v, one row's value, mult times (negative: the row left).
// Null and undefined (nil here) count for count as nothing, for sum and avg
// as 0 and for min and max as 0, which TanStack DB 0.9.2's min and max then
// pass over (see minMaxValue).
func (s *aggState) add(fn string, v any, mult int) {
	if v == nil {
		return
	}
	s.n += mult
	switch fn {
	case "sum", "avg":
		switch x := v.(type) {
		case int64:
			s.sumInt += int64(mult) * x
		case int:
			s.sumInt += int64(mult) * int64(x)
		case bool:
			if x {
				s.sumInt += int64(mult)
			}
		default:
			if f, ok := number(v); ok {
				s.sumFloat += float64(mult) * f
				s.floats += mult
			}
		}
	case "min", "max":
		v, ok := minMaxValue(v)
		if !ok {
			if v == "" {
				s.empties += mult
			}
			return
		}
		if s.values == nil {
			s.values = make(map[string]*valueCount)
		}
		k := canonKey(v)
		vc := s.values[k]
		if vc == nil {
			vc = &valueCount{v: v}
			s.values[k] = vc
		}
		vc.n += mult
		if vc.n <= 0 {
			delete(s.values, k)
			if s.extreme != nil && canonKey(s.extreme) == k {
				s.stale = true
			}
			return
		}
		if mult > 0 && !s.stale && (s.extreme == nil || better(fn, v, s.extreme)) {
			s.extreme = v
		}
	}
}

// minMaxValue is v as TanStack DB 0.9.2's min and max read it, and whether
// it takes part. They read true as 1 and false, like null, as 0, then keep
// the first value while the running extreme is falsy (0, "", NaN) and skip
// falsy values after, so the answer is the extreme of the truthy values:
// min(0, 5) is 5 and max(-3, null) is -3. Only a group with no truthy value
// answers a falsy one (see value).
func minMaxValue(v any) (any, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), false
	case string:
		return x, x != ""
	case int64:
		return x, x != 0
	case int:
		return int64(x), x != 0
	case float64:
		return x, x != 0 && x == x
	}
	return v, true
}

func better(fn string, a, b any) bool {
	c, _ := collection.Compare(a, b) // as JavaScript's < for numbers and for texts
	if fn == "min" {
		return c < 0
	}
	return c > 0
}

// value is the aggregate over a group of rows rows, as TanStack DB 0.9.2
// answers it: count counts the known values; sum reads null and undefined
// as 0 (0 when all are); avg divides that sum by every row, null rows
// included; min and max answer 0 when no value is truthy, or "" when every
// row's value is "" (TanStack answers the last falsy value to arrive there,
// which depends on order: we pick 0 unless all are "").
func (s *aggState) value(fn string, rows int) any {
	switch fn {
	case "count":
		return int64(s.n)
	case "sum":
		if s.floats == 0 {
			return s.sumInt
		}
		return s.sumFloat + float64(s.sumInt)
	case "avg":
		if rows <= 0 {
			return nil
		}
		return (s.sumFloat + float64(s.sumInt)) / float64(rows)
	default: // min, max
		if s.stale {
			s.extreme, s.stale = nil, false
			for _, vc := range s.values {
				if s.extreme == nil || better(fn, vc.v, s.extreme) {
					s.extreme = vc.v
				}
			}
		}
		if len(s.values) == 0 {
			if rows > 0 && s.empties == rows {
				return ""
			}
			return int64(0)
		}
		return s.extreme
	}
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}
