// Error classes with TanStack DB's names. The Go engine reports its typed
// errors by name; makeError turns them into instances of these classes so
// that `err instanceof DuplicateKeyError` works and `err.name` is the class
// name.

/** Base class of every error the collection engine raises. */
export class TanStackDBError extends Error {
  constructor(message) {
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
  constructor(type, issues, message) {
    super(message ?? `${type} validation failed: ${issues.map((i) => i.message).join(', ')}`);
    this.name = 'SchemaValidationError';
    this.type = type;
    this.issues = issues;
  }
}

// The classes below differ only in name and parent; each is written out so
// that stack traces, `instanceof` and type declarations name it directly.

/** Base of the errors a collection operation (insert, update, delete) raises. */
export class CollectionOperationError extends TanStackDBError { constructor(m) { super(m); this.name = 'CollectionOperationError'; } }
/** Base of the errors a transaction raises. */
export class TransactionError extends TanStackDBError { constructor(m) { super(m); this.name = 'TransactionError'; } }
/** Base of the errors about a collection's lifecycle state. */
export class CollectionStateError extends TanStackDBError { constructor(m) { super(m); this.name = 'CollectionStateError'; } }

/** An insert used a key the collection already shows. */
export class DuplicateKeyError extends CollectionOperationError { constructor(m) { super(m); this.name = 'DuplicateKeyError'; } }
/** An item's key could not be derived. */
export class UndefinedKeyError extends CollectionOperationError { constructor(m) { super(m); this.name = 'UndefinedKeyError'; } }
/** An item's key is not valid (for PowerSync collections: id not a string). */
export class InvalidKeyError extends CollectionOperationError { constructor(m) { super(m); this.name = 'InvalidKeyError'; } }
/** An update named a key the collection does not show. */
export class UpdateKeyNotFoundError extends CollectionOperationError { constructor(m) { super(m); this.name = 'UpdateKeyNotFoundError'; } }
/** A delete named a key the collection does not show. */
export class DeleteKeyNotFoundError extends CollectionOperationError { constructor(m) { super(m); this.name = 'DeleteKeyNotFoundError'; } }
/** An update's draft callback changed the item's key. */
export class KeyUpdateNotAllowedError extends CollectionOperationError { constructor(m) { super(m); this.name = 'KeyUpdateNotAllowedError'; } }
/** update() was called without a draft callback. */
export class MissingUpdateArgumentError extends CollectionOperationError { constructor(m) { super(m); this.name = 'MissingUpdateArgumentError'; } }
/** update() was called without keys. */
export class NoKeysPassedToUpdateError extends CollectionOperationError { constructor(m) { super(m); this.name = 'NoKeysPassedToUpdateError'; } }
/** delete() was called without keys. */
export class NoKeysPassedToDeleteError extends CollectionOperationError { constructor(m) { super(m); this.name = 'NoKeysPassedToDeleteError'; } }
/** insert() outside a transaction on a collection without onInsert. */
export class MissingInsertHandlerError extends CollectionOperationError { constructor(m) { super(m); this.name = 'MissingInsertHandlerError'; } }
/** update() outside a transaction on a collection without onUpdate. */
export class MissingUpdateHandlerError extends CollectionOperationError { constructor(m) { super(m); this.name = 'MissingUpdateHandlerError'; } }
/** delete() outside a transaction on a collection without onDelete. */
export class MissingDeleteHandlerError extends CollectionOperationError { constructor(m) { super(m); this.name = 'MissingDeleteHandlerError'; } }

/** createTransaction() without a mutationFn. */
export class MissingMutationFunctionError extends TransactionError { constructor(m) { super(m); this.name = 'MissingMutationFunctionError'; } }
/** mutate() on a transaction that is no longer pending. */
export class TransactionNotPendingMutateError extends TransactionError { constructor(m) { super(m); this.name = 'TransactionNotPendingMutateError'; } }
/** commit() on a transaction that is no longer pending. */
export class TransactionNotPendingCommitError extends TransactionError { constructor(m) { super(m); this.name = 'TransactionNotPendingCommitError'; } }
/** rollback() on a completed transaction. */
export class TransactionAlreadyCompletedRollbackError extends TransactionError { constructor(m) { super(m); this.name = 'TransactionAlreadyCompletedRollbackError'; } }
/** (ours) The cause isPersisted rejects with after rollback(). */
export class TransactionRolledBackError extends TransactionError { constructor(m) { super(m); this.name = 'TransactionRolledBackError'; } }

/** An operation on a collection whose sync failed (status 'error'). */
export class CollectionInErrorStateError extends CollectionStateError { constructor(m) { super(m); this.name = 'CollectionInErrorStateError'; } }
/** A lifecycle transition TanStack DB does not allow. */
export class InvalidCollectionStatusTransitionError extends CollectionStateError { constructor(m) { super(m); this.name = 'InvalidCollectionStatusTransitionError'; } }
/** (ours) A wait for readiness overtaken by cleanup(). */
export class CollectionCleanedUpError extends CollectionStateError { constructor(m) { super(m); this.name = 'CollectionCleanedUpError'; } }
/** An unusable collection configuration. */
export class CollectionConfigurationError extends TanStackDBError { constructor(m) { super(m); this.name = 'CollectionConfigurationError'; } }

const classes = {
  TanStackDBError, CollectionOperationError, TransactionError, CollectionStateError,
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
  if (Class) return new Class(message);
  const e = name === 'Error' ? new Error(message) : new TanStackDBError(message);
  e.name = name;
  return e;
}

/** A schema's validate() returned a promise; collection schemas must be synchronous. */
export class SchemaMustBeSynchronousError extends TanStackDBError { constructor(m = 'Validation must be synchronous') { super(m); this.name = 'SchemaMustBeSynchronousError'; } }
classes.SchemaMustBeSynchronousError = SchemaMustBeSynchronousError;

// Storage errors (browsers, OPFS). Not TanStack errors: the database
// raises them, as PowerSync's would.

/** Thrown when another tab or worker of this origin has the database open. */
export class DatabaseLockedError extends Error {
  constructor(dbFilename) {
    super(`database "${dbFilename}" is open in another tab or worker`);
    this.name = 'DatabaseLockedError';
  }
}

/** The error of a commit (or of open) that OPFS refused: quota, permission... */
export class PersistenceError extends Error {
  constructor(dbFilename, cause) {
    super(`database "${dbFilename}": OPFS write failed, changes since the last persisted transaction are not durable: ${cause.name}: ${cause.message}`);
    this.name = 'PersistenceError';
    this.cause = cause;
  }
}
