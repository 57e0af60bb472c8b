package collection

import (
	"container/heap"
	"encoding/binary"
	"math"
	"slices"
)

// FirstOptions are the settings of First.
type FirstOptions struct {
	// Path is the field the items are ordered by (["a", "b"] is row.a.b).
	Path []string
	// Compare is the order of two values at Path, nulls included: First
	// returns the first items in this order. It must be a total order on
	// the values it meets, and must not call into a collection.
	Compare func(a, b any) int
	// Keep, when set, says whether an item counts at all (a where): the
	// others are neither counted nor returned. It must not call into a
	// collection and must not keep the row.
	Keep func(Row) bool
	// After, when AfterSet, skips every item whose value is at or before
	// After: the next items after those already read.
	After    any
	AfterSet bool
	// N is the number of items wanted; at least 1.
	N int
	// Numeric, when not 0, says that Compare orders two int64s, or two
	// float64s, by their numeric value: ascending (+1) or descending
	// (-1). First then compares such values without boxing them, which
	// is most of its cost.
	Numeric int
}

// First reads every item the collection shows once (optimistic state
// included) and returns, in no particular order, the kept items whose
// value at opts.Path is at or before last, the N-th smallest value of the
// kept items (after opts.After): at least N items, more when values tie at
// last. When fewer than N items are kept, it returns all of them and all
// is true (last is then meaningless). It reads each item's value without
// unpacking it and unpacks only those that may count, so it costs one pass
// over the items and O(log N) per item that enters the first N: the first
// N of an order without an index (a live query's first window), where
// CreateIndex costs a sort of every item and memory for as long as the
// collection lives.
func (c *Collection) First(opts FirstOptions) (es []IndexEntry, last any, all bool) {
	n := max(opts.N, 1)
	rt := c.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	h := &valueHeap{cmp: opts.Compare}
	var cands []IndexEntry
	// prune drops the candidates the heap has since passed by: they can
	// no longer be among the first N.
	prune := func() {
		if h.Len() < n {
			return
		}
		top := h.vs[0]
		kept := cands[:0]
		for _, e := range cands {
			if opts.Compare(e.Value, top) <= 0 {
				kept = append(kept, e)
			}
		}
		clear(cands[len(kept):])
		cands = kept
	}
	col, raw := c.shapes.fieldFinder(opts.Path)
	var topI int64
	var topF float64
	topKind := byte(0) // tagInt or tagFloat when the heap is full and its top is one
	retop := func() {
		topKind = 0
		if h.Len() < n || opts.Numeric == 0 {
			return
		}
		switch x := h.vs[0].(type) {
		case int64:
			topI, topKind = x, tagInt
		case float64:
			topF, topKind = x, tagFloat
		}
	}
	// beyond reports whether a packed item's value is a number of the
	// heap top's type that comes after the top: then it cannot count,
	// whether or not it is after opts.After (the top is). This is the
	// path of nearly every item, so it makes one call (calls are what
	// costs most under WebAssembly).
	beyond := func(packed string) bool {
		p, ok := raw(held{packed: packed})
		if !ok || p[0] != topKind {
			return false
		}
		if topKind == tagInt {
			var u uint64
			var s uint
			for i := 1; i < len(p); i++ {
				b := p[i]
				if b < 0x80 {
					u |= uint64(b) << s
					break
				}
				u |= uint64(b&0x7f) << s
				s += 7
			}
			x := int64(u>>1) ^ -int64(u&1)
			return (opts.Numeric > 0 && x > topI) || (opts.Numeric < 0 && x < topI)
		}
		x := math.Float64frombits(binary.LittleEndian.Uint64([]byte(p[1:9])))
		return (opts.Numeric > 0 && x > topF) || (opts.Numeric < 0 && x < topF)
	}
	visit := func(key string, hd held) {
		v := col(hd)
		if opts.AfterSet && opts.Compare(v, opts.After) <= 0 {
			return
		}
		if h.Len() >= n && opts.Compare(v, h.vs[0]) > 0 {
			return
		}
		row := hd.row
		if hd.packed != "" {
			row = c.shapes.unpack(hd)
		}
		if opts.Keep != nil && !opts.Keep(row) {
			return
		}
		if h.Len() < n {
			heap.Push(h, v)
			retop()
		} else if opts.Compare(v, h.vs[0]) < 0 {
			h.vs[0] = v
			heap.Fix(h, 0)
			retop()
		}
		cands = append(cands, IndexEntry{Key: key, Value: v, Row: row})
		if len(cands) >= 4*n+64 {
			prune()
		}
	}
	opt := len(c.optUpserts) > 0 || len(c.optDeletes) > 0
	for k, hd := range c.synced {
		if opt {
			if _, ok := c.optUpserts[k]; ok {
				continue
			}
			if _, ok := c.optDeletes[k]; ok {
				continue
			}
		}
		if topKind != 0 && hd.packed != "" && beyond(hd.packed) {
			continue
		}
		visit(k, hd)
	}
	for k, r := range c.optUpserts {
		visit(k, held{row: r})
	}
	if h.Len() < n {
		return cands, nil, true
	}
	prune()
	return cands, h.vs[0], false
}

// valueHeap is a max-heap of values by cmp: its top is the last of the
// first N values met so far.
type valueHeap struct {
	vs  []any
	cmp func(a, b any) int
}

func (h *valueHeap) Len() int           { return len(h.vs) }
func (h *valueHeap) Less(i, j int) bool { return h.cmp(h.vs[i], h.vs[j]) > 0 }
func (h *valueHeap) Swap(i, j int)      { h.vs[i], h.vs[j] = h.vs[j], h.vs[i] }
func (h *valueHeap) Push(x any)         { h.vs = append(h.vs, x) }
func (h *valueHeap) Pop() any {
	v := h.vs[len(h.vs)-1]
	h.vs = h.vs[:len(h.vs)-1]
	return v
}

// fieldFinder returns functions reading the value at path of a held
// item, and for a packed item the packed value itself (from its tag on;
// ok false when the item has no such column or is not packed): the
// column's place is found once per shape.
func (s *shapes) fieldFinder(path []string) (value func(held) any, raw func(held) (string, bool)) {
	if len(path) != 1 {
		cols := s.cols
		return func(h held) any { return heldField(cols, h, path) }, func(held) (string, bool) { return "", false }
	}
	name := path[0]
	// Per shape: the column's place, or -1 when absent. First holds the
	// runtime's lock, so no shape is added while it reads.
	places := make([]int, len(s.cols))
	for id, cols := range s.cols {
		places[id] = slices.Index(cols, name)
	}
	raw = func(h held) (string, bool) {
		p := h.packed
		if p == "" {
			return "", false
		}
		var id int
		if p[0] < 0x80 { // a shape below 128: one byte
			id, p = int(p[0]), p[1:]
		} else {
			u, n := uvarint(p)
			id, p = int(u), p[n:]
		}
		at := places[id]
		if at < 0 {
			return "", false
		}
		for ; at > 0; at-- { // skipValue, without a call per column
			switch p[0] {
			case tagInt:
				i := 1
				for p[i] >= 0x80 {
					i++
				}
				p = p[i+1:]
			case tagFloat:
				p = p[9:]
			case tagString, tagBytes:
				l, n := uvarint(p[1:])
				p = p[1+n+int(l):]
			default:
				p = p[1:]
			}
		}
		return p, true
	}
	value = func(h held) any {
		if h.packed == "" {
			return lookup(h.row, path)
		}
		if p, ok := raw(h); ok {
			v, _ := readValue(p)
			return v
		}
		return nil
	}
	return value, raw
}
