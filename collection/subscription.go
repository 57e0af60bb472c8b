package collection

import (
	"sync/atomic"
)

// Subscription is a registration made by SubscribeChanges.
type Subscription struct {
	c      *Collection
	fn     func([]Change)
	filter bool // drop deletes and turn updates into inserts for unseen keys
	where  Expr
	closed atomic.Bool

	sent map[string]struct{} // keys the subscriber has seen; used by the deliverer only
}

// delivery is a batch of changes queued for one subscription.
type delivery struct {
	sub *Subscription
	b   *batch
}

// batch is the change events of one step, shared by the subscriptions it
// is queued for. Its items stay as the state holds them (packed: one
// pointer-free string each) until the first delivery unpacks them into
// rows: a large sync commit can queue 100,000 events while it is applied
// in slices, and as rows (maps, ~460 bytes and several objects each) they
// would be a live heap the Go collector marks in one piece whenever wasm
// hands the thread back (RATIONALE.md, "Tracked changes wait in SQLite;
// change events wait packed").
type batch struct {
	events  []event
	shapes  [][]string // the column lists of the packed items (unpackWith)
	changes []Change   // the events as rows, from the first delivery on
}

// event is a change as queued: Change with its items held.
type event struct {
	typ         ChangeType
	key         string
	value, prev held
}

// rows returns the batch's changes, unpacking them on the first call. Only
// the deliverer calls it, without the runtime's lock.
func (b *batch) rows() []Change {
	if b.changes == nil {
		b.changes = make([]Change, len(b.events))
		for i, e := range b.events {
			b.changes[i] = Change{Type: e.typ, Key: e.key, Value: unpackWith(b.shapes, e.value), PreviousValue: unpackWith(b.shapes, e.prev)}
		}
		b.events = nil
	}
	return b.changes
}

// SubscribeChanges calls fn with each batch of changes the collection shows
// (one batch per mutation call, sync commit or transaction settlement), in
// order, on the goroutine that made the change (or on one that is already
// delivering), never with internal locks held: fn may read and mutate
// collections. It starts sync if needed. See SubscribeOptions for the
// initial state and the filtering of unseen keys.
func (c *Collection) SubscribeChanges(fn func([]Change), opts SubscribeOptions) *Subscription {
	c.startSync()
	rt := c.rt
	rt.mu.Lock()
	sub := &Subscription{
		c:      c,
		fn:     fn,
		filter: opts.IncludeInitialState == nil || *opts.IncludeInitialState,
		where:  opts.Where,
		sent:   make(map[string]struct{}),
	}
	c.subs = append(c.subs, sub)
	c.subscribersChangedLocked(len(c.subs) - 1)
	c.stopGCLocked()
	if opts.IncludeInitialState != nil && *opts.IncludeInitialState {
		// The items that may match Where, from an index when one answers
		// it; the subscription's where filters them as it does changes.
		keys, ok := []string(nil), false
		if opts.Where != nil && len(c.indexes) > 0 {
			keys, ok = c.indexedKeysLocked(opts.Where)
		}
		if !ok {
			keys = c.keysLocked()
		}
		initial := make([]event, 0, len(keys))
		for _, k := range keys {
			if v, ok := c.visibleHeld(k); ok {
				initial = append(initial, event{typ: ChangeInsert, key: k, value: v})
			}
		}
		if len(initial) > 0 {
			c.enqueueLocked(initial, sub)
		}
	}
	rt.mu.Unlock()
	rt.deliver()
	return sub
}

// Unsubscribe stops the deliveries (including queued ones). When the last
// subscriber leaves, the GC timer starts.
func (s *Subscription) Unsubscribe() {
	if s.closed.Swap(true) {
		return
	}
	c := s.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	for i, x := range c.subs {
		if x == s {
			c.subs = append(c.subs[:i], c.subs[i+1:]...)
			c.subscribersChangedLocked(len(c.subs) + 1)
			break
		}
	}
	if len(c.subs) == 0 && c.status != StatusIdle && c.status != StatusCleanedUp {
		c.armGCLocked()
	}
}

// SubscriberCount returns the number of active subscriptions.
func (c *Collection) SubscriberCount() int {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return len(c.subs)
}

// enqueueLocked queues events for every subscriber of c, or for only.
func (c *Collection) enqueueLocked(events []event, only *Subscription) {
	b := &batch{events: events, shapes: c.shapes.cols}
	if only != nil {
		c.rt.queue = append(c.rt.queue, delivery{only, b})
		return
	}
	for _, s := range c.subs {
		c.rt.queue = append(c.rt.queue, delivery{s, b})
	}
}

// deliver drains the queue unless another goroutine is draining it. The
// single deliverer keeps batches in order; callbacks run without the lock.
func (rt *Runtime) deliver() { rt.deliverPaced(nil) }

// deliverPaced is deliver with pace, when non-nil, called between two
// batches.
func (rt *Runtime) deliverPaced(pace func()) {
	rt.notifyKeys() // caches first, and even during another delivery
	rt.mu.Lock()
	if rt.delivering || len(rt.queue) == 0 {
		rt.mu.Unlock()
		return
	}
	rt.delivering = true
	finished := false
	defer func() {
		if !finished { // a callback panicked: let the next caller deliver
			rt.mu.Lock()
			rt.delivering = false
			rt.mu.Unlock()
		}
	}()
	for len(rt.queue) > 0 {
		q := rt.queue
		rt.queue = nil
		rt.mu.Unlock()
		for i, d := range q {
			if i > 0 && pace != nil {
				pace()
			}
			q[i] = delivery{} // a batch is garbage once its last subscriber has it
			if !d.sub.closed.Load() {
				d.sub.receive(d.b.rows())
			}
		}
		rt.mu.Lock()
	}
	rt.delivering = false // still locked: nothing queued meanwhile is stranded
	finished = true
	rt.mu.Unlock()
}

// receive filters a batch for this subscriber and calls its function.
func (s *Subscription) receive(changes []Change) {
	if s.closed.Load() {
		return
	}
	if !s.filter && s.where == nil {
		s.fn(changes)
		return
	}
	out := make([]Change, 0, len(changes))
	for _, ch := range changes {
		if s.where != nil {
			var ok bool
			if ch, ok = s.applyWhere(ch); !ok {
				continue
			}
		}
		if s.filter {
			_, seen := s.sent[ch.Key]
			switch ch.Type {
			case ChangeInsert:
				s.sent[ch.Key] = struct{}{}
			case ChangeUpdate:
				if !seen {
					ch = Change{Type: ChangeInsert, Key: ch.Key, Value: ch.Value}
					s.sent[ch.Key] = struct{}{}
				}
			case ChangeDelete:
				if !seen {
					continue
				}
				delete(s.sent, ch.Key)
			}
		}
		out = append(out, ch)
	}
	if len(out) > 0 {
		s.fn(out)
	}
}

// applyWhere turns a change into what a subscriber limited to matching
// items sees: updates across the boundary become inserts or deletes.
func (s *Subscription) applyWhere(ch Change) (Change, bool) {
	now := matches(s.where, ch.Value)
	switch ch.Type {
	case ChangeUpdate:
		was := matches(s.where, ch.PreviousValue)
		switch {
		case was && now:
			return ch, true
		case now:
			return Change{Type: ChangeInsert, Key: ch.Key, Value: ch.Value}, true
		case was:
			return Change{Type: ChangeDelete, Key: ch.Key, Value: ch.PreviousValue}, true
		}
		return ch, false
	default:
		return ch, now
	}
}

// matches evaluates a filter; an error counts as no match.
func matches(e Expr, row Row) bool {
	ok, err := Matches(e, row)
	return err == nil && ok
}
