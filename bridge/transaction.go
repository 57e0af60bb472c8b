//go:build js

package bridge

import (
	"context"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
)

// Transactions travel to JS as ids. The JS Transaction object releases its
// id (txRelease) when it is garbage collected, so the tables below hold a
// transaction only while JS can still ask about it.

// txID returns the id of tx, registering it on first sight: the same Go
// transaction always has the same id, so JS keeps one object for it.
func (b *Bridge) txID(tx *collection.Transaction) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if id, ok := b.txIDs[tx]; ok {
		return id
	}
	b.nextTx++
	b.txIDs[tx] = b.nextTx
	b.txByID[b.nextTx] = tx
	return b.nextTx
}

// txArg reads a transaction id argument.
func (b *Bridge) txArg(args []js.Value) (*collection.Transaction, error) {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, typeErrorf("transaction", "want a transaction id")
	}
	b.mu.Lock()
	tx := b.txByID[args[0].Int()]
	b.mu.Unlock()
	if tx == nil {
		return nil, typeErrorf("transaction", "unknown transaction %d", args[0].Int())
	}
	return tx, nil
}

func (b *Bridge) exportTransactions(obj js.Value) {
	obj.Set("createTransaction", b.sync(b.createTransaction))
	obj.Set("txInfo", b.sync(b.txInfo))
	obj.Set("activeTransaction", b.sync(func([]js.Value) (any, error) {
		if tx := b.rt.ActiveTransaction(); tx != nil {
			return b.txID(tx), nil
		}
		return js.Undefined(), nil
	}))
	obj.Set("txState", b.sync(func(args []js.Value) (any, error) {
		tx, err := b.txArg(args)
		if err != nil {
			return nil, err
		}
		return string(tx.State()), nil
	}))
	obj.Set("txMutations", b.sync(b.txMutations))
	obj.Set("txMutate", b.sync(b.txMutate))
	obj.Set("txCommit", b.async(b.txCommit))
	obj.Set("txRollback", b.sync(func(args []js.Value) (any, error) {
		tx, err := b.txArg(args)
		if err != nil {
			return nil, err
		}
		return nil, tx.Rollback()
	}))
	obj.Set("txWait", b.async(b.txWait))
	obj.Set("txError", b.sync(func(args []js.Value) (any, error) {
		tx, err := b.txArg(args)
		if err != nil {
			return nil, err
		}
		state, cause := tx.Outcome()
		if state != collection.TransactionFailed || cause == nil {
			return js.Undefined(), nil
		}
		// In an array: a bare Error would read as the call's own failure.
		return []any{b.jsError(cause)}, nil
	}))
	obj.Set("txRelease", b.sync(b.txRelease))
	obj.Set("applyTransaction", b.async(b.applyTransaction))
}

// createTransaction(id, autoCommit, mutationFn, metadataJSON): the new
// transaction's id. mutationFn(txID) returns the promise of the user's
// mutationFn; the commit waits for it.
func (b *Bridge) createTransaction(args []js.Value) (any, error) {
	if err := argCount(args, 4, "createTransaction(id, autoCommit, mutationFn, metadata)"); err != nil {
		return nil, err
	}
	var cfg collection.TransactionConfig
	switch args[0].Type() {
	case js.TypeString:
		cfg.ID = args[0].String()
	case js.TypeUndefined:
	default:
		return nil, typeErrorf("id", "want a string")
	}
	switch args[1].Type() {
	case js.TypeBoolean:
		v := args[1].Bool()
		cfg.AutoCommit = &v
	case js.TypeUndefined:
	default:
		return nil, typeErrorf("autoCommit", "want a boolean")
	}
	switch fn := args[2]; fn.Type() {
	case js.TypeFunction:
		cfg.MutationFn = b.jsMutationFn(fn)
	case js.TypeUndefined, js.TypeNull:
		// The engine answers with MissingMutationFunctionError.
	default:
		return nil, typeErrorf("mutationFn", "want a function")
	}
	if meta := args[3]; meta.Type() == js.TypeString {
		v, err := rawJSON(meta.String())
		if err != nil {
			return nil, typeErrorf("metadata", "%v", err)
		}
		cfg.Metadata = v
	}
	tx, err := b.rt.CreateTransaction(cfg)
	if err != nil {
		return nil, err
	}
	return b.txID(tx), nil
}

// jsMutationFn runs a JS mutationFn from the commit's goroutine and waits
// for its promise.
func (b *Bridge) jsMutationFn(fn js.Value) collection.MutationFn {
	return func(ctx context.Context, p collection.TransactionParams) error {
		v, err := b.invoke(fn, b.txID(p.Transaction))
		if err != nil {
			return err
		}
		_, err = b.await(ctx, v)
		return err
	}
}

// txInfo(id): JSON {id, autoCommit, createdAt, metadata}.
func (b *Bridge) txInfo(args []js.Value) (any, error) {
	tx, err := b.txArg(args)
	if err != nil {
		return nil, err
	}
	var e Encoder
	err = e.Value(map[string]any{
		"id": tx.ID(), "autoCommit": tx.AutoCommit(),
		"createdAt": tx.CreatedAt().UnixMilli(), "metadata": tx.Metadata(),
	})
	if err != nil {
		return nil, err
	}
	return b.jsonPayload(&e), nil // metadata may need the marker escape
}

// txMutations(id): [json, blobs] of the mutations, with collectionId
// naming each one's collection; metadata is left out when none was given.
func (b *Bridge) txMutations(args []js.Value) (any, error) {
	tx, err := b.txArg(args)
	if err != nil {
		return nil, err
	}
	muts := tx.Mutations()
	list := make([]any, len(muts))
	for i, m := range muts {
		o := map[string]any{
			"mutationId": m.MutationID, "type": string(m.Type), "key": m.Key, "globalKey": m.GlobalKey,
			"original": nilRow(m.Original), "modified": nilRow(m.Modified), "changes": nilRow(m.Changes),
			"optimistic": m.Optimistic, "collectionId": m.Collection.ID(),
			"createdAt": m.CreatedAt.UnixMilli(), "updatedAt": m.UpdatedAt.UnixMilli(),
		}
		// Absent when none was given: metadata null is the user's null.
		if m.Metadata != nil {
			o["metadata"] = m.Metadata
		}
		list[i] = o
	}
	var e Encoder
	if err := e.Value(list); err != nil {
		return nil, err
	}
	return b.jsonPayload(&e), nil
}

// nilRow keeps a nil row as JSON null instead of a typed nil map.
func nilRow(r collection.Row) any {
	if r == nil {
		return nil
	}
	return map[string]any(r)
}

// txMutate(id, fn) runs fn with the transaction ambient.
func (b *Bridge) txMutate(args []js.Value) (any, error) {
	tx, err := b.txArg(args)
	if err != nil {
		return nil, err
	}
	if len(args) < 2 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[1], "callback")
	if err != nil {
		return nil, err
	}
	var thrown error
	err = tx.Mutate(func() { _, thrown = b.invoke(fn) })
	if err != nil {
		return nil, err
	}
	return nil, thrown
}

// txCommit(id, cb) commits and reports the commit's outcome.
func (b *Bridge) txCommit(args []js.Value) (func() (any, error), error) {
	tx, err := b.txArg(args)
	if err != nil {
		return nil, err
	}
	return func() (any, error) { return nil, tx.Commit(b.ctx) }, nil
}

// txWait(id, cb): cb once the transaction is completed (ok) or failed
// (its cause): the isPersisted promise.
func (b *Bridge) txWait(args []js.Value) (func() (any, error), error) {
	tx, err := b.txArg(args)
	if err != nil {
		return nil, err
	}
	return func() (any, error) { return nil, tx.Wait(b.ctx) }, nil
}

// txError(id): [cause] of a failed transaction, else undefined.

// txRelease(id) forgets a transaction JS no longer references.
func (b *Bridge) txRelease(args []js.Value) (any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, typeErrorf("transaction", "want a transaction id")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if tx := b.txByID[args[0].Int()]; tx != nil {
		delete(b.txIDs, tx)
		delete(b.txByID, args[0].Int())
	}
	return nil, nil
}
