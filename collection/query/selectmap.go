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
// undefined as TanStack DB 0.9.2 evaluates it (collection.Evaluate): a
// field of an outer join's missing side or one the row does not have, read
// bare or through upper or lower. TanStack DB selects undefined there, a
// key a JS object has but JSON drops; the result leaves the key out, so
// that it reads as undefined in JS, not as null (which a row's value can
// be). An evaluation error is null, as evalOrNull has it.
func selectValue(e collection.Expr, r Row) (any, bool) {
	v, defined, err := collection.Evaluate(e, r)
	if err != nil {
		return nil, true
	}
	return v, defined
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
