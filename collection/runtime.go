package collection

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// Runtime holds what TanStack DB keeps in module state: the stack of ambient
// transactions (those whose Mutate is running), the ordered list of active
// transactions, and the queue of change events waiting for delivery.
//
// Collections that share transactions must share a Runtime. One mutex guards
// the state of all its collections and transactions; it is never held while
// user code (callbacks, handlers, validators, sync sources) runs.
type Runtime struct {
	mu sync.Mutex

	mutationSeq atomic.Uint64 // ids of mutations (a counter: a UUID per row costs)

	seq     uint64         // creation order of transactions, ids of collections
	ambient []*Transaction // Mutate stack; the last one receives mutations
	active  []*Transaction // pending or persisting with mutations, in creation order

	commits uint64        // commit order of transactions (Transaction.commitSeq)
	turnCh  chan struct{} // closed and replaced when a persist turn may have freed

	settled    []*Transaction // settled, Done not yet closed
	queue      []delivery     // change batches waiting for their subscribers
	notes      []keyNote      // WatchKeys calls waiting for the lock's release
	delivering bool           // a goroutine is draining queue
}

// NewRuntime returns an empty Runtime.
func NewRuntime() *Runtime { return &Runtime{} }

// CreateCollection creates a collection in rt. With cfg.StartSync it starts
// syncing at once.
func (rt *Runtime) CreateCollection(cfg Config) (*Collection, error) {
	switch cfg.SyncMode {
	case "", SyncEager, SyncOnDemand:
	default:
		return nil, &CollectionConfigurationError{Message: "unknown sync mode " + strconv.Quote(string(cfg.SyncMode))}
	}
	switch cfg.Sync.RowUpdateMode {
	case "", RowUpdatePartial, RowUpdateFull:
	default:
		return nil, &CollectionConfigurationError{Message: "unknown row update mode " + strconv.Quote(string(cfg.Sync.RowUpdateMode))}
	}
	rt.mu.Lock()
	rt.seq++
	n := rt.seq
	rt.mu.Unlock()
	if cfg.ID == "" {
		cfg.ID = "collection-" + strconv.FormatUint(n, 10)
	}
	c := newCollection(rt, cfg)
	if cfg.StartSync {
		c.startSync()
	}
	return c, nil
}

// ActiveTransaction returns the innermost transaction whose Mutate is
// running (the one an Insert, Update or Delete would join), or nil: TanStack
// DB's getActiveTransaction.
func (rt *Runtime) ActiveTransaction() *Transaction {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.ambientLocked()
}

// ambientLocked returns the innermost transaction whose Mutate is running.
func (rt *Runtime) ambientLocked() *Transaction {
	if len(rt.ambient) == 0 {
		return nil
	}
	return rt.ambient[len(rt.ambient)-1]
}

// activateLocked adds tx to the active list, keeping creation order.
func (rt *Runtime) activateLocked(tx *Transaction) {
	if tx.active {
		return
	}
	tx.active = true
	i := len(rt.active)
	for i > 0 && rt.active[i-1].seq > tx.seq {
		i--
	}
	rt.active = append(rt.active, nil)
	copy(rt.active[i+1:], rt.active[i:])
	rt.active[i] = tx
}

// deactivateLocked removes tx from the active list.
func (rt *Runtime) deactivateLocked(tx *Transaction) {
	if !tx.active {
		return
	}
	tx.active = false
	for i, t := range rt.active {
		if t == tx {
			n := len(rt.active) - 1
			copy(rt.active[i:], rt.active[i+1:])
			rt.active[n] = nil // let the finished transaction be collected
			rt.active = rt.active[:n]
			return
		}
	}
}
