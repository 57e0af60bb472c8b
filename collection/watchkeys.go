package collection

import "sync/atomic"

// WatchKeys calls fn with the keys of each change to the collection's
// items (keys whose item may have changed: a superset of the changed ones)
// before the call that made the change returns, on the goroutine that made
// it. Unlike SubscribeChanges, whose deliveries wait while another is in
// progress (so that every subscriber sees the batches in order), WatchKeys
// is called at once, even when the change is made inside a change callback:
// it is for caches of what the reads return, which must never be older
// than a mutation already made. fn must not mutate collections of the
// Runtime. It does not start sync; cleanup stops it. Returns a function
// that stops it.
func (c *Collection) WatchKeys(fn func(keys []string)) (stop func()) {
	w := &keyWatch{fn: fn}
	c.rt.mu.Lock()
	c.watchers = append(c.watchers, w)
	c.rt.mu.Unlock()
	return func() {
		if w.stopped.Swap(true) {
			return
		}
		c.rt.mu.Lock()
		defer c.rt.mu.Unlock()
		for i, x := range c.watchers {
			if x == w {
				c.watchers = append(c.watchers[:i:i], c.watchers[i+1:]...)
				break
			}
		}
	}
}

type keyWatch struct {
	fn      func([]string)
	stopped atomic.Bool
}

// keyNote is a WatchKeys call waiting for the lock to be released.
type keyNote struct {
	w    *keyWatch
	keys []string
}

// noteKeysLocked records keys for c's watchers.
func (c *Collection) noteKeysLocked(keys []string) {
	for _, w := range c.watchers {
		c.rt.notes = append(c.rt.notes, keyNote{w, keys})
	}
}

// notifyKeys makes the WatchKeys calls recorded so far. Every path that
// changes state goes through deliver, which calls it first, whether or not
// a delivery is in progress.
func (rt *Runtime) notifyKeys() {
	for {
		rt.mu.Lock()
		notes := rt.notes
		rt.notes = nil
		rt.mu.Unlock()
		if len(notes) == 0 {
			return
		}
		for _, n := range notes {
			if !n.w.stopped.Load() {
				n.w.fn(n.keys)
			}
		}
	}
}
