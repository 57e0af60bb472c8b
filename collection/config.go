package collection

import (
	"context"
	"time"
)

// Row is one item of a collection. Rows handed out by a collection (Get,
// Values, change events, mutations) are shared with its state: read them,
// do not modify them.
type Row = map[string]any

// Status is a collection's lifecycle status.
type Status string

// The statuses of a collection, as TanStack DB names them.
const (
	StatusIdle      Status = "idle"       // created, sync not started
	StatusLoading   Status = "loading"    // sync started, not ready yet
	StatusReady     Status = "ready"      // the sync source called MarkReady
	StatusError     Status = "error"      // the sync source called MarkError
	StatusCleanedUp Status = "cleaned-up" // Cleanup ran (explicitly or by GC)
)

// SyncMode selects how a collection loads its data.
type SyncMode string

// The sync modes.
const (
	// SyncEager loads everything when sync starts (the default).
	SyncEager SyncMode = "eager"
	// SyncOnDemand starts empty and ready; data arrives through LoadSubset.
	SyncOnDemand SyncMode = "on-demand"
)

// RowUpdateMode says how a sync "update" message is applied.
type RowUpdateMode string

// The row update modes.
const (
	// RowUpdatePartial merges the message's fields into the stored row (the default).
	RowUpdatePartial RowUpdateMode = "partial"
	// RowUpdateFull replaces the stored row with the message's value.
	RowUpdateFull RowUpdateMode = "full"
)

// DefaultGCTime is how long a collection without subscribers stays loaded
// before it is cleaned up, unless Config.GCTime says otherwise.
const DefaultGCTime = 5 * time.Minute

// Validator checks and converts an item before it enters a collection.
// It returns the item to store (possibly transformed) or the issues found.
// A Validator must not call back into the collection.
type Validator interface {
	Validate(item Row) (Row, []Issue)
}

// ValidatorFunc adapts a function to Validator.
type ValidatorFunc func(item Row) (Row, []Issue)

// Validate calls f.
func (f ValidatorFunc) Validate(item Row) (Row, []Issue) { return f(item) }

// MutationParams is what a collection's OnInsert, OnUpdate and OnDelete
// handlers receive: the transaction to persist and the collection that
// created it.
type MutationParams struct {
	Transaction *Transaction
	Collection  *Collection
}

// MutationHandler persists a transaction created by a direct Insert, Update
// or Delete. Returning an error rolls the transaction back.
type MutationHandler func(ctx context.Context, p MutationParams) error

// Config describes a collection.
type Config struct {
	// ID names the collection; "" gets a generated id.
	ID string
	// GetKey derives an item's key; any string is one, "" too. It returns
	// ErrUndefinedKey for an item without a key. nil means the item's "id"
	// field, which must be a string (missing or nil: UndefinedKeyError).
	GetKey func(item Row) (string, error)
	// Sync connects the collection to its source of truth.
	Sync SyncConfig
	// Schema, when set, validates every inserted and updated item.
	Schema Validator
	// OnInsert, OnUpdate and OnDelete persist direct mutations (those made
	// outside Transaction.Mutate).
	OnInsert, OnUpdate, OnDelete MutationHandler
	// GCTime is how long the collection stays loaded after its last
	// subscriber leaves: 0 means DefaultGCTime, a negative value disables GC.
	GCTime time.Duration
	// StartSync starts sync at creation instead of at first use.
	StartSync bool
	// SyncMode is SyncEager ("" too) or SyncOnDemand.
	SyncMode SyncMode
	// AutoIndex is AutoIndexEager ("" too: live queries create the indexes
	// they use) or AutoIndexOff (only CreateIndex makes indexes).
	AutoIndex AutoIndex
	// Utils is returned by Collection.Utils: helpers a collection type offers.
	Utils any
}

// SyncConfig is a collection's sync source.
type SyncConfig struct {
	// Sync starts syncing. It may call the SyncParams methods at once or
	// later, from any goroutine, and returns what stops it. nil means a
	// local collection that is ready at once.
	Sync func(p *SyncParams) SyncHandle
	// RowUpdateMode: RowUpdatePartial ("" too) or RowUpdateFull.
	RowUpdateMode RowUpdateMode
}

// SyncHandle is what a sync source returns.
type SyncHandle struct {
	// Cleanup stops the source; called by Collection.Cleanup. May be nil.
	Cleanup func()
	// LoadSubset loads the rows matching opts.Where (on-demand mode). May be nil.
	LoadSubset func(ctx context.Context, opts LoadSubsetOptions) error
	// UnloadSubset releases a subset loaded by LoadSubset. May be nil.
	UnloadSubset func(opts LoadSubsetOptions)
}

// LoadSubsetOptions describes the rows a query needs.
type LoadSubsetOptions struct {
	// Where filters rows; nil means all rows.
	Where Expr
	// OrderBy and Limit, when Limit > 0, narrow the subset to the first
	// Limit rows of Where in that order: what a windowed query shows. A
	// source that cannot order as asked loads all of Where instead, which
	// is always enough.
	OrderBy []SubsetOrder
	Limit   int
}

// SubsetOrder is one sort key of LoadSubsetOptions: a top-level field,
// ascending unless Desc, nulls first unless NullsLast. Strings compare by
// bytes when Lexical; otherwise by a locale order that a source may be
// unable to reproduce (then it ignores the limit).
type SubsetOrder struct {
	Field     string
	Desc      bool
	NullsLast bool
	Lexical   bool
}

// OperationOptions are the optional settings of Insert, Update and Delete.
type OperationOptions struct {
	// Metadata is attached to each mutation (and, by the PowerSync
	// transactor, written to the upload queue).
	Metadata any
	// Optimistic, when set to false, keeps the mutation out of the
	// optimistic state: it shows only once synced back.
	Optimistic *bool
}

func (o *OperationOptions) metadata() any {
	if o == nil {
		return nil
	}
	return o.Metadata
}

func (o *OperationOptions) optimistic() bool {
	return o == nil || o.Optimistic == nil || *o.Optimistic
}

// SubscribeOptions are the settings of SubscribeChanges.
type SubscribeOptions struct {
	// IncludeInitialState: true sends the current items first, as inserts;
	// nil (unset) sends only later changes, with updates of keys the
	// subscriber has not seen sent as inserts and deletes of such keys
	// dropped; false sends every change unfiltered.
	IncludeInitialState *bool
	// Where, when set, limits the subscription to matching items: an item
	// that starts matching arrives as an insert, one that stops as a delete.
	Where Expr
}
