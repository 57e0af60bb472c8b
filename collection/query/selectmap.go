package query

import "github.com/localfirst/gopowersync/collection"

// project maps each delta's row to the select's result, kept under
// "$selected" beside the namespaced row so that orderBy can still read
// the sources. It keeps no state.
func project(items []SelectItem, next sink) sink {
	return func(ds []delta) {
		out := make([]delta, len(ds))
		for i, d := range ds {
			out[i] = delta{key: d.key, row: with(d.row, selectedKey, buildSelect(items, d.row)), mult: d.mult}
		}
		next(out)
	}
}

// buildSelect evaluates a select over a namespaced row. Later items win
// over earlier ones, spreads included, as in a JS object literal.
func buildSelect(items []SelectItem, r Row) Row {
	out := make(Row, len(items))
	for _, it := range items {
		switch {
		case it.Spread != "":
			if src, ok := r[it.Spread].(Row); ok {
				for k, v := range src {
					out[k] = v
				}
			}
		case it.Nested != nil:
			out[it.Name] = buildSelect(it.Nested, r)
		default:
			if v, ok := selectValue(it.Expr, r); ok {
				out[it.Name] = v
			}
		}
	}
	return out
}

// selectValue is the value of a selected expression, and false when it is
// a bare reference that reads nothing: a field of a joined source with no
// row (an outer join's missing side) or a field the row does not have.
// TanStack DB selects undefined there, a key a JS object has but JSON
// drops; the result leaves the key out, so that it reads as undefined in
// JS, not as null (which a row's value can be).
func selectValue(e collection.Expr, r Row) (any, bool) {
	if ref, ok := norm(e).(collection.Ref); ok {
		var cur any = r
		for _, p := range ref.Path {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[p]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	return evalOrNull(e, r), true
}

// resultOf is the value a row shows in the live query: the select's
// result, or without one the row of the only alias, or with joins the
// namespaced row itself.
func resultOf(r Row, single string) Row {
	if s, ok := r[selectedKey].(Row); ok {
		return s
	}
	if single != "" {
		v, _ := r[single].(Row)
		return v
	}
	out := make(Row, len(r))
	for k, v := range r {
		if k != groupKey && k != aggKey {
			out[k] = v
		}
	}
	return out
}
