// Types of the gopowersync JS package. Reference: docs/API.md.

// ---------- Loading ----------

/** Loads the WebAssembly module once; later calls return the same promise. */
export function init(options?: { wasmURL?: string | URL }): Promise<void>;

// ---------- Schema ----------

export type ColumnTypeName = 'TEXT' | 'INTEGER' | 'REAL';
export const ColumnType: { readonly TEXT: 'TEXT'; readonly INTEGER: 'INTEGER'; readonly REAL: 'REAL' };
export interface BaseColumnType<T extends ColumnTypeName = ColumnTypeName> { readonly type: T }
export const column: {
  readonly text: BaseColumnType<'TEXT'>;
  readonly integer: BaseColumnType<'INTEGER'>;
  readonly real: BaseColumnType<'REAL'>;
};

export type ColumnsType = Record<string, BaseColumnType>;

export interface TableOptions {
  indexes?: Record<string, string[]>;
  localOnly?: boolean;
  insertOnly?: boolean;
  viewName?: string;
  trackMetadata?: boolean;
  trackPrevious?: boolean | { columns?: string[]; onlyWhenChanged?: boolean };
  ignoreEmptyUpdates?: boolean;
}

export class Column {
  constructor(options: { name: string; type: ColumnTypeName });
  readonly name: string;
  readonly type: ColumnTypeName;
}
export class IndexedColumn {
  constructor(options: { name: string; ascending?: boolean });
  readonly name: string;
  readonly ascending: boolean;
}
export class Index {
  constructor(options: { name: string; columns: IndexedColumn[] });
  readonly name: string;
  readonly columns: IndexedColumn[];
}

type SQLiteValue<C> = C extends BaseColumnType<'TEXT'> ? string | null : number | null;
/** The row type of a table: `id` plus its columns. */
export type RowType<T> = T extends Table<infer C> ? { id: string } & { [K in keyof C]: SQLiteValue<C[K]> } : never;
/**
 * What insert() takes for a table: `id` and any of its columns. Every column
 * is nullable, so one left out is null, as in @tanstack/powersync-db-collection.
 */
export type InsertType<T> = T extends Table<infer C> ? { id: string } & { [K in keyof C]?: SQLiteValue<C[K]> } : never;

/** PowerSync's older table form: a named table with a list of columns. */
export interface ClassicTableOptions extends Omit<TableOptions, 'indexes'> {
  name: string;
  columns: Column[];
  indexes?: Index[];
}

export class Table<Columns extends ColumnsType = ColumnsType> {
  constructor(columns: Columns, options?: TableOptions);
  constructor(options: ClassicTableOptions);
  static createLocalOnly(options: ClassicTableOptions): Table;
  static createInsertOnly(options: ClassicTableOptions): Table;
  static createTable(name: string, table: Table<any>): Table;
  copyWithName(name: string): Table<Columns>;
  readonly viewNameOverride: string | undefined;
  /** The SQLite table holding the rows: ps_data__<name> or ps_data_local__<name>. */
  readonly internalName: string;
  readonly validName: boolean;
  validate(): void;
  /** The table's name: its key in the Schema. */
  readonly name: string;
  readonly viewName: string;
  readonly columns: Column[];
  readonly indexes: Index[];
  readonly localOnly: boolean;
  readonly insertOnly: boolean;
  readonly trackMetadata: boolean;
  readonly trackPrevious: boolean | { columns?: string[]; onlyWhenChanged: boolean };
  readonly ignoreEmptyUpdates: boolean;
  readonly columnMap: Columns;
  toJSON(): object;
}

/** The row type of each table of a schema, by table name. */
export type SchemaTableType<S extends Record<string, Table<any>>> = { [K in keyof S]: RowType<S[K]> };

export class Schema<S extends Record<string, Table<any>> = Record<string, Table<any>>> {
  constructor(tables: S);
  /** PowerSync's older form: a list of named tables. */
  constructor(tables: Table<any>[]);
  validate(): void;
  /**
   * For types only, as in PowerSync (undefined at run time):
   * `type Todo = typeof schema.types.todos` or `(typeof schema)['types']['todos']`.
   */
  readonly types: SchemaTableType<S>;
  readonly props: S;
  readonly tables: Table<any>[];
  toJSON(): object;
}

// ---------- Database ----------

/**
 * Values. What each JS value becomes in SQLite, as an SQL parameter
 * (execute, getAll, get, getOptional, watch, tx.*) and as a field of a
 * collection item; every value comes back exactly, or is refused with a
 * TypeError naming the argument (`params[1]`, `insert: item.n`, ...) and
 * its type, and nothing runs.
 *
 * | JS value                          | SQLite                     | read back as            |
 * |-----------------------------------|----------------------------|-------------------------|
 * | whole number (safe), -0           | INTEGER (-0 as 0)          | number                  |
 * | other finite number, ±Infinity    | REAL                       | number                  |
 * | NaN                               | TypeError (SQLite: NULL)   |                         |
 * | bigint within 64 bits             | INTEGER                    | number if safe, else bigint |
 * | bigint beyond 64 bits             | TypeError                  |                         |
 * | string                            | TEXT (UTF-8)               | string                  |
 * | string with a lone surrogate      | TypeError (UTF-8 cannot)   |                         |
 * | Uint8Array, other typed array, DataView, ArrayBuffer | BLOB (the bytes) | Uint8Array   |
 * | Date (valid)                      | TEXT, toISOString()        | string                  |
 * | true / false                      | INTEGER 1 / 0              | number                  |
 * | null, undefined                   | NULL                       | null                    |
 * | object, array                     | parameter: TypeError; item field: see below |        |
 * | symbol, function                  | TypeError                  |                         |
 *
 * Any INTEGER read back beyond ±(2^53-1) is a bigint (as wa-sqlite
 * returns it); other integers are numbers. In collection items the
 * table's rules apply on top (TanStack DB's PowerSync collection): without
 * a schema, TEXT columns take strings and INTEGER/REAL columns numbers or
 * bigints, else SchemaValidationError; with a schema of the application,
 * an object or array it puts in a TEXT column is stored as its
 * JSON.stringify text. Metadata (insert/update/delete `metadata`,
 * createTransaction `metadata`) is queued as JSON.stringify gives it and
 * read back from that text: key order, escapes and numbers as given;
 * `metadata: null` reads back as null (none given: undefined), and what
 * JSON has no type for reads back as JSON.stringify wrote it (a Date as
 * its ISO string, where TanStack DB keeps the object).
 * Local-only and localStorage items follow the same table at any depth:
 * plain objects and arrays are kept and walked, each value in them comes
 * back as "read back as" says (a bigint as a number when safe, a Date as
 * its ISO string, a typed array as Uint8Array) or is refused with a
 * TypeError naming its place (`insert: items[0].tags[2]`,
 * `initialData[0].n`); Map, Set and other class instances and circular
 * references are refused too; an undefined field is left out and an
 * undefined array element is null, as in JSON. A localStorage collection
 * with the default parser (JSON) also refuses, naming the field, what JSON
 * text cannot hold (bytes, ±Infinity, bigints beyond 2^53); give it a
 * parser that can hold them to keep them. No object shape is
 * reserved: an object like `{ $blob: 0 }` comes back as it went.
 */

export interface QueryResult<R = any> {
  rowsAffected: number;
  insertId?: number;
  rows: { _array: R[]; length: number; item(index: number): R };
}

export interface LockContext {
  execute(sql: string, params?: unknown[]): Promise<QueryResult>;
  getAll<R = any>(sql: string, params?: unknown[]): Promise<R[]>;
  get<R = any>(sql: string, params?: unknown[]): Promise<R>;
  getOptional<R = any>(sql: string, params?: unknown[]): Promise<R | null>;
  /** The rows as arrays of values in column order. */
  executeRaw(sql: string, params?: unknown[]): Promise<unknown[][]>;
  /** Runs sql once per parameter list; on the database, in one write transaction. */
  executeBatch(sql: string, params?: unknown[][]): Promise<{ rowsAffected: number; insertId?: number }>;
}

/**
 * The `tx` of writeTransaction and readTransaction, as PowerSync's
 * Transaction. The first of commit()/rollback() decides how the
 * transaction ends; later calls do nothing. commit(): it ends committed
 * even if the callback then throws (the throw still reaches the caller);
 * statements after it are kept, in the same upload transaction (PowerSync
 * runs them as transactions of their own: docs/API.md). rollback(): it ends rolled back, the call
 * resolves with what the callback returns, and statements through tx
 * after it reject.
 */
export interface Transaction extends LockContext {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface WatchOnChangeEvent { changedTables: string[] }
/**
 * Options of onChange and watch, as PowerSync's. onChange reports, among
 * the tables a write changed, those in `tables` (default: every table of
 * the application), by the names the schema declares.
 */
export interface SQLWatchOptions {
  /** The tables watched (onChange); default every table of the application. */
  tables?: string[];
  /** Ends the subscription. */
  signal?: AbortSignal;
  /** Changes within this many ms of the first make one event or re-run (default 30). */
  throttleMs?: number;
  /** onChange: send one event with changedTables [] at once. */
  triggerImmediate?: boolean;
  /**
   * Accepted as @powersync/web accepts it (deprecated there); no effect:
   * `tables` are always the names the schema declares.
   */
  rawTableNames?: boolean;
}
export interface WatchHandler<R = any> {
  onResult: (result: QueryResult<R>) => void;
  onError?: (error: Error) => void;
}

export type UpdateTypeName = 'PUT' | 'PATCH' | 'DELETE';
export const UpdateType: { readonly PUT: 'PUT'; readonly PATCH: 'PATCH'; readonly DELETE: 'DELETE' };

export interface CrudEntryJSON {
  op_id: number; op: UpdateTypeName; type: string; id: string; tx_id?: number;
  data?: Record<string, unknown>; old?: Record<string, unknown>; metadata?: string;
}
export class CrudEntry {
  readonly clientId: number;
  readonly op: UpdateTypeName;
  readonly table: string;
  readonly id: string;
  readonly transactionId?: number;
  /** Integers beyond ±(2^53-1) are bigints (exact); toJSON() makes them JSON (js/values.js). */
  readonly opData?: Record<string, unknown>;
  readonly previousValues?: Record<string, unknown>;
  readonly metadata?: string;
  static fromJSON(json: CrudEntryJSON): CrudEntry;
  /** From a row of ps_crud: { id, data, tx_id }. */
  static fromRow(row: { id: number; data: string; tx_id?: number | null }): CrudEntry;
  toComparisonArray(): unknown[];
  equals(entry: CrudEntry): boolean;
  hashCode(): string;
  /**
   * Always JSON.stringify-able: a bigint is written with every digit
   * (JSON.rawJSON, Chrome 114+, Node 21+), else as the nearest Number.
   */
  toJSON(): CrudEntryJSON;
}
export class CrudBatch {
  readonly crud: CrudEntry[];
  readonly haveMore: boolean;
  complete(writeCheckpoint?: string): Promise<void>;
}
export class CrudTransaction extends CrudBatch {
  readonly transactionId?: number;
}

// ---------- Sync ----------

/** Where the sync service is and a token for it; null from fetchCredentials means signed out. */
export interface PowerSyncCredentials {
  endpoint: string;
  token: string;
  expiresAt?: Date;
}

/** The app's backend, as PowerSync's PowerSyncBackendConnector. */
export interface PowerSyncBackendConnector {
  /** Returns fresh credentials, or null when signed out; a throw is retried after retryDelayMs. */
  fetchCredentials(): Promise<PowerSyncCredentials | null | undefined> | PowerSyncCredentials | null | undefined;
  /**
   * Sends database.getNextCrudTransaction() or getCrudBatch() to the backend and calls complete();
   * a throw shows as uploadError and is retried after retryDelayMs.
   */
  uploadData(database: PowerSyncDatabase): Promise<void> | void;
}

export interface PowerSyncConnectionOptions {
  /** Client parameters, read by sync rules as request.parameters(). */
  params?: Record<string, unknown>;
  /** Wait before reconnecting or retrying an upload, ±10% jitter; default 5000. */
  retryDelayMs?: number;
  /** Least time between two upload runs; default 1000. */
  crudUploadThrottleMs?: number;
  /** Sent with the sync request; the service logs it. */
  appMetadata?: Record<string, string>;
  /** Only 'http' (the streaming HTTP protocol) is supported. */
  connectionMethod?: 'http';
  /** Accepted for compatibility with @powersync/web; no effect. */
  fetchStrategy?: unknown;
  /** Accepted for compatibility with @powersync/web; no effect. */
  clientImplementation?: unknown;
}

/** An error of the sync status; HTTP errors carry the status and the service's error code. */
export interface SyncStatusError extends Error {
  status?: number;
  code?: string;
}

export interface ProgressWithOperations {
  downloadedOperations: number;
  totalOperations: number;
  /** From 0 to 1; 1 when there is nothing to download. */
  downloadedFraction: number;
}

/** Progress of the checkpoint being downloaded. */
export class SyncProgress implements ProgressWithOperations {
  readonly downloadedOperations: number;
  readonly totalOperations: number;
  readonly downloadedFraction: number;
  /** Progress towards the buckets of the given priority and more urgent ones. */
  untilPriority(priority: number): ProgressWithOperations;
  toJSON(): ProgressWithOperations;
}

export interface SyncDataFlowStatus {
  downloading: boolean;
  uploading: boolean;
  /** What ended the last sync stream; cleared by the next applied checkpoint. */
  downloadError?: SyncStatusError;
  /** What the last upload threw; cleared by the next successful upload. */
  uploadError?: SyncStatusError;
  downloadProgress?: SyncProgress;
}

export interface SyncPriorityStatus {
  priority: number;
  hasSynced?: boolean;
  lastSyncedAt?: Date;
}

export interface SyncStatusOptions {
  connected?: boolean;
  connecting?: boolean;
  hasSynced?: boolean;
  lastSyncedAt?: Date;
  dataFlow?: SyncDataFlowStatus;
  priorityStatusEntries?: SyncPriorityStatus[];
}

/** The state of sync, as PowerSync's SyncStatus. A value: each change makes a new one. */
export class SyncStatus {
  constructor(options?: SyncStatusOptions);
  readonly connected: boolean;
  readonly connecting: boolean;
  /** A boolean once the database is open; undefined before. */
  readonly hasSynced: boolean | undefined;
  readonly lastSyncedAt: Date | undefined;
  readonly dataFlowStatus: SyncDataFlowStatus;
  readonly downloading: boolean;
  readonly uploading: boolean;
  readonly downloadError: SyncStatusError | undefined;
  readonly uploadError: SyncStatusError | undefined;
  /** Per priority synced on its own (partial checkpoints), most urgent first. */
  readonly priorityStatusEntries: SyncPriorityStatus[];
  readonly downloadProgress: SyncProgress | null;
  statusForPriority(priority: number): SyncPriorityStatus;
  isEqual(status: SyncStatus): boolean;
  getMessage(): string;
  toJSON(): object;
}

export interface PowerSyncDBListener {
  statusChanged?: (status: SyncStatus) => void;
  /** On every status report, changed or not: the status as SyncStatusOptions. */
  statusUpdated?: (options: SyncStatusOptions) => void;
  /** Once the database has opened. */
  initialized?: () => void;
  /** After updateSchema. */
  schemaChanged?: (schema: Schema) => void;
  /** When close() begins (calls on the database already reject); close() awaits it. */
  closing?: () => Promise<void> | void;
  /** When close() has finished; close() awaits it. */
  closed?: () => Promise<void> | void;
}

export interface DisconnectAndClearOptions {
  /** Also empty local-only tables; default true. */
  clearLocal?: boolean;
}

export interface PowerSyncDatabaseOptions {
  schema: Schema;
  /**
   * dbFilename: a file (Node), a file in the origin private file system
   * (browsers: every tab and worker of the origin may open it at once), or
   * ':memory:'. lockTimeoutMs (browsers, default 30000): how long a write
   * waits for another tab's or worker's write before it fails with
   * DatabaseLockedError.
   *
   * dbLocation (Node): the directory of the file, which must exist; the
   * file opened is dbLocation/dbFilename, as with @powersync/node. In
   * browsers it is ignored, as @powersync/web ignores it (the origin
   * private file system is opened by dbFilename alone). Any other key in
   * `database` is a TypeError naming it.
   */
  database: { dbFilename: string; dbLocation?: string; lockTimeoutMs?: number };
  /** @powersync/web's flags, accepted for compatibility; see WebPowerSyncFlags. */
  flags?: WebPowerSyncFlags;
}

/**
 * The flags of @powersync/web's PowerSyncDatabase options. None changes
 * anything here: every tab and worker of an origin may open the same
 * database (as enableMultiTabs: true), SQLite runs in the calling
 * context's WebAssembly module (no worker to opt out of), and there is no
 * SSR placeholder mode.
 */
export interface WebPowerSyncFlags {
  /** No effect: tabs always share the database. */
  enableMultiTabs?: boolean;
  /** No effect: no database worker is used. */
  useWebWorker?: boolean;
  /** No effect: there is no shared sync worker to log from. */
  broadcastLogs?: boolean;
  /** No effect: no SSR warning is logged. */
  disableSSRWarning?: boolean;
  /** No effect (deprecated in @powersync/web). */
  externallyUnload?: boolean;
  /** Not supported: the database opens as usual. */
  ssrMode?: boolean;
}

export interface ArrayQueryDefinition<R = any> {
  sql: string;
  parameters?: ReadonlyArray<unknown>;
  /** Turns each row into what data holds. */
  mapper?: (row: Record<string, unknown>) => R;
}

export interface WatchedQueryState<Data> {
  /** Until the first result. */
  readonly isLoading: boolean;
  /** While the first result is read (later re-reads are not reported). */
  readonly isFetching: boolean;
  readonly error: Error | null;
  readonly lastUpdated: Date | null;
  readonly data: Data;
}

export interface WatchedQueryListener<Data> {
  onData?: (data: Data) => void;
  onStateChange?: (state: WatchedQueryState<Data>) => void;
  onError?: (error: Error) => void;
  closed?: () => void;
}

export interface WatchedQueryOptions<R> {
  throttleMs?: number;
  reportFetching?: boolean;
  /** Re-read on changes to these tables (default: those the query reads). */
  triggerOnTables?: string[];
  /** When checkEquality says equal, data is kept and onData not called. */
  comparator?: { checkEquality(current: ReadonlyArray<R>, previous: ReadonlyArray<R>): boolean };
  placeholderData?: R[];
}

export interface WatchedQueryDifferential<R> {
  readonly added: ReadonlyArray<R>;
  readonly removed: ReadonlyArray<R>;
  readonly updated: ReadonlyArray<{ readonly current: R; readonly previous: R }>;
  readonly unchanged: ReadonlyArray<R>;
  /** The result, in order. */
  readonly all: ReadonlyArray<R>;
}

export interface DifferentialWatchedQueryListener<R> extends WatchedQueryListener<ReadonlyArray<R>> {
  onDiff?: (diff: WatchedQueryDifferential<R>) => void;
}

export interface DifferentialWatchedQueryOptions<R> extends Omit<WatchedQueryOptions<R>, 'comparator'> {
  /** keyBy: a row's identity (default its id); compareBy: its content (default its JSON). */
  rowComparator?: { keyBy(row: R): string; compareBy(row: R): string };
}

/** A query result kept current, as PowerSync's watched queries. */
export interface WatchedQuery<R, L extends WatchedQueryListener<ReadonlyArray<R>> = WatchedQueryListener<ReadonlyArray<R>>> {
  readonly state: WatchedQueryState<ReadonlyArray<R>>;
  readonly closed: boolean;
  registerListener(listener: L): () => void;
  updateSettings(options: WatchedQueryOptions<R>): Promise<void>;
  close(): Promise<void>;
}

export class PowerSyncDatabase implements LockContext {
  constructor(options: PowerSyncDatabaseOptions);
  readonly schema: Schema;
  readonly dbFilename: string;
  readonly closed: boolean;
  readonly ready: boolean;
  init(): Promise<void>;
  waitForReady(): Promise<void>;
  /** Resolves once predicate(currentStatus) holds, or when signal aborts. */
  waitForStatus(predicate: (status: SyncStatus) => unknown, signal?: AbortSignal): Promise<void>;
  execute(sql: string, params?: unknown[]): Promise<QueryResult>;
  getAll<R = any>(sql: string, params?: unknown[]): Promise<R[]>;
  get<R = any>(sql: string, params?: unknown[]): Promise<R>;
  getOptional<R = any>(sql: string, params?: unknown[]): Promise<R | null>;
  executeRaw(sql: string, params?: unknown[]): Promise<unknown[][]>;
  executeBatch(sql: string, params?: unknown[][]): Promise<{ rowsAffected: number; insertId?: number }>;
  /**
   * Committed if callback resolves, rolled back if it throws, unless
   * tx.commit()/tx.rollback() decided first. lockTimeout (ms): if the
   * database's lock is not free by then, rejects with an Error and
   * callback never runs; without it the call waits.
   */
  writeTransaction<T>(callback: (tx: Transaction) => Promise<T>, lockTimeout?: number): Promise<T>;
  readTransaction<T>(callback: (tx: Transaction) => Promise<T>, lockTimeout?: number): Promise<T>;
  /**
   * Holds the database's lock without a transaction while callback runs:
   * each statement through ctx commits (and queues its upload) on its own.
   */
  writeLock<T>(callback: (ctx: LockContext) => Promise<T>): Promise<T>;
  /** Holds the database's lock while callback runs; statements that write fail. */
  readLock<T>(callback: (ctx: LockContext) => Promise<T>): Promise<T>;
  onChange(handler: { onChange: (event: WatchOnChangeEvent) => void; onError?: (e: Error) => void }, options?: SQLWatchOptions): () => void;
  onChange(options?: SQLWatchOptions): AsyncIterable<WatchOnChangeEvent>;
  watch<R = any>(sql: string, params: unknown[] | undefined, handler: WatchHandler<R>, options: SQLWatchOptions): () => void;
  watch<R = any>(sql: string, params: unknown[] | undefined, options: SQLWatchOptions & WatchHandler<R>): () => void;
  watch<R = any>(sql: string, params?: unknown[], options?: SQLWatchOptions): AsyncIterable<QueryResult<R>>;
  /** PowerSync's watched queries: `db.query({ sql, parameters, mapper }).watch(options)`. */
  query<R = any>(definition: ArrayQueryDefinition<R>): {
    watch(options?: WatchedQueryOptions<R>): WatchedQuery<R>;
    /** Also reports what changed between results (listener.onDiff); unchanged rows keep their objects. */
    differentialWatch(options?: DifferentialWatchedQueryOptions<R>): WatchedQuery<R, DifferentialWatchedQueryListener<R>>;
  };
  watchWithCallback<R = any>(sql: string, params: unknown[] | undefined, handler: WatchHandler<R>, options?: SQLWatchOptions): () => void;
  watchWithAsyncGenerator<R = any>(sql: string, params?: unknown[], options?: SQLWatchOptions): AsyncIterable<QueryResult<R>>;
  onChangeWithCallback(handler: { onChange: (event: WatchOnChangeEvent) => void; onError?: (e: Error) => void }, options?: SQLWatchOptions): () => void;
  onChangeWithAsyncGenerator(options?: SQLWatchOptions): AsyncIterable<WatchOnChangeEvent>;
  getCrudBatch(limit?: number): Promise<CrudBatch | null>;
  getNextCrudTransaction(): Promise<CrudTransaction | null>;
  /** Every queued transaction, oldest first, none completed; completing one completes those before it. */
  getCrudTransactions(): AsyncIterable<CrudTransaction>;
  getUploadQueueStats(includeSize?: boolean): Promise<{ count: number; size?: number }>;
  getClientId(): Promise<string>;
  /** Replaces the schema (not while connected); no row is lost. */
  updateSchema(schema: Schema): Promise<void>;
  /** Starts syncing; resolves once the first attempt has connected or failed (then `currentStatus.downloadError` says why; it is retried, never rejected), as @powersync/web. Connecting again replaces the connection. */
  connect(connector: PowerSyncBackendConnector, options?: PowerSyncConnectionOptions): Promise<void>;
  /** Stops syncing; nothing downloaded or queued is lost. */
  disconnect(): Promise<void>;
  /** Disconnects and deletes everything synced or queued (and local-only rows unless clearLocal is false). */
  disconnectAndClear(options?: DisconnectAndClearOptions): Promise<void>;
  readonly currentStatus: SyncStatus;
  readonly connected: boolean;
  readonly connecting: boolean;
  /**
   * Calls listener.statusChanged on every change of the sync status, and
   * initialized, schemaChanged, closing and closed as PowerSync does;
   * returns a dispose function.
   */
  registerListener(listener: PowerSyncDBListener): () => void;
  /** Resolves once synced (now or before), or for a priority once its buckets are; also when signal aborts. */
  waitForFirstSync(request?: AbortSignal | { priority?: number; signal?: AbortSignal }): Promise<void>;
  /**
   * Disconnects and closes the database (in Node, releases the file's
   * lock). Work issued before close() finishes first: queries and
   * transactions called earlier resolve, and the direct inserts, updates
   * and deletes of its collections already persisting reach the file, so
   * no acknowledged write is lost. Calls made after it reject with an Error
   * saying the database is closed; a createTransaction whose mutationFn
   * still runs is not waited for and its writes reject the same way.
   * init() on a file another process (or another PowerSyncDatabase of
   * this one) holds rejects with DatabaseLockedError.
   */
  close(): Promise<void>;
}
/**
 * PowerSyncDatabase under the name PowerSync's connectors are typed with
 * (`uploadData(database: AbstractPowerSyncDatabase)`); `db instanceof
 * AbstractPowerSyncDatabase` holds.
 */
export const AbstractPowerSyncDatabase: typeof PowerSyncDatabase;
export type AbstractPowerSyncDatabase = PowerSyncDatabase;

// ---------- Standard Schema ----------

/** Standard Schema v1 (https://standardschema.dev). */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }> }
      | Promise<unknown>;
    readonly types?: { readonly input: Input; readonly output: Output };
  };
}

/** Standard Schema validators generated from the tables of schema. */
export function convertPowerSyncSchemaToSpecs<S extends Schema<any>>(
  schema: S,
): { [K in keyof S['props']]: StandardSchemaV1<RowType<S['props'][K]>> };

// ---------- Collections ----------

export type CollectionStatus = 'idle' | 'loading' | 'ready' | 'error' | 'cleaned-up';

export interface ChangeMessage<T> {
  type: 'insert' | 'update' | 'delete';
  key: string;
  value: T;
  previousValue?: T;
}

export interface OperationConfig {
  metadata?: Record<string, unknown> | string;
  optimistic?: boolean;
}

export interface PowerSyncCollectionMeta {
  tableName: string;
  trackedTableName: string;
  metadataIsTracked: boolean;
}

export interface PowerSyncCollectionConfig<T extends object = Record<string, unknown>> {
  database: PowerSyncDatabase;
  table?: Table<any>;
  tableName?: string;
  schema?: StandardSchemaV1<any, T>;
  deserializationSchema?: StandardSchemaV1<any, T>;
  serializer?: Record<string, (value: any) => string | number | null>;
  onDeserializationError?: (failure: { issues: ReadonlyArray<{ message: string }> }) => void;
  syncBatchSize?: number;
  syncMode?: 'eager' | 'on-demand';
  /** 'eager' (default): live queries create the indexes they read (a window's in the background, after its first result from a pass over the rows); 'off': only createIndex does. */
  autoIndex?: 'eager' | 'off';
  id?: string;
  gcTime?: number;
  startSync?: boolean;
}

/** Options for createCollection; opaque. */
export interface PowerSyncCollectionOptions<T extends object, TInsertInput extends object = T> {
  readonly __powersync: T;
  readonly __insert?: TInsertInput;
}

/** With a table and no schema: the collection's items have the table's row type. */
export function powerSyncCollectionOptions<TTable extends Table<any>>(
  config: Omit<PowerSyncCollectionConfig<RowType<TTable>>, 'table' | 'schema'> & { table: TTable; schema?: undefined },
): PowerSyncCollectionOptions<RowType<TTable>, InsertType<TTable>>;
export function powerSyncCollectionOptions<T extends object = Record<string, any>>(
  config: PowerSyncCollectionConfig<T>,
): PowerSyncCollectionOptions<T>;

export interface LocalOnlyCollectionConfig<T extends object = Record<string, any>> {
  /** The item's key; must return a string. */
  getKey: (item: T) => string;
  id?: string;
  schema?: StandardSchemaV1<any, T>;
  /** The items it starts with. */
  initialData?: T[];
  /** Run before a direct insert is kept; a rejection rolls it back. */
  onInsert?: (params: { transaction: Transaction<T>; collection: Collection<T, LocalOnlyCollectionUtils> }) => Promise<unknown> | unknown;
  onUpdate?: (params: { transaction: Transaction<T>; collection: Collection<T, LocalOnlyCollectionUtils> }) => Promise<unknown> | unknown;
  onDelete?: (params: { transaction: Transaction<T>; collection: Collection<T, LocalOnlyCollectionUtils> }) => Promise<unknown> | unknown;
}

export interface LocalOnlyCollectionUtils {
  /** Keeps this collection's mutations of transaction (call it from a mutationFn). */
  acceptMutations(transaction: Transaction<any>): void;
}

export interface PowerSyncCollectionUtils {
  getMeta(): PowerSyncCollectionMeta;
}

/** Options for createCollection; opaque. */
export interface LocalOnlyCollectionOptions<T extends object> {
  readonly __localOnly: T;
}

/**
 * A collection that lives in memory only (UI state beside synced
 * collections): ready at once, never collected, in the same transactions
 * as the others. Items hold JSON values and Uint8Array.
 */
export function localOnlyCollectionOptions<T extends object = Record<string, any>>(
  config: LocalOnlyCollectionConfig<T>,
): LocalOnlyCollectionOptions<T>;

export interface LocalStorageCollectionConfig<T extends object = Record<string, any>>
  extends Omit<LocalOnlyCollectionConfig<T>, 'initialData'> {
  /** The storage key holding the collection. */
  storageKey: string;
  /** Default: globalThis.localStorage, else an in-memory store (Node). */
  storage?: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
  /** Where other tabs' 'storage' events arrive; default globalThis. */
  storageEventApi?: {
    addEventListener(type: 'storage', listener: (event: { key: string | null; storageArea?: unknown }) => void): void;
    removeEventListener(type: 'storage', listener: (event: { key: string | null; storageArea?: unknown }) => void): void;
  };
  /** Default JSON. */
  parser?: { parse(text: string): unknown; stringify(value: unknown): string };
}

export interface LocalStorageCollectionUtils extends LocalOnlyCollectionUtils {
  /** Removes the stored items (the collection keeps showing them). */
  clearStorage(): void;
  /** The stored text's size in bytes. */
  getStorageSize(): number;
}

/** Options for createCollection; opaque. */
export interface LocalStorageCollectionOptions<T extends object> {
  readonly __localStorage: T;
}

/**
 * A local-only collection kept in storage, so it outlives a reload and
 * follows other tabs; stored in TanStack DB's layout.
 */
export function localStorageCollectionOptions<T extends object = Record<string, any>>(
  config: LocalStorageCollectionConfig<T>,
): LocalStorageCollectionOptions<T>;

export interface CollectionStatusEvent<S extends CollectionStatus | 'change', T extends object = Record<string, any>> {
  type: `status:${S}`;
  collection: Collection<T, any>;
  previousStatus: CollectionStatus;
  status: S extends CollectionStatus ? S : CollectionStatus;
}

export interface CollectionSubscribersChangeEvent<T extends object = Record<string, any>> {
  type: 'subscribers:change';
  collection: Collection<T, any>;
  previousSubscriberCount: number;
  subscriberCount: number;
}

/** The events a collection emits, by name. */
export type CollectionEvents<T extends object = Record<string, any>> = {
  [S in CollectionStatus | 'change' as `status:${S}`]: CollectionStatusEvent<S, T>;
} & { 'subscribers:change': CollectionSubscribersChangeEvent<T>; 'loadingSubset:change': CollectionLoadingSubsetChangeEvent<T>;
  'index:added': CollectionIndexEvent<'added', T>; 'index:removed': CollectionIndexEvent<'removed', T>;
  /** The synced rows were replaced whole (a table reread, as after another tab's missed commits). */
  truncate: { type: 'truncate'; collection: Collection<T, any> } };

/** An index's identity as events report it: its name and the field path it reads (null for a function). */
export interface CollectionIndexEvent<E extends 'added' | 'removed', T extends object = Record<string, any>> {
  type: `index:${E}`;
  collection: Collection<T, any>;
  index: { name: string; path: string[] | null };
}

export interface CollectionLoadingSubsetChangeEvent<T extends object = Record<string, any>> {
  type: 'loadingSubset:change';
  collection: Collection<T, any>;
  isLoadingSubset: boolean;
  previousIsLoadingSubset: boolean;
  loadingSubsetTransition: 'start' | 'end';
}

export interface CurrentStateAsChangesOptions {
  limit?: number;
  optimizedOnly?: boolean;
}

export class Collection<T extends object = Record<string, any>, TUtils extends object = PowerSyncCollectionUtils, TInsertInput extends object = T> {
  readonly id: string;
  readonly status: CollectionStatus;
  readonly size: number;
  readonly toArray: T[];
  readonly state: Map<string, T>;
  readonly utils: TUtils;
  /** The number of active subscriptions (subscribeChanges callers and live queries reading it). */
  readonly subscriberCount: number;
  /** Whether a live query's rows are being loaded into it (an on-demand collection); see the loadingSubset:change event. */
  readonly isLoadingSubset: boolean;
  /** Whether the status is 'ready'. */
  isReady(): boolean;
  /** Calls callback once ready (at once if ready now); does not start sync. Returns a function that drops it. */
  onFirstReady(callback: () => void): () => void;
  /** The items as insert changes, in key order. */
  currentStateAsChanges(options?: CurrentStateAsChangesOptions): ChangeMessage<T>[];
  forEach(callback: (value: T, key: string, index: number) => void): void;
  map<U>(callback: (value: T, key: string, index: number) => U): U[];
  getKeyFromItem(item: T): string;
  /**
   * Validates data as a mutation would: the schema's output (for an update
   * with the key of an item, checked merged with it, only data's fields),
   * or data itself without a schema. Throws SchemaValidationError.
   */
  validateData(data: unknown, type: 'insert' | 'update', key?: string): T;
  /** status:change, status:<status> and subscribers:change events, after the change; returns a function that removes the handler. */
  on<E extends keyof CollectionEvents<T>>(event: E, handler: (event: CollectionEvents<T>[E]) => void): () => void;
  once<E extends keyof CollectionEvents<T>>(event: E, handler: (event: CollectionEvents<T>[E]) => void): () => void;
  off<E extends keyof CollectionEvents<T>>(event: E, handler: (event: CollectionEvents<T>[E]) => void): void;
  /** The next such event; rejects after timeout ms if given. */
  waitFor<E extends keyof CollectionEvents<T>>(event: E, timeout?: number): Promise<CollectionEvents<T>[E]>;
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[string, T]>;
  [Symbol.iterator](): IterableIterator<[string, T]>;
  insert(item: TInsertInput | TInsertInput[], config?: OperationConfig): Transaction<T>;
  update(key: string, callback: (draft: T) => void): Transaction<T>;
  update(key: string, config: OperationConfig, callback: (draft: T) => void): Transaction<T>;
  update(keys: string[], callback: (drafts: T[]) => void): Transaction<T>;
  update(keys: string[], config: OperationConfig, callback: (drafts: T[]) => void): Transaction<T>;
  delete(key: string | string[], config?: OperationConfig): Transaction<T>;
  subscribeChanges(
    callback: (changes: ChangeMessage<T>[]) => void,
    options?: { includeInitialState?: boolean; where?: (row: any) => Expression },
  ): { unsubscribe(): void };
  /** An ordered index on the field the callback reads, kept up to date on every change. */
  createIndex(callback: (row: T) => unknown, options?: { name?: string; indexType?: unknown; options?: unknown }): { name: string | null; path: string[] };
  /** Drops an index (what createIndex returned, or its name); whether there was one. An index:removed event follows. */
  removeIndex(index: { name: string | null } | string): boolean;
  preload(): Promise<void>;
  stateWhenReady(): Promise<Map<string, T>>;
  toArrayWhenReady(): Promise<T[]>;
  cleanup(): Promise<void>;
}

export function createCollection<T extends object, TInsertInput extends object = T>(options: PowerSyncCollectionOptions<T, TInsertInput>): Collection<T, PowerSyncCollectionUtils, TInsertInput>;
export function createCollection<T extends object>(options: LocalOnlyCollectionOptions<T>): Collection<T, LocalOnlyCollectionUtils>;
export function createCollection<T extends object>(options: LocalStorageCollectionOptions<T>): Collection<T, LocalStorageCollectionUtils>;

// ---------- Transactions ----------

export type TransactionState = 'pending' | 'persisting' | 'completed' | 'failed';

export interface PendingMutation<T extends object = Record<string, any>> {
  mutationId: string;
  type: 'insert' | 'update' | 'delete';
  key: string;
  globalKey: string;
  original: T | null;
  modified: T;
  changes: Partial<T>;
  metadata: unknown;
  optimistic: boolean;
  collection: Collection<T, any> | undefined;
  createdAt: Date;
  updatedAt: Date;
}

export class Transaction<T extends object = Record<string, any>> {
  readonly id: string;
  readonly autoCommit: boolean;
  readonly createdAt: Date;
  readonly metadata: Record<string, unknown>;
  readonly state: TransactionState;
  readonly mutations: PendingMutation<T>[];
  /**
   * Settles when state becomes 'completed' (resolves) or 'failed' (rejects
   * with error.error). isPending() is false exactly when state is one of
   * those, however late it is first read.
   */
  readonly isPersisted: { promise: Promise<Transaction<T>>; isPending(): boolean };
  /** Once state is 'failed': the cause; undefined otherwise. */
  readonly error: { message: string; error: Error } | undefined;
  mutate(callback: () => void): Transaction<T>;
  commit(): Promise<Transaction<T>>;
  rollback(): Transaction<T>;
}

export interface TransactionConfig<T extends object = Record<string, any>> {
  id?: string;
  autoCommit?: boolean;
  mutationFn: (params: { transaction: Transaction<T> }) => Promise<unknown>;
  metadata?: Record<string, unknown>;
}

export function createTransaction<T extends object = Record<string, any>>(config: TransactionConfig<T>): Transaction<T>;

/** The transaction whose mutate() callback is running, or undefined. */
export function getActiveTransaction(): Transaction<any> | undefined;

export interface CreateOptimisticActionsOptions<TVariables, T extends object = Record<string, any>> {
  id?: string;
  autoCommit?: boolean;
  metadata?: Record<string, unknown>;
  /** Applies the optimistic change (inserts, updates, deletes); must be synchronous. */
  onMutate: (variables: TVariables) => void;
  /** Persists it; the transaction fails if this rejects. */
  mutationFn: (variables: TVariables, params: { transaction: Transaction<T> }) => Promise<unknown>;
}

/** A reusable optimistic mutation: each call returns its own transaction. */
export function createOptimisticAction<TVariables = unknown, T extends object = Record<string, any>>(
  options: CreateOptimisticActionsOptions<TVariables, T>,
): (variables: TVariables) => Transaction<T>;

/** When a paced mutation's transaction commits. */
export interface PacingStrategy<TName extends string = string> {
  readonly _type: TName;
  execute(fn: () => Transaction<any>): void;
  /** Drops what is pending. */
  cleanup(): void;
}
export function debounceStrategy(options: { wait: number; leading?: boolean; trailing?: boolean }): PacingStrategy<'debounce'>;
export function throttleStrategy(options: { wait: number; leading?: boolean; trailing?: boolean }): PacingStrategy<'throttle'>;
export function queueStrategy(options?: { wait?: number; maxSize?: number; addItemsTo?: 'front' | 'back'; getItemsFrom?: 'front' | 'back' }): PacingStrategy<'queue'>;

export interface PacedMutationsConfig<TVariables, T extends object = Record<string, any>> {
  id?: string;
  metadata?: Record<string, unknown>;
  /** Applies the optimistic change at once; must be synchronous. */
  onMutate: (variables: TVariables) => void;
  /** Persists the gathered changes. */
  mutationFn: (params: { transaction: Transaction<T> }) => Promise<unknown>;
  strategy: PacingStrategy;
}

/** Optimistic changes at once, persisted at the strategy's pace; each call returns the transaction it joined. */
export function createPacedMutations<TVariables = unknown, T extends object = Record<string, any>>(
  config: PacedMutationsConfig<TVariables, T>,
): (variables: TVariables) => Transaction<T>;

export class PowerSyncTransactor {
  constructor(options: { database: PowerSyncDatabase });
  readonly database: PowerSyncDatabase;
  applyTransaction(transaction: Transaction<any>): Promise<void>;
}

// ---------- Errors ----------

/**
 * In Node, the database is open in another process (a lock file guards it).
 * In browsers, another tab or worker of this origin held the database's write
 * lock (a Web Lock) longer than `database.lockTimeoutMs`: that write failed,
 * nothing of it was kept, and the other contexts are unaffected.
 */
export class DatabaseLockedError extends Error {
  constructor(dbFilename?: string, waitedMs?: number);
}
/**
 * A call on a PowerSyncDatabase (or on anything it handed out) after
 * close(): always this class, message
 * `PowerSyncDatabase: the database is closed (close() was called)`.
 */
export class DatabaseClosedError extends Error {
  constructor(message?: string);
}
/**
 * A call on a PowerSyncDatabase (execute, getAll, writeTransaction, ...)
 * made inside one of its own transaction callbacks, which holds the
 * database's lock: it would wait forever. Use the callback's `tx` argument
 * (`tx.execute(...)`). Raised where the runtime can tell which callback a
 * call belongs to (Node); browsers get a console warning after the call
 * has waited 5 s instead.
 */
export class TransactionReentryError extends Error {
  constructor(call?: string, transaction?: 'writeTransaction' | 'readTransaction' | 'writeLock' | 'readLock');
}
/**
 * OPFS refused a write (quota, permission): isPersisted of that transaction
 * and every later write reject with it; `cause` is the browser's error.
 */
export class PersistenceError extends Error {
  constructor(dbFilename?: string, cause?: Error);
  readonly cause: Error | undefined;
}

/** A bug inside the module (a Go panic caught at the bridge); details go to the console. */
export class InternalError extends Error {
  constructor(message?: string);
}

/**
 * TanStack DB's error classes. Each takes an optional message; constructed
 * without one it carries a default (TanStack DB's text where theirs is
 * fixed), and `name` is always the class name.
 */
export class TanStackDBError extends Error {
  constructor(message?: string);
}
export class MissingHandlerError extends TanStackDBError {}
export class CollectionOperationError extends TanStackDBError {}
export class TransactionError extends TanStackDBError {}
export class CollectionStateError extends TanStackDBError {}
export class SchemaValidationError extends TanStackDBError {
  constructor(type?: 'insert' | 'update', issues?: { message: string; path?: (string | number)[] }[], message?: string);
  readonly type: 'insert' | 'update';
  readonly issues: { message: string; path?: (string | number)[] }[];
}
export class SchemaMustBeSynchronousError extends CollectionConfigurationError {}
export class DuplicateKeyError extends CollectionOperationError {}
export class DuplicateKeySyncError extends CollectionOperationError {}
export class UndefinedKeyError extends CollectionOperationError {}
export class InvalidKeyError extends CollectionOperationError {}
export class UpdateKeyNotFoundError extends CollectionOperationError {}
export class DeleteKeyNotFoundError extends CollectionOperationError {}
export class KeyUpdateNotAllowedError extends CollectionOperationError {}
export class MissingUpdateArgumentError extends CollectionOperationError {}
export class NoKeysPassedToUpdateError extends CollectionOperationError {}
export class NoKeysPassedToDeleteError extends CollectionOperationError {}
export class MissingInsertHandlerError extends MissingHandlerError {}
export class MissingUpdateHandlerError extends MissingHandlerError {}
export class MissingDeleteHandlerError extends MissingHandlerError {}
export class MissingMutationFunctionError extends TransactionError {}
export class TransactionNotPendingMutateError extends TransactionError {}
export class TransactionNotPendingCommitError extends TransactionError {}
export class TransactionAlreadyCompletedRollbackError extends TransactionError {}
export class TransactionRolledBackError extends TransactionError {}
export class CollectionInErrorStateError extends CollectionStateError {}
export class InvalidCollectionStatusTransitionError extends CollectionStateError {}
export class CollectionCleanedUpError extends CollectionStateError {}
export class CollectionConfigurationError extends TanStackDBError {}
export class OnMutateMustBeSynchronousError extends TransactionError {}

// ---------- Live queries (js/live-query.js) ----------

declare const refType: unique symbol;
/**
 * A reference to a source row or one of its fields, as a query callback
 * sees it; fields of a row that may be missing (an outer join's side) are
 * references too. `[refType]` exists for types only.
 */
export type Ref<T = any> = { readonly [K in keyof NonNullable<T>]-?: Ref<NonNullable<T>[K] | Extract<T, undefined>> } & { readonly [refType]: T };
/** An expression of the query IR: a reference, a function or aggregate, or a plain value. */
export type Expression = Ref | QueryFunction | Aggregate | string | number | boolean | null | undefined | Date;
/** A function of the query; T is its value where the types say it (else any). */
export interface QueryFunction<T = any> { readonly type: 'func'; readonly name: string; readonly args: unknown[]; readonly [refType]?: T }
export interface Aggregate<T = any> { readonly type: 'agg'; readonly name: string; readonly args: unknown[]; readonly [refType]?: T }

/** The row type a source gives a query. */
export type SourceRow<C> = C extends Collection<infer T, any, any> ? T
  : C extends LiveQueryCollection<infer T> ? T
  : C extends BaseQueryBuilder<any, infer R, any> ? R
  : any;
type SourceRows<F> = { [K in keyof F]: SourceRow<F[K]> };
type OwnKeys<V> = { [K in keyof V as K extends typeof refType ? never : K]: V[K] };
/**
 * What a select's shape gives a row: a reference its field's type, a
 * function or aggregate its value, a nested object its shape (a spread
 * row its fields beside the others).
 */
export type SelectResult<V> =
  V extends QueryFunction<infer T> | Aggregate<infer T> ? T
  : V extends { readonly [refType]: infer T }
    ? (keyof OwnKeys<Omit<V, keyof Ref<T>>> extends never ? T : T & { [K in keyof OwnKeys<Omit<V, keyof Ref<T>>>]: SelectResult<OwnKeys<Omit<V, keyof Ref<T>>>[K]> })
  : V extends Date ? V
  : V extends object ? { [K in keyof OwnKeys<V>]: SelectResult<OwnKeys<V>[K]> }
  : V;

/** The references of each source by alias, plus $selected (the select's result) for orderBy. */
export type QueryRefs<S = Record<string, any>, R = any> = { [K in keyof S]: Ref<S[K]> } & { $selected: Ref<R> };
export type QuerySource = Collection<any, any, any> | LiveQueryCollection<any> | BaseQueryBuilder<any, any, any>;
export interface OrderByOptions { direction?: 'asc' | 'desc'; nulls?: 'first' | 'last'; stringSort?: 'locale' | 'lexical' }
type JoinKind = 'inner' | 'left' | 'right' | 'full';
/** The sources after a join: the side an outer join may miss is `| undefined`. */
type Joined<S, J, K extends JoinKind> = {
  [A in keyof S]: K extends 'right' | 'full' ? S[A] | undefined : S[A];
} & {
  [A in keyof J]: K extends 'left' | 'full' ? SourceRow<J[A]> | undefined : SourceRow<J[A]>;
};
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * TanStack DB's query builder; every method returns a new builder. S: the
 * row type of each source by alias; R: the result's row (a from's row, the
 * rows by alias after a join, or what select gives); One: findOne().
 */
export class BaseQueryBuilder<S extends Record<string, any> = Record<string, any>, R = any, One extends boolean = boolean> {
  /** For types only: whether findOne() was called. */
  readonly __single?: One;
  from<F extends Record<string, QuerySource>>(source: F): BaseQueryBuilder<SourceRows<F>, SourceRow<F[keyof F]>, One>;
  join<J extends Record<string, QuerySource>, K extends JoinKind = 'left'>(source: J, on: (refs: QueryRefs<S & SourceRows<J>, R>) => QueryFunction, type?: K): BaseQueryBuilder<Flat<Joined<S, J, K>>, Flat<Joined<S, J, K>>, One>;
  innerJoin<J extends Record<string, QuerySource>>(source: J, on: (refs: QueryRefs<S & SourceRows<J>, R>) => QueryFunction): BaseQueryBuilder<Flat<Joined<S, J, 'inner'>>, Flat<Joined<S, J, 'inner'>>, One>;
  leftJoin<J extends Record<string, QuerySource>>(source: J, on: (refs: QueryRefs<S & SourceRows<J>, R>) => QueryFunction): BaseQueryBuilder<Flat<Joined<S, J, 'left'>>, Flat<Joined<S, J, 'left'>>, One>;
  rightJoin<J extends Record<string, QuerySource>>(source: J, on: (refs: QueryRefs<S & SourceRows<J>, R>) => QueryFunction): BaseQueryBuilder<Flat<Joined<S, J, 'right'>>, Flat<Joined<S, J, 'right'>>, One>;
  fullJoin<J extends Record<string, QuerySource>>(source: J, on: (refs: QueryRefs<S & SourceRows<J>, R>) => QueryFunction): BaseQueryBuilder<Flat<Joined<S, J, 'full'>>, Flat<Joined<S, J, 'full'>>, One>;
  where(condition: (refs: QueryRefs<S, R>) => Expression): BaseQueryBuilder<S, R, One>;
  having(condition: (refs: QueryRefs<S, R>) => Expression): BaseQueryBuilder<S, R, One>;
  select<V extends Record<string, unknown>>(shape: (refs: QueryRefs<S, R>) => V): BaseQueryBuilder<S, Flat<SelectResult<V>>, One>;
  orderBy(key: (refs: QueryRefs<S, R>) => Expression | Expression[], options?: 'asc' | 'desc' | OrderByOptions): BaseQueryBuilder<S, R, One>;
  groupBy(key: (refs: QueryRefs<S, R>) => Expression | Expression[]): BaseQueryBuilder<S, R, One>;
  limit(n: number): BaseQueryBuilder<S, R, One>;
  offset(n: number): BaseQueryBuilder<S, R, One>;
  distinct(): BaseQueryBuilder<S, R, One>;
  findOne(): BaseQueryBuilder<S, R, true>;
}
/** The builder a query callback starts from. */
export type InitialQueryBuilder = BaseQueryBuilder<{}, unknown, false>;

export interface LiveQueryCollectionConfig<R = any> {
  query: (q: InitialQueryBuilder) => BaseQueryBuilder<any, R, any>;
  /** Start at once (default true). */
  startSync?: boolean;
  /** ms the query stays loaded without subscribers (default 5000; 0 or Infinity: forever). */
  gcTime?: number;
  id?: string;
  /**
   * The result's key for a row (get, has, keys, entries, change messages),
   * as TanStack DB's; default the engine's: the source's key, for a join
   * the canonical text of the pair (`[s"x",s"z"]`, `u` for a missing
   * side: `[s"y",u]`), a group's value. Keys should be unique among the rows
   * (with two alike, get returns the first in the query's order).
   */
  getKey?: (row: R) => string;
}

/** The result of a live query: a read-only collection in the query's order. */
export class LiveQueryCollection<T extends object = Record<string, any>> {
  readonly id: string;
  readonly status: CollectionStatus;
  readonly size: number;
  readonly toArray: T[];
  readonly state: Map<string, T>;
  /** True for a findOne() query. */
  readonly singleResult: boolean;
  readonly utils: {
    /** Moves the window of an ordered query; an on-demand source loads what it needs. */
    setWindow(window: { offset?: number; limit?: number }): true;
  };
  get(key: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  entries(): IterableIterator<[string, T]>;
  [Symbol.iterator](): IterableIterator<[string, T]>;
  forEach(callback: (value: T, key: string, index: number) => void): void;
  map<U>(callback: (value: T, key: string, index: number) => U): U[];
  isReady(): boolean;
  subscribeChanges(callback: (changes: ChangeMessage<T>[]) => void, options?: { includeInitialState?: boolean }): { unsubscribe(): void };
  preload(): Promise<void>;
  stateWhenReady(): Promise<Map<string, T>>;
  toArrayWhenReady(): Promise<T[]>;
  cleanup(): Promise<void>;
}

/** The result's row type is inferred from the query: a from's row, or what select gives. */
export function createLiveQueryCollection<R extends object = any>(
  query: ((q: InitialQueryBuilder) => BaseQueryBuilder<any, R, any>) | LiveQueryCollectionConfig<R>,
): LiveQueryCollection<R>;

/**
 * Runs a query once and releases it, as TanStack DB's: the row or
 * undefined for a findOne() query, else the rows in order.
 */
export function queryOnce<R>(
  query: ((q: InitialQueryBuilder) => BaseQueryBuilder<any, R, true>) | { query: ((q: InitialQueryBuilder) => BaseQueryBuilder<any, R, true>) | BaseQueryBuilder<any, R, true> },
): Promise<R | undefined>;
export function queryOnce<R>(
  query: ((q: InitialQueryBuilder) => BaseQueryBuilder<any, R, false>) | { query: ((q: InitialQueryBuilder) => BaseQueryBuilder<any, R, false>) | BaseQueryBuilder<any, R, false> },
): Promise<R[]>;

export function eq(a: Expression, b: Expression): QueryFunction;
export function gt(a: Expression, b: Expression): QueryFunction;
export function gte(a: Expression, b: Expression): QueryFunction;
export function lt(a: Expression, b: Expression): QueryFunction;
export function lte(a: Expression, b: Expression): QueryFunction;
export function and(...args: Expression[]): QueryFunction;
export function or(...args: Expression[]): QueryFunction;
export function not(a: Expression): QueryFunction;
export function isNull(a: Expression): QueryFunction;
export function isUndefined(a: Expression): QueryFunction;
export function inArray(a: Expression, values: unknown[]): QueryFunction;
export function like(a: Expression, pattern: Expression): QueryFunction;
export function ilike(a: Expression, pattern: Expression): QueryFunction;
export function upper(a: Expression): QueryFunction;
export function lower(a: Expression): QueryFunction;
export function length(a: Expression): QueryFunction<number>;
export function concat(...args: Expression[]): QueryFunction;
export function coalesce(...args: Expression[]): QueryFunction;
export function add(a: Expression, b: Expression): QueryFunction;
export function subtract(a: Expression, b: Expression): QueryFunction;
export function multiply(a: Expression, b: Expression): QueryFunction;
export function divide(a: Expression, b: Expression): QueryFunction;
export function count(a: Expression): Aggregate<number>;
export function sum(a: Expression): Aggregate;
export function avg(a: Expression): Aggregate;
export function min(a: Expression): Aggregate;
export function max(a: Expression): Aggregate;

export class QueryBuilderError extends TanStackDBError {}
export class QueryCompilationError extends TanStackDBError {}
export class JoinError extends TanStackDBError {}
export class GroupByError extends TanStackDBError {}
export class OnlyOneSourceAllowedError extends QueryBuilderError {}
export class InvalidSourceError extends QueryBuilderError {}
export class SubQueryMustHaveFromClauseError extends QueryBuilderError {}
export class QueryMustHaveFromClauseError extends QueryBuilderError {}
export class JoinConditionMustBeEqualityError extends QueryBuilderError {}
export class InvalidWhereExpressionError extends QueryBuilderError {}
export class DistinctRequiresSelectError extends QueryCompilationError {}
export class HavingRequiresGroupByError extends QueryCompilationError {}
export class LimitOffsetRequireOrderByError extends QueryCompilationError {}
export class UnknownFunctionError extends QueryCompilationError {}
export class UnknownExpressionTypeError extends QueryCompilationError {}
export class EmptyReferencePathError extends QueryCompilationError {}
export class DuplicateAliasInSubqueryError extends QueryCompilationError {}
export class UnsafeAliasPathError extends QueryCompilationError {}
export class AggregateNotSupportedError extends QueryCompilationError {}
export class SetWindowRequiresOrderByError extends QueryCompilationError {}
export class UnsupportedJoinTypeError extends JoinError {}
export class InvalidJoinConditionSameSourceError extends JoinError {}
export class InvalidJoinConditionSourceMismatchError extends JoinError {}
export class InvalidJoinConditionLeftSourceError extends JoinError {}
export class InvalidJoinConditionRightSourceError extends JoinError {}
export class NonAggregateExpressionNotInGroupByError extends GroupByError {}
export class UnsupportedAggregateFunctionError extends GroupByError {}
