package query

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
			out[it.Name] = evalOrNull(it.Expr, r)
		}
	}
	return out
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
