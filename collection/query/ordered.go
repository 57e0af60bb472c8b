package query

import "slices"

// ordered is an order-statistic treap: a balanced search tree of the rows
// of an orderBy, where every node knows the size of its subtree, so that
// inserting, deleting, finding the rank of an entry and the entry at a
// rank each take O(log n). It is what keeps top-K incremental: a change
// moves the window by at most one entry at each edge.
type ordered struct {
	root *onode
	less func(a, b *entry) int
	seed uint64 // xorshift state for priorities; deterministic per tree
}

// entry is one row in sort order: its sort values, key and row.
type entry struct {
	sort []any
	key  string
	row  Row
}

type onode struct {
	e           entry
	prio        uint64
	size        int
	left, right *onode
}

func newOrdered(cmp func(a, b *entry) int) *ordered {
	return &ordered{less: cmp, seed: 0x9E3779B97F4A7C15}
}

func (t *ordered) rand() uint64 {
	t.seed ^= t.seed << 13
	t.seed ^= t.seed >> 7
	t.seed ^= t.seed << 17
	return t.seed
}

func size(n *onode) int {
	if n == nil {
		return 0
	}
	return n.size
}

func (n *onode) fix() { n.size = 1 + size(n.left) + size(n.right) }

// Len is the number of entries.
func (t *ordered) Len() int { return size(t.root) }

// split divides n into the entries before e (l) and the rest (r).
func (t *ordered) split(n *onode, e *entry) (l, r *onode) {
	if n == nil {
		return nil, nil
	}
	if t.less(&n.e, e) < 0 {
		n.right, r = t.split(n.right, e)
		n.fix()
		return n, r
	}
	l, n.left = t.split(n.left, e)
	n.fix()
	return l, n
}

func merge(l, r *onode) *onode {
	switch {
	case l == nil:
		return r
	case r == nil:
		return l
	case l.prio > r.prio:
		l.right = merge(l.right, r)
		l.fix()
		return l
	default:
		r.left = merge(l, r.left)
		r.fix()
		return r
	}
}

// Insert adds e and returns its rank (0-based).
func (t *ordered) Insert(e entry) int {
	l, r := t.split(t.root, &e)
	rank := size(l)
	n := &onode{e: e, prio: t.rand(), size: 1}
	t.root = merge(merge(l, n), r)
	return rank
}

// Delete removes the entry equal to e and returns its rank, or -1 when
// there is none.
func (t *ordered) Delete(e *entry) int {
	rank := 0
	var parent *onode
	n := t.root
	for n != nil {
		c := t.less(e, &n.e)
		if c == 0 {
			break
		}
		parent = n
		if c < 0 {
			n = n.left
		} else {
			rank += size(n.left) + 1
			n = n.right
		}
	}
	if n == nil {
		return -1
	}
	rank += size(n.left)
	m := merge(n.left, n.right)
	switch {
	case parent == nil:
		t.root = m
	case parent.left == n:
		parent.left = m
	default:
		parent.right = m
	}
	// Shrink the sizes on the path from the root.
	p := t.root
	for p != nil && p != m {
		c := t.less(e, &p.e)
		p.size--
		if c < 0 {
			p = p.left
		} else {
			p = p.right
		}
	}
	return rank
}

// At returns the entry at rank i, or nil.
func (t *ordered) At(i int) *entry {
	n := t.root
	for n != nil {
		ls := size(n.left)
		switch {
		case i < ls:
			n = n.left
		case i == ls:
			return &n.e
		default:
			i -= ls + 1
			n = n.right
		}
	}
	return nil
}

// Range calls fn for the entries of ranks [from, to) in order; to < 0
// means to the end.
func (t *ordered) Range(from, to int, fn func(*entry)) {
	if to < 0 || to > t.Len() {
		to = t.Len()
	}
	var walk func(n *onode, base int)
	walk = func(n *onode, base int) {
		if n == nil || base >= to || base+n.size <= from {
			return
		}
		ls := size(n.left)
		walk(n.left, base)
		if r := base + ls; r >= from && r < to {
			fn(&n.e)
		}
		walk(n.right, base+ls+1)
	}
	walk(t.root, 0)
}

// Build replaces the tree's content with es, which must be sorted and
// distinct: a balanced tree in O(n) after the caller's sort, instead of n
// insertions. Priorities are n random values handed out in decreasing
// order, breadth first, so every node outranks its descendants and the
// tree stays a treap for later insertions. The nodes share one
// allocation.
func (t *ordered) Build(es []entry) {
	nodes := make([]onode, len(es))
	var mk func(lo, hi int) *onode
	mk = func(lo, hi int) *onode {
		if lo >= hi {
			return nil
		}
		mid := int(uint(lo+hi) >> 1)
		n := &nodes[mid]
		n.e, n.size = es[mid], hi-lo
		n.left, n.right = mk(lo, mid), mk(mid+1, hi)
		return n
	}
	t.root = mk(0, len(es))
	prios := make([]uint64, len(es))
	for i := range prios {
		prios[i] = t.rand()
	}
	slices.Sort(prios)
	queue := make([]*onode, 0, len(es))
	if t.root != nil {
		queue = append(queue, t.root)
	}
	for i := 0; i < len(queue); i++ {
		n := queue[i]
		n.prio = prios[len(prios)-1-i]
		if n.left != nil {
			queue = append(queue, n.left)
		}
		if n.right != nil {
			queue = append(queue, n.right)
		}
	}
}
