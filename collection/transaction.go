package collection

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
)

// TransactionState is a transaction's state.
type TransactionState string

// The transaction states: pending -> persisting -> completed | failed
// (a pending transaction may also go straight to failed by Rollback).
const (
	TransactionPending    TransactionState = "pending"
	TransactionPersisting TransactionState = "persisting"
	TransactionCompleted  TransactionState = "completed"
	TransactionFailed     TransactionState = "failed"
)

// MutationType is the kind of a PendingMutation.
type MutationType string

// The mutation types.
const (
	MutationInsert MutationType = "insert"
	MutationUpdate MutationType = "update"
	MutationDelete MutationType = "delete"
)

// PendingMutation is one item's change within a transaction. Several
// mutations of one key in one transaction are merged into one.
type PendingMutation struct {
	MutationID string
	Type       MutationType
	Key        string
	GlobalKey  string // "KEY::<collection id>/<key>"
	Original   Row    // the item before the transaction (nil for an insert)
	Modified   Row    // the item after it (the removed item for a delete)
	Changes    Row    // the fields changed: all fields for an insert
	Metadata   any
	Optimistic bool
	Collection *Collection
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TransactionParams is what a MutationFn receives.
type TransactionParams struct {
	Transaction *Transaction
}

// MutationFn persists a transaction. Returning an error (or panicking)
// rolls the transaction back and fails it with that error.
type MutationFn func(ctx context.Context, p TransactionParams) error

// TransactionConfig configures CreateTransaction.
type TransactionConfig struct {
	// ID names the transaction; "" gets a random UUID.
	ID string
	// AutoCommit, unless set to false, commits when Mutate returns.
	AutoCommit *bool
	// MutationFn persists the transaction. Required.
	MutationFn MutationFn
	// Metadata is free for the application.
	Metadata any
}

// Transaction groups mutations, applies them optimistically at once and
// persists them with its MutationFn. Its methods are safe for concurrent use.
type Transaction struct {
	rt         *Runtime
	id         string
	seq        uint64
	autoCommit bool
	mutationFn MutationFn
	metadata   any
	createdAt  time.Time
	done       chan struct{}

	// Guarded by rt.mu.
	state     TransactionState
	mutations []*PendingMutation
	index     map[mutKey]int           // position of each key's mutation
	colls     map[*Collection]struct{} // collections it ever mutated
	active    bool                     // listed in rt.active
	err       error
	commitSeq uint64 // place in the commit order, from beginCommit on; 0 before
	turnDone  bool   // released its persist turn (see AwaitPersistTurn)
}

// mutKey identifies an item across collections.
type mutKey struct {
	c   *Collection
	key string
}

// CreateTransaction creates a pending transaction.
func (rt *Runtime) CreateTransaction(cfg TransactionConfig) (*Transaction, error) {
	if cfg.MutationFn == nil {
		return nil, &MissingMutationFunctionError{}
	}
	return rt.newTransaction(cfg), nil
}

func (rt *Runtime) newTransaction(cfg TransactionConfig) *Transaction {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.newTransactionLocked(cfg)
}

func (rt *Runtime) newTransactionLocked(cfg TransactionConfig) *Transaction {
	id := cfg.ID
	if id == "" {
		id = uuid.NewString()
	}
	rt.seq++
	seq := rt.seq
	return &Transaction{
		rt:         rt,
		id:         id,
		seq:        seq,
		autoCommit: cfg.AutoCommit == nil || *cfg.AutoCommit,
		mutationFn: cfg.MutationFn,
		metadata:   cfg.Metadata,
		createdAt:  time.Now(),
		done:       make(chan struct{}),
		state:      TransactionPending,
		index:      make(map[mutKey]int),
		colls:      make(map[*Collection]struct{}),
	}
}

// ID returns the transaction's id.
func (tx *Transaction) ID() string { return tx.id }

// Metadata returns TransactionConfig.Metadata.
func (tx *Transaction) Metadata() any { return tx.metadata }

// CreatedAt returns when the transaction was created.
func (tx *Transaction) CreatedAt() time.Time { return tx.createdAt }

// AutoCommit reports whether the transaction commits when Mutate returns.
func (tx *Transaction) AutoCommit() bool { return tx.autoCommit }

// State returns the transaction's state.
func (tx *Transaction) State() TransactionState {
	tx.rt.mu.Lock()
	defer tx.rt.mu.Unlock()
	return tx.state
}

// Mutations returns a copy of the transaction's mutations, in the order
// their keys were first mutated.
func (tx *Transaction) Mutations() []PendingMutation {
	tx.rt.mu.Lock()
	defer tx.rt.mu.Unlock()
	out := make([]PendingMutation, len(tx.mutations))
	for i, m := range tx.mutations {
		out[i] = *m
	}
	return out
}

// Done is closed when the transaction is completed or failed: TanStack's
// isPersisted promise settling.
func (tx *Transaction) Done() <-chan struct{} { return tx.done }

// Err returns nil until Done is closed; then nil if the transaction
// completed, else the cause of its failure (never nil for a failed one).
func (tx *Transaction) Err() error {
	select {
	case <-tx.done:
	default:
		return nil
	}
	tx.rt.mu.Lock()
	defer tx.rt.mu.Unlock()
	return tx.err
}

// Outcome returns the state and, once failed, the cause, read at one
// moment: unlike Err, it does not wait for Done, which closes only after
// the change events are delivered, so a subscriber that sees the state
// can see the cause too.
func (tx *Transaction) Outcome() (TransactionState, error) {
	tx.rt.mu.Lock()
	defer tx.rt.mu.Unlock()
	return tx.state, tx.err
}

// Wait waits until the transaction is completed (nil) or failed (its cause),
// or ctx ends (ctx's error).
func (tx *Transaction) Wait(ctx context.Context) error {
	select {
	case <-tx.done:
		return tx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Mutate runs fn with tx ambient in its Runtime: every Insert, Update and
// Delete made during fn joins tx instead of creating its own transaction.
// With AutoCommit, tx then starts committing (see Commit) without waiting.
//
// The ambient transaction belongs to the Runtime, not to a goroutine:
// mutations that other goroutines make in the same Runtime while fn runs
// join tx too.
func (tx *Transaction) Mutate(fn func()) error {
	rt := tx.rt
	rt.mu.Lock()
	if tx.state != TransactionPending {
		rt.mu.Unlock()
		return &TransactionNotPendingMutateError{ID: tx.id}
	}
	rt.ambient = append(rt.ambient, tx)
	rt.mu.Unlock()
	func() {
		defer rt.popAmbient(tx)
		fn()
	}()
	if tx.autoCommit {
		tx.commitAsync()
	}
	return nil
}

func (rt *Runtime) popAmbient(tx *Transaction) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for i := len(rt.ambient) - 1; i >= 0; i-- {
		if rt.ambient[i] == tx {
			rt.ambient = append(rt.ambient[:i], rt.ambient[i+1:]...)
			return
		}
	}
}

// Commit persists the transaction: it becomes persisting, MutationFn runs,
// and the transaction completes (nil) or, if MutationFn fails, is rolled
// back and fails with that error, which Commit returns. A transaction
// without mutations completes without calling MutationFn.
func (tx *Transaction) Commit(ctx context.Context) error {
	run, err := tx.beginCommit()
	if err != nil || !run {
		return err
	}
	return tx.persist(ctx)
}

// commitAsync starts a commit whose MutationFn runs on its own goroutine, as
// TanStack's un-awaited commit() does: the state is persisting on return.
func (tx *Transaction) commitAsync() {
	run, err := tx.beginCommit()
	if err != nil || !run {
		return
	}
	go tx.persist(context.Background())
}

// beginCommit moves a pending transaction to persisting (or completed when
// empty) and reports whether MutationFn must run.
func (tx *Transaction) beginCommit() (run bool, err error) {
	rt := tx.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return tx.beginCommitLocked()
}

func (tx *Transaction) beginCommitLocked() (run bool, err error) {
	rt := tx.rt
	if tx.state != TransactionPending {
		return false, &TransactionNotPendingCommitError{ID: tx.id}
	}
	if len(tx.mutations) == 0 {
		tx.state = TransactionCompleted
		rt.deactivateLocked(tx)
		close(tx.done)
		return false, nil
	}
	tx.state = TransactionPersisting
	rt.commits++
	tx.commitSeq = rt.commits
	return true, nil
}

// persist runs MutationFn and settles the transaction.
func (tx *Transaction) persist(ctx context.Context) error {
	err := tx.callMutationFn(ctx)
	rt := tx.rt
	rt.mu.Lock()
	if tx.state != TransactionPersisting {
		// Rolled back while persisting: the rollback settled it.
		cause := tx.err
		rt.mu.Unlock()
		return cause
	}
	var ss steps
	if err != nil {
		tx.rollbackLocked(err, "", &ss)
	} else {
		tx.finishLocked(TransactionCompleted, nil, &ss)
	}
	rt.settleLocked(&ss)
	rt.mu.Unlock()
	rt.deliver()
	rt.resolveSettled()
	return err
}

func (tx *Transaction) callMutationFn(ctx context.Context) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &HandlerPanicError{Value: p}
		}
	}()
	err = tx.mutationFn(ctx, TransactionParams{Transaction: tx})
	return err
}

// Rollback fails a pending or persisting transaction: its optimistic state
// disappears, Wait returns a *TransactionRolledBackError, and every other
// pending transaction sharing a key with it is rolled back too.
func (tx *Transaction) Rollback() error {
	rt := tx.rt
	rt.mu.Lock()
	switch tx.state {
	case TransactionCompleted:
		rt.mu.Unlock()
		return &TransactionAlreadyCompletedRollbackError{ID: tx.id}
	case TransactionFailed:
		rt.mu.Unlock()
		return nil
	}
	var ss steps
	tx.rollbackLocked(&TransactionRolledBackError{ID: tx.id}, "", &ss)
	rt.settleLocked(&ss)
	rt.mu.Unlock()
	rt.deliver()
	rt.resolveSettled()
	return nil
}

// rollbackLocked fails tx with cause and, unless it is itself a cascade
// (by != ""), the pending transactions sharing one of its keys.
func (tx *Transaction) rollbackLocked(cause error, by string, ss *steps) {
	tx.finishLocked(TransactionFailed, cause, ss)
	if by != "" {
		return
	}
	for _, other := range append([]*Transaction(nil), tx.rt.active...) {
		if other.state != TransactionPending || !other.sharesKey(tx) {
			continue
		}
		other.rollbackLocked(&TransactionRolledBackError{ID: other.id, By: tx.id}, tx.id, ss)
	}
}

func (tx *Transaction) sharesKey(other *Transaction) bool {
	a, b := tx.index, other.index
	if len(a) > len(b) {
		a, b = b, a
	}
	for k := range a {
		if _, ok := b[k]; ok {
			return true
		}
	}
	return false
}

// finishLocked settles tx, recording the keys it touched in ss. A failed
// transaction leaves the active list at once. A completed one stays there
// (lingers) while settleLocked finds synced changes held back in one of its
// collections: its optimistic state must last until the synced state that
// replaces it is applied.
func (tx *Transaction) finishLocked(state TransactionState, cause error, ss *steps) {
	if len(tx.colls) == 1 {
		for c := range tx.colls {
			ss.of(c).reserve(len(tx.mutations))
		}
	}
	for _, m := range tx.mutations {
		ss.of(m.Collection).touch(m.Key)
	}
	tx.state = state
	tx.err = cause
	tx.rt.turnFreedLocked() // a settled transaction no longer holds later ones back
	if state == TransactionFailed {
		tx.rt.deactivateLocked(tx)
	}
	// Done closes only after the change events are delivered (see
	// resolveSettled): whoever waits for persistence then finds the
	// subscribers informed, as TanStack's isPersisted does.
	tx.rt.settled = append(tx.rt.settled, tx)
}

// resolveSettled closes Done of the transactions settled so far.
func (rt *Runtime) resolveSettled() {
	rt.mu.Lock()
	list := rt.settled
	rt.settled = nil
	rt.mu.Unlock()
	for _, tx := range list {
		close(tx.done)
	}
}

// holdsSyncLocked reports whether a collection tx mutated holds synced
// changes back (a transaction there is persisting).
func (tx *Transaction) holdsSyncLocked() bool {
	for c := range tx.colls {
		if c.hasPersistingLocked() {
			return true
		}
	}
	return false
}

// settleLocked finishes a change to the set of active transactions:
// completed transactions whose collections no longer hold synced changes
// back leave the active list, the held-back sync transactions are applied,
// and the optimistic state of every touched key is recomputed, all in one
// step, so that a subscriber never sees an optimistic value drop before
// its synced replacement arrives.
func (rt *Runtime) settleLocked(sp *steps) {
	var release []*Transaction
	for _, tx := range rt.active {
		if tx.state == TransactionCompleted && !tx.holdsSyncLocked() {
			release = append(release, tx)
			for _, m := range tx.mutations {
				sp.of(m.Collection).touch(m.Key)
			}
		}
	}
	ss := *sp
	for _, tx := range release {
		rt.deactivateLocked(tx)
	}
	for i := 0; i < len(ss); i++ {
		ss[i].c.applyPendingSyncLocked(ss[i])
	}
	ss.recompute()
	ss.finish()
}

// addMutationsLocked merges ms into tx and updates the optimistic state.
func (tx *Transaction) addMutationsLocked(ms []*PendingMutation, ss *steps) {
	if len(ms) == 0 {
		return
	}
	if len(ms) > smallStep {
		// A bulk insert or update: size the step and the transaction's
		// index once instead of growing them key by key (the rehashing and
		// the garbage it leaves showed in profiles of a 10,000-row insert).
		// A batch is one collection's but inside Mutate, where this
		// overestimates the first one's step.
		ss.of(ms[0].Collection).reserve(len(ms))
		tx.reserve(len(ms))
	}
	for _, m := range ms {
		ss.of(m.Collection).touch(m.Key)
	}
	for _, m := range ms {
		tx.merge(m)
	}
	tx.rt.activateLocked(tx)
	ss.recompute()
	ss.finish()
}

// reserve prepares tx for n more mutations.
func (tx *Transaction) reserve(n int) {
	tx.mutations = slices.Grow(tx.mutations, n)
	if len(tx.index) == 0 {
		tx.index = make(map[mutKey]int, n)
	}
}

// merge adds m to tx, combining it with an earlier mutation of the same key:
// insert+update = insert, insert+delete = nothing, update+update = the
// union of changes, update+delete = delete, delete+insert = update; the
// first original is kept.
func (tx *Transaction) merge(m *PendingMutation) {
	k := mutKey{m.Collection, m.Key}
	tx.colls[m.Collection] = struct{}{}
	i, ok := tx.index[k]
	if !ok {
		tx.index[k] = len(tx.mutations)
		tx.mutations = append(tx.mutations, m)
		return
	}
	old := tx.mutations[i]
	merged := *m
	merged.Original = old.Original
	merged.CreatedAt = old.CreatedAt
	switch {
	case old.Type == MutationInsert && m.Type == MutationUpdate:
		merged.Type = MutationInsert
		merged.Changes = m.Modified
	case old.Type == MutationInsert && m.Type == MutationDelete:
		tx.removeAt(i)
		return
	case old.Type == MutationUpdate && m.Type == MutationUpdate:
		merged.Changes = mergeRow(old.Changes, m.Changes)
	case old.Type == MutationDelete && m.Type == MutationInsert:
		merged.Type = MutationUpdate
		ch := mergeRow(nil, m.Modified)
		for f := range old.Original {
			if _, ok := ch[f]; !ok {
				ch[f] = nil // a field the new item lacks is cleared
			}
		}
		merged.Changes = ch
	}
	if old.Type == MutationInsert {
		merged.Original = nil
	}
	tx.mutations[i] = &merged
}

func (tx *Transaction) removeAt(i int) {
	tx.mutations = append(tx.mutations[:i], tx.mutations[i+1:]...)
	clear(tx.index)
	for j, m := range tx.mutations {
		tx.index[mutKey{m.Collection, m.Key}] = j
	}
}

// touches reports whether tx has a mutation in c.
func (tx *Transaction) touches(c *Collection) bool {
	_, ok := tx.colls[c]
	return ok
}
