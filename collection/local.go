package collection

import (
	"context"
	"fmt"
	"sync"
)

// LocalOnly turns cfg into a collection that lives only in memory, as
// TanStack DB's localOnlyCollectionOptions does: it is ready at once, and
// the mutations of its direct transactions become its synced state once
// cfg's handler (if any) has accepted them. For mutations made inside
// Transaction.Mutate, the MutationFn calls AcceptMutations. It starts
// at once, and a zero GCTime means never collected: its data exists
// nowhere else. initialData, when given, is its synced state when it
// starts (TanStack DB's initialData); an item without a key puts the
// collection in its error state.
func LocalOnly(cfg Config, initialData ...Row) Config {
	l := &local{initial: initialData}
	cfg.StartSync = true
	if cfg.GCTime == 0 {
		cfg.GCTime = -1
	}
	cfg.Sync = SyncConfig{Sync: l.sync, RowUpdateMode: RowUpdateFull}
	cfg.OnInsert = l.wrap(cfg.OnInsert)
	cfg.OnUpdate = l.wrap(cfg.OnUpdate)
	cfg.OnDelete = l.wrap(cfg.OnDelete)
	cfg.Utils = l
	return cfg
}

// local is the sync source of a LocalOnly collection, and its Utils.
type local struct {
	initial []Row
	mu      sync.Mutex
	p       *SyncParams
}

func (l *local) sync(p *SyncParams) SyncHandle {
	l.mu.Lock()
	l.p = p
	l.mu.Unlock()
	if len(l.initial) > 0 {
		p.Begin()
		for _, r := range l.initial {
			if err := p.Write(Change{Type: ChangeInsert, Value: r}); err != nil {
				p.MarkError(fmt.Errorf("collection: initial data: %w", err))
				return SyncHandle{}
			}
		}
		if err := p.Commit(); err != nil {
			p.MarkError(fmt.Errorf("collection: initial data: %w", err))
			return SyncHandle{}
		}
	}
	p.MarkReady()
	return SyncHandle{}
}

func (l *local) wrap(h MutationHandler) MutationHandler {
	return func(ctx context.Context, mp MutationParams) error {
		if h != nil {
			if err := h(ctx, mp); err != nil {
				return err
			}
		}
		return l.accept(ctx, true, mp.Transaction, mp.Collection)
	}
}

// AcceptMutations writes the mutations of tx that belong to c into c's
// synced state. Call it from a MutationFn; it must be a LocalOnly collection.
func AcceptMutations(tx *Transaction, c *Collection) error {
	l, ok := c.Utils().(*local)
	if !ok {
		return &CollectionConfigurationError{Message: "AcceptMutations needs a LocalOnly collection"}
	}
	return l.accept(context.Background(), false, tx, c)
}

// WriteLocal writes changes into c's synced state as one sync transaction:
// what changed elsewhere (another tab's copy of a persisted local
// collection). An insert or update carries the whole item; a delete, the
// key. c must be a LocalOnly collection.
func WriteLocal(c *Collection, changes []Change) error {
	l, ok := c.Utils().(*local)
	if !ok {
		return &CollectionConfigurationError{Message: "WriteLocal needs a LocalOnly collection"}
	}
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	p.Begin()
	for _, ch := range changes {
		if err := p.Write(ch); err != nil {
			return err
		}
	}
	return p.Commit()
}

// accept writes the mutations of tx into c's synced state. ordered, for a
// direct transaction, waits for its turn (see AwaitPersistTurn): the
// goroutines of two MutationFns may reach it in either order, and the later
// commit must be the value the synced state keeps. AcceptMutations is not
// ordered: it is synchronous (a JS call, which must not block), and the
// MutationFn that calls it chooses when.
func (l *local) accept(ctx context.Context, ordered bool, tx *Transaction, c *Collection) error {
	if ordered {
		release, err := tx.AwaitPersistTurn(ctx, func(x *Collection) bool { return x == c })
		defer release()
		if err != nil {
			return fmt.Errorf("collection: accept mutations of %s: %w", tx.ID(), err)
		}
	}
	l.mu.Lock()
	p := l.p
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	p.Begin()
	for _, m := range tx.Mutations() {
		if m.Collection != c {
			continue
		}
		ch := Change{Type: ChangeInsert, Key: m.Key, Value: m.Modified}
		if m.Type == MutationDelete {
			ch = Change{Type: ChangeDelete, Key: m.Key}
		}
		if err := p.Write(ch); err != nil {
			return err
		}
	}
	return p.Commit()
}
