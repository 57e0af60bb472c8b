package query

import (
	"strings"

	"github.com/localfirst/gopowersync/collection"
)

// lazyFeed lets a top-K over one collection read its rows from an ordered
// index on its first orderBy key instead of receiving every row: it pulls
// whole groups of equal values, in the query's order, until the tree
// holds the window (or the index ends). The tree then holds exactly the
// rows that pass the where and whose first sort value is at or before
// the frontier, the last value pulled; a change to a row beyond the
// frontier is ignored (the index has it, and a later pull reads it as it
// is then). Rows are known by key, so a change that reaches the query
// after a pull already read its result only replaces the row by itself.
type lazyFeed struct {
	ix *collection.Index // nil: read by scans of coll (collection.First)
	// pending is an index being filled in the background: read from it
	// once it is ready.
	pending *collection.Index
	// textless is set when ix is the collection's own index read for a
	// locale order: right while it holds no text, left when it does.
	textless bool
	coll     *collection.Collection
	path     []string
	keep     func(collection.Row) bool // the query's where over a bare row, for scans
	chunk    int                       // the rows the last scan asked for
	alias    string
	ord      Ordering
	segs     []segment
	phase    int                    // the segment being read; len(segs) once the index is read to its end
	cur      collection.IndexCursor // within segs[phase]
	front    any                    // the last value pulled in segs[phase]
	begun    bool                   // something was pulled in segs[phase]
	pull     bool                   // the deltas being applied were pulled: take them whatever their value
	byKey    map[string]entry       // the tree's entries
}

// segment is a part of the index read in one direction: the null values
// alone, or the others (with or without the nulls, which the index sorts
// first).
type segment struct {
	nulls     bool // only the nulls
	desc      bool
	withNulls bool
}

// lazyIndexName names the index a query ordering by path uses: the
// lexical order is the collection's own (the index CreateIndex makes on
// that path); the locale order needs its own index.
func lazyIndexName(path []string, ss StringSort) string {
	name := "path:" + strings.Join(path, ".")
	if ss != StringSortLexical {
		name = "orderBy:locale:" + strings.Join(path, ".")
	}
	return name
}

// lazyIndex finds or (with AutoIndex eager) creates the index an ordering
// by path over c reads, or returns nil. A created index is filled in the
// background when background is set (see collection.IndexOptions).
func lazyIndex(c *collection.Collection, path []string, ss StringSort, background bool) *collection.Index {
	name := lazyIndexName(path, ss)
	if ix := c.IndexNamed(name); ix != nil {
		return ix
	}
	if c.Config().AutoIndex == collection.AutoIndexOff {
		return nil
	}
	opts := collection.IndexOptions{Name: name, Path: path, Background: background}
	if ss != StringSortLexical {
		opts.CompareStrings = localeCompare // the rest of compareValues is the collection's order
	}
	ix, err := c.CreateIndex(nil, opts)
	if err != nil {
		return nil
	}
	return ix
}

// newLazyFeed reads a window ordered by ord over the field at path of
// coll: from ix, or by scans when ix is nil.
func newLazyFeed(coll *collection.Collection, ix *collection.Index, path []string, alias string, ord Ordering, keep func(collection.Row) bool) *lazyFeed {
	lz := &lazyFeed{ix: ix, coll: coll, path: path, keep: keep, alias: alias, ord: ord, byKey: map[string]entry{}}
	desc := ord.Direction == Desc
	last := ord.Nulls == NullsLast
	switch {
	case !desc && !last:
		lz.segs = []segment{{withNulls: true}}
	case !desc:
		lz.segs = []segment{{}, {nulls: true}}
	case !last:
		lz.segs = []segment{{nulls: true}, {desc: true}}
	default:
		lz.segs = []segment{{desc: true, withNulls: true}}
	}
	return lz
}

// segOf is the segment that reads value v.
func (lz *lazyFeed) segOf(v any) int {
	if len(lz.segs) == 1 {
		return 0
	}
	if (v == nil) == lz.segs[0].nulls {
		return 0
	}
	return 1
}

// covered reports whether a row whose first sort value is v belongs in
// the tree: its place in the order has been read.
func (lz *lazyFeed) covered(v any) bool {
	s := lz.segOf(v)
	switch {
	case s < lz.phase:
		return true
	case s > lz.phase || !lz.begun:
		return false
	}
	return compareOrdered(v, lz.front, &lz.ord) <= 0
}

// applyLazy is apply for a tree fed by an index: by key, and only the
// rows whose place has been read.
func (t *topK) applyLazy(ds []delta) {
	lz := t.lazy
	var out []delta
	for _, d := range ds {
		if old, ok := lz.byKey[d.key]; ok {
			delete(lz.byKey, d.key)
			t.remove(&old, &out)
		}
		if d.mult < 0 {
			continue
		}
		e := entry{sort: t.sortValues(d.row), key: d.key, row: d.row}
		if lz.pull || lz.covered(e.sort[0]) {
			lz.byKey[d.key] = e
			t.insert(e, &out)
		}
	}
	if len(out) > 0 {
		t.next(out)
	}
}

// fill pulls rows from the index into feed (the head of the query's
// dataflow, so that they pass its where) until the tree holds the window
// or the index is read to its end.
func (t *topK) fill(feed sink) {
	lz := t.lazy
	if lz.textless && t.tree.Len() < t.need() && lz.ix.HoldsText() {
		// Text met: the collection's order is no longer the locale's.
		// Read on by passes (the frontier holds), and have the locale's
		// index made meanwhile.
		lz.ix, lz.textless = nil, false
		lz.pending = lazyIndex(lz.coll, lz.path, lz.ord.StringSort, true)
	}
	if lz.ix == nil && lz.pending != nil && t.tree.Len() < t.need() && lz.pending.Ready() {
		// The index is complete: read on from the frontier there.
		lz.ix, lz.pending = lz.pending, nil
		lz.cur = collection.IndexCursor{}
		if lz.begun {
			lz.cur = collection.After(lz.front)
		}
	}
	if lz.ix == nil {
		t.scan(feed)
		return
	}
	chunk := 0
	for lz.phase < len(lz.segs) && t.tree.Len() < t.need() {
		seg := lz.segs[lz.phase]
		var es []collection.IndexEntry
		done := true
		if seg.nulls {
			es = lz.ix.Nulls()
		} else {
			// What the window lacks, and twice the last read when that one
			// did not fill it (a where that keeps few rows): the reads
			// of one fill grow geometrically.
			chunk = max(t.need()-t.tree.Len(), 2*chunk)
			es, lz.cur, done = lz.ix.Groups(lz.cur, seg.desc, seg.withNulls, chunk)
		}
		if len(es) > 0 {
			lz.front, lz.begun = es[len(es)-1].Value, true
		}
		ds := make([]delta, 0, len(es))
		for _, e := range es {
			if e.Row != nil {
				ds = append(ds, delta{key: e.Key, row: Row{lz.alias: e.Row}, mult: +1})
			}
		}
		lz.pull = true
		feed(ds)
		lz.pull = false
		if done {
			lz.phase++
			lz.cur, lz.front, lz.begun = collection.IndexCursor{}, nil, false
		}
	}
}

// scan fills the tree by passes over the collection without an index: each
// reads the rows after the frontier and takes those up to the value that
// completes the window, whole groups of equal values at a time, so that
// the tree then holds exactly the rows at or before the new frontier, as
// a read from an index would leave it. Each further pass (rows left the
// window, or it grew) reads twice as far ahead as the last, up to 8 windows,
// so that a run of deletions costs a few passes, not one each.
//
// The pass answers the first window; with AutoIndex eager the session then
// has the index made in the background (under WebAssembly building one over
// 100,000 rows at once takes about 20 times as long as a pass), and reads
// from it once it is complete, as do later queries.
func (t *topK) scan(feed sink) {
	lz := t.lazy
	for lz.phase < len(lz.segs) && t.tree.Len() < t.need() {
		short := t.need() - t.tree.Len()
		lz.chunk = max(short, min(2*lz.chunk, 8*max(t.need(), 8)))
		ord := lz.ord
		numeric := 1 // compareOrdered orders numbers of one type by value
		if ord.Direction == Desc {
			numeric = -1
		}
		es, last, all := lz.coll.First(collection.FirstOptions{
			Path:     lz.path,
			Compare:  func(a, b any) int { return compareOrdered(a, b, &ord) },
			Keep:     lz.keep,
			After:    lz.front,
			AfterSet: lz.begun || lz.phase > 0,
			N:        lz.chunk,
			Numeric:  numeric,
		})
		if all {
			lz.phase, lz.front, lz.begun = len(lz.segs), nil, false
		} else {
			lz.coverTo(last)
		}
		ds := make([]delta, 0, len(es))
		for _, e := range es {
			ds = append(ds, delta{key: e.Key, row: Row{lz.alias: e.Row}, mult: +1})
		}
		lz.pull = true
		feed(ds)
		lz.pull = false
	}
}

// coverTo records that the tree holds every row whose first sort value is
// at or before v.
func (lz *lazyFeed) coverTo(v any) {
	s := lz.segOf(v)
	if lz.segs[s].nulls { // the nulls are one value: the whole segment is read
		lz.phase, lz.front, lz.begun = s+1, nil, false
		return
	}
	lz.phase, lz.front, lz.begun = s, v, true
}
