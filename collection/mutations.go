package collection

import (
	"context"
	"strconv"
	"time"
)

// Insert adds items optimistically and returns the transaction holding the
// mutations: the ambient one inside Transaction.Mutate, else a new
// auto-committing transaction persisted by Config.OnInsert on its own
// goroutine (wait for it with Transaction.Wait). Errors (validation, keys,
// duplicates, a missing handler) are returned before anything changes.
func (c *Collection) Insert(items []Row, opts *OperationOptions) (*Transaction, error) {
	if err := c.usable("insert"); err != nil {
		return nil, err
	}
	if err := c.needHandler(c.cfg.OnInsert, &MissingInsertHandlerError{}); err != nil {
		return nil, err
	}
	now := time.Now()
	muts := make([]*PendingMutation, 0, len(items))
	var batch map[string]struct{} // repeated keys; not needed for one item
	if len(items) > 1 {
		batch = make(map[string]struct{}, len(items))
	}
	for _, item := range items {
		v := item
		if c.cfg.Schema != nil {
			out, issues := c.cfg.Schema.Validate(item)
			if len(issues) > 0 {
				return nil, &SchemaValidationError{Type: "insert", Issues: issues}
			}
			v = out
		} else {
			v = mergeRow(nil, item) // the caller keeps its map; ours must not change
		}
		key, err := c.key(v)
		if err != nil {
			return nil, err
		}
		if batch != nil {
			if _, dup := batch[key]; dup {
				return nil, &DuplicateKeyError{Key: key}
			}
			batch[key] = struct{}{}
		}
		muts = append(muts, c.newMutation(MutationInsert, key, nil, v, v, opts, now))
	}
	return c.apply(c.cfg.OnInsert, func() ([]*PendingMutation, error) {
		for _, m := range muts {
			if _, ok := c.visible(m.Key); ok {
				return nil, &DuplicateKeyError{Key: m.Key}
			}
		}
		return muts, nil
	})
}

// Update changes the items with keys: fn receives a deep copy (draft) of
// each item in turn and changes it in place. Only changed fields are
// recorded; an item without changes is left out, and if none changed the
// returned transaction is empty and completed (or the ambient one). The
// key may not change. Transactions are chosen as for Insert.
func (c *Collection) Update(keys []string, opts *OperationOptions, fn func(draft Row)) (*Transaction, error) {
	if fn == nil {
		return nil, &MissingUpdateArgumentError{}
	}
	return c.UpdateMany(keys, opts, func(drafts []Row) {
		for _, d := range drafts {
			fn(d)
		}
	})
}

// UpdateMany is Update with one call of fn for all drafts, in the order of
// keys (TanStack's update of an array of keys).
func (c *Collection) UpdateMany(keys []string, opts *OperationOptions, fn func(drafts []Row)) (*Transaction, error) {
	if fn == nil {
		return nil, &MissingUpdateArgumentError{}
	}
	if len(keys) == 0 {
		return nil, &NoKeysPassedToUpdateError{}
	}
	if err := c.usable("update"); err != nil {
		return nil, err
	}
	if err := c.needHandler(c.cfg.OnUpdate, &MissingUpdateHandlerError{}); err != nil {
		return nil, err
	}
	originals := make([]Row, len(keys))
	c.rt.mu.Lock()
	for i, k := range keys {
		v, ok := c.visible(k)
		if !ok {
			c.rt.mu.Unlock()
			return nil, &UpdateKeyNotFoundError{Key: k}
		}
		originals[i] = v
	}
	c.rt.mu.Unlock()

	drafts := make([]Row, len(keys))
	for i, o := range originals {
		drafts[i] = cloneRow(o)
	}
	fn(drafts) // user code: no lock held

	now := time.Now()
	var muts []*PendingMutation
	for i, k := range keys {
		changes := diffRow(originals[i], drafts[i])
		if len(changes) == 0 {
			continue
		}
		modified := drafts[i]
		if c.cfg.Schema != nil {
			out, issues := c.cfg.Schema.Validate(modified)
			if len(issues) > 0 {
				return nil, &SchemaValidationError{Type: "update", Issues: issues}
			}
			for f := range changes {
				changes[f] = out[f] // the validator may transform what changed
			}
			modified = out
		}
		nk, err := c.key(modified)
		if err != nil {
			return nil, err
		}
		if nk != k {
			return nil, &KeyUpdateNotAllowedError{From: k, To: nk}
		}
		muts = append(muts, c.newMutation(MutationUpdate, k, originals[i], modified, changes, opts, now))
	}
	if len(muts) == 0 {
		return c.emptyTransaction(), nil
	}
	return c.apply(c.cfg.OnUpdate, func() ([]*PendingMutation, error) {
		for _, m := range muts {
			if _, ok := c.visible(m.Key); !ok {
				return nil, &UpdateKeyNotFoundError{Key: m.Key}
			}
		}
		return muts, nil
	})
}

// Delete removes the items with keys optimistically. Transactions are
// chosen as for Insert.
func (c *Collection) Delete(keys []string, opts *OperationOptions) (*Transaction, error) {
	if len(keys) == 0 {
		return nil, &NoKeysPassedToDeleteError{}
	}
	if err := c.usable("delete"); err != nil {
		return nil, err
	}
	if err := c.needHandler(c.cfg.OnDelete, &MissingDeleteHandlerError{}); err != nil {
		return nil, err
	}
	now := time.Now()
	return c.apply(c.cfg.OnDelete, func() ([]*PendingMutation, error) {
		muts := make([]*PendingMutation, 0, len(keys))
		seen := make(map[string]struct{}, len(keys))
		for _, k := range keys {
			v, ok := c.visible(k)
			if !ok {
				return nil, &DeleteKeyNotFoundError{Key: k}
			}
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			muts = append(muts, c.newMutation(MutationDelete, k, v, v, v, opts, now))
		}
		return muts, nil
	})
}

func (c *Collection) newMutation(t MutationType, key string, original, modified, changes Row, opts *OperationOptions, now time.Time) *PendingMutation {
	return &PendingMutation{
		MutationID: "m" + strconv.FormatUint(c.rt.mutationSeq.Add(1), 10),
		Type:       t,
		Key:        key,
		GlobalKey:  c.globalKey(key),
		Original:   original,
		Modified:   modified,
		Changes:    changes,
		Metadata:   opts.metadata(),
		Optimistic: opts.optimistic(),
		Collection: c,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
}

// needHandler fails a direct mutation without its handler, before any
// other check, as TanStack does.
func (c *Collection) needHandler(h MutationHandler, missing error) error {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	if c.rt.ambientLocked() == nil && h == nil {
		return missing
	}
	return nil
}

// apply adds the mutations that build returns to the ambient transaction or
// to a new direct one. build runs under the lock, so its checks and the
// change are atomic. A direct transaction then starts committing.
func (c *Collection) apply(h MutationHandler, build func() ([]*PendingMutation, error)) (*Transaction, error) {
	rt := c.rt
	rt.mu.Lock()
	muts, err := build()
	if err != nil {
		rt.mu.Unlock()
		return nil, err
	}
	tx := rt.ambientLocked()
	direct := tx == nil
	if direct {
		if h == nil { // the ambient transaction ended since needHandler
			rt.mu.Unlock()
			return nil, &CollectionConfigurationError{Message: "no transaction and no handler for a direct mutation"}
		}
		tx = rt.newTransactionLocked(TransactionConfig{MutationFn: func(ctx context.Context, p TransactionParams) error {
			return h(ctx, MutationParams{Transaction: p.Transaction, Collection: c})
		}})
	}
	var ss steps
	tx.addMutationsLocked(muts, &ss)
	// A direct transaction commits before its change events are delivered,
	// as TanStack's does: a mutation a subscriber makes in reaction is
	// committed later, so it persists later (see AwaitPersistTurn).
	run := false
	if direct {
		run, _ = tx.beginCommitLocked() // pending with mutations: cannot fail
	}
	rt.mu.Unlock()
	if run {
		go tx.persist(context.Background())
	}
	rt.deliver()
	return tx, nil
}

// emptyTransaction is what an update without changes returns outside
// Mutate: a completed transaction without mutations.
func (c *Collection) emptyTransaction() *Transaction {
	rt := c.rt
	rt.mu.Lock()
	amb := rt.ambientLocked()
	rt.mu.Unlock()
	if amb != nil {
		return amb
	}
	tx := rt.newTransaction(TransactionConfig{MutationFn: func(context.Context, TransactionParams) error { return nil }})
	tx.commitAsync()
	return tx
}
