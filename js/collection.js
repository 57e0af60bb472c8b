// PowerSync collections: powerSyncCollectionOptions and createCollection.
// The items live in the Go engine; this file validates and serializes what
// goes in and parses what comes out.

import { module, loaded, call, check, revive, report } from './loader.js';
import { Table, ColumnType } from './schema.js';
import { PowerSyncDatabase } from './database.js';
import { MissingUpdateArgumentError, CollectionInErrorStateError } from './errors.js';
import { isStandardSchema, validateWith, convertPowerSyncSchemaToSpecs } from './standard-schema.js';
import { fieldValue, isSideValue, encode, userJSON, localValue, unencodable, pathText } from './values.js';
import { transactionFor, collections, Transaction } from './transaction.js';
import { IS_LOCAL_OPTIONS } from './local-only.js';
import { whereJSON } from './expressions.js';
import { EngineCollection } from './engine-collection.js';

const OPTIONS = new Set(['database', 'table', 'tableName', 'schema', 'deserializationSchema', 'serializer',
  'onDeserializationError', 'syncBatchSize', 'syncMode', 'autoIndex', 'id', 'gcTime', 'startSync']);
const STATUS_EVENTS = new Set(['status:change', 'status:idle', 'status:loading', 'status:ready', 'status:error', 'status:cleaned-up']);
const EVENTS = new Set([...STATUS_EVENTS, 'subscribers:change', 'loadingSubset:change', 'index:added', 'index:removed', 'truncate']);
const OP_OPTIONS = new Set(['metadata', 'optimistic']);
const IS_OPTIONS = Symbol('powerSyncCollectionOptions');

/**
 * Describes a collection of one PowerSync table for createCollection:
 * `{ database, table | tableName, schema?, deserializationSchema?, serializer?,
 * onDeserializationError?, syncBatchSize?, syncMode?, autoIndex?, id?, gcTime?, startSync? }`.
 * autoIndex: 'eager' (default: live queries create the ordered indexes they
 * read, as on the field a windowed query orders by) or 'off' (only
 * createIndex does).
 */
export function powerSyncCollectionOptions(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('powerSyncCollectionOptions: config must be an object');
  for (const key of Object.keys(config)) {
    if (!OPTIONS.has(key)) throw new TypeError(`powerSyncCollectionOptions: unknown option "${key}"`);
  }
  const { database, tableName, schema, deserializationSchema, serializer, onDeserializationError,
    syncBatchSize, syncMode, autoIndex, id, gcTime, startSync } = config;
  if (!(database instanceof PowerSyncDatabase)) throw new TypeError('powerSyncCollectionOptions: database must be a PowerSyncDatabase');
  let table = config.table;
  if (table === undefined) {
    if (typeof tableName !== 'string') throw new TypeError('powerSyncCollectionOptions: give table (a Table) or tableName (a string)');
    table = database.schema.props[tableName];
    if (!table) throw new TypeError(`powerSyncCollectionOptions: the database schema has no table "${tableName}"`);
  }
  if (!(table instanceof Table) || !table.name) throw new TypeError('powerSyncCollectionOptions: table must be a Table of the database schema');
  if (database.schema.props[table.name] !== table) throw new TypeError(`powerSyncCollectionOptions: table "${table.name}" is not in the database schema`);
  for (const [k, v] of Object.entries({ schema, deserializationSchema })) {
    if (v !== undefined && !isStandardSchema(v)) throw new TypeError(`powerSyncCollectionOptions: ${k} must be a Standard Schema v1 validator`);
  }
  if (serializer !== undefined && (serializer === null || typeof serializer !== 'object')) throw new TypeError('powerSyncCollectionOptions: serializer must be an object of functions');
  if (onDeserializationError !== undefined && typeof onDeserializationError !== 'function') throw new TypeError('powerSyncCollectionOptions: onDeserializationError must be a function');
  if (syncBatchSize !== undefined && !(Number.isInteger(syncBatchSize) && syncBatchSize > 0)) throw new TypeError('powerSyncCollectionOptions: syncBatchSize must be a positive integer');
  if (syncMode !== undefined && syncMode !== 'eager' && syncMode !== 'on-demand') throw new TypeError(`powerSyncCollectionOptions: syncMode must be 'eager' or 'on-demand'`);
  if (autoIndex !== undefined && autoIndex !== 'eager' && autoIndex !== 'off') throw new TypeError(`powerSyncCollectionOptions: autoIndex must be 'eager' or 'off'`);
  if (id !== undefined && typeof id !== 'string') throw new TypeError('powerSyncCollectionOptions: id must be a string');
  if (gcTime !== undefined && typeof gcTime !== 'number') throw new TypeError('powerSyncCollectionOptions: gcTime must be a number (ms)');
  if (startSync !== undefined && typeof startSync !== 'boolean') throw new TypeError('powerSyncCollectionOptions: startSync must be a boolean');
  return {
    [IS_OPTIONS]: true, database, table, schema, deserializationSchema, serializer: serializer ?? {},
    onDeserializationError, syncBatchSize: syncBatchSize ?? 1000, syncMode: syncMode ?? 'eager', autoIndex: autoIndex ?? 'eager', id, gcTime,
    startSync: startSync ?? true,
  };
}

/** Creates a collection from powerSyncCollectionOptions(...) or localOnlyCollectionOptions(...). */
export function createCollection(options) {
  if (!options || (options[IS_OPTIONS] !== true && options[IS_LOCAL_OPTIONS] !== true)) {
    throw new TypeError('createCollection: options must come from powerSyncCollectionOptions or localOnlyCollectionOptions');
  }
  return new Collection(options);
}

/**
 * Prepares one field of an item for the trip to Go. The table's rules (which
 * fields are columns, which types a column takes, booleans as 1/0) live in
 * Go (collection/powersync: TableValidator, serializeField); here only what
 * needs JS: the application's serializer, the JSON text of an object that a
 * validated item puts in a TEXT column (JSON.stringify's text, as given),
 * and the checks of values.js.
 */
function serializeField(types, serializer, validated, name, v, arg) {
  if (v !== null && v !== undefined && typeof serializer[name] === 'function') v = serializer[name](v);
  if (validated && types.get(name) === ColumnType.TEXT && v !== null && typeof v === 'object' && !(v instanceof Date) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) {
    return userJSON(v, arg);
  }
  return fieldValue(v, arg);
}

function keyList(keys, what) {
  const list = Array.isArray(keys) ? keys : [keys];
  list.forEach((k, i) => {
    if (typeof k !== 'string') throw new TypeError(`${what}: key${Array.isArray(keys) ? `s[${i}]` : ''} must be a string, got ${typeof k}`);
  });
  return list;
}

function opOptions(config, what) {
  if (config === undefined) return [undefined, undefined];
  if (config === null || typeof config !== 'object') throw new TypeError(`${what}: config must be an object`);
  for (const key of Object.keys(config)) {
    if (!OP_OPTIONS.has(key)) throw new TypeError(`${what}: unknown option "${key}"`);
  }
  if (config.optimistic !== undefined && typeof config.optimistic !== 'boolean') throw new TypeError(`${what}: optimistic must be a boolean`);
  return [config.metadata === undefined ? undefined : userJSON(config.metadata, `${what}: metadata`), config.optimistic];
}

function isEqual(a, b) {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  // Deep, not through JSON: JSON.stringify throws on a bigint and makes
  // NaN equal to null, which would drop a change the values table refuses.
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.every((v, i) => v === y[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && isEqual(a[k], b[k]));
}

/**
 * A live, keyed set of the rows of one table, with optimistic mutations
 * on top. Reads are synchronous.
 */
// indexPath runs a createIndex callback on a row that records the field
// path read from it.
function indexPath(callback) {
  const PATH = Symbol('path');
  const at = (path) => new Proxy({}, {
    get(_, prop) {
      if (prop === PATH) return path;
      if (typeof prop === 'symbol') return undefined;
      return at([...path, prop]);
    },
  });
  const path = callback(at([]))?.[PATH];
  if (!Array.isArray(path) || path.length === 0) throw new TypeError('createIndex: the callback must return a field of the row, as (row) => row.field');
  return path;
}

export class Collection extends EngineCollection {
  /** @internal use createCollection */
  constructor(options) {
    super();
    this.config = options;
    if (options[IS_LOCAL_OPTIONS]) {
      this._initLocal(options);
      return;
    }
    this._local = false;
    this._db = options.database;
    this._table = options.table;
    // The application's schema runs here (it is JS); without one, Go checks
    // items against the table's types (the one home of that rule).
    this._schema = options.schema;
    this._out = options.deserializationSchema ?? options.schema;
    this._types = new Map(options.table.columns.map((c) => [c.name, c.type]));
    this._blobs = false; // set by _serialize when a value is a Uint8Array
    this._go = null;
    this._pending = null;
    this._error = null;
    // Read cache: every call into Go costs ~10 µs, so rows already
    // converted are kept until Go reports a change to their key (watchKeys
    // delivers the keys of each change before the call that made it
    // returns, even inside a change callback, where subscribeChanges'
    // deliveries wait). Cached rows keep their identity between reads, as
    // in TanStack DB.
    this._watchId = null;
    this._rows = new Map(); // key -> item
    this._list = null; // items in key order
    this._keyList = null;
    this._size = -1;
    this.utils = { getMeta: () => this._meta() };
    if (this._db.ready) this._create(this._db._handle);
    else if (loaded()) {
      // The database is still opening: as in TanStack DB, the collection
      // is 'loading', and mutations apply at once and persist once it has
      // opened (the engine waits for it; see powersync.Opening).
      this._create(this._db._openingRef());
      this._db.init().catch(() => {}); // a failed open is the collection's error
    } else {
      // The module itself is not loaded yet (init() not awaited): the
      // collection exists once it is.
      this._pending = this._db.init().then(() => this._create(this._db._handle)).catch((e) => { this._error = e; throw e; });
      this._pending.catch(() => {});
    }
  }

  // _initLocal sets up a local-only collection: items are the caller's
  // own objects (JSON values and Uint8Array), kept by the Go engine.
  _initLocal(options) {
    this._local = true;
    this._jsonStorage = options.jsonStorage === true;
    this._db = null;
    this._table = null;
    this._schema = options.schema;
    this._out = undefined;
    this._types = null;
    this._blobs = false;
    this._pending = null;
    this._error = null;
    this._watchId = null;
    this._rows = new Map();
    this._list = null;
    this._keyList = null;
    this._size = -1;
    this.utils = {
      acceptMutations: (transaction) => {
        if (!(transaction instanceof Transaction)) throw new TypeError('acceptMutations: transaction must be a Transaction');
        check(this._g().acceptMutations(transaction._id));
      },
    };
    const { getKey, onInsert, onUpdate, onDelete, initialData } = options;
    const handler = (fn) => fn && ((txId) => Promise.resolve().then(() => fn({ transaction: transactionFor(txId), collection: this })));
    const keyOf = (payload) => {
      const key = getKey(revive(payload));
      // The engine's keys are strings; a number would not find its item again.
      if (typeof key !== 'string') throw new TypeError(`getKey must return a string, got ${typeof key}`);
      return key;
    };
    let initial;
    let blobs;
    if (initialData !== undefined) {
      const flags = { side: false };
      const rows = initialData.map((item, i) => {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new TypeError(`localOnlyCollectionOptions: initialData[${i}] must be an object`);
        return localValue(this._schema ? validateWith(this._schema, item, 'insert') : item, `initialData[${i}]`, flags);
      });
      [initial, blobs] = encode(rows, flags.side);
    }
    const opts = options.id === undefined ? {} : { id: options.id };
    this._go = check(module().createLocalCollection(JSON.stringify(opts), keyOf, handler(onInsert), handler(onUpdate), handler(onDelete), initial, blobs));
    this.id = this._go.id;
    collections.set(this.id, new WeakRef(this));
    options.attach?.(this);
  }

  // _create makes the engine's collection on database, an open database's
  // handle or the stand-in of a database still opening.
  _create(database) {
    const o = this.config;
    const opts = { syncBatchSize: o.syncBatchSize, syncMode: o.syncMode, autoIndex: o.autoIndex, startSync: o.startSync, hostValidated: o.schema !== undefined };
    if (o.id !== undefined) opts.id = o.id;
    if (o.gcTime !== undefined) opts.gcTime = o.gcTime;
    this._go = check(module().createCollection(database, this._table.name, JSON.stringify(opts)));
    this.id = this._go.id;
    collections.set(this.id, new WeakRef(this));
  }

  // _cached reports whether the read cache is live, starting it once sync
  // has started (the watch must not start sync itself).
  _cached() {
    if (this._watchId !== null) return true;
    if (!this._go) return false;
    const status = check(this._go.status());
    if (status === 'idle' || status === 'cleaned-up') return false;
    this._watchId = check(this._go.watchKeys((text) => this._changed(JSON.parse(text))));
    this._forget();
    return true;
  }

  _changed(keys) {
    for (const k of keys) this._rows.delete(k);
    this._list = null;
    this._keyList = null;
    this._size = -1;
  }

  _forget() {
    this._rows.clear();
    this._list = null;
    this._keyList = null;
    this._size = -1;
  }

  _g() {
    if (this._go) return this._go;
    if (this._error) throw this._error;
    throw new Error(`collection of "${this._table.name}": the module is still loading; await init() before using collections (or await collection.preload())`);
  }

  // _usable refuses a mutation while the database's open has failed and
  // the engine's collection does not exist (init() was not awaited): as the
  // engine refuses one in the error status (bridge/usertext.go has the text).
  _usable(op) {
    if (this._go || !this._error) return;
    const e = new CollectionInErrorStateError(`Cannot perform ${op} on collection "${this.id ?? ''}" - collection is in error state. Try calling cleanup() and restarting the collection.`);
    e.cause = this._error;
    throw e;
  }

  _meta() {
    return JSON.parse(check(this._g().getMeta()));
  }

  // _row turns a row from Go into the collection's output type.
  _row(raw) {
    if (!this._out) return raw;
    try {
      return validateWith(this._out, raw, 'insert');
    } catch (e) {
      this.config.onDeserializationError?.({ issues: e.issues ?? [{ message: e.message }] });
      return raw;
    }
  }

  /** Whether the collection is ready: its sync source has loaded it. */
  isReady() {
    return this.status === 'ready';
  }

  /**
   * Calls callback once the collection is ready: at once if it is now,
   * else when it becomes ready. It does not start sync; a cleanup before
   * then drops the callback. Returns a function that drops it.
   */
  onFirstReady(callback) {
    if (typeof callback !== 'function') throw new TypeError('onFirstReady: callback must be a function');
    let active = true;
    const run = () => {
      if (!active) return;
      active = false;
      try {
        callback();
      } catch (e) {
        report(e);
      }
    };
    if (this.isReady()) run();
    else if (this._go) check(this._go.onFirstReady(run));
    else this._pending.then(() => { if (active) check(this._go.onFirstReady(run)); }, () => {});
    return () => { active = false; };
  }

  /**
   * The items as insert changes, { type: 'insert', key, value }, in key
   * order; with limit, the first limit of them. where and orderBy take the
   * query builder's expressions, which this package does not have yet.
   */
  currentStateAsChanges(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('currentStateAsChanges: options must be an object');
    for (const key of Object.keys(options)) {
      if (key === 'where' || key === 'orderBy') {
        throw new TypeError(`currentStateAsChanges: ${key} needs the query builder's expressions, which this package does not have yet; filter the returned changes instead`);
      }
      if (key !== 'limit' && key !== 'optimizedOnly') throw new TypeError(`currentStateAsChanges: unknown option "${key}"`);
    }
    const { limit } = options;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new TypeError('currentStateAsChanges: limit must be a non-negative integer');
    const changes = [];
    for (const [key, value] of this.entries()) {
      if (limit !== undefined && changes.length >= limit) break;
      changes.push({ type: 'insert', key, value });
    }
    return changes;
  }

  /**
   * Validates data as a mutation would, as TanStack DB's validateData:
   * type is 'insert' or 'update'. Returns the schema's output value, or
   * data itself when the collection has no schema (a PowerSync collection
   * without one checks its table's column types). An update with the key
   * of an item is checked merged with that item, and returns only the
   * fields data gives. Throws SchemaValidationError (or
   * SchemaMustBeSynchronousError).
   */
  validateData(data, type, key) {
    if (type !== 'insert' && type !== 'update') throw new TypeError(`validateData: type must be 'insert' or 'update', got ${JSON.stringify(type)}`);
    const schema = this._schema ?? this._tableSchema();
    if (!schema) return data;
    if (type === 'update' && key !== undefined && data !== null && typeof data === 'object') {
      const existing = this.get(key);
      if (existing !== null && typeof existing === 'object') {
        const merged = validateWith(schema, { ...existing, ...data }, type);
        return Object.fromEntries(Object.keys(data).map((k) => [k, merged[k]]));
      }
    }
    return validateWith(schema, data, type);
  }

  // _tableSchema is the Standard Schema of the table's column types (the
  // Go module's rules), for a PowerSync collection without a schema; it
  // follows updateSchema.
  _tableSchema() {
    if (this._local) return undefined;
    const schema = this._db.schema;
    if (this._tableSpecOf !== schema) {
      this._tableSpec = convertPowerSyncSchemaToSpecs(schema)[this._table.name];
      this._tableSpecOf = schema;
    }
    return this._tableSpec;
  }

  /** Calls callback(value, key, index) for each item, in key order. */
  forEach(callback) {
    if (typeof callback !== 'function') throw new TypeError('forEach: callback must be a function');
    let i = 0;
    for (const [key, value] of this.entries()) callback(value, key, i++);
  }

  /** The results of callback(value, key, index) for each item, in key order. */
  map(callback) {
    if (typeof callback !== 'function') throw new TypeError('map: callback must be a function');
    const out = [];
    let i = 0;
    for (const [key, value] of this.entries()) out.push(callback(value, key, i++));
    return out;
  }

  /** The key the collection gives item: its id, or a local-only collection's getKey(item). */
  getKeyFromItem(item) {
    return this._local ? this.config.getKey(item) : item?.id;
  }

  /**
   * Calls handler(event) on each `event`, as TanStack DB's collection
   * events: 'status:change' ({ type, collection, previousStatus, status }),
   * 'status:idle' | 'status:loading' | 'status:ready' | 'status:error' |
   * 'status:cleaned-up', 'subscribers:change' ({ type, collection,
   * previousSubscriberCount, subscriberCount }), 'loadingSubset:change'
   * (see isLoadingSubset), and 'index:added' and 'index:removed' ({ type,
   * collection, index: { name, path } }, also for a live query's index),
   * and 'truncate' ({ type, collection }: the synced rows were replaced
   * whole, as when another tab's commits were missed and the table reread). Handlers run after the change, in order. Returns a
   * function that removes the handler.
   */
  on(event, handler) {
    if (typeof event !== 'string' || !EVENTS.has(event)) {
      throw new TypeError(`on: unsupported event ${JSON.stringify(event)}; this package emits ${[...EVENTS].join(', ')}`);
    }
    if (typeof handler !== 'function') throw new TypeError('on: handler must be a function');
    this._events ??= new Map();
    if (!this._events.has(event)) this._events.set(event, new Set());
    this._events.get(event).add(handler);
    // One engine listener per kind of event, made on its first handler.
    const kind = STATUS_EVENTS.has(event) ? 'status' : event.startsWith('index:') ? 'index' : event;
    this._watched ??= new Set();
    if (!this._watched.has(kind)) {
      this._watched.add(kind);
      const watch = {
        status: () => check(this._go.onStatusChange((from, to) => this._emitStatus(from, to))),
        'subscribers:change': () => check(this._go.onSubscribersChange((previousSubscriberCount, subscriberCount) => this._emit('subscribers:change',
          { type: 'subscribers:change', collection: this, previousSubscriberCount, subscriberCount }))),
        'loadingSubset:change': () => check(this._go.onLoadingSubsetChange((previousIsLoadingSubset, isLoadingSubset) => this._emit('loadingSubset:change',
          { type: 'loadingSubset:change', collection: this, isLoadingSubset, previousIsLoadingSubset, loadingSubsetTransition: isLoadingSubset ? 'start' : 'end' }))),
        truncate: () => check(this._go.onTruncate(() => this._emit('truncate', { type: 'truncate', collection: this }))),
        index: () => check(this._go.onIndexChange((what, name, path) => this._emit(`index:${what}`,
          { type: `index:${what}`, collection: this, index: { name, path } }))),
      }[kind];
      if (this._go) watch();
      else this._pending.then(watch, () => {});
    }
    return () => this.off(event, handler);
  }

  /** on(), for the next event only. */
  once(event, handler) {
    if (typeof handler !== 'function') throw new TypeError('once: handler must be a function');
    const off = this.on(event, (e) => {
      off();
      handler(e);
    });
    return off;
  }

  /** Removes a handler added with on(). */
  off(event, handler) {
    this._events?.get(event)?.delete(handler);
  }

  /**
   * Resolves with the next `event`; with timeout (ms), rejects if none
   * comes by then.
   */
  waitFor(event, timeout) {
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0)) throw new TypeError('waitFor: timeout must be a number of milliseconds');
    return new Promise((resolve, reject) => {
      let timer;
      const off = this.once(event, (e) => {
        clearTimeout(timer);
        resolve(e);
      });
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          off();
          reject(new Error(`waitFor: no ${event} event within ${timeout} ms`));
        }, timeout);
      }
    });
  }

  _emitStatus(previousStatus, status) {
    for (const type of ['status:change', `status:${status}`]) this._emit(type, { type, collection: this, previousStatus, status });
  }

  _emit(type, event) {
    for (const h of [...(this._events?.get(type) ?? [])]) {
      try {
        h(event);
      } catch (e) {
        report(e);
      }
    }
  }

  /**
   * Whether the collection is loading a subset of its rows for a live
   * query (an on-demand collection reading SQLite), as TanStack DB's; the
   * 'loadingSubset:change' event ({ type, collection, isLoadingSubset,
   * previousIsLoadingSubset, loadingSubsetTransition: 'start' | 'end' })
   * follows it.
   */
  get isLoadingSubset() {
    return this._go ? check(this._go.isLoadingSubset()) : false;
  }

  /**
   * The number of active subscriptions: subscribeChanges callers and the
   * live queries reading the collection.
   */
  get subscriberCount() {
    return this._go ? check(this._go.subscriberCount()) : 0;
  }

  /** 'idle' | 'loading' | 'ready' | 'error' | 'cleaned-up' */
  get status() {
    if (!this._go) return this._error ? 'error' : 'loading';
    return check(this._go.status());
  }

  /** The item with key, or undefined. */
  get(key) {
    keyList(key, 'get');
    const cached = this._cached();
    if (cached && this._rows.has(key)) return this._rows.get(key);
    const p = check(this._g().get(key));
    const item = p === undefined ? undefined : this._row(revive(p));
    if (cached) this._rows.set(key, item);
    return item;
  }

  /** Whether the collection shows an item with key. */
  has(key) {
    keyList(key, 'has');
    if (this._cached() && this._rows.has(key)) return this._rows.get(key) !== undefined;
    return check(this._g().has(key));
  }

  /** The number of items. */
  get size() {
    if (!this._go) return 0;
    if (!this._cached()) return check(this._go.size());
    if (this._size < 0) this._size = check(this._go.size());
    return this._size;
  }

  /** The items, in key order. */
  get toArray() {
    if (!this._go) return [];
    if (this._cached() && this._list) return this._list.slice();
    const list = revive(check(this._go.values())).map((r) => this._row(r));
    if (this._watchId !== null) {
      this._list = list;
      return list.slice();
    }
    return list;
  }

  /** The items as a Map from key to item. */
  get state() {
    return new Map(this.entries());
  }

  /** The keys, in order. */
  *keys() {
    if (!this._go) return;
    if (this._cached() && this._keyList) {
      yield* this._keyList.slice();
      return;
    }
    const keys = revive(check(this._go.keys()));
    if (this._watchId !== null) this._keyList = keys;
    yield* keys.slice();
  }

  /** The items, in key order. */
  *values() {
    yield* this.toArray;
  }

  /** [key, item] pairs, in key order. */
  *entries() {
    const keys = [...this.keys()];
    const items = this.toArray;
    for (let i = 0; i < keys.length; i++) yield [keys[i], items[i]];
  }

  [Symbol.iterator]() {
    return this.entries();
  }

  /** Inserts one item or an array of them optimistically; returns the Transaction. */
  insert(items, config) {
    this._usable('insert');
    const list = Array.isArray(items) ? items : [items];
    const [meta, optimistic] = opOptions(config, 'insert');
    const rows = list.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new TypeError(`insert: item${Array.isArray(items) ? `s[${i}]` : ''} must be an object`);
      }
      const v = this._schema ? validateWith(this._schema, item, 'insert') : item;
      return this._serialize(v, Array.isArray(items) ? `insert: items[${i}]` : 'insert: item');
    });
    const [text, blobs] = this._encode(rows, 'insert', 'items', Array.isArray(items) ? undefined : 'item');
    return transactionFor(check(this._g().insert(text, blobs, meta, optimistic)), this._local ? undefined : this._db);
  }

  _serialize(item, arg) {
    if (this._local) {
      const flags = { side: false };
      const out = localValue(item, arg, flags);
      if (flags.side && this._jsonStorage) {
        // Kept in JSON text (localStorage with the default parser): what
        // JSON cannot hold would be lost or fail to save.
        const [at, v] = flags.at;
        const what = v instanceof Uint8Array ? 'bytes' : v instanceof BigInt64Array ? `the bigint ${v[0]}` : String(v[0]);
        throw new TypeError(`${at}: localStorage keeps JSON, which cannot hold ${what}; give the collection a parser that can`);
      }
      if (flags.side) this._blobs = true;
      return out;
    }
    const out = {};
    const validated = this._schema !== undefined;
    for (const k in item) {
      if (!Object.hasOwn(item, k)) continue;
      const v = serializeField(this._types, this.config.serializer, validated, k, item[k], `${arg}.${k}`);
      if (isSideValue(v)) this._blobs = true;
      out[k] = v;
    }
    return out;
  }

  // _encode is encode() of the rows with a TypeError naming the operation
  // and the field when a nested value cannot be JSON (a bigint inside an
  // object).
  // name is the rows' name in the call (items, drafts), one when the call
  // was given a single one (item, draft), as _serialize's errors say.
  _encode(value, what, name, one) {
    try {
      return encode(value, this._takeBlobs());
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      const at = unencodable(value);
      const path = at && (one ? [one, ...at.slice(1)] : [name, ...at]);
      throw new TypeError(`${what}: ${path ? `${pathText(path)}: ` : ''}${e.message}`);
    }
  }

  _takeBlobs() {
    const b = this._blobs;
    this._blobs = false;
    return b;
  }

  /**
   * Updates the items with key (or keys): callback changes a draft copy
   * (an array of drafts for an array of keys); only the changed fields
   * are sent and persisted. Returns the Transaction.
   */
  update(keys, configOrCallback, maybeCallback) {
    this._usable('update');
    const list = keyList(keys, 'update');
    const [config, callback] = typeof configOrCallback === 'function' ? [undefined, configOrCallback] : [configOrCallback, maybeCallback];
    if (callback === undefined && (config === undefined || (config !== null && typeof config === 'object'))) {
      throw new MissingUpdateArgumentError(config === undefined
        ? 'update: the draft callback is missing: update(key, (draft) => { draft.field = value })'
        : 'update: changes go in a callback, not an object: update(key, (draft) => { draft.field = value }); an object before the callback is the config { metadata, optimistic }');
    }
    const [meta, optimistic] = opOptions(config, 'update');
    if (typeof callback !== 'function') throw new TypeError('update: callback must be a function');
    const current = list.map((k) => this.get(k));
    const drafts = current.map((c) => (c === undefined ? {} : structuredClone(c)));
    callback(Array.isArray(keys) ? drafts : drafts[0]);
    const changes = drafts.map((draft, i) => {
      const before = current[i];
      if (before === undefined) return {};
      const after = this._schema ? validateWith(this._schema, draft, 'update') : draft;
      const changed = {};
      for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
        if (!isEqual(before[k], after[k])) changed[k] = after[k] ?? null;
      }
      return this._serialize(changed, Array.isArray(keys) ? `update: drafts[${i}]` : 'update: draft');
    });
    const [text, blobs] = this._encode(changes, 'update', 'drafts', Array.isArray(keys) ? undefined : 'draft');
    return transactionFor(check(this._g().update(list, text, blobs, meta, optimistic)), this._local ? undefined : this._db);
  }

  /** Deletes the items with key (or keys) optimistically; returns the Transaction. */
  delete(keys, config) {
    this._usable('delete');
    const list = keyList(keys, 'delete');
    const [meta, optimistic] = opOptions(config, 'delete');
    return transactionFor(check(this._g().delete(list, meta, optimistic)), this._local ? undefined : this._db);
  }

  /**
   * Calls callback with each batch of changes ({ type, key, value,
   * previousValue? }[]); returns { unsubscribe() }. options:
   * includeInitialState (the current items first, as inserts) and where,
   * `(row) => eq(row.field, value)`: only the items that match (one that
   * starts matching arrives as an insert, one that stops as a delete; an
   * index on a compared field answers the initial state).
   */
  subscribeChanges(callback, options = {}) {
    if (typeof callback !== 'function') throw new TypeError('subscribeChanges: callback must be a function');
    if (options === null || typeof options !== 'object') throw new TypeError('subscribeChanges: options must be an object');
    const { includeInitialState } = options;
    if (includeInitialState !== undefined && typeof includeInitialState !== 'boolean') throw new TypeError('subscribeChanges: includeInitialState must be a boolean');
    const where = whereJSON(options.where);
    const deliver = (payload) => {
      if (payload instanceof Error) {
        // Go could not encode these changes: the cache rereads everything,
        // and the failure is reported rather than passed over in silence.
        this._forget();
        report(payload);
        return;
      }
      // The cache is already current: watchKeys hears of every change before
      // the call that made it returns, this one's included.
      const changes = revive(payload);
      if (this._out) {
        for (const c of changes) {
          c.value = this._row(c.value);
          if (c.previousValue) c.previousValue = this._row(c.previousValue);
        }
      }
      try {
        callback(changes);
      } catch (e) {
        // The change has happened; a failing listener must not undo it or
        // starve the other listeners.
        report(e);
      }
    };
    let id = null;
    let active = true;
    const start = () => {
      if (!active) return;
      this._cached(); // the cache's watch starts with sync, before any change reaches this subscriber
      id = check(this._go.subscribeChanges(deliver, includeInitialState, where));
    };
    if (this._go) start();
    else this._pending.then(start, () => {});
    return {
      unsubscribe: () => {
        active = false;
        if (id !== null) this._go.unsubscribe(id);
        id = null;
      },
    };
  }

  /**
   * Creates an ordered index on the field the callback reads, as
   * `(row) => row.field` (or `row.a.b`), kept up to date on every change,
   * optimistic or synced; TanStack DB's createIndex. Live queries whose
   * where or orderBy reads that field use it. options: `{ name? }` (an
   * index with that name already there is reused; indexType and its
   * options are accepted and ignored: every index is an ordered one).
   * Returns `{ name, path }`; name is set once the collection exists.
   */
  createIndex(callback, options = {}) {
    if (typeof callback !== 'function') throw new TypeError('createIndex: callback must be a function, as (row) => row.field');
    if (options === null || typeof options !== 'object') throw new TypeError('createIndex: options must be an object');
    const { name } = options;
    if (name !== undefined && typeof name !== 'string') throw new TypeError('createIndex: name must be a string');
    const path = indexPath(callback);
    const index = { name: name ?? null, path };
    const make = () => { index.name = check(this._go.createIndex(path, name ?? '')); };
    if (this._go) make();
    else this._pending.then(make, () => {});
    return index;
  }

  /**
   * Drops an index: the `{ name }` createIndex returned, or its name.
   * Returns whether the collection had it. An 'index:removed' event
   * follows. A live query made with autoIndex 'eager' creates its index
   * again when it needs it.
   */
  removeIndex(index) {
    const name = typeof index === 'string' ? index : index?.name;
    if (typeof name !== 'string') throw new TypeError('removeIndex: give the index createIndex returned (once the collection exists) or its name');
    return check(this._g().removeIndex(name));
  }
}
