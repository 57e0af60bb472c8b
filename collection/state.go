package collection

import (
	"slices"
)

// Entry is one key and item, as returned by Entries.
type Entry struct {
	Key   string
	Value Row
}

// Get returns the item with key as the collection shows it: optimistic
// mutations over the synced state.
func (c *Collection) Get(key string) (Row, bool) {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.visible(key)
}

// Has reports whether the collection shows an item with key.
func (c *Collection) Has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

// Size returns the number of items the collection shows.
func (c *Collection) Size() int {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	n := len(c.synced)
	for k := range c.optUpserts {
		if _, ok := c.synced[k]; !ok {
			n++
		}
	}
	for k := range c.optDeletes {
		if _, ok := c.synced[k]; ok {
			n--
		}
	}
	return n
}

// Keys returns the keys the collection shows, in key order.
func (c *Collection) Keys() []string {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.keysLocked()
}

// Values returns the items the collection shows, in key order.
func (c *Collection) Values() []Row {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	keys := c.keysLocked()
	out := make([]Row, len(keys))
	for i, k := range keys {
		out[i], _ = c.visible(k)
	}
	return out
}

// Entries returns the keys and items the collection shows, in key order.
func (c *Collection) Entries() []Entry {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	keys := c.keysLocked()
	out := make([]Entry, len(keys))
	for i, k := range keys {
		v, _ := c.visible(k)
		out[i] = Entry{Key: k, Value: v}
	}
	return out
}

// State returns the items the collection shows in a new map.
func (c *Collection) State() map[string]Row {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.stateLocked()
}

func (c *Collection) stateLocked() map[string]Row {
	out := make(map[string]Row, len(c.synced)+len(c.optUpserts))
	for k, v := range c.synced {
		out[k] = c.shapes.unpack(v)
	}
	for k, v := range c.optUpserts {
		out[k] = v
	}
	for k := range c.optDeletes {
		delete(out, k)
	}
	return out
}

// visible returns the item with key as shown: an optimistic delete hides it,
// an optimistic upsert replaces it, else the synced item.
func (c *Collection) visible(key string) (Row, bool) {
	if len(c.optDeletes) > 0 {
		if _, ok := c.optDeletes[key]; ok {
			return nil, false
		}
	}
	if len(c.optUpserts) > 0 {
		if v, ok := c.optUpserts[key]; ok {
			return v, true
		}
	}
	v, ok := c.synced[key]
	if !ok {
		return nil, false
	}
	return c.shapes.unpack(v), true
}

// visibleHeld is visible without unpacking: the item as the state holds
// it, for change events that are unpacked only when delivered.
func (c *Collection) visibleHeld(key string) (held, bool) {
	if len(c.optDeletes) > 0 {
		if _, ok := c.optDeletes[key]; ok {
			return held{}, false
		}
	}
	if len(c.optUpserts) > 0 {
		if v, ok := c.optUpserts[key]; ok {
			return held{row: v}, true
		}
	}
	v, ok := c.synced[key]
	return v, ok
}

// syncedKeysLocked returns the synced keys in order. The sorted slice is
// rebuilt lazily: the initial load of a large table does not pay for order
// until someone asks for it.
func (c *Collection) syncedKeysLocked() []string {
	if !c.sortedOK {
		keys := c.sortedKeys[:0]
		for k := range c.synced {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c.sortedKeys = keys
		c.sortedOK = true
	}
	return c.sortedKeys
}

func (c *Collection) keysLocked() []string {
	base := c.syncedKeysLocked()
	if len(c.optUpserts) == 0 && len(c.optDeletes) == 0 {
		return slices.Clone(base)
	}
	var extra []string
	for k := range c.optUpserts {
		if _, ok := c.synced[k]; !ok {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	out := make([]string, 0, len(base)+len(extra))
	i, j := 0, 0
	for i < len(base) || j < len(extra) {
		var k string
		if j >= len(extra) || (i < len(base) && base[i] < extra[j]) {
			k = base[i]
			i++
		} else {
			k = extra[j]
			j++
		}
		if _, del := c.optDeletes[k]; del {
			continue
		}
		out = append(out, k)
	}
	return out
}

// setSynced and deleteSynced change the synced state, keeping the sorted key
// cache honest.
func (c *Collection) setSynced(key string, v Row) {
	if _, ok := c.synced[key]; !ok {
		if c.sortedOK && (len(c.sortedKeys) == 0 || c.sortedKeys[len(c.sortedKeys)-1] < key) {
			c.sortedKeys = append(c.sortedKeys, key) // keyset-ordered loads stay sorted
		} else {
			c.sortedOK = false
		}
	}
	c.synced[key] = c.shapes.pack(v)
}

func (c *Collection) deleteSynced(key string) {
	if _, ok := c.synced[key]; ok {
		delete(c.synced, key)
		c.sortedOK = false
	}
}

func (c *Collection) clearSynced() {
	c.synced = make(map[string]held)
	c.sortedKeys = nil
	c.sortedOK = true
}

// recomputeKey rebuilds the optimistic entry of key from the active
// transactions, oldest first. An insert sets the item, an update applies its
// changes over what is below (so fields synced meanwhile stay visible), a
// delete hides the item.
func (c *Collection) recomputeKey(key string) {
	h, ok := c.synced[key]
	var cur Row
	unpacked := !ok // the synced item is unpacked only when an update needs it
	touched := false
	mk := mutKey{c, key}
	for _, tx := range c.rt.active {
		i, has := tx.index[mk]
		if !has {
			continue
		}
		m := tx.mutations[i]
		if !m.Optimistic {
			continue
		}
		touched = true
		switch m.Type {
		case MutationInsert:
			cur, ok, unpacked = m.Modified, true, true
		case MutationUpdate:
			if ok {
				if !unpacked {
					cur, unpacked = c.shapes.unpack(h), true
				}
				cur = mergeRow(cur, m.Changes)
			} else {
				cur, ok = m.Modified, true
			}
		case MutationDelete:
			cur, ok, unpacked = nil, false, true
		}
	}
	switch {
	case !touched:
		delete(c.optUpserts, key)
		delete(c.optDeletes, key)
	case ok:
		c.optUpserts[key] = cur
		delete(c.optDeletes, key)
	default:
		delete(c.optUpserts, key)
		c.optDeletes[key] = struct{}{}
	}
}

// step records the keys one state change touches and, when someone is
// subscribed, what they showed before, so that the change events can be
// computed afterwards. Every key must be touched before anything changes.
type step struct {
	c      *Collection
	track  bool // someone is subscribed: record what keys showed, for the events
	index  bool // the collection has indexes: record it too, to move their entries
	keys   []string
	seen   map[string]int
	before []shown
}

type shown struct {
	v  held
	ok bool
}

func (c *Collection) newStep() *step {
	return &step{c: c, track: len(c.subs) > 0, index: len(c.indexes) > 0}
}

// smallStep is the size up to which a step finds touched keys by scanning
// instead of through a map: most steps touch one key.
const smallStep = 8

func (s *step) touch(key string) {
	if s.seen == nil {
		for _, k := range s.keys {
			if k == key {
				return
			}
		}
		if len(s.keys) == smallStep {
			s.seen = make(map[string]int, 2*smallStep)
			for i, k := range s.keys {
				s.seen[k] = i
			}
		}
	} else if _, ok := s.seen[key]; ok {
		return
	}
	if s.seen != nil {
		s.seen[key] = len(s.keys)
	}
	s.keys = append(s.keys, key)
	if s.track || s.index {
		v, ok := s.c.visibleHeld(key)
		s.before = append(s.before, shown{v, ok})
	}
}

// reserve prepares s for about n more keys.
func (s *step) reserve(n int) {
	if n <= smallStep {
		return
	}
	if s.seen == nil {
		s.seen = make(map[string]int, len(s.keys)+n)
		for i, k := range s.keys {
			s.seen[k] = i
		}
	}
	s.keys = slices.Grow(s.keys, n)
	if s.track || s.index {
		s.before = slices.Grow(s.before, n)
	}
}

// recompute rebuilds the optimistic entries of every touched key.
func (s *step) recompute() {
	for _, k := range s.keys {
		s.c.recomputeKey(k)
	}
}

// finish computes the change events of the step and queues them for the
// collection's subscribers.
func (s *step) finish() {
	if s.index {
		s.updateIndexesLocked()
	}
	if len(s.keys) > 0 && len(s.c.watchers) > 0 {
		s.c.noteKeysLocked(s.keys) // s.keys is not reused: the watchers may keep it
	}
	if !s.track || len(s.keys) == 0 {
		return
	}
	events := make([]event, 0, len(s.keys))
	for i, k := range s.keys {
		b := s.before[i]
		v, ok := s.c.visibleHeld(k)
		switch {
		case !b.ok && ok:
			events = append(events, event{typ: ChangeInsert, key: k, value: v})
		case b.ok && !ok:
			events = append(events, event{typ: ChangeDelete, key: k, value: b.v})
		case b.ok && ok && !s.c.shapes.equal(b.v, v):
			events = append(events, event{typ: ChangeUpdate, key: k, value: v, prev: b.v})
		}
	}
	if len(events) > 0 {
		s.c.enqueueLocked(events, nil)
	}
}

// steps collects the steps of an operation that spans collections.
type steps []*step

func (ss *steps) of(c *Collection) *step {
	for _, s := range *ss {
		if s.c == c {
			return s
		}
	}
	s := c.newStep()
	*ss = append(*ss, s)
	return s
}

func (ss steps) recompute() {
	for _, s := range ss {
		s.recompute()
	}
}

func (ss steps) finish() {
	for _, s := range ss {
		s.finish()
	}
}
