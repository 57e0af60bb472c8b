package query

import (
	"github.com/localfirst/gopowersync/collection"
)

// join is an equi-join of two delta streams. Each side keeps an index of
// its current rows by join key (the canonical text of the key's value,
// see canon): a change on one side looks up its matches on the other in
// O(matches), and for outer joins an unmatched row is emitted padded
// (without the other side's aliases) and retracted when its first match
// arrives. A row whose join key is null matches nothing.
type join struct {
	typ         JoinType
	leftExpr    collection.Expr // over the left (accumulated) namespaced row
	rightExpr   collection.Expr // over the right row
	left, right map[string]map[string]Row
	// nested: the left input is an earlier join of the same query, so its
	// keys are already composite keys (see joinKey).
	nested bool
	next   sink
}

func newJoin(typ JoinType, leftExpr, rightExpr collection.Expr, nested bool, next sink) *join {
	return &join{typ: typ, leftExpr: leftExpr, rightExpr: rightExpr, nested: nested,
		left: make(map[string]map[string]Row), right: make(map[string]map[string]Row), next: next}
}

// side is one side of a joined row's key: its row's key, or none for the
// missing side of an outer join.
type side struct {
	key     string
	present bool
}

// joinKey is the composite key of a joined row: the canonical text (see
// canon, the same encoding as group and distinct keys) of the pair of
// keys, a missing side being undefined, e.g. [s"t1",s"u1"] or [s"t1",u].
// TanStack DB's `[${left},${right}]` is ambiguous (ids containing ","
// or spelled "undefined" collide and rows are lost); this text is not:
// every key is quoted, and a nested join's left key, itself such a text,
// is embedded as is ([[s"t1",s"u1"],s"v1"]).
func joinKey(l, r side, nested bool) string {
	part := func(s side, composite bool) any {
		switch {
		case !s.present:
			return undefinedValue{}
		case composite:
			return canonText(s.key)
		}
		return s.key
	}
	return canonKey([]any{part(l, nested), part(r, false)})
}

func combine(l, r Row) Row {
	out := make(Row, len(l)+len(r))
	for k, v := range l {
		out[k] = v
	}
	for k, v := range r {
		out[k] = v
	}
	return out
}

func (j *join) keepsLeft() bool  { return j.typ == JoinLeft || j.typ == JoinFull }
func (j *join) keepsRight() bool { return j.typ == JoinRight || j.typ == JoinFull }

// onLeft and onRight are the two inputs.
func (j *join) onLeft(ds []delta)  { j.apply(ds, true) }
func (j *join) onRight(ds []delta) { j.apply(ds, false) }

func (j *join) apply(ds []delta, isLeft bool) {
	var out []delta
	mine, other := j.left, j.right
	expr, keepMine, keepOther := j.leftExpr, j.keepsLeft(), j.keepsRight()
	if !isLeft {
		mine, other = j.right, j.left
		expr, keepMine, keepOther = j.rightExpr, j.keepsRight(), j.keepsLeft()
	}
	pair := func(mk side, mr Row, ok side, or Row, mult int) delta {
		if isLeft {
			return delta{key: joinKey(mk, ok, j.nested), row: combine(mr, or), mult: mult}
		}
		return delta{key: joinKey(ok, mk, j.nested), row: combine(or, mr), mult: mult}
	}
	none := side{}
	for _, d := range ds {
		v := evalOrNull(expr, d.row)
		if v == nil {
			if keepMine {
				out = append(out, pair(side{d.key, true}, d.row, none, nil, d.mult))
			}
			continue
		}
		jk := canonKey(v)
		matches := other[jk]
		for ok, or := range matches {
			out = append(out, pair(side{d.key, true}, d.row, side{ok, true}, or, d.mult))
		}
		if len(matches) == 0 && keepMine {
			out = append(out, pair(side{d.key, true}, d.row, none, nil, d.mult))
		}
		bucket := mine[jk]
		before := len(bucket)
		if d.mult > 0 {
			if bucket == nil {
				bucket = make(map[string]Row, 1)
				mine[jk] = bucket
			}
			bucket[d.key] = d.row
		} else {
			delete(bucket, d.key)
			if len(bucket) == 0 {
				delete(mine, jk)
			}
		}
		after := len(mine[jk])
		if keepOther && len(matches) > 0 {
			switch {
			case before == 0 && after > 0: // the other side's rows are matched now
				for ok, or := range matches {
					out = append(out, pair(none, nil, side{ok, true}, or, -1))
				}
			case before > 0 && after == 0: // and unmatched again
				for ok, or := range matches {
					out = append(out, pair(none, nil, side{ok, true}, or, +1))
				}
			}
		}
	}
	if len(out) > 0 {
		j.next(out)
	}
}
