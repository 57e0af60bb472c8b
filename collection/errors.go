package collection

import (
	"strconv"
	"strings"
)

// NamedError is implemented by every error of this package. Name returns the
// class name TanStack DB gives the same failure, so that a JavaScript binding
// can raise an instance of the matching class.
type NamedError interface {
	error
	Name() string
}

// DuplicateKeyError reports an insert of a key that the collection already
// shows, or a key repeated within one insert.
type DuplicateKeyError struct{ Key string }

// Error describes the failure.
func (e *DuplicateKeyError) Error() string {
	return "collection: cannot insert: an item with key " + strconv.Quote(e.Key) + " already exists"
}

// Name returns "DuplicateKeyError".
func (e *DuplicateKeyError) Name() string { return "DuplicateKeyError" }

// UndefinedKeyError reports an item without a key: no "id" field, a nil
// one, or GetKey returned ErrUndefinedKey. Any string, "" included, is a key.
type UndefinedKeyError struct{ Item Row }

// Error describes the failure.
func (e *UndefinedKeyError) Error() string {
	return "collection: the item has no key (its id is missing, undefined or null)"
}

// ErrUndefinedKey is what a GetKey returns (or wraps) for an item without a
// key; the operation then fails with UndefinedKeyError.
var ErrUndefinedKey error = constError("the item has no key")

// Name returns "UndefinedKeyError".
func (e *UndefinedKeyError) Name() string { return "UndefinedKeyError" }

// InvalidKeyError reports a key that GetKey rejected, for instance an id that
// is not a string. Cause holds GetKey's error.
type InvalidKeyError struct{ Cause error }

// Error describes the failure.
func (e *InvalidKeyError) Error() string { return "collection: invalid key: " + e.Cause.Error() }

// Unwrap returns the GetKey error.
func (e *InvalidKeyError) Unwrap() error { return e.Cause }

// Name returns "InvalidKeyError".
func (e *InvalidKeyError) Name() string { return "InvalidKeyError" }

// UpdateKeyNotFoundError reports an update of a key the collection does not show.
type UpdateKeyNotFoundError struct{ Key string }

// Error describes the failure.
func (e *UpdateKeyNotFoundError) Error() string {
	return "collection: cannot update: no item with key " + strconv.Quote(e.Key)
}

// Name returns "UpdateKeyNotFoundError".
func (e *UpdateKeyNotFoundError) Name() string { return "UpdateKeyNotFoundError" }

// DeleteKeyNotFoundError reports a delete of a key the collection does not show.
type DeleteKeyNotFoundError struct{ Key string }

// Error describes the failure.
func (e *DeleteKeyNotFoundError) Error() string {
	return "collection: cannot delete: no item with key " + strconv.Quote(e.Key)
}

// Name returns "DeleteKeyNotFoundError".
func (e *DeleteKeyNotFoundError) Name() string { return "DeleteKeyNotFoundError" }

// KeyUpdateNotAllowedError reports an update whose mutator changed the
// item's key; keys are immutable, delete and insert instead.
type KeyUpdateNotAllowedError struct{ From, To string }

// Error describes the failure.
func (e *KeyUpdateNotAllowedError) Error() string {
	return "collection: an update may not change the key (from " + strconv.Quote(e.From) +
		" to " + strconv.Quote(e.To) + "); delete and insert instead"
}

// Name returns "KeyUpdateNotAllowedError".
func (e *KeyUpdateNotAllowedError) Name() string { return "KeyUpdateNotAllowedError" }

// NoKeysPassedToUpdateError reports an update called without keys.
type NoKeysPassedToUpdateError struct{}

// Error describes the failure.
func (e *NoKeysPassedToUpdateError) Error() string {
	return "collection: update needs at least one key"
}

// Name returns "NoKeysPassedToUpdateError".
func (e *NoKeysPassedToUpdateError) Name() string { return "NoKeysPassedToUpdateError" }

// NoKeysPassedToDeleteError reports a delete called without keys.
type NoKeysPassedToDeleteError struct{}

// Error describes the failure.
func (e *NoKeysPassedToDeleteError) Error() string {
	return "collection: delete needs at least one key"
}

// Name returns "NoKeysPassedToDeleteError".
func (e *NoKeysPassedToDeleteError) Name() string { return "NoKeysPassedToDeleteError" }

// MissingUpdateArgumentError reports an update called without a mutator.
type MissingUpdateArgumentError struct{}

// Error describes the failure.
func (e *MissingUpdateArgumentError) Error() string {
	return "collection: update needs a function that changes the draft"
}

// Name returns "MissingUpdateArgumentError".
func (e *MissingUpdateArgumentError) Name() string { return "MissingUpdateArgumentError" }

// Issue is one validation failure: a message and the path of the offending
// field (empty for the whole item).
type Issue struct {
	Message string
	Path    []string
}

// SchemaValidationError reports an item rejected by the collection's
// Validator. Type is "insert" or "update".
type SchemaValidationError struct {
	Type   string
	Issues []Issue
}

// Error describes the failure.
func (e *SchemaValidationError) Error() string {
	var b strings.Builder
	b.WriteString("collection: ")
	b.WriteString(e.Type)
	b.WriteString(" rejected by the schema:")
	for _, is := range e.Issues {
		b.WriteString("\n- ")
		b.WriteString(is.Message)
		if len(is.Path) > 0 {
			b.WriteString(" (at ")
			b.WriteString(strings.Join(is.Path, "."))
			b.WriteString(")")
		}
	}
	return b.String()
}

// Name returns "SchemaValidationError".
func (e *SchemaValidationError) Name() string { return "SchemaValidationError" }

// MissingInsertHandlerError reports an insert outside a transaction on a
// collection without an OnInsert handler.
type MissingInsertHandlerError struct{}

// Error describes the failure.
func (e *MissingInsertHandlerError) Error() string {
	return "collection: insert outside a transaction needs an OnInsert handler"
}

// Name returns "MissingInsertHandlerError".
func (e *MissingInsertHandlerError) Name() string { return "MissingInsertHandlerError" }

// MissingUpdateHandlerError reports an update outside a transaction on a
// collection without an OnUpdate handler.
type MissingUpdateHandlerError struct{}

// Error describes the failure.
func (e *MissingUpdateHandlerError) Error() string {
	return "collection: update outside a transaction needs an OnUpdate handler"
}

// Name returns "MissingUpdateHandlerError".
func (e *MissingUpdateHandlerError) Name() string { return "MissingUpdateHandlerError" }

// MissingDeleteHandlerError reports a delete outside a transaction on a
// collection without an OnDelete handler.
type MissingDeleteHandlerError struct{}

// Error describes the failure.
func (e *MissingDeleteHandlerError) Error() string {
	return "collection: delete outside a transaction needs an OnDelete handler"
}

// Name returns "MissingDeleteHandlerError".
func (e *MissingDeleteHandlerError) Name() string { return "MissingDeleteHandlerError" }

// MissingMutationFunctionError reports CreateTransaction without a MutationFn.
type MissingMutationFunctionError struct{}

// Error describes the failure.
func (e *MissingMutationFunctionError) Error() string {
	return "collection: a transaction needs a MutationFn"
}

// Name returns "MissingMutationFunctionError".
func (e *MissingMutationFunctionError) Name() string { return "MissingMutationFunctionError" }

// TransactionNotPendingMutateError reports Mutate on a transaction that is no
// longer pending.
type TransactionNotPendingMutateError struct{ ID string }

// Error describes the failure.
func (e *TransactionNotPendingMutateError) Error() string {
	return "collection: transaction " + e.ID + " is not pending; it cannot take more mutations"
}

// Name returns "TransactionNotPendingMutateError".
func (e *TransactionNotPendingMutateError) Name() string { return "TransactionNotPendingMutateError" }

// TransactionNotPendingCommitError reports Commit on a transaction that is no
// longer pending.
type TransactionNotPendingCommitError struct{ ID string }

// Error describes the failure.
func (e *TransactionNotPendingCommitError) Error() string {
	return "collection: transaction " + e.ID + " is not pending; it cannot be committed"
}

// Name returns "TransactionNotPendingCommitError".
func (e *TransactionNotPendingCommitError) Name() string { return "TransactionNotPendingCommitError" }

// TransactionAlreadyCompletedRollbackError reports Rollback of a completed
// transaction.
type TransactionAlreadyCompletedRollbackError struct{ ID string }

// Error describes the failure.
func (e *TransactionAlreadyCompletedRollbackError) Error() string {
	return "collection: transaction " + e.ID + " is completed; it cannot be rolled back"
}

// Name returns "TransactionAlreadyCompletedRollbackError".
func (e *TransactionAlreadyCompletedRollbackError) Name() string {
	return "TransactionAlreadyCompletedRollbackError"
}

// TransactionRolledBackError is the cause a transaction fails with when it was
// rolled back without an error of its own: by Rollback, or because a
// transaction sharing one of its keys was rolled back (By names that one).
type TransactionRolledBackError struct {
	ID string
	By string
}

// Error describes the failure.
func (e *TransactionRolledBackError) Error() string {
	if e.By != "" && e.By != e.ID {
		return "collection: transaction " + e.ID + " was rolled back with transaction " + e.By + ", which shares a key with it"
	}
	return "collection: transaction " + e.ID + " was rolled back"
}

// Name returns "TransactionRolledBackError".
func (e *TransactionRolledBackError) Name() string { return "TransactionRolledBackError" }

// CollectionInErrorStateError reports an operation on a collection whose
// sync failed (status "error").
type CollectionInErrorStateError struct {
	Operation    string
	CollectionID string
	Cause        error
}

// Error describes the failure.
func (e *CollectionInErrorStateError) Error() string {
	s := "collection " + strconv.Quote(e.CollectionID) + ": cannot " + e.Operation + ": the collection is in the error state"
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the sync error that put the collection in the error state.
func (e *CollectionInErrorStateError) Unwrap() error { return e.Cause }

// Name returns "CollectionInErrorStateError".
func (e *CollectionInErrorStateError) Name() string { return "CollectionInErrorStateError" }

// InvalidCollectionStatusTransitionError reports a status change that
// TanStack DB's lifecycle does not allow.
type InvalidCollectionStatusTransitionError struct {
	From, To     Status
	CollectionID string
}

// Error describes the failure.
func (e *InvalidCollectionStatusTransitionError) Error() string {
	return "collection " + strconv.Quote(e.CollectionID) + ": invalid status transition from " +
		string(e.From) + " to " + string(e.To)
}

// Name returns "InvalidCollectionStatusTransitionError".
func (e *InvalidCollectionStatusTransitionError) Name() string {
	return "InvalidCollectionStatusTransitionError"
}

// CollectionCleanedUpError settles a wait for readiness that was overtaken by
// Cleanup.
type CollectionCleanedUpError struct{ CollectionID string }

// Error describes the failure.
func (e *CollectionCleanedUpError) Error() string {
	return "collection " + strconv.Quote(e.CollectionID) + " was cleaned up while waiting for it to be ready"
}

// Name returns "CollectionCleanedUpError".
func (e *CollectionCleanedUpError) Name() string { return "CollectionCleanedUpError" }

// CollectionConfigurationError reports an unusable Config.
type CollectionConfigurationError struct{ Message string }

// Error describes the failure.
func (e *CollectionConfigurationError) Error() string {
	return "collection: configuration: " + e.Message
}

// Name returns "CollectionConfigurationError".
func (e *CollectionConfigurationError) Name() string { return "CollectionConfigurationError" }

// NoPendingSyncTransactionWriteError reports a sync Write without Begin.
type NoPendingSyncTransactionWriteError struct{}

// Error describes the failure.
func (e *NoPendingSyncTransactionWriteError) Error() string {
	return "collection: sync write without a pending sync transaction (call Begin first)"
}

// Name returns "NoPendingSyncTransactionWriteError".
func (e *NoPendingSyncTransactionWriteError) Name() string {
	return "NoPendingSyncTransactionWriteError"
}

// SyncTransactionAlreadyCommittedWriteError reports a sync Write after Commit.
type SyncTransactionAlreadyCommittedWriteError struct{}

// Error describes the failure.
func (e *SyncTransactionAlreadyCommittedWriteError) Error() string {
	return "collection: sync write to a sync transaction that is already committed"
}

// Name returns "SyncTransactionAlreadyCommittedWriteError".
func (e *SyncTransactionAlreadyCommittedWriteError) Name() string {
	return "SyncTransactionAlreadyCommittedWriteError"
}

// NoPendingSyncTransactionCommitError reports a sync Commit without Begin.
type NoPendingSyncTransactionCommitError struct{}

// Error describes the failure.
func (e *NoPendingSyncTransactionCommitError) Error() string {
	return "collection: sync commit without a pending sync transaction"
}

// Name returns "NoPendingSyncTransactionCommitError".
func (e *NoPendingSyncTransactionCommitError) Name() string {
	return "NoPendingSyncTransactionCommitError"
}

// SyncTransactionAlreadyCommittedError reports a second Commit of one sync
// transaction.
type SyncTransactionAlreadyCommittedError struct{}

// Error describes the failure.
func (e *SyncTransactionAlreadyCommittedError) Error() string {
	return "collection: sync transaction is already committed"
}

// Name returns "SyncTransactionAlreadyCommittedError".
func (e *SyncTransactionAlreadyCommittedError) Name() string {
	return "SyncTransactionAlreadyCommittedError"
}

// UnknownFunctionError reports an expression function this package does not
// know.
type UnknownFunctionError struct{ Function string }

// Error describes the failure.
func (e *UnknownFunctionError) Error() string {
	return "collection: unknown expression function " + strconv.Quote(e.Function)
}

// Name returns "UnknownFunctionError".
func (e *UnknownFunctionError) Name() string { return "UnknownFunctionError" }

// ExpressionError reports a malformed expression, such as a function called
// with the wrong number of arguments.
type ExpressionError struct {
	Function string
	Message  string
}

// Error describes the failure.
func (e *ExpressionError) Error() string {
	return "collection: expression " + e.Function + ": " + e.Message
}

// Name returns "ExpressionError".
func (e *ExpressionError) Name() string { return "ExpressionError" }

// HandlerPanicError wraps a panic raised by a user function (MutationFn or a
// handler) so that the transaction fails with an error instead of crashing.
type HandlerPanicError struct{ Value any }

// Error describes the failure.
func (e *HandlerPanicError) Error() string {
	return "collection: mutation function panicked: " + describe(e.Value)
}

// Name returns "HandlerPanicError".
func (e *HandlerPanicError) Name() string { return "HandlerPanicError" }

func describe(v any) string {
	switch x := v.(type) {
	case error:
		return x.Error()
	case string:
		return x
	default:
		return "non-error value"
	}
}

// InvalidIndexError reports a CreateIndex call that cannot make an index.
type InvalidIndexError struct{ Reason string }

// Error describes the failure.
func (e *InvalidIndexError) Error() string { return "collection: cannot create index: " + e.Reason }

// Name returns "InvalidIndexError".
func (e *InvalidIndexError) Name() string { return "InvalidIndexError" }
