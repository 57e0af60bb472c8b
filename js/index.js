// gopowersync: TanStack DB collections over a PowerSync-compatible SQLite
// database, running in one WebAssembly module. Reference: docs/API.md.

export { init } from './loader.js';
export { Schema, Table, Column, Index, IndexedColumn, column, ColumnType } from './schema.js';
export { PowerSyncDatabase } from './database.js';
// PowerSync's connectors are typed with AbstractPowerSyncDatabase (the base of
// its web and Node databases); ours has one database class, also under that name.
export { PowerSyncDatabase as AbstractPowerSyncDatabase } from './database.js';
export { SyncStatus, SyncProgress } from './sync-status.js';
export { CrudEntry, CrudBatch, CrudTransaction, UpdateType } from './crud.js';
export { createCollection, powerSyncCollectionOptions, Collection } from './collection.js';
export { convertPowerSyncSchemaToSpecs } from './standard-schema.js';
export { createTransaction, getActiveTransaction, Transaction, PowerSyncTransactor } from './transaction.js';
export { localOnlyCollectionOptions } from './local-only.js';
export { localStorageCollectionOptions } from './local-storage.js';
export { createOptimisticAction } from './optimistic-action.js';
export { createPacedMutations, debounceStrategy, throttleStrategy, queueStrategy } from './paced-mutations.js';
export {
  TanStackDBError, CollectionOperationError, TransactionError, CollectionStateError, MissingHandlerError,
  SchemaValidationError, SchemaMustBeSynchronousError, DuplicateKeyError, DuplicateKeySyncError, UndefinedKeyError, InvalidKeyError,
  UpdateKeyNotFoundError, DeleteKeyNotFoundError, KeyUpdateNotAllowedError, MissingUpdateArgumentError,
  NoKeysPassedToUpdateError, NoKeysPassedToDeleteError, MissingInsertHandlerError, MissingUpdateHandlerError,
  MissingDeleteHandlerError, MissingMutationFunctionError, TransactionNotPendingMutateError,
  TransactionNotPendingCommitError, TransactionAlreadyCompletedRollbackError, TransactionRolledBackError,
  CollectionInErrorStateError, InvalidCollectionStatusTransitionError, CollectionCleanedUpError,
  CollectionConfigurationError, OnMutateMustBeSynchronousError, DatabaseLockedError, DatabaseClosedError, PersistenceError, InternalError,
  TransactionReentryError,
} from './errors.js';
export {
  createLiveQueryCollection, queryOnce, LiveQueryCollection, BaseQueryBuilder, eq, gt, gte, lt, lte, and, or, not, inArray,
  like, ilike, isNull, isUndefined, upper, lower, length, concat, coalesce, add, subtract, multiply, divide,
  count, sum, avg, min, max,
} from './live-query.js';
export * from './query-errors.js';
