package collection

import (
	"context"
	"slices"
	"sync"
	"time"
)

// allowedTransitions is TanStack DB's lifecycle graph.
var allowedTransitions = map[Status][]Status{
	StatusIdle:      {StatusLoading, StatusError, StatusCleanedUp},
	StatusLoading:   {StatusReady, StatusError, StatusCleanedUp},
	StatusReady:     {StatusCleanedUp, StatusError},
	StatusError:     {StatusReady, StatusCleanedUp, StatusIdle},
	StatusCleanedUp: {StatusLoading, StatusError},
}

// setStatusLocked changes the status if the lifecycle allows it and wakes
// whoever waits for a status change.
func (c *Collection) setStatusLocked(to Status) error {
	from := c.status
	if from == to {
		return nil
	}
	ok := false
	for _, s := range allowedTransitions[from] {
		ok = ok || s == to
	}
	if !ok {
		return &InvalidCollectionStatusTransitionError{From: from, To: to, CollectionID: c.id}
	}
	c.status = to
	close(c.statusCh)
	c.statusCh = make(chan struct{})
	for _, l := range c.statusListeners {
		l.push(from, to)
	}
	switch to {
	case StatusReady:
		for _, w := range c.readyWaiters {
			go w.fn() // user code never runs under the lock
		}
		c.readyWaiters = nil
	case StatusCleanedUp:
		c.readyWaiters = nil
	}
	return nil
}

// startSync starts a sync session if the collection is idle or cleaned up.
// The source's Sync function runs on the calling goroutine, without locks.
func (c *Collection) startSync() {
	rt := c.rt
	rt.mu.Lock()
	if c.status != StatusIdle && c.status != StatusCleanedUp {
		rt.mu.Unlock()
		return
	}
	_ = c.setStatusLocked(StatusLoading)
	c.syncErr = nil
	c.syncGen++
	p := &SyncParams{c: c, gen: c.syncGen}
	if len(c.subs) == 0 {
		c.armGCLocked() // a collection loaded without subscribers is collected too
	}
	rt.mu.Unlock()

	if c.cfg.Sync.Sync == nil {
		p.MarkReady()
		return
	}
	h, err := callSync(c.cfg.Sync.Sync, p)
	if err == nil && c.cfg.SyncMode == SyncOnDemand && h.LoadSubset == nil {
		err = &CollectionConfigurationError{Message: "an on-demand collection needs a sync source with LoadSubset"}
	}
	rt.mu.Lock()
	if p.stale() {
		rt.mu.Unlock()
		if h.Cleanup != nil {
			h.Cleanup() // cleaned up while starting: stop the late session
		}
		return
	}
	c.handle, c.hasHandle = h, true
	rt.mu.Unlock()
	if err != nil {
		p.MarkError(err)
	}
}

func callSync(fn func(*SyncParams) SyncHandle, p *SyncParams) (h SyncHandle, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &HandlerPanicError{Value: r}
		}
	}()
	return fn(p), nil
}

// Preload starts sync if needed and waits until the collection is ready. It
// returns the sync error if the collection ends in the error state, a
// *CollectionCleanedUpError if it is cleaned up meanwhile, or ctx's error.
func (c *Collection) Preload(ctx context.Context) error {
	c.startSync()
	return c.waitReady(ctx)
}

// waitReady waits for the ready status.
func (c *Collection) waitReady(ctx context.Context) error {
	for {
		c.rt.mu.Lock()
		switch c.status {
		case StatusReady:
			c.rt.mu.Unlock()
			return nil
		case StatusError:
			err := &CollectionInErrorStateError{Operation: "wait for ready", CollectionID: c.id, Cause: c.syncErr}
			c.rt.mu.Unlock()
			return err
		case StatusCleanedUp, StatusIdle:
			c.rt.mu.Unlock()
			return &CollectionCleanedUpError{CollectionID: c.id}
		}
		ch := c.statusCh
		c.rt.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// OnFirstReady calls fn once the collection is ready, as TanStack DB's
// onFirstReady: at once, on the calling goroutine, when it is ready now;
// else on a goroutine of its own, without locks, when it becomes ready. A
// cleanup before then drops fn uncalled. It does not start sync. cancel
// drops fn if it has not been called.
func (c *Collection) OnFirstReady(fn func()) (cancel func()) {
	rt := c.rt
	rt.mu.Lock()
	if c.status == StatusReady {
		rt.mu.Unlock()
		fn()
		return func() {}
	}
	w := &readyWaiter{fn: fn}
	c.readyWaiters = append(c.readyWaiters, w)
	rt.mu.Unlock()
	return func() {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		c.readyWaiters = slices.DeleteFunc(c.readyWaiters, func(x *readyWaiter) bool { return x == w })
	}
}

// readyWaiter is one OnFirstReady callback (a pointer, so cancel can find it).
type readyWaiter struct{ fn func() }

// OnStatusChange calls fn(from, to) after each change of the status, in
// order, on a goroutine of its own and without locks: TanStack DB's
// status:change event. cancel stops the calls not yet made.
func (c *Collection) OnStatusChange(fn func(from, to Status)) (cancel func()) {
	return addListener(c, &c.statusListeners, fn)
}

// OnSubscribersChange calls fn(previous, current) after each change of
// SubscriberCount (TanStack DB's subscribers:change event), in order, on a
// goroutine of its own, never with the collection's locks held. It returns
// a function that ends that.
func (c *Collection) OnSubscribersChange(fn func(previous, current int)) (cancel func()) {
	return addListener(c, &c.subscriberListeners, fn)
}

// OnTruncate calls fn after each sync transaction that truncates the
// synced state is applied (SyncParams.Truncate; a PowerSync collection's
// table reread whole): TanStack DB's truncate event. The calls come in
// order, on a goroutine of their own, never with the collection's locks
// held. It returns a function that ends that.
func (c *Collection) OnTruncate(fn func()) (cancel func()) {
	return addListener(c, &c.truncateListeners, func(struct{}, struct{}) { fn() })
}

// subscribersChangedLocked tells the OnSubscribersChange callbacks; the
// caller holds rt.mu.
func (c *Collection) subscribersChangedLocked(previous int) {
	if n := len(c.subs); n != previous {
		for _, l := range c.subscriberListeners {
			l.push(previous, n)
		}
	}
}

// addListener adds a listener calling fn to *list (guarded by rt.mu) and
// returns its cancel function.
func addListener[T any](c *Collection, list *[]*listener[T], fn func(from, to T)) (cancel func()) {
	l := &listener[T]{fn: fn}
	rt := c.rt
	rt.mu.Lock()
	*list = append(*list, l)
	rt.mu.Unlock()
	return func() {
		rt.mu.Lock()
		*list = slices.DeleteFunc(*list, func(x *listener[T]) bool { return x == l })
		rt.mu.Unlock()
		l.mu.Lock()
		l.queue, l.cancelled = nil, true
		l.mu.Unlock()
	}
}

// listener queues the transitions for one OnStatusChange or
// OnSubscribersChange callback, so that a slow callback sees them in order
// and never holds up the collection.
type listener[T any] struct {
	fn func(from, to T)

	mu        sync.Mutex
	queue     [][2]T
	running   bool
	cancelled bool
}

func (l *listener[T]) push(from, to T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cancelled {
		return
	}
	l.queue = append(l.queue, [2]T{from, to})
	if !l.running {
		l.running = true
		go l.drain()
	}
}

func (l *listener[T]) drain() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		t := l.queue[0]
		l.queue = l.queue[1:]
		l.mu.Unlock()
		l.fn(t[0], t[1])
	}
}

// StateWhenReady starts sync if needed, waits until the collection is ready
// and returns its items.
func (c *Collection) StateWhenReady(ctx context.Context) (map[string]Row, error) {
	if err := c.Preload(ctx); err != nil {
		return nil, err
	}
	return c.State(), nil
}

// ToArrayWhenReady starts sync if needed, waits until the collection is
// ready and returns its items in key order.
func (c *Collection) ToArrayWhenReady(ctx context.Context) ([]Row, error) {
	if err := c.Preload(ctx); err != nil {
		return nil, err
	}
	return c.Values(), nil
}

// Cleanup stops sync, drops the synced state and the subscriptions, and
// moves the collection to cleaned-up. Using it afterwards restarts sync.
func (c *Collection) Cleanup() { c.cleanup(nil) }

// cleanup cleans up if still, under the lock, keep is nil or false.
func (c *Collection) cleanup(keep func() bool) {
	rt := c.rt
	rt.mu.Lock()
	if c.status == StatusCleanedUp || (keep != nil && keep()) {
		rt.mu.Unlock()
		return
	}
	h, had := c.handle, c.hasHandle
	c.handle, c.hasHandle = SyncHandle{}, false
	c.syncGen++
	c.stopGCLocked()
	c.clearSynced()
	c.pendingSync = nil
	clear(c.optUpserts)
	clear(c.optDeletes)
	c.clearIndexesLocked()
	for _, s := range c.subs {
		s.closed.Store(true)
	}
	subscribers := len(c.subs)
	c.subs = nil
	c.subscribersChangedLocked(subscribers)
	for _, w := range c.watchers {
		w.stopped.Store(true)
	}
	c.watchers = nil
	_ = c.setStatusLocked(StatusCleanedUp)
	rt.mu.Unlock()
	if had && h.Cleanup != nil {
		h.Cleanup()
	}
}

// usable checks that op may run: an error status refuses it, a cleaned-up
// collection restarts sync.
func (c *Collection) usable(op string) error {
	c.rt.mu.Lock()
	st := c.status
	var err error
	if st == StatusError {
		err = &CollectionInErrorStateError{Operation: op, CollectionID: c.id, Cause: c.syncErr}
	}
	c.rt.mu.Unlock()
	if err != nil {
		return err
	}
	if st == StatusCleanedUp {
		c.startSync()
	}
	return nil
}

func (c *Collection) gcTime() time.Duration {
	if c.cfg.GCTime == 0 {
		return DefaultGCTime
	}
	return c.cfg.GCTime
}

// armGCLocked starts the timer that cleans the collection up once it has
// had no subscribers for GCTime.
func (c *Collection) armGCLocked() {
	d := c.gcTime()
	if d < 0 {
		return
	}
	c.stopGCLocked()
	gen := c.gcGen
	c.gcTimer = time.AfterFunc(d, func() { c.collect(gen) })
}

func (c *Collection) stopGCLocked() {
	c.gcGen++
	if c.gcTimer != nil {
		c.gcTimer.Stop()
		c.gcTimer = nil
	}
}

// collect is the GC timer's action; gen identifies the arming it belongs to.
func (c *Collection) collect(gen uint64) {
	c.cleanup(func() bool {
		return gen != c.gcGen || len(c.subs) > 0 || c.status == StatusIdle
	})
}
