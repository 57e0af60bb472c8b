package query_test

import (
	"sort"
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

// judge evaluates an IR from scratch over the current rows of its sources,
// with nested loops and sorting: the slow, obvious meaning of a query that
// the incremental result must equal after every change.

type jrow struct {
	key string
	row collection.Row // namespaced
}

func judge(ir query.IR) []collection.Entry {
	rows := judgeSource(ir.From)
	// The composite key, written out here apart from the engine's canon:
	// each key quoted, a missing side u, a nested join's left key as is.
	q := func(k string) string { return "s" + strconv.Quote(k) }
	for n, j := range ir.Joins {
		lk := q
		if n > 0 {
			lk = func(k string) string { return k }
		}
		right := judgeSource(j.Source)
		var out []jrow
		matchedR := make([]bool, len(right))
		for _, l := range rows {
			matched := false
			for i, r := range right {
				comb := merge(l.row, r.row)
				if ok, _ := collection.Matches(j.On, comb); ok {
					matched, matchedR[i] = true, true
					out = append(out, jrow{"[" + lk(l.key) + "," + q(r.key) + "]", comb})
				}
			}
			if !matched && (j.Type == query.JoinLeft || j.Type == query.JoinFull || j.Type == "") {
				out = append(out, jrow{"[" + lk(l.key) + ",u]", l.row})
			}
		}
		if j.Type == query.JoinRight || j.Type == query.JoinFull {
			for i, r := range right {
				if !matchedR[i] {
					out = append(out, jrow{"[u," + q(r.key) + "]", r.row})
				}
			}
		}
		rows = out
	}
	var kept []jrow
	for _, r := range rows {
		ok := true
		for _, w := range ir.Where {
			m, _ := collection.Matches(w, r.row)
			ok = ok && m
		}
		if ok {
			kept = append(kept, r)
		}
	}
	rows = kept

	grouped := len(ir.GroupBy) > 0
	for _, it := range ir.Select {
		grouped = grouped || containsAgg(it.Expr)
	}
	type result struct {
		key  string
		val  collection.Row
		sort collection.Row // what orderBy reads
	}
	var results []result
	orderBy := make([]query.Ordering, len(ir.OrderBy))
	copy(orderBy, ir.OrderBy)
	if grouped {
		groups := map[string][]jrow{}
		var gkeys []string
		gvals := map[string][]any{}
		for _, r := range rows {
			var vals []any
			for _, e := range ir.GroupBy {
				// Undefined groups apart from null, as in TanStack DB.
				v, defined, _ := collection.Evaluate(e, r.row)
				if !defined {
					v = query.Undefined
				}
				vals = append(vals, v)
			}
			k := canonJSON(vals)
			if _, ok := groups[k]; !ok {
				gkeys = append(gkeys, k)
				gvals[k] = vals
			}
			groups[k] = append(groups[k], r)
		}
		for _, k := range gkeys {
			subst := func(e collection.Expr) collection.Expr { return substitute(e, ir.GroupBy, gvals[k], groups[k]) }
			ok := true
			for _, h := range ir.Having {
				m, _ := collection.Matches(subst(h), collection.Row{})
				ok = ok && m
			}
			if !ok {
				continue
			}
			var val collection.Row
			if ir.Select != nil {
				val = judgeSelect(ir.Select, collection.Row{}, subst)
			}
			sortRow := collection.Row{}
			res := result{key: groupKeyText(gvals[k]), val: val, sort: sortRow}
			// orderBy over a group: substitute, then evaluate on nothing.
			vals := make([]any, len(ir.OrderBy))
			for i, o := range ir.OrderBy {
				vals[i], _ = collection.Eval(subst(o.Expr), collection.Row{"$selected": val})
			}
			res.sort = collection.Row{"vals": vals}
			results = append(results, res)
		}
	} else {
		for _, r := range rows {
			var val collection.Row
			switch {
			case ir.Select != nil:
				val = judgeSelect(ir.Select, r.row, func(e collection.Expr) collection.Expr { return e })
			case len(ir.Joins) == 0:
				val, _ = r.row[ir.From.Alias].(collection.Row)
			default:
				val = r.row
			}
			sortRow := merge(r.row, collection.Row{"$selected": val})
			vals := make([]any, len(ir.OrderBy))
			for i, o := range ir.OrderBy {
				vals[i], _ = collection.Eval(o.Expr, sortRow)
			}
			results = append(results, result{key: r.key, val: val, sort: collection.Row{"vals": vals}})
		}
	}
	if ir.Distinct {
		seen := map[string]bool{}
		var out []result
		for _, r := range results {
			k := canonJSON(r.val)
			if seen[k] {
				continue
			}
			seen[k] = true
			vals := make([]any, len(ir.OrderBy))
			for i, o := range ir.OrderBy {
				vals[i], _ = collection.Eval(o.Expr, collection.Row{"$selected": r.val})
			}
			out = append(out, result{key: k, val: r.val, sort: collection.Row{"vals": vals}})
		}
		results = out
	}
	if len(ir.OrderBy) > 0 || ir.FindOne {
		sort.SliceStable(results, func(i, j int) bool {
			a, b := results[i].sort["vals"].([]any), results[j].sort["vals"].([]any)
			for k := range ir.OrderBy {
				if c := query.CompareOrdered(a[k], b[k], ir.OrderBy[k]); c != 0 {
					return c < 0
				}
			}
			return results[i].key < results[j].key
		})
		lo, hi := ir.Offset, len(results)
		if ir.Limit != nil && lo+*ir.Limit < hi {
			hi = lo + *ir.Limit
		}
		if ir.FindOne && hi > lo+1 {
			hi = lo + 1
		}
		if lo > len(results) {
			lo = len(results)
		}
		if hi < lo {
			hi = lo
		}
		results = results[lo:hi]
	} else {
		sort.Slice(results, func(i, j int) bool { return results[i].key < results[j].key })
	}
	out := make([]collection.Entry, len(results))
	for i, r := range results {
		out[i] = collection.Entry{Key: r.key, Value: r.val}
	}
	return out
}

func judgeSource(s query.Source) []jrow {
	var out []jrow
	if s.Collection != nil {
		for k, v := range s.Collection.State() {
			out = append(out, jrow{k, collection.Row{s.Alias: v}})
		}
		return out
	}
	for _, e := range judge(*s.Query) {
		out = append(out, jrow{e.Key, collection.Row{s.Alias: e.Value}})
	}
	return out
}

func judgeSelect(items []query.SelectItem, r collection.Row, subst func(collection.Expr) collection.Expr) collection.Row {
	out := collection.Row{}
	for _, it := range items {
		switch {
		case it.Spread != "":
			if src, ok := r[it.Spread].(collection.Row); ok {
				for k, v := range src {
					out[k] = v
				}
			}
		case it.Nested != nil:
			out[it.Name] = judgeSelect(it.Nested, r, subst)
		default:
			v, defined, err := collection.Evaluate(subst(it.Expr), r)
			if err != nil {
				v, defined = nil, true
			}
			if defined { // undefined, as TanStack DB selects it: no key
				out[it.Name] = v
			}
		}
	}
	return out
}

func merge(a, b collection.Row) collection.Row {
	out := collection.Row{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func containsAgg(e collection.Expr) bool {
	f, ok := e.(collection.Func)
	if !ok {
		return false
	}
	switch f.Name {
	case "count", "sum", "avg", "min", "max":
		return true
	}
	for _, a := range f.Args {
		if containsAgg(a) {
			return true
		}
	}
	return false
}

// substitute replaces grouped expressions by the group's values and
// aggregates by their value over the group's rows, computed here from
// scratch.
func substitute(e collection.Expr, groupBy []collection.Expr, vals []any, rows []jrow) collection.Expr {
	for i, g := range groupBy {
		if exprEqual(g, e) {
			if vals[i] == query.Undefined {
				// A field no row has reads as undefined.
				return collection.Ref{Path: []string{"$undefined"}}
			}
			return collection.Val{Value: vals[i]}
		}
	}
	f, ok := e.(collection.Func)
	if !ok {
		if _, isRef := e.(collection.Ref); isRef {
			return collection.Val{} // not grouped: null
		}
		return e
	}
	switch f.Name {
	case "count", "sum", "avg", "min", "max":
		var xs []any // every row's value, null and undefined as nil
		for _, r := range rows {
			v, _ := collection.Eval(f.Args[0], r.row)
			xs = append(xs, v)
		}
		return collection.Val{Value: aggregate(f.Name, xs)}
	}
	args := make([]collection.Expr, len(f.Args))
	for i, a := range f.Args {
		args[i] = substitute(a, groupBy, vals, rows)
	}
	return collection.Func{Name: f.Name, Args: args}
}

// aggregate follows TanStack DB 0.9.2's group-by and db-ivm's aggregates
// step by step, over every row's value (nil for null and undefined).
func aggregate(fn string, xs []any) any {
	switch fn {
	case "count": // the known values
		n := int64(0)
		for _, x := range xs {
			if x != nil {
				n++
			}
		}
		return n
	case "sum", "avg": // null as 0; avg over every row
		var si int64
		var sf float64
		floats := false
		for _, x := range xs {
			switch v := x.(type) {
			case int64:
				si += v
			case float64:
				sf += v
				floats = true
			case bool:
				if v {
					si++
				}
			}
		}
		if fn == "avg" {
			return (sf + float64(si)) / float64(len(xs))
		}
		if floats {
			return sf + float64(si)
		}
		return si
	default: // min, max: JavaScript's loop, falsy values passed over
		truthy := func(v any) bool {
			switch x := v.(type) {
			case nil:
				return false
			case string:
				return x != ""
			case int64:
				return x != 0
			case float64:
				return x != 0 && x == x
			}
			return true
		}
		var best any
		allEmpty := true
		for _, x := range xs {
			switch v := x.(type) {
			case nil:
				x = int64(0)
			case bool:
				x = int64(0)
				if v {
					x = int64(1)
				}
			}
			if x != "" {
				allEmpty = false
			}
			if !truthy(best) {
				best = x
				continue
			}
			if !truthy(x) {
				continue
			}
			c, _ := collection.Compare(x, best)
			if (fn == "min" && c < 0) || (fn == "max" && c > 0) {
				best = x
			}
		}
		if !truthy(best) { // TanStack: the last falsy value; we answer 0 unless all are ""
			if allEmpty && len(xs) > 0 {
				return ""
			}
			return int64(0)
		}
		return best
	}
}

func exprEqual(a, b collection.Expr) bool {
	switch x := a.(type) {
	case collection.Ref:
		y, ok := b.(collection.Ref)
		return ok && strings.Join(x.Path, "\x00") == strings.Join(y.Path, "\x00")
	case collection.Val:
		y, ok := b.(collection.Val)
		return ok && canonJSON(x.Value) == canonJSON(y.Value)
	case collection.Func:
		y, ok := b.(collection.Func)
		if !ok || x.Name != y.Name || len(x.Args) != len(y.Args) {
			return false
		}
		for i := range x.Args {
			if !exprEqual(x.Args[i], y.Args[i]) {
				return false
			}
		}
		return true
	}
	return false
}
