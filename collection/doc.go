// Package collection is TanStack DB's collection engine in Go: keyed
// collections mirrored from a sync source, with optimistic mutations
// grouped in transactions.
//
// A Collection holds two layers. The synced layer is written only by the
// sync source, through SyncParams, in sync transactions. The optimistic
// layer is recomputed, key by key, from the mutations of the active
// (pending or persisting) transactions in creation order. Reads (Get, Keys,
// Values...) show the optimistic layer over the synced one, at once.
//
// Insert, Update and Delete check everything first and fail with a typed
// error (DuplicateKeyError, SchemaValidationError, ...) before anything
// changes. Inside Transaction.Mutate they join the ambient transaction;
// otherwise each creates an auto-committing transaction persisted by the
// collection's OnInsert/OnUpdate/OnDelete handler on its own goroutine.
//
// While a transaction that mutated a collection is persisting, sync
// transactions committed to that collection are held back; they are
// applied in the same step that drops the transaction's optimistic state,
// so subscribers never see an old value flash back (TanStack DB's rule).
//
// One deliberate difference from TanStack DB: the optimistic value of an
// update is its changes applied over the value below it, not a snapshot of
// the whole item taken at mutation time, so that fields synced meanwhile
// stay visible (TanStack issue #1701).
//
// A transaction's Done closes after the change events of its settlement
// have been delivered (when no other goroutine is delivering), so code
// waiting for persistence finds subscribers already informed.
//
// A sync insert of a key the synced state already holds replaces the item
// (TanStack raises DuplicateKeySyncError unless the items are equal); the
// PowerSync source relies on this when the initial load and change
// tracking both deliver a row.
//
// Concurrency: a Runtime's mutex guards all state; it is never held while
// user code runs (sync sources, validators, GetKey, mutators, handlers,
// subscribers). Change events are queued under the lock and delivered by a
// single goroutine at a time, in order, so a subscriber may call back into
// the collection.
package collection
