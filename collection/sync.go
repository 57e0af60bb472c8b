package collection

// SyncParams is the sync source's handle on its collection: it writes the
// synced state in transactions (Begin, Write..., Commit, or Apply at once)
// and reports readiness. Its methods are safe for concurrent use, but a
// Begin..Commit sequence addresses "the open transaction", so sequences
// from several goroutines must not interleave: such sources use Apply.
// After the collection is cleaned up the methods do nothing, so a late
// source cannot disturb a new session.
type SyncParams struct {
	c   *Collection
	gen uint64
}

// syncTx is a sync transaction: writes applied together at commit.
type syncTx struct {
	ops       []Change
	committed bool
	truncate  bool
}

// Collection returns the collection being synced.
func (p *SyncParams) Collection() *Collection { return p.c }

// stale reports whether this session was cleaned up.
func (p *SyncParams) stale() bool { return p.c.syncGen != p.gen }

// Begin starts a sync transaction.
func (p *SyncParams) Begin() {
	c := p.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() {
		return
	}
	c.pendingSync = append(c.pendingSync, &syncTx{})
}

// Write adds a change to the open sync transaction. An empty Key is derived
// from Value with the collection's GetKey.
func (p *SyncParams) Write(m ChangeMessage) error {
	return p.WriteBatch([]ChangeMessage{m})
}

// WriteBatch adds changes to the open sync transaction, in order, as Write
// does, taking the collection's lock once. On an error nothing is added.
func (p *SyncParams) WriteBatch(ms []ChangeMessage) error {
	c := p.c
	if err := c.keyAll(ms); err != nil {
		return err
	}
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() {
		return nil
	}
	t, err := c.openSyncTxLocked()
	if err != nil {
		return err
	}
	t.ops = append(t.ops, ms...)
	return nil
}

// Reserve tells the collection to expect about n synced items, so that a
// large initial load does not grow its index step by step.
func (p *SyncParams) Reserve(n int) {
	c := p.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() || n <= len(c.synced) {
		return
	}
	m := make(map[string]held, n)
	for k, v := range c.synced {
		m[k] = v
	}
	c.synced = m
}

// Apply writes changes as one sync transaction, begun and committed at
// once, so concurrent calls cannot mix their changes. It keeps ms.
// Subscribers are called as by Commit.
func (p *SyncParams) Apply(ms []ChangeMessage) error {
	if err := p.ApplyDeferred(ms); err != nil {
		return err
	}
	p.c.rt.deliver()
	return nil
}

// ApplyDeferred is Apply without calling the subscribers (see
// CommitDeferred).
func (p *SyncParams) ApplyDeferred(ms []ChangeMessage) error {
	c := p.c
	if err := c.keyAll(ms); err != nil {
		return err
	}
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() {
		return nil
	}
	c.pendingSync = append(c.pendingSync, &syncTx{ops: ms, committed: true})
	c.commitLocked()
	return nil
}

// keyAll derives the missing keys of ms: an empty Key with a Value is
// derived from the Value (which may give "", itself a key); an empty Key
// without one (a delete) is the key "".
func (c *Collection) keyAll(ms []ChangeMessage) error {
	for i := range ms {
		if ms[i].Key == "" && ms[i].Value != nil {
			k, err := c.key(ms[i].Value)
			if err != nil {
				return err
			}
			ms[i].Key = k
		}
		ms[i].PreviousValue = nil
	}
	return nil
}

// commitLocked applies what can be applied of the committed sync
// transactions and queues the change events.
func (c *Collection) commitLocked() {
	var ss steps
	c.applyPendingSyncLocked(ss.of(c))
	ss.recompute()
	ss.finish()
}

// Truncate drops, at commit, every synced item and the changes written
// before it in the open sync transaction. It is applied even while a
// transaction persists.
func (p *SyncParams) Truncate() error {
	c := p.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() {
		return nil
	}
	t, err := c.openSyncTxLocked()
	if err != nil {
		return err
	}
	t.ops = t.ops[:0]
	t.truncate = true
	return nil
}

func (c *Collection) openSyncTxLocked() (*syncTx, error) {
	if len(c.pendingSync) == 0 {
		return nil, &NoPendingSyncTransactionWriteError{}
	}
	t := c.pendingSync[len(c.pendingSync)-1]
	if t.committed {
		return nil, &SyncTransactionAlreadyCommittedWriteError{}
	}
	return t, nil
}

// Commit commits the open sync transaction. Its changes apply at once,
// unless a transaction that mutated this collection is persisting: then
// they wait, and apply in the same step that drops that transaction's
// optimistic state. Subscribers are called before Commit returns, unless
// another goroutine is already delivering (then it delivers these too).
func (p *SyncParams) Commit() error {
	if err := p.CommitDeferred(); err != nil {
		return err
	}
	p.c.rt.deliver()
	return nil
}

// CommitDeferred is Commit without calling the subscribers: they are
// called by the next Deliver (or any later delivery). A source that
// commits while holding a lock a subscriber might need (the database's,
// inside a change tracker) uses it and calls Deliver once the lock is
// released.
func (p *SyncParams) CommitDeferred() error {
	c := p.c
	rt := c.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if p.stale() {
		return nil
	}
	if len(c.pendingSync) == 0 {
		return &NoPendingSyncTransactionCommitError{}
	}
	t := c.pendingSync[len(c.pendingSync)-1]
	if t.committed {
		return &SyncTransactionAlreadyCommittedError{}
	}
	t.committed = true
	c.commitLocked()
	return nil
}

// Deliver calls the subscribers with the changes queued so far (see
// CommitDeferred).
func (p *SyncParams) Deliver() { p.c.rt.deliver() }

// DeliverPaced is Deliver with pace called between two batches (one
// commit's changes to one subscriber), so that a host with one thread can
// hand it over while a large sync reaches the subscribers. While it
// paces, other goroutines' commits leave their changes to it, as they do
// to any delivering goroutine.
func (p *SyncParams) DeliverPaced(pace func()) { p.c.rt.deliverPaced(pace) }

// MarkReady moves the collection to ready.
func (p *SyncParams) MarkReady() {
	c := p.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() || c.status == StatusReady {
		return
	}
	_ = c.setStatusLocked(StatusReady)
}

// MarkError moves the collection to the error state with cause err: waits
// for readiness fail with it, mutations fail with
// CollectionInErrorStateError.
func (p *SyncParams) MarkError(err error) {
	c := p.c
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if p.stale() {
		return
	}
	if err == nil {
		err = constError("sync failed")
	}
	c.syncErr = err
	_ = c.setStatusLocked(StatusError)
}

// hasPersistingLocked reports whether a transaction that mutated c is
// persisting.
func (c *Collection) hasPersistingLocked() bool {
	for _, tx := range c.rt.active {
		if tx.state == TransactionPersisting && tx.touches(c) {
			return true
		}
	}
	return false
}

// applyPendingSyncLocked applies the committed sync transactions to the
// synced state, unless a transaction persists in c (and none truncates).
// It touches every key in s before changing anything; the caller
// recomputes the optimistic layer and finishes s.
func (c *Collection) applyPendingSyncLocked(s *step) {
	committed, truncate := 0, false
	for _, t := range c.pendingSync {
		if t.committed {
			committed++
			truncate = truncate || t.truncate
		}
	}
	if committed == 0 || (!truncate && c.hasPersistingLocked()) {
		return
	}
	// With nobody subscribed or watching, no index and no optimistic state,
	// nothing needs the touched keys: skip recording them (the initial
	// load's fast path).
	quiet := !s.track && len(c.watchers) == 0 && len(c.indexes) == 0 && len(c.rt.active) == 0 && len(c.optUpserts) == 0 && len(c.optDeletes) == 0
	for _, t := range c.pendingSync {
		if !t.committed || quiet {
			continue
		}
		s.reserve(len(t.ops))
		if t.truncate {
			for _, k := range c.syncedKeysLocked() {
				s.touch(k)
			}
		}
		for i := range t.ops {
			s.touch(t.ops[i].Key)
		}
	}
	full := c.cfg.Sync.RowUpdateMode == RowUpdateFull
	rest := c.pendingSync[:0]
	for _, t := range c.pendingSync {
		if !t.committed {
			rest = append(rest, t)
			continue
		}
		if t.truncate {
			c.clearSynced()
			for _, l := range c.truncateListeners {
				l.push(struct{}{}, struct{}{})
			}
		}
		for i := range t.ops {
			op := &t.ops[i]
			switch op.Type {
			case ChangeInsert:
				c.setSynced(op.Key, op.Value)
			case ChangeUpdate:
				if old, ok := c.synced[op.Key]; ok && !full {
					c.setSynced(op.Key, mergeRow(c.shapes.unpack(old), op.Value))
				} else {
					c.setSynced(op.Key, op.Value)
				}
			case ChangeDelete:
				c.deleteSynced(op.Key)
			}
		}
	}
	clear(c.pendingSync[len(rest):])
	c.pendingSync = rest
}
