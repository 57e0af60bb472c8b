package query

import "github.com/localfirst/gopowersync/collection"

// Exports for the external tests: the ordering and key definitions the
// judge shares with the engine (they define the result, they are not the
// incremental machinery under test).
var (
	CompareOrdered     = func(a, b any, o Ordering) int { return compareOrdered(a, b, &o) }
	CanonKey           = canonKey
	Undefined      any = undefinedValue{}
)

// LazyInputs counts the inputs of the running session whose window reads
// from an index, so that a test knows which path it covered.
func LazyInputs(lq *LiveQuery) int {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	n := 0
	if lq.sess != nil {
		for _, in := range lq.sess.g.inputs {
			if in.top != nil && in.top.lazy != nil {
				n++
			}
		}
	}
	return n
}

// IndexOrder creates the index a window over q's from source, ordered by
// its first orderBy key, reads from (as an earlier window that ran short
// would have), so that a test covers reads from an index from the start.
func IndexOrder(q Query) {
	ir := q.IR()
	if ir.From.Collection == nil || len(ir.OrderBy) == 0 {
		return
	}
	r, ok := norm(ir.OrderBy[0].Expr).(collection.Ref)
	if !ok || len(r.Path) < 2 || r.Path[0] != ir.From.Alias {
		return
	}
	lazyIndex(ir.From.Collection, r.Path[1:], ir.OrderBy[0].StringSort, false)
}

// IndexedInputs counts the inputs of the running session whose window
// reads from an index now (not by passes over the rows).
func IndexedInputs(lq *LiveQuery) int {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	n := 0
	if lq.sess != nil {
		for _, in := range lq.sess.g.inputs {
			if in.top != nil && in.top.lazy != nil && in.top.lazy.ix != nil {
				n++
			}
		}
	}
	return n
}
