package query

import "github.com/localfirst/gopowersync/collection"

// Row is a row of a collection.
type Row = collection.Row

// delta is one element of a change: the row with key enters (mult +1) or
// leaves (mult -1) an operator's output. An update of a row is its old
// row leaving and its new row entering. Between operators, row is the
// namespaced row: the source row of each alias under that alias, plus
// "$selected" (the select's result), "$group" and "$agg" (a group's
// grouped values and aggregates) where they exist.
type delta struct {
	key  string
	row  Row
	mult int
}

// sink receives a batch of deltas.
type sink func([]delta)

// Reserved names in a namespaced row.
const (
	selectedKey = "$selected"
	groupKey    = "$group"
	aggKey      = "$agg"
)

// with returns a copy of the namespaced row r with name set to v.
func with(r Row, name string, v any) Row {
	out := make(Row, len(r)+1)
	for k, x := range r {
		out[k] = x
	}
	out[name] = v
	return out
}

// evalOrNull evaluates e over r; an evaluation error (a function given
// the wrong kind of value by the data) is null, as nothing could receive
// the error of a change that arrives later.
func evalOrNull(e collection.Expr, r Row) any {
	v, err := collection.Eval(e, r)
	if err != nil {
		return nil
	}
	return v
}

// truth is evalOrNull read as a condition: only true keeps a row.
func truth(e collection.Expr, r Row) bool {
	ok, err := collection.Matches(e, r)
	return err == nil && ok
}
