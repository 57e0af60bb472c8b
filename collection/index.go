package collection

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"
)

// AutoIndex says whether live queries create the indexes they would use
// on a collection by themselves, as TanStack DB's autoIndex option.
type AutoIndex string

const (
	// AutoIndexEager (the default, "") lets a live query create an index
	// on a field its where compares (eq, gt, gte, lt, lte, inArray), and a
	// window (orderBy + limit) without an index on its order answer by a
	// pass over the rows (First) and then have that index made in the
	// background (IndexOptions.Background).
	AutoIndexEager AutoIndex = "eager"
	// AutoIndexOff creates none: only CreateIndex does.
	AutoIndexOff AutoIndex = "off"
)

// IndexOptions are the settings of CreateIndex.
type IndexOptions struct {
	// Name identifies the index: CreateIndex with a name already in use
	// returns the existing index. "" names it after Path when Path is
	// set, else generates a name.
	Name string
	// Path, when set, is the field path the index reads (["a", "b"] is
	// row.a.b): it lets SubscribeChanges answer a Where comparing that path
	// through the index. CreateIndex with a nil value function reads Path.
	Path []string
	// Compare is the ascending order of two non-null values, as TanStack
	// DB's BTreeIndex compareFn; nil means the collection's order (Compare:
	// numbers, then text, then blobs), with text by CompareStrings. It must
	// be a total order on the values the index meets.
	Compare func(a, b any) int
	// CompareStrings, with Compare nil, orders two texts (nil: by bytes),
	// as a query's localeCompare ordering does.
	CompareStrings func(a, b string) int
	// Background, when set, makes CreateIndex return at once and fill the
	// index from a goroutine in slices of about 4 ms, each under the
	// runtime's lock, sleeping between them, so that under WebAssembly the
	// page keeps running while a large collection is indexed. The index
	// follows every change meanwhile; Ready reports when it is complete,
	// and until then no read (Groups, Nulls, a Where) uses it.
	Background bool
}

// Index is an ordered index over one value of every item a collection
// shows (optimistic state included): created by CreateIndex, kept up to
// date on every change (optimistic or synced) in O(log n) per changed
// item, as TanStack DB's BTreeIndex. A null (or missing) value sorts
// before every other. Its methods are safe for concurrent use; their
// callbacks run with the collection's runtime locked and must not call
// into any collection of that runtime.
type Index struct {
	c       *Collection
	name    string
	path    []string
	value   func(Row) any
	compare func(a, b any) int
	fn      bool                  // the value is a function's, not the field at path
	plain   bool                  // compare is totalCompare: the index can answer a where
	strs    func(a, b string) int // set when compare is the collection's order with these texts

	tree     *btree.BTreeG[indexItem] // guarded by c.rt.mu
	texts    int                      // items whose value is a string; guarded by c.rt.mu
	building bool                     // a Background fill is under way; guarded by c.rt.mu
	removed  bool                     // RemoveIndex dropped it; guarded by c.rt.mu
}

// indexItem is one key in the index's order. bound places a search pivot
// before (-1) or after (+1) every key of its value.
type indexItem struct {
	v     any
	key   string
	bound int8
}

func (ix *Index) less(a, b indexItem) bool {
	if c := ix.cmp(a.v, b.v); c != 0 {
		return c < 0
	}
	if a.bound != b.bound {
		return a.bound < b.bound
	}
	if a.bound != 0 {
		return false
	}
	return a.key < b.key
}

// put adds or replaces it, counting texts.
func (ix *Index) put(it indexItem) {
	if old, ok := ix.tree.ReplaceOrInsert(it); ok {
		if _, str := old.v.(string); str {
			ix.texts--
		}
	}
	if _, str := it.v.(string); str {
		ix.texts++
	}
}

// del removes it, counting texts.
func (ix *Index) del(it indexItem) {
	if old, ok := ix.tree.Delete(it); ok {
		if _, str := old.v.(string); str {
			ix.texts--
		}
	}
}

// HoldsText reports whether some indexed value is a string: until one
// is, the index's order is every string order's (collation only orders
// strings among themselves).
func (ix *Index) HoldsText() bool {
	ix.c.rt.mu.Lock()
	defer ix.c.rt.mu.Unlock()
	return ix.texts > 0
}

// cmp orders values with nulls first, then by the index's Compare.
func (ix *Index) cmp(a, b any) int {
	switch an, bn := a == nil, b == nil; {
	case an && bn:
		return 0
	case an:
		return -1
	case bn:
		return 1
	}
	if ix.strs != nil { // the common scalars without the general comparison
		switch x := a.(type) {
		case int64:
			if y, ok := b.(int64); ok {
				return cmp3(x < y, x > y)
			}
		case float64:
			if y, ok := b.(float64); ok {
				return cmp3(x < y, x > y)
			}
		case string:
			if y, ok := b.(string); ok {
				return ix.strs(x, y)
			}
		}
	}
	return ix.compare(a, b)
}

// CreateIndex creates an index on the value fn (nil: the field at
// opts.Path) reads from each item, and fills it from the items shown now;
// TanStack DB's createIndex. An index with opts.Name already exists is
// returned as it is. Errors: an InvalidIndexError without fn or Path.
func (c *Collection) CreateIndex(fn func(Row) any, opts IndexOptions) (*Index, error) {
	if fn == nil && len(opts.Path) == 0 {
		return nil, &InvalidIndexError{Reason: "an index needs a value function or a field path"}
	}
	path := append([]string(nil), opts.Path...)
	byPath := fn == nil
	if fn == nil {
		fn = func(r Row) any { return lookup(r, path) }
	}
	name := opts.Name
	rt := c.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if name == "" && len(path) > 0 {
		name = "path:" + strings.Join(path, ".")
	}
	if name == "" {
		name = fmt.Sprintf("index:%d", len(c.indexes)+1)
	}
	for _, ix := range c.indexes {
		if ix.name == name {
			return ix, nil
		}
	}
	ix := &Index{c: c, name: name, path: path, value: fn, compare: opts.Compare, fn: !byPath}
	switch {
	case ix.compare == nil && opts.CompareStrings == nil:
		ix.compare, ix.plain, ix.strs = totalCompare, true, strings.Compare
	case ix.compare == nil:
		strs := opts.CompareStrings
		ix.strs = strs
		ix.compare = func(a, b any) int {
			if as, ok := a.(string); ok {
				if bs, ok := b.(string); ok {
					return strs(as, bs)
				}
			}
			return totalCompare(a, b)
		}
	}
	ix.tree = btree.NewG(32, ix.less)
	if opts.Background {
		ix.building = true
		c.indexes = append(c.indexes, ix) // changes reach it from now on
		c.indexChangedLocked(nil, ix)
		go ix.fill()
		return ix, nil
	}
	// Fill it from the state as held: no row is unpacked when the index
	// reads a field.
	items := make([]indexItem, 0, len(c.synced)+len(c.optUpserts))
	for k, h := range c.synced {
		if _, ok := c.optUpserts[k]; ok {
			continue
		}
		if _, ok := c.optDeletes[k]; ok {
			continue
		}
		items = append(items, indexItem{v: ix.valueOf(c, h), key: k})
	}
	for k, r := range c.optUpserts {
		items = append(items, indexItem{v: ix.valueOf(c, held{row: r}), key: k})
	}
	for _, it := range items { // (sorting them first costs as much as the tree's own search)
		ix.put(it)
	}
	c.indexes = append(c.indexes, ix)
	c.indexChangedLocked(nil, ix)
	return ix, nil
}

// OnIndexChange calls fn(nil, ix) after each index is added (by
// CreateIndex, also for a live query) and fn(ix, nil) after each is
// removed (RemoveIndex): TanStack DB's index:added and index:removed
// events. The calls come in order, on a goroutine of their own, never with
// the collection's locks held. It returns a function that ends that.
func (c *Collection) OnIndexChange(fn func(removed, added *Index)) (cancel func()) {
	return addListener(c, &c.indexListeners, fn)
}

// indexChangedLocked tells the OnIndexChange callbacks; the caller holds
// rt.mu.
func (c *Collection) indexChangedLocked(removed, added *Index) {
	for _, l := range c.indexListeners {
		l.push(removed, added)
	}
}

// fill adds the items shown to a Background index, a slice of about 4 ms
// at a time. Each key is read as shown when its slice runs: a key changed
// before was put in place by the change (moveLocked), and is put there
// again, the same; one deleted is not shown; one added since the keys were
// taken is not among them but was added by its change.
func (ix *Index) fill() {
	c := ix.c
	// First back to the caller (under WebAssembly, to the event loop: the
	// caller's task ends before this one starts), then the keys to read.
	time.Sleep(time.Millisecond)
	c.rt.mu.Lock()
	keys := make([]string, 0, len(c.synced)+len(c.optUpserts))
	for k := range c.synced {
		keys = append(keys, k)
	}
	for k := range c.optUpserts {
		if _, ok := c.synced[k]; !ok {
			keys = append(keys, k)
		}
	}
	c.rt.mu.Unlock()
	for len(keys) > 0 {
		c.rt.mu.Lock()
		if ix.removed {
			c.rt.mu.Unlock()
			return
		}
		start := time.Now()
		for len(keys) > 0 {
			for i := 0; i < 256 && len(keys) > 0; i++ {
				k := keys[len(keys)-1]
				keys = keys[:len(keys)-1]
				if h, ok := c.visibleHeld(k); ok {
					ix.put(indexItem{v: ix.valueOf(c, h), key: k})
				}
			}
			if time.Since(start) > 4*time.Millisecond {
				break
			}
		}
		if len(keys) == 0 {
			ix.building = false
		}
		c.rt.mu.Unlock()
		if len(keys) > 0 {
			time.Sleep(time.Millisecond) // under WebAssembly: back to the event loop
		}
	}
	c.rt.mu.Lock()
	ix.building = false
	c.rt.mu.Unlock()
}

// Ready reports whether the index holds every item: false while a
// Background fill is under way.
func (ix *Index) Ready() bool {
	ix.c.rt.mu.Lock()
	defer ix.c.rt.mu.Unlock()
	return !ix.building
}

// IndexNamed returns the collection's index called name, or nil.
func (c *Collection) IndexNamed(name string) *Index {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	for _, ix := range c.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// IndexOn returns a complete index on the field at path in the
// collection's own order (made by CreateIndex with Path and neither
// Compare nor CompareStrings, whatever its name), or nil.
func (c *Collection) IndexOn(path []string) *Index {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	for _, ix := range c.indexes {
		if ix.plain && !ix.fn && !ix.building && slices.Equal(ix.path, path) {
			return ix
		}
	}
	return nil
}

// Indexes returns the collection's indexes, oldest first.
func (c *Collection) Indexes() []*Index {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return append([]*Index(nil), c.indexes...)
}

// RemoveIndex drops ix: it is no longer maintained, and reads of it see
// it empty. A live query that reads its window from ix stops finding
// rows beyond those it has read: remove an index only when no query runs
// over it (live queries made with AutoIndex eager create theirs again).
func (c *Collection) RemoveIndex(ix *Index) {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	for i, x := range c.indexes {
		if x == ix {
			c.indexes = append(c.indexes[:i], c.indexes[i+1:]...)
			ix.tree.Clear(false)
			ix.texts = 0
			ix.removed = true
			c.indexChangedLocked(ix, nil)
			return
		}
	}
}

// Name returns the index's name.
func (ix *Index) Name() string { return ix.name }

// Path returns the field path the index reads, or nil for a function.
func (ix *Index) Path() []string { return append([]string(nil), ix.path...) }

// Len returns the number of indexed items.
func (ix *Index) Len() int {
	ix.c.rt.mu.Lock()
	defer ix.c.rt.mu.Unlock()
	return ix.tree.Len()
}

// valueOf is the indexed value of an item as held: a field is read from
// a packed item without unpacking it.
func (ix *Index) valueOf(c *Collection, h held) any {
	if ix.path != nil && !ix.fn {
		return heldField(c.shapes.cols, h, ix.path)
	}
	return ix.value(c.shapes.unpack(h))
}

// moveLocked records that key showed before (when was) and shows now
// (when is).
func (ix *Index) moveLocked(c *Collection, key string, before held, was bool, now held, is bool) {
	var bv, nv any
	if was {
		bv = ix.valueOf(c, before)
	}
	if is {
		nv = ix.valueOf(c, now)
	}
	if was && is && sameScalar(bv, nv) {
		return
	}
	if was {
		ix.del(indexItem{v: bv, key: key})
	}
	if is {
		ix.put(indexItem{v: nv, key: key})
	}
}

// sameScalar reports whether a and b are the same scalar of the same type:
// then the entry stays in place. (1 and 1.0 compare equal but the entry
// must hold the value as it is now.)
func sameScalar(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	return false
}

// updateIndexesLocked brings every index up to date for the keys of s,
// from what they showed before the step to what they show now.
func (s *step) updateIndexesLocked() {
	c := s.c
	for i, k := range s.keys {
		b := s.before[i]
		now, is := c.visibleHeld(k)
		if b.ok && is && b.v.packed != "" && b.v.packed == now.packed {
			continue
		}
		for _, ix := range c.indexes {
			ix.moveLocked(c, k, b.v, b.ok, now, is)
		}
	}
}

// clearIndexesLocked empties the indexes (the state was dropped).
func (c *Collection) clearIndexesLocked() {
	for _, ix := range c.indexes {
		ix.tree.Clear(false)
		ix.texts = 0
	}
}

// IndexCursor is a position in an index's order between two values: the
// start (zero value) or just after or before every key of a value.
type IndexCursor struct {
	set   bool
	value any
}

// After returns the cursor just past every key whose value is v.
func After(v any) IndexCursor { return IndexCursor{set: true, value: v} }

// IndexEntry is one item met by an index scan.
type IndexEntry struct {
	Key   string
	Value any // the indexed value
	Row   Row
}

// Groups reads whole groups of equal values in ascending (desc false) or
// descending order, starting after cur (the zero cursor: from the first
// value in that direction), until it has at least n entries; nulls
// included as the lowest value when nulls is true. It returns the
// entries in index order (equal values in key order), the cursor after
// the last group, and done when nothing follows it. Rows are as shown
// now.
func (ix *Index) Groups(cur IndexCursor, desc, nulls bool, n int) (es []IndexEntry, next IndexCursor, done bool) {
	c := ix.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	var last any
	have := false
	done = true
	visit := func(it indexItem) bool {
		if it.v == nil && !nulls {
			return !desc // ascending: skip them; descending: they are last
		}
		if have && len(es) >= n && ix.cmp(it.v, last) != 0 {
			done = false
			return false
		}
		row, _ := c.visible(it.key)
		es = append(es, IndexEntry{Key: it.key, Value: it.v, Row: row})
		last, have = it.v, true
		return true
	}
	switch {
	case !desc && !cur.set:
		ix.tree.Ascend(visit)
	case !desc:
		ix.tree.AscendGreaterOrEqual(indexItem{v: cur.value, bound: 1}, visit)
	case !cur.set:
		ix.tree.Descend(visit)
	default:
		ix.tree.DescendLessOrEqual(indexItem{v: cur.value, bound: -1}, visit)
	}
	if desc {
		// Within a group, keys ascend whatever the direction.
		for i := 0; i < len(es); {
			j := i
			for j < len(es) && ix.cmp(es[j].Value, es[i].Value) == 0 {
				j++
			}
			for a, b := i, j-1; a < b; a, b = a+1, b-1 {
				es[a], es[b] = es[b], es[a]
			}
			i = j
		}
	}
	if have {
		next = After(last)
	} else {
		next = cur
	}
	return es, next, done
}

// Nulls returns the keys and rows whose value is null, in key order.
func (ix *Index) Nulls() []IndexEntry {
	c := ix.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	var es []IndexEntry
	ix.tree.Ascend(func(it indexItem) bool {
		if it.v != nil {
			return false
		}
		row, _ := c.visible(it.key)
		es = append(es, IndexEntry{Key: it.key, Value: nil, Row: row})
		return true
	})
	return es
}

// Compare compares two values in the index's order (nulls first).
func (ix *Index) Compare(a, b any) int { return ix.cmp(a, b) }

// totalCompare is Compare made total for an index: containers (maps,
// slices), which Compare finds equal to anything, sort after every other
// value and tie among themselves.
func totalCompare(a, b any) int {
	ra, rb := typeRank(a), typeRank(b)
	if ra == 4 || rb == 4 {
		return cmp3(ra < rb, ra > rb)
	}
	c, _ := compareValues(a, b)
	return c
}

// candidatesLocked returns the keys whose value may satisfy "value op v"
// (eq, gt, gte, lt, lte), as eq and the comparisons evaluate them: nulls
// never do.
func (ix *Index) candidatesLocked(op string, v any, keys []string) []string {
	switch op {
	case "eq":
		ix.tree.AscendGreaterOrEqual(indexItem{v: v, bound: -1}, func(it indexItem) bool {
			if ix.cmp(it.v, v) != 0 {
				return false
			}
			keys = append(keys, it.key)
			return true
		})
	case "gt", "gte":
		b := int8(1)
		if op == "gte" {
			b = -1
		}
		ix.tree.AscendGreaterOrEqual(indexItem{v: v, bound: b}, func(it indexItem) bool {
			keys = append(keys, it.key)
			return true
		})
	case "lt", "lte":
		ix.tree.AscendGreaterOrEqual(indexItem{v: nil, bound: 1}, func(it indexItem) bool { // after the nulls
			c := ix.cmp(it.v, v)
			if c > 0 || (c == 0 && op == "lt") {
				return false
			}
			keys = append(keys, it.key)
			return true
		})
	}
	return keys
}

// indexedKeysLocked returns, in key order, the keys of the items that may
// match where, read from an index when a conjunct of where compares a
// field that a plain index reads with a constant (eq, gt, gte, lt, lte,
// in); ok is false when no index answers.
func (c *Collection) indexedKeysLocked(where Expr) (keys []string, ok bool) {
	op, path, v, found := c.indexable(where)
	if !found {
		return nil, false
	}
	var ix *Index
	for _, x := range c.indexes {
		if x.plain && !x.fn && !x.building && slices.Equal(x.path, path) {
			ix = x
			break
		}
	}
	if ix == nil {
		return nil, false
	}
	if op == "in" {
		for _, e := range v.([]any) {
			if e != nil && typeRank(e) != 4 {
				keys = ix.candidatesLocked("eq", e, keys)
			}
		}
		slices.Sort(keys)
		return slices.Compact(keys), true
	}
	keys = ix.candidatesLocked(op, v, keys)
	slices.Sort(keys)
	return keys, true
}

// indexable finds in where (through and) a comparison of a field with a
// scalar constant that some index of c could answer.
func (c *Collection) indexable(where Expr) (op string, path []string, v any, ok bool) {
	f, isF := where.(Func)
	if p, isP := where.(*Func); isP && p != nil {
		f, isF = *p, true
	}
	if !isF {
		return "", nil, nil, false
	}
	if f.Name == "and" {
		for _, a := range f.Args {
			if op, path, v, ok = c.indexable(a); ok {
				return op, path, v, ok
			}
		}
		return "", nil, nil, false
	}
	if len(f.Args) != 2 {
		return "", nil, nil, false
	}
	ref, val, flipped := refVal(f.Args[0], f.Args[1])
	if ref == nil {
		return "", nil, nil, false
	}
	switch f.Name {
	case "eq", "gt", "gte", "lt", "lte":
		if val == nil || typeRank(val) == 4 {
			return "", nil, nil, false // null matches nothing; containers only by equality
		}
		op := f.Name
		if flipped { // 5 < x is x > 5
			op = map[string]string{"eq": "eq", "gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte"}[op]
		}
		return op, ref, val, c.hasPlainIndex(ref)
	case "in":
		if flipped {
			return "", nil, nil, false
		}
		if _, isList := val.([]any); !isList {
			return "", nil, nil, false
		}
		return "in", ref, val, c.hasPlainIndex(ref)
	}
	return "", nil, nil, false
}

func (c *Collection) hasPlainIndex(path []string) bool {
	for _, x := range c.indexes {
		if x.plain && !x.fn && !x.building && slices.Equal(x.path, path) {
			return true
		}
	}
	return false
}

// refVal orients a comparison's arguments: a field and a constant, and
// whether the constant came first.
func refVal(a, b Expr) (path []string, v any, flipped bool) {
	pathOf := func(e Expr) []string {
		switch x := e.(type) {
		case Ref:
			return x.Path
		case *Ref:
			if x != nil {
				return x.Path
			}
		}
		return nil
	}
	valOf := func(e Expr) (any, bool) {
		switch x := e.(type) {
		case Val:
			return x.Value, true
		case *Val:
			if x != nil {
				return x.Value, true
			}
		}
		return nil, false
	}
	if p := pathOf(a); len(p) > 0 {
		if v, ok := valOf(b); ok {
			return p, v, false
		}
	}
	if p := pathOf(b); len(p) > 0 {
		if v, ok := valOf(a); ok {
			return p, v, true
		}
	}
	return nil, nil, false
}

// IndexablePaths returns the field paths that where (through and) compares
// with a constant by eq, gt, gte, lt, lte or in: those an index would
// answer, what AutoIndex eager creates indexes on.
func IndexablePaths(where Expr) [][]string {
	var out [][]string
	var walk func(e Expr)
	walk = func(e Expr) {
		f, isF := e.(Func)
		if p, isP := e.(*Func); isP && p != nil {
			f, isF = *p, true
		}
		if !isF {
			return
		}
		switch f.Name {
		case "and":
			for _, a := range f.Args {
				walk(a)
			}
		case "eq", "gt", "gte", "lt", "lte", "in":
			if len(f.Args) == 2 {
				if p, _, _ := refVal(f.Args[0], f.Args[1]); p != nil {
					out = append(out, p)
				}
			}
		}
	}
	walk(where)
	return out
}
