package collection

import "context"

// AwaitPersistTurn orders the writes of transactions into a shared store
// (a SQLite database, a collection's synced state) by commit order, so that
// the last transaction committed is the last one written, whatever the
// scheduling of the goroutines that run MutationFns: TanStack DB starts each
// MutationFn as its transaction commits, and PowerSync's write lock serves
// them first come, first served.
//
// It waits until no transaction that committed before tx in the Runtime is
// still persisting with its turn held, among those that mutated a
// collection for which in returns true. A transaction holds its turn from
// its commit until it calls the returned release (or settles). A persister
// calls AwaitPersistTurn before its write and release once the write is
// ordered (its store transaction committed); release may be called more
// than once. A transaction that is not persisting (never committed, or
// settled) does not wait.
//
// in runs with the Runtime's lock held: it may use Collection.ID, Config and
// Utils only. A MutationFn that waits for a transaction committed after its
// own, in a collection it shares with it, without writing through
// AwaitPersistTurn first, waits forever. Errors: ctx's.
func (tx *Transaction) AwaitPersistTurn(ctx context.Context, in func(*Collection) bool) (release func(), err error) {
	rt := tx.rt
	release = func() {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if !tx.turnDone {
			tx.turnDone = true
			rt.turnFreedLocked()
		}
	}
	for {
		rt.mu.Lock()
		if rt.turnCh == nil {
			rt.turnCh = make(chan struct{})
		}
		ch := rt.turnCh
		blocked := tx.state == TransactionPersisting && rt.earlierTurnLocked(tx, in)
		rt.mu.Unlock()
		if !blocked {
			return release, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return release, ctx.Err()
		}
	}
}

// earlierTurnLocked reports whether a transaction committed before tx, in a
// collection in accepts, still holds its persist turn.
func (rt *Runtime) earlierTurnLocked(tx *Transaction, in func(*Collection) bool) bool {
	for _, o := range rt.active {
		if o == tx || o.state != TransactionPersisting || o.turnDone || o.commitSeq >= tx.commitSeq {
			continue
		}
		for c := range o.colls {
			if in(c) {
				return true
			}
		}
	}
	return false
}

// turnFreedLocked wakes the waiters of AwaitPersistTurn.
func (rt *Runtime) turnFreedLocked() {
	if rt.turnCh != nil {
		close(rt.turnCh)
		rt.turnCh = nil
	}
}
