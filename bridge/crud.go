//go:build js

package bridge

import (
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
)

// getCrudBatch(limit, cb): cb gets null when the upload queue is empty,
// else [entriesJSON, haveMore, complete] where entriesJSON is the entries'
// toJSON form and complete(cb) removes exactly those entries.
func (d *database) getCrudBatch(args []js.Value) (func() (any, error), error) {
	limit := 100
	if len(args) > 0 && args[0].Type() != js.TypeUndefined {
		if args[0].Type() != js.TypeNumber || args[0].Float() < 1 {
			return nil, typeErrorf("limit", "want a positive number")
		}
		limit = args[0].Int()
	}
	return func() (any, error) {
		batch, err := d.db.GetCrudBatch(d.b.ctx, limit)
		if err != nil || batch == nil {
			return js.Null(), err
		}
		return d.crudPayload(batch, batch.HaveMore)
	}, nil
}

// getNextCrudTransaction(after?, cb): like getCrudBatch for the entries of
// the oldest transaction (after entry id after, when given):
// [entriesJSON, transactionId, complete].
func (d *database) getNextCrudTransaction(args []js.Value) (func() (any, error), error) {
	var after int64
	if len(args) > 0 && !args[0].IsUndefined() {
		if args[0].Type() != js.TypeNumber {
			return nil, typeErrorf("after", "want an entry id")
		}
		after = int64(args[0].Float())
	}
	return func() (any, error) {
		tx, err := d.db.GetCrudTransactionAfter(d.b.ctx, after)
		if err != nil || tx == nil {
			return js.Null(), err
		}
		return d.crudPayload(&tx.CrudBatch, tx.TransactionID)
	}, nil
}

// crudPayload converts a batch for JS: [entries, second, batchID], entries
// as jsonPayload gives them (values JSON cannot hold, such as ±Infinity,
// beside the text); second is haveMore or the transaction id, batchID goes
// to completeCrud.
func (d *database) crudPayload(batch *store.CrudBatch, second any) (any, error) {
	var e Encoder
	if err := e.CrudEntries(batch.Crud); err != nil {
		return nil, err
	}
	entries := d.b.jsonPayload(&e)
	d.mu.Lock()
	id := d.id()
	d.batches[id] = batch
	d.mu.Unlock()
	return []any{entries, second, id}, nil
}

// completeCrud(batchID, cb) removes the batch's entries from the upload
// queue. A batch completes once; later calls succeed without effect.
func (d *database) completeCrud(args []js.Value) (func() (any, error), error) {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, typeErrorf("batch", "want a batch id")
	}
	d.mu.Lock()
	batch := d.batches[args[0].Int()]
	delete(d.batches, args[0].Int())
	d.mu.Unlock()
	return func() (any, error) {
		if batch == nil {
			return nil, nil
		}
		return nil, batch.Complete(d.b.ctx)
	}, nil
}
