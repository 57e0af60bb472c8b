// Error classes with TanStack DB's names. The Go engine reports its typed
// errors by name; makeError turns them into instances of these classes so
// that `err instanceof DuplicateKeyError` works and `err.name` is the class
// name.

/** Base class of every error the collection engine raises. */
export class TanStackDBError extends Error {
  constructor(message = 'TanStack DB error') {
    super(message);
    this.name = 'TanStackDBError';
  }
}

/** An item failed the collection's schema; `issues` lists why. */
export class SchemaValidationError extends TanStackDBError {
  /**
   * @param {'insert'|'update'} type
   * @param {{message: string, path?: (string|number)[]}[]} issues
   * @param {string} [message]
   */
  constructor(type = 'insert', issues = [], message) {
    super(message || `${type === 'update' ? 'Update' : 'Insert'} validation failed${issues.length ? `: ${issues.map((i) => i.message).join(', ')}` : ''}`);
    this.name = 'SchemaValidationError';
    this.type = type;
    this.issues = issues;
  }
}

// The classes below differ only in name, parent and default message; each
// is written out so that stack traces, `instanceof` and type declarations
// name it directly. The engine passes its own message; constructed with no
// argument, each carries its default. Where TanStack DB's message for the
// class is fixed text, the default is that text (code matches on it); where
// theirs names a key or state we do not have here, the default says the
// same without it.

/** Base of the errors a collection operation (insert, update, delete) raises. */
export class CollectionOperationError extends TanStackDBError { constructor(m = 'Collection operation failed') { super(m); this.name = 'CollectionOperationError'; } }
/** Base of the errors a transaction raises. */
export class TransactionError extends TanStackDBError { constructor(m = 'Transaction failed') { super(m); this.name = 'TransactionError'; } }
/** Base of the errors about a collection's lifecycle state. */
export class CollectionStateError extends TanStackDBError { constructor(m = 'The collection is not in a state that allows this') { super(m); this.name = 'CollectionStateError'; } }
/** Base of the errors for a mutation without a handler to persist it. */
export class MissingHandlerError extends TanStackDBError { constructor(m = 'No handler is configured to persist this mutation') { super(m); this.name = 'MissingHandlerError'; } }

/** An insert used a key the collection already shows. */
export class DuplicateKeyError extends CollectionOperationError { constructor(m = 'Cannot insert document because its key already exists in the collection') { super(m); this.name = 'DuplicateKeyError'; } }
/** A live query's getKey gave two result rows the same key (TanStack DB's class for a synced key already present). */
export class DuplicateKeySyncError extends CollectionOperationError { constructor(m = 'Cannot insert document from sync because its key already exists in the collection') { super(m); this.name = 'DuplicateKeySyncError'; } }
/** An item's key could not be derived (for PowerSync collections: id is undefined or null). */
export class UndefinedKeyError extends CollectionOperationError { constructor(m = 'An object was created without a defined key') { super(m); this.name = 'UndefinedKeyError'; } }
/** An item's key is not valid (for PowerSync collections: id not a string). */
export class InvalidKeyError extends CollectionOperationError { constructor(m = 'getKey returned an invalid key type. Expected string or number') { super(m); this.name = 'InvalidKeyError'; } }
/** An update named a key the collection does not show. */
export class UpdateKeyNotFoundError extends CollectionOperationError { constructor(m = 'A key was passed to update but an object for this key was not found in the collection') { super(m); this.name = 'UpdateKeyNotFoundError'; } }
/** A delete named a key the collection does not show. */
export class DeleteKeyNotFoundError extends CollectionOperationError { constructor(m = 'Collection.delete was called with a key but there is no item in the collection with this key') { super(m); this.name = 'DeleteKeyNotFoundError'; } }
/** An update's draft callback changed the item's key. */
export class KeyUpdateNotAllowedError extends CollectionOperationError { constructor(m = 'Updating the key of an item is not allowed. Please delete the old item and create a new one if a key change is necessary.') { super(m); this.name = 'KeyUpdateNotAllowedError'; } }
/** update() was called without a draft callback. */
export class MissingUpdateArgumentError extends CollectionOperationError { constructor(m = 'The first argument to update is missing') { super(m); this.name = 'MissingUpdateArgumentError'; } }
/** update() was called without keys. */
export class NoKeysPassedToUpdateError extends CollectionOperationError { constructor(m = 'No keys were passed to update') { super(m); this.name = 'NoKeysPassedToUpdateError'; } }
/** delete() was called without keys. */
export class NoKeysPassedToDeleteError extends CollectionOperationError { constructor(m = 'No keys were passed to delete') { super(m); this.name = 'NoKeysPassedToDeleteError'; } }
/** insert() outside a transaction on a collection without onInsert. */
export class MissingInsertHandlerError extends MissingHandlerError { constructor(m = "Collection.insert called directly (not within an explicit transaction) but no 'onInsert' handler is configured.") { super(m); this.name = 'MissingInsertHandlerError'; } }
/** update() outside a transaction on a collection without onUpdate. */
export class MissingUpdateHandlerError extends MissingHandlerError { constructor(m = "Collection.update called directly (not within an explicit transaction) but no 'onUpdate' handler is configured.") { super(m); this.name = 'MissingUpdateHandlerError'; } }
/** delete() outside a transaction on a collection without onDelete. */
export class MissingDeleteHandlerError extends MissingHandlerError { constructor(m = "Collection.delete called directly (not within an explicit transaction) but no 'onDelete' handler is configured.") { super(m); this.name = 'MissingDeleteHandlerError'; } }

/** createTransaction() without a mutationFn. */
export class MissingMutationFunctionError extends TransactionError { constructor(m = 'mutationFn is required when creating a transaction') { super(m); this.name = 'MissingMutationFunctionError'; } }
/** mutate() on a transaction that is no longer pending. */
export class TransactionNotPendingMutateError extends TransactionError { constructor(m = 'You can no longer call .mutate() as the transaction is no longer pending') { super(m); this.name = 'TransactionNotPendingMutateError'; } }
/** commit() on a transaction that is no longer pending. */
export class TransactionNotPendingCommitError extends TransactionError { constructor(m = 'You can no longer call .commit() as the transaction is no longer pending') { super(m); this.name = 'TransactionNotPendingCommitError'; } }
/** rollback() on a completed transaction. */
export class TransactionAlreadyCompletedRollbackError extends TransactionError { constructor(m = 'You can no longer call .rollback() as the transaction is already completed') { super(m); this.name = 'TransactionAlreadyCompletedRollbackError'; } }
/** (ours) The cause isPersisted rejects with after rollback(). */
export class TransactionRolledBackError extends TransactionError { constructor(m = 'The transaction was rolled back') { super(m); this.name = 'TransactionRolledBackError'; } }

/** An operation on a collection whose sync failed (status 'error'). */
export class CollectionInErrorStateError extends CollectionStateError { constructor(m = 'Cannot perform this operation: the collection is in error state. Try calling cleanup() and restarting the collection.') { super(m); this.name = 'CollectionInErrorStateError'; } }
/** A lifecycle transition TanStack DB does not allow. */
export class InvalidCollectionStatusTransitionError extends CollectionStateError { constructor(m = 'Invalid collection status transition') { super(m); this.name = 'InvalidCollectionStatusTransitionError'; } }
/** (ours) A wait for readiness overtaken by cleanup(). */
export class CollectionCleanedUpError extends CollectionStateError { constructor(m = 'The collection was cleaned up before it became ready') { super(m); this.name = 'CollectionCleanedUpError'; } }
/** An unusable collection configuration. */
export class CollectionConfigurationError extends TanStackDBError { constructor(m = 'Invalid collection configuration') { super(m); this.name = 'CollectionConfigurationError'; } }

const classes = {
  TanStackDBError, CollectionOperationError, TransactionError, CollectionStateError, MissingHandlerError,
  DuplicateKeyError, UndefinedKeyError, InvalidKeyError, UpdateKeyNotFoundError, DeleteKeyNotFoundError,
  KeyUpdateNotAllowedError, MissingUpdateArgumentError, NoKeysPassedToUpdateError, NoKeysPassedToDeleteError,
  MissingInsertHandlerError, MissingUpdateHandlerError, MissingDeleteHandlerError,
  MissingMutationFunctionError, TransactionNotPendingMutateError, TransactionNotPendingCommitError,
  TransactionAlreadyCompletedRollbackError, TransactionRolledBackError,
  CollectionInErrorStateError, InvalidCollectionStatusTransitionError, CollectionCleanedUpError,
  CollectionConfigurationError,
};

/**
 * Builds the JS error for a Go error: the class called name, TypeError, or
 * a TanStackDBError/Error carrying name for names without a class here.
 * @internal called by the Go module
 */
export function makeError(name, message, issuesJSON) {
  if (name === 'TypeError') return new TypeError(message);
  if (name === 'SchemaValidationError') {
    const { type = 'insert', issues = [] } = typeof issuesJSON === 'string' ? JSON.parse(issuesJSON) : {};
    return new SchemaValidationError(type, issues, message);
  }
  const Class = classes[name];
  // An empty message means: the class's own text (the Go side then does not
  // repeat a text that JS owns).
  if (Class) return message ? new Class(message) : new Class();
  const e = name === 'Error' ? new Error(message) : new TanStackDBError(message);
  e.name = name;
  return e;
}

/** Adds error classes that makeError may build, by name. @internal */
export function registerErrorClasses(more) {
  Object.assign(classes, more);
}

/** A schema's validate() returned a promise; collection schemas must be synchronous. */
export class SchemaMustBeSynchronousError extends CollectionConfigurationError { constructor(m = 'Schema validation must be synchronous') { super(m); this.name = 'SchemaMustBeSynchronousError'; } }
classes.SchemaMustBeSynchronousError = SchemaMustBeSynchronousError;

/** createOptimisticAction's onMutate returned a promise; it must apply its changes synchronously. */
export class OnMutateMustBeSynchronousError extends TransactionError { constructor(m = 'onMutate must be synchronous and cannot return a promise: apply the optimistic changes directly and do async work in mutationFn') { super(m); this.name = 'OnMutateMustBeSynchronousError'; } }
classes.OnMutateMustBeSynchronousError = OnMutateMustBeSynchronousError;

/**
 * A bug inside the module (a Go panic caught at the bridge), not a misuse:
 * the details went to the console.
 */
export class InternalError extends Error {
  constructor(m = 'gopowersync: internal error; please report it with the console output') {
    super(m);
    this.name = 'InternalError';
  }
}
classes.InternalError = InternalError;

// Storage errors (browsers, OPFS). Not TanStack errors: the database
// raises them, as PowerSync's would.

/**
 * Thrown when the database is open in another process (Node, a lock file
 * guards it), and in browsers when another tab or worker of this origin kept
 * the database's write lock longer than the wait allowed
 * (options.database.lockTimeoutMs).
 */
export class DatabaseLockedError extends Error {
  /**
   * @param {string} [dbFilename]
   * @param {number} [waitedMs] how long the write lock was waited for, when
   *   that wait is what failed (browsers)
   */
  constructor(dbFilename, waitedMs) {
    super(waitedMs !== undefined
      ? `database "${dbFilename}": another tab or worker held its write lock for more than ${waitedMs} ms`
      : dbFilename === undefined ? 'the database is open in another tab, worker or process'
        : `database "${dbFilename}" is open in another tab, worker or process`);
    this.name = 'DatabaseLockedError';
  }
}

/**
 * A call on a PowerSyncDatabase after close() (or on an object of it, such
 * as a transaction's database handle): every such call rejects with this
 * class and this text, whichever layer noticed the close.
 */
export class DatabaseClosedError extends Error {
  constructor(m = 'PowerSyncDatabase: the database is closed (close() was called)') {
    super(m);
    this.name = 'DatabaseClosedError';
  }
}
registerErrorClasses({ DatabaseClosedError }); // the bridge names it for store.ErrClosed

/**
 * A call on a PowerSyncDatabase (db.execute, db.getAll, db.writeTransaction,
 * ...) made inside one of its own transaction callbacks, which holds the
 * database's lock: the call would wait for the transaction to end, and the
 * transaction for the call. Use the callback's tx argument instead.
 */
export class TransactionReentryError extends Error {
  /**
   * @param {string} [call] the method called on the database, e.g. 'execute'
   * @param {string} [transaction] 'writeTransaction' or 'readTransaction'
   */
  constructor(call, transaction = 'writeTransaction') {
    super(call === undefined
      ? 'a call on the database inside a transaction callback would wait forever for the lock that transaction holds; use the callback\'s tx argument (tx.execute(...))'
      : `db.${call}() called inside a ${transaction} callback of the same database, which holds its lock: it would wait forever. Use the callback's tx argument: ${TX_METHODS.has(call) ? `tx.${call}(...)` : 'tx.execute(...) and the other tx methods'}`);
    this.name = 'TransactionReentryError';
  }
}
const TX_METHODS = new Set(['execute', 'executeRaw', 'executeBatch', 'getAll', 'get', 'getOptional']);

/** The error of a commit (or of open) that OPFS refused: quota, permission... */
export class PersistenceError extends Error {
  constructor(dbFilename, cause) {
    const where = dbFilename === undefined ? 'the database' : `database "${dbFilename}"`;
    super(`${where}: a storage write failed, changes since the last persisted transaction are not durable${cause ? `: ${cause.name}: ${cause.message}` : ''}`);
    this.name = 'PersistenceError';
    this.cause = cause;
  }
}
