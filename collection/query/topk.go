package query

import (
	"slices"
	"strings"
)

// topK keeps every row in orderBy order (an order-statistic tree, see
// ordered) and emits only the window [offset, offset+limit). A change
// enters or leaves the tree in O(log n) and shifts the window by at most
// one row at each edge, so it emits at most a few deltas whatever the
// size of the input. Without a limit the window runs to the end.
type topK struct {
	orderBy []Ordering
	offset  int
	limit   int // < 0: none
	tree    *ordered
	next    sink
	lazy    *lazyFeed // set when the rows come from an index (lazy.go)
}

func newTopK(orderBy []Ordering, offset, limit int, next sink) *topK {
	t := &topK{orderBy: orderBy, offset: offset, limit: limit, next: next}
	t.tree = newOrdered(t.compare)
	return t
}

// compare orders entries by the orderings, then by key, so that the order
// is total and an entry can be found again.
func (t *topK) compare(a, b *entry) int {
	for i := range t.orderBy {
		if c := compareOrdered(a.sort[i], b.sort[i], &t.orderBy[i]); c != 0 {
			return c
		}
	}
	return strings.Compare(a.key, b.key)
}

func (t *topK) end() int {
	if t.limit < 0 {
		return int(^uint(0) >> 1)
	}
	return t.offset + t.limit
}

func (t *topK) sortValues(r Row) []any {
	vals := make([]any, len(t.orderBy))
	for i, o := range t.orderBy {
		vals[i] = evalOrNull(o.Expr, r)
	}
	return vals
}

// bulkMin is the batch size from which a first load into an empty tree
// is sorted and built at once rather than inserted row by row.
const bulkMin = 64

func (t *topK) apply(ds []delta) {
	if t.lazy != nil {
		t.applyLazy(ds)
		return
	}
	if t.tree.Len() == 0 && len(ds) >= bulkMin && t.bulk(ds) {
		return
	}
	var out []delta
	for _, d := range ds {
		e := entry{sort: t.sortValues(d.row), key: d.key, row: d.row}
		if d.mult > 0 {
			t.insert(e, &out)
		} else {
			t.remove(&e, &out)
		}
	}
	if len(out) > 0 {
		t.next(out)
	}
}

// insert adds e to the tree and appends to out what that changes in the
// window: at most one row enters and one leaves.
func (t *topK) insert(e entry, out *[]delta) {
	o, end := t.offset, t.end()
	r := t.tree.Insert(e)
	if r >= end {
		return
	}
	if r >= o {
		emit(out, &e, +1)
	} else {
		emit(out, t.tree.At(o), +1) // pushed into the window from before it
	}
	emit(out, t.tree.At(end), -1) // pushed out at the end, if there was one
}

// remove takes the entry equal to e out of the tree, as insert.
func (t *topK) remove(e *entry, out *[]delta) {
	o, end := t.offset, t.end()
	// Find the stored entry: its row is what was emitted.
	r := t.tree.Delete(e)
	if r < 0 || r >= end {
		return
	}
	if r >= o {
		emit(out, e, -1)
	} else {
		// The row at the window's start (now at o-1) moved out before it.
		emit(out, t.tree.At(o-1), -1)
	}
	emit(out, t.tree.At(end-1), +1) // pulled into the window at the end
}

func emit(out *[]delta, e *entry, mult int) {
	if e != nil {
		*out = append(*out, delta{key: e.key, row: e.row, mult: mult})
	}
}

// bulk loads a batch of insertions (a source's initial rows) into the
// empty tree with one sort, and emits the window. It returns false, doing
// nothing, when the batch holds anything else.
func (t *topK) bulk(ds []delta) bool {
	es := make([]entry, len(ds))
	k := len(t.orderBy)
	vals := make([]any, len(ds)*k) // every row's sort values in one allocation
	for i, d := range ds {
		if d.mult != 1 {
			return false
		}
		sv := vals[i*k : (i+1)*k : (i+1)*k]
		for j, o := range t.orderBy {
			sv[j] = evalOrNull(o.Expr, d.row)
		}
		es[i] = entry{sort: sv, key: d.key, row: d.row}
	}
	slices.SortFunc(es, func(a, b entry) int { return t.compare(&a, &b) })
	for i := 1; i < len(es); i++ {
		if es[i].key == es[i-1].key {
			return false // a key twice: leave it to the general path
		}
	}
	t.tree.Build(es)
	var out []delta
	t.window(func(k string, r Row) { out = append(out, delta{key: k, row: r, mult: +1}) })
	if len(out) > 0 {
		t.next(out)
	}
	return true
}

// window calls fn for the rows of the window in order.
func (t *topK) window(fn func(key string, row Row)) {
	to := -1
	if t.limit >= 0 {
		to = t.end()
	}
	t.tree.Range(t.offset, to, func(e *entry) { fn(e.key, e.row) })
}

// need is the number of rows the window reaches to: offset+limit, or
// everything without a limit.
func (t *topK) need() int {
	if t.limit < 0 {
		return int(^uint(0) >> 1)
	}
	return t.offset + t.limit
}

// loadLimit is the number of rows an on-demand source must load for the
// window: need, or 0 (everything) without a limit.
func (t *topK) loadLimit() int {
	if t.limit < 0 {
		return 0
	}
	return t.offset + t.limit
}

// setWindow moves the window and emits the rows that leave and enter it.
func (t *topK) setWindow(offset, limit int) {
	before := map[string]*entry{}
	t.window(func(k string, r Row) { before[k] = &entry{key: k, row: r} })
	t.offset, t.limit = offset, limit
	var out []delta
	after := map[string]bool{}
	t.window(func(k string, r Row) {
		after[k] = true
		if before[k] == nil {
			out = append(out, delta{key: k, row: r, mult: +1})
		}
	})
	for k, e := range before {
		if !after[k] {
			out = append(out, delta{key: k, row: e.row, mult: -1})
		}
	}
	if len(out) > 0 {
		t.next(out)
	}
}
