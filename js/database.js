// PowerSyncDatabase: the JS face of the Go store.

import { init, module, call, check, revive, report, txScope, inTxScope } from './loader.js';
import { Schema } from './schema.js';
import { CrudEntry, CrudBatch, CrudTransaction } from './crud.js';
import { SyncStatus, reviveSyncStatus } from './sync-status.js';
import { queryOf } from './watched-query.js';
import { sqlParams } from './values.js';
import { settlePersisting } from './transaction.js';
import { DatabaseClosedError, TransactionReentryError } from './errors.js';

const SYNC_LOCK_PREFIX = 'gopowersync-sync:';
/** The keys options.database may have. */
const DATABASE_OPTIONS = new Set(['dbFilename', 'dbLocation', 'lockTimeoutMs']);
const isBrowser = typeof process !== 'object' || typeof process.versions?.node !== 'string';
const QUERY = { execute: 0, getAll: 1, get: 2, getOptional: 3, executeRaw: 4 };
const QUERY_NAMES = Object.keys(QUERY);

// How long a call on the database may wait for its lock, while one of its
// transaction callbacks runs, before a warning says that a db.* call inside
// a transaction callback waits forever (where txScope cannot tell: the
// browsers).
const LOCK_WAIT_WARNING_MS = 5000;

// Thrown into Go from a transaction callback to make it roll back when the
// callback itself did not fail (tx.rollback(), or a lockTimeout passed).
const ROLLBACK = new Error('gopowersync: transaction rolled back');

/** A query result in PowerSync's shape. */
function queryResult(payload) {
  const rows = revive(payload);
  const more = Array.isArray(payload); // execute's [text, blobs, rowsAffected, insertId]
  return {
    rowsAffected: (more && payload[2]) || 0,
    insertId: (more && payload[3]) || undefined,
    rows: { _array: rows, length: rows.length, item: (i) => rows[i] },
  };
}

/** Checks sql and returns params converted for Go (see values.js). */
function sqlCheck(sql, params) {
  if (typeof sql !== 'string') throw new TypeError(`sql: want a string, got ${typeof sql}`);
  return sqlParams(params);
}

/** Wraps a user callback so that its exception is reported, not thrown into Go. */
function guarded(fn) {
  return (v) => {
    try {
      fn(v);
    } catch (e) {
      report(e);
    }
  };
}

// PowerSync's default throttle of onChange and watch (DEFAULT_WATCH_THROTTLE_MS).
const DEFAULT_THROTTLE_MS = 30;

// The events registerListener takes (PowerSync's PowerSyncDBListener).
const LISTENER_EVENTS = ['statusChanged', 'statusUpdated', 'initialized', 'schemaChanged', 'closing', 'closed'];

function checkWatchOptions(what, o) {
  if (typeof o !== 'object') throw new TypeError(`${what}: options must be an object`);
  if (o.throttleMs !== undefined && !(typeof o.throttleMs === 'number' && o.throttleMs >= 0 && Number.isFinite(o.throttleMs))) {
    throw new TypeError(`${what}: options.throttleMs must be a number of milliseconds >= 0`);
  }
  if (o.triggerImmediate !== undefined && typeof o.triggerImmediate !== 'boolean') throw new TypeError(`${what}: options.triggerImmediate must be a boolean`);
  if (o.signal !== undefined && (o.signal === null || typeof o.signal !== 'object' || typeof o.signal.addEventListener !== 'function' || typeof o.signal.aborted !== 'boolean')) {
    throw new TypeError(`${what}: options.signal must be an AbortSignal`);
  }
  if (o.tables !== undefined && (!Array.isArray(o.tables) || o.tables.some((t) => typeof t !== 'string'))) {
    throw new TypeError(`${what}: options.tables must be an array of table names`);
  }
  if (o.onResult !== undefined && typeof o.onResult !== 'function') throw new TypeError(`${what}: options.onResult must be a function`);
}

/**
 * A trailing throttle: after poke(), flush runs once ms later, taking
 * whatever gathered meanwhile (PowerSync's throttleTrailing); with ms 0 it
 * runs at once.
 */
function trailing(ms, flush) {
  let timer = null;
  return {
    poke() {
      if (ms === 0) flush();
      else timer ??= setTimeout(() => { timer = null; flush(); }, ms);
    },
    cancel() {
      clearTimeout(timer);
      timer = null;
    },
  };
}

/** Statement methods shared by the database and its transaction contexts. */
class Queries {
  /** Runs a statement: { rowsAffected, insertId, rows: { _array, length, item(i) } }. */
  async execute(sql, params = []) {
    return queryResult(await this._query(QUERY.execute, sql, sqlCheck(sql, params)));
  }

  /** Runs a query and returns all its rows. */
  async getAll(sql, params = []) {
    return revive(await this._query(QUERY.getAll, sql, sqlCheck(sql, params)));
  }

  /** Runs a query and returns its first row; throws if there is none. */
  async get(sql, params = []) {
    return revive(await this._query(QUERY.get, sql, sqlCheck(sql, params)));
  }

  /** Runs a query and returns its first row, or null. */
  async getOptional(sql, params = []) {
    return revive(await this._query(QUERY.getOptional, sql, sqlCheck(sql, params)));
  }

  /**
   * Runs a statement and returns its rows as arrays of values in column
   * order (columns that share a name stay apart).
   */
  async executeRaw(sql, params = []) {
    sqlCheck(sql, params);
    return revive(await this._query(QUERY.executeRaw, sql, params));
  }

  /**
   * Runs one statement once per parameter list in paramSets:
   * { rowsAffected (summed), insertId (of the last run) }.
   */
  async executeBatch(sql, paramSets = []) {
    sqlCheck(sql, undefined);
    if (!Array.isArray(paramSets) || paramSets.some((p) => !Array.isArray(p))) {
      throw new TypeError('executeBatch: params must be an array of parameter arrays');
    }
    return this._batch(async (ctx) => {
      let rowsAffected = 0;
      let insertId;
      for (const params of paramSets) {
        const r = await ctx.execute(sql, params);
        rowsAffected += r.rowsAffected;
        insertId = r.insertId;
      }
      return { rowsAffected, insertId };
    });
  }
}

/** The `ctx` a writeLock/readLock callback receives. */
class TransactionContext extends Queries {
  constructor(handle, id) {
    super();
    this._handle = handle;
    this._id = id;
    this._ended = null; // 'commit' or 'rollback' once tx.commit()/tx.rollback() was called
  }

  _query(kind, sql, params) {
    if (this._ended === 'rollback') {
      return Promise.reject(new Error(`${QUERY_NAMES[kind]}: the transaction was rolled back (tx.rollback()); nothing after it is written`));
    }
    return call(this._handle.txQuery, this._id, kind, sql, params);
  }

  // Inside a transaction, a batch is just its statements.
  _batch(run) {
    return run(this);
  }
}

/** The `tx` a writeTransaction/readTransaction callback receives: PowerSync's Transaction. */
class Transaction extends TransactionContext {
  /**
   * As PowerSync's Transaction.commit: the transaction ends committed,
   * whatever the callback then returns or throws; the first of
   * commit()/rollback() decides, later calls do nothing. The writes are
   * made durable when the callback ends (the lock is held until then, so
   * no other caller can observe the difference); statements run through
   * tx after commit() are kept too, in the same upload transaction (under
   * PowerSync each is its own: docs/API.md says why not yet).
   */
  async commit() {
    this._ended ??= 'commit';
  }

  /**
   * As PowerSync's Transaction.rollback: the transaction ends rolled back
   * and writeTransaction resolves with what the callback returns (or
   * rejects with what it throws). Statements through tx after it reject.
   */
  async rollback() {
    this._ended ??= 'rollback';
  }
}

/**
 * A PowerSync-compatible local database. `dbFilename` is a file in Node,
 * a file in the origin private file system in browsers, or ':memory:'.
 */
export class PowerSyncDatabase extends Queries {
  /** @param {{ schema: Schema, database: { dbFilename: string, dbLocation?: string, lockTimeoutMs?: number } }} options */
  constructor(options) {
    super();
    if (options === null || typeof options !== 'object') throw new TypeError('PowerSyncDatabase: options must be an object');
    const { schema, database } = options;
    if (!(schema instanceof Schema)) throw new TypeError('PowerSyncDatabase: options.schema must be a Schema');
    if (database === null || typeof database !== 'object' || typeof database.dbFilename !== 'string' || database.dbFilename === '') {
      throw new TypeError('PowerSyncDatabase: options.database.dbFilename must be a non-empty string');
    }
    const unknown = Object.keys(database).filter((k) => !DATABASE_OPTIONS.has(k));
    if (unknown.length) {
      throw new TypeError(`PowerSyncDatabase: unknown options.database option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
    }
    if (database.dbLocation !== undefined && !(typeof database.dbLocation === 'string' && database.dbLocation !== '')) {
      throw new TypeError('PowerSyncDatabase: options.database.dbLocation must be a non-empty string (a directory)');
    }
    if (database.lockTimeoutMs !== undefined && !(typeof database.lockTimeoutMs === 'number' && database.lockTimeoutMs > 0)) {
      throw new TypeError('PowerSyncDatabase: options.database.lockTimeoutMs must be a positive number of milliseconds');
    }
    this.schema = schema;
    this.dbFilename = database.dbFilename;
    // _path is the file opened. In Node dbLocation is the file's directory,
    // as in @powersync/node (which joins the two); a browser's origin
    // private file system is opened by dbFilename alone, and dbLocation is
    // ignored there, as @powersync/web does.
    this._path = isBrowser || database.dbLocation === undefined || this.dbFilename === ':memory:'
      ? this.dbFilename
      : `${database.dbLocation.replace(/[\\/]+$/, '')}/${this.dbFilename.replace(/^[\\/]+/, '')}`;
    this._lockTimeoutMs = database.lockTimeoutMs;
    this.closed = false;
    this._inflight = new Set();
    this._openTxs = new Set(); // the transaction callbacks running (their scopes)
    this._handle = null;
    this._storage = null;
    this._ready = null;
    this._status = new SyncStatus();
    this._listeners = new Set();
    this._connectWaiters = new Set(); // resolvers of connect() calls waiting for their first attempt
    this._keepAlive = null;
    // Sync ownership between the contexts sharing the database (see connect).
    this._syncRequest = null; // {connector, text}: what connect() asked for, while it stands
    this._syncWaiting = null; // AbortController of the pending lock request
    this._syncRelease = null; // releases the sync lock while this context syncs
    this._ownerStatus = false; // the status shown is another context's
    this._unlisten = [];
  }

  /** Opens the database (loading the module if needed). */
  init() {
    this._ready ??= this._open().then(() => { this._emit('initialized'); }, (e) => {
      this._openError = e;
      this._settleOpening(undefined, e);
      throw e;
    });
    return this._ready;
  }

  /**
   * The engine's stand-in for this database while it opens, which
   * collections made before the open are created on: their mutations
   * apply at once and persist once it has opened (or fail with the open's
   * error). Needs the module loaded. @internal
   */
  _openingRef() {
    if (!this._opening) {
      this._opening = check(module().openingDatabase(JSON.stringify(this.schema)));
      if (this._openError) this._settleOpening(undefined, this._openError);
    }
    return this._opening;
  }

  // _settleOpening tells the stand-in of _openingRef how the open ended.
  _settleOpening(handle, error) {
    const opening = this._opening;
    if (!opening || opening.settled) return;
    opening.settled = true;
    check(module().settleOpening(opening, handle, error));
  }

  /**
   * Resolves once predicate(currentStatus) is truthy (now or on a later
   * status change), or when signal aborts.
   * @param {(status: SyncStatus) => unknown} predicate
   * @param {AbortSignal} [signal]
   */
  async waitForStatus(predicate, signal) {
    if (typeof predicate !== 'function') throw new TypeError('waitForStatus: predicate must be a function');
    if (predicate(this._status) || signal?.aborted) return;
    await new Promise((resolve) => {
      const done = () => {
        dispose();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const dispose = this.registerListener({ statusChanged: (s) => { if (predicate(s)) done(); } });
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves once the database is open. */
  waitForReady() {
    return this.init();
  }

  /** True once init() has finished. */
  get ready() {
    return this._handle !== null;
  }

  async _open() {
    await init();
    let storage = null;
    let unlock = null;
    if (isBrowser && this._path !== ':memory:') {
      const { openOPFSStorage } = await import('./opfs.js');
      storage = await openOPFSStorage(this._path, { lockTimeoutMs: this._lockTimeoutMs });
    } else if (this._path !== ':memory:') {
      // Node: one process (one database object) per file; a second
      // opener gets DatabaseLockedError here, before touching the file.
      const { lockDatabaseFile } = await import('./node-lock.js');
      unlock = await lockDatabaseFile(this._path);
    }
    try {
      this._handle = await call(module().openDatabase, JSON.stringify(this.schema), this._path, storage);
      this._settleOpening(this._handle, undefined);
      this._storage = storage;
      this._unlock = unlock;
      this._statusChanged(check(this._handle.onSyncStatus((text) => this._ownStatus(text))));
      if (this._shared()) {
        // The context that syncs tells the others its status.
        this._unlisten.push(
          storage.listen('status', (msg) => {
            if (this._syncRelease) return;
            this._ownerStatus = true;
            this._statusChanged(msg.text);
          }),
          storage.listen('status?', () => {
            if (this._syncRelease) storage.broadcast({ type: 'status', text: this._statusText });
          }),
        );
        storage.broadcast({ type: 'status?' });
      }
    } catch (e) {
      await storage?.close();
      unlock?.();
      throw e;
    }
  }

  async _h() {
    if (this.closed) throw new DatabaseClosedError();
    if (!this._handle) await this.init();
    return this._handle;
  }

  // _track records work issued on the database, so that close() lets it
  // finish first.
  _track(promise) {
    this._inflight.add(promise);
    const forget = () => { this._inflight.delete(promise); };
    promise.then(forget, forget);
    return promise;
  }

  _query(kind, sql, params) {
    return this._locking(QUERY_NAMES[kind], () => this._track(this._h().then((h) => call([h.execute, h.getAll, h.get, h.getOptional, h.executeRaw][kind], sql, params))));
  }

  // _locking starts a call that takes the database's lock. Made inside one
  // of this database's transaction callbacks, which holds that lock, it
  // would wait forever (as in PowerSync): where the runtime can tell
  // (txScope), it rejects at once with TransactionReentryError; elsewhere,
  // if it is still waiting after LOCK_WAIT_WARNING_MS while a transaction
  // callback runs, a warning names the way out (the tx argument).
  _locking(what, start) {
    const scope = txScope?.getStore();
    if (scope?.db === this && scope.open) return Promise.reject(new TransactionReentryError(what, scope.kind));
    const p = start();
    if (this._openTxs.size > 0) {
      const timer = setTimeout(() => {
        const [open] = this._openTxs;
        if (!open) return;
        console.warn(`gopowersync: db.${what}() has waited ${LOCK_WAIT_WARNING_MS / 1000} s for the database's lock, which a ${open.kind} callback holds. `
          + `A call on the database made inside a transaction callback waits for that transaction to end, forever if the callback awaits it: use the callback's tx argument (tx.execute(...)) there.`);
      }, LOCK_WAIT_WARNING_MS);
      const done = () => clearTimeout(timer);
      p.then(done, done);
    }
    return p;
  }

  // A batch on the database is one write transaction: all or nothing.
  _batch(run) {
    return this.writeTransaction(run);
  }

  /**
   * Runs callback(tx) in a write transaction: committed if it resolves,
   * rolled back if it throws, unless tx.commit() or tx.rollback() decided
   * first. lockTimeout (ms, optional): if the database's lock is not free
   * by then, rejects with an Error and the callback never runs; without
   * it the call waits.
   */
  async writeTransaction(callback, lockTimeout) {
    return this._transaction('writeTransaction', callback, lockTimeout);
  }

  /** Runs callback(tx) in a read transaction; lockTimeout as writeTransaction's. */
  async readTransaction(callback, lockTimeout) {
    return this._transaction('readTransaction', callback, lockTimeout);
  }

  /**
   * Runs callback(ctx) holding the database's lock without a transaction,
   * as PowerSync's writeLock: nothing else uses the database meanwhile, and
   * each statement run through ctx (the six calls of a transaction's tx)
   * commits, and queues its upload, on its own. For all-or-nothing writes
   * use writeTransaction.
   */
  async writeLock(callback) {
    return this._transaction('writeLock', callback);
  }

  /**
   * Runs callback(ctx) holding the database's lock without a transaction,
   * as PowerSync's readLock; statements that write fail.
   */
  async readLock(callback) {
    return this._transaction('readLock', callback);
  }

  async _transaction(kind, callback, lockTimeout) {
    if (typeof callback !== 'function') throw new TypeError(`${kind}: callback must be a function`);
    if (lockTimeout !== undefined && !(typeof lockTimeout === 'number' && lockTimeout > 0)) {
      throw new TypeError(`${kind}: lockTimeout must be a positive number of milliseconds`);
    }
    // How the callback ended, kept here rather than in what Go hands back:
    // a tx.rollback() makes Go roll back by a rejection (ROLLBACK), and a
    // throw after tx.commit() is held back so that Go commits.
    let timedOut = false;
    let timer = null; // bounds the wait for the lock when lockTimeout is given
    let outcome = null; // { ok, value } of the callback when tx decided its end
    const run = () => this._track(this._h().then((h) => call(h[kind], async (id) => {
      if (timedOut) throw ROLLBACK; // the caller has been told; nothing runs
      clearTimeout(timer); // only the wait for the lock is bounded
      const tx = kind.endsWith('Transaction') ? new Transaction(h, id) : new TransactionContext(h, id);
      const scope = { db: this, kind, open: true };
      this._openTxs.add(scope);
      try {
        let result;
        try {
          result = await inTxScope(scope, () => callback(tx));
        } catch (e) {
          if (tx._ended !== 'commit') throw e;
          outcome = { ok: false, value: e };
          return undefined;
        }
        if (tx._ended === 'rollback') {
          outcome = { ok: true, value: result };
          throw ROLLBACK;
        }
        return result;
      } finally {
        scope.open = false;
        this._openTxs.delete(scope);
      }
    })).then((v) => {
      if (outcome && !outcome.ok) throw outcome.value;
      return v;
    }, (e) => {
      if (outcome?.ok) return outcome.value;
      throw e;
    }));
    const locked = this._locking(kind, run);
    if (lockTimeout === undefined) return locked;
    return new Promise((resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`${kind}: the database's lock was not free within ${lockTimeout} ms (lockTimeout); the callback did not run`));
      }, lockTimeout);
      locked.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /**
   * Calls handler.onChange({ changedTables }) after committed writes to
   * options.tables (every table of the application when not given), as
   * PowerSync does: changedTables lists the watched tables the writes
   * changed, by the names the schema declares, sorted; writes within
   * options.throttleMs (default 30) of the first make one event;
   * options.triggerImmediate sends one event with changedTables [] at once;
   * options.signal ends it. Returns a dispose function. Without a
   * handler, returns an async iterable of those events.
   */
  onChange(handlerOrOptions, options) {
    const handlerForm = typeof handlerOrOptions?.onChange === 'function';
    const opts = (handlerForm ? options : handlerOrOptions) ?? {};
    checkWatchOptions('onChange', opts);
    const tables = opts.tables ?? null;
    const start = (onEvent) => (h) => {
      const changed = new Set();
      const throttle = trailing(opts.throttleMs ?? DEFAULT_THROTTLE_MS, () => {
        if (changed.size === 0) return;
        const list = [...changed].sort();
        changed.clear();
        onEvent({ changedTables: list });
      });
      const id = check(h.onChange(tables, (names) => {
        for (const t of names) changed.add(t);
        throttle.poke();
      }));
      if (opts.triggerImmediate) onEvent({ changedTables: [] });
      return () => {
        throttle.cancel();
        h.unsubscribe(id);
      };
    };
    if (handlerForm) {
      const handler = handlerOrOptions;
      return this._subscribe(opts, (e) => (handler.onError ? handler.onError(e) : unhandled('onChange', e)), start(guarded((e) => handler.onChange(e))));
    }
    return this._iterate(opts, (push) => start(push));
  }

  /**
   * Re-runs a query whenever a table it reads changes. With a handler
   * (PowerSync's `watch(sql, params, { onResult, onError }, options)`, or
   * onResult among the options), calls onResult with each result (first
   * at once) and returns a dispose function; otherwise returns an async
   * iterable of the results. After the first, results come at most once
   * per options.throttleMs (default 30), the latest of the window;
   * options.signal ends it.
   */
  watch(sql, params = [], options = {}, handlerOptions) {
    params = sqlCheck(sql, params);
    if (handlerOptions !== undefined && (handlerOptions === null || typeof handlerOptions !== 'object')) {
      throw new TypeError('watch: options must be an object');
    }
    const opts = handlerOptions === undefined ? (options ?? {}) : { ...handlerOptions, onResult: options?.onResult, onError: options?.onError };
    checkWatchOptions('watch', opts);
    const start = (onResult, onError) => (h) => {
      let first = true;
      let latest;
      const throttle = trailing(opts.throttleMs ?? DEFAULT_THROTTLE_MS, () => onResult(queryResult(latest)));
      const id = check(h.watch(sql, params, (ok, v) => {
        if (!ok) {
          onError(v);
        } else if (first) {
          first = false;
          onResult(queryResult(v));
        } else {
          latest = v;
          throttle.poke();
        }
      }));
      return () => {
        throttle.cancel();
        h.unsubscribe(id);
      };
    };
    if (typeof opts.onResult === 'function') {
      const onError = guarded((e) => (opts.onError ? opts.onError(e) : unhandled('watch', e)));
      return this._subscribe(opts, onError, start(guarded(opts.onResult), onError));
    }
    return this._iterate(opts, start);
  }

  /**
   * A query to watch, as PowerSync's: `db.query({ sql, parameters, mapper }).watch(options)`
   * gives a WatchedQuery (state, registerListener, updateSettings, close).
   */
  query(definition) {
    return queryOf(this, definition);
  }

  /** watch's handler form by its own name, as PowerSync has it. */
  watchWithCallback(sql, params, handler, options) {
    if (typeof handler?.onResult !== 'function') throw new TypeError('watchWithCallback: handler.onResult must be a function');
    return this.watch(sql, params, handler, options ?? {});
  }

  /** watch's async-iterable form by its own name, as PowerSync has it. */
  watchWithAsyncGenerator(sql, params, options) {
    if (options?.onResult !== undefined) throw new TypeError('watchWithAsyncGenerator: options take no onResult; use watchWithCallback');
    return this.watch(sql, params, options ?? {});
  }

  /** onChange's handler form by its own name, as PowerSync has it. */
  onChangeWithCallback(handler, options) {
    if (typeof handler?.onChange !== 'function') throw new TypeError('onChangeWithCallback: handler.onChange must be a function');
    return this.onChange(handler, options);
  }

  /** onChange's async-iterable form by its own name, as PowerSync has it. */
  onChangeWithAsyncGenerator(options) {
    if (typeof options?.onChange === 'function') throw new TypeError('onChangeWithAsyncGenerator: give options, not a handler; use onChangeWithCallback');
    return this.onChange(options ?? {});
  }

  // _subscribe starts a subscription once the database is open and returns
  // its dispose function (also run when options.signal aborts). start(h)
  // returns the function that ends the subscription.
  _subscribe(options, onError, start) {
    let end = null;
    let disposed = options.signal?.aborted === true;
    const dispose = () => {
      disposed = true;
      end?.();
      end = null;
    };
    options.signal?.addEventListener('abort', dispose, { once: true });
    this._h().then((h) => { if (!disposed) end = start(h); }).catch(onError);
    return dispose;
  }

  // _iterate turns a subscription into an async iterable; the subscription
  // ends when the loop ends or options.signal aborts. Each next() returns
  // the oldest undelivered value.
  _iterate(options, makeStart) {
    const db = this;
    return {
      [Symbol.asyncIterator]() {
        const queue = [];
        let wake = null;
        let failure = null;
        let end = null;
        let done = options.signal?.aborted === true;
        const poke = () => { const w = wake; wake = null; w?.(); };
        const push = (v) => { queue.push(v); poke(); };
        const fail = (e) => { failure = e; poke(); };
        const stop = () => {
          done = true;
          end?.();
          end = null;
          poke();
        };
        options.signal?.addEventListener('abort', stop, { once: true });
        const started = db._h().then((h) => { if (!done) end = makeStart(push, fail)(h); });
        return {
          async next() {
            await started;
            while (!done && queue.length === 0 && !failure) await new Promise((r) => { wake = r; });
            if (failure) { const e = failure; failure = null; stop(); throw e; }
            if (queue.length) return { value: queue.shift(), done: false };
            return { value: undefined, done: true };
          },
          async return() { stop(); return { value: undefined, done: true }; },
        };
      },
    };
  }

  /** The oldest entries of the upload queue (at most limit), or null when it is empty. */
  async getCrudBatch(limit = 100) {
    if (typeof limit !== 'number' || !(limit >= 1)) throw new TypeError('getCrudBatch: limit must be a positive number');
    const h = await this._h();
    const r = await this._locking('getCrudBatch', () => call(h.getCrudBatch, limit));
    if (!r) return null;
    const [entries, haveMore, batchId] = r;
    return new CrudBatch(revive(entries).map(CrudEntry.fromJSON), haveMore, () => call(h.completeCrud, batchId));
  }

  /** The entries of the oldest local transaction in the upload queue, or null. */
  async getNextCrudTransaction() {
    return this._crudTransactionAfter(undefined);
  }

  /**
   * Every transaction in the upload queue, oldest first, one at a time
   * and none completed: `for await (const tx of db.getCrudTransactions())`.
   * Completing one completes the entries before it too.
   */
  getCrudTransactions() {
    const db = this;
    return {
      async *[Symbol.asyncIterator]() {
        let after;
        for (;;) {
          const tx = await db._crudTransactionAfter(after);
          if (!tx) return;
          yield tx;
          after = tx.crud[tx.crud.length - 1].clientId;
        }
      },
    };
  }

  async _crudTransactionAfter(after) {
    const h = await this._h();
    const r = await this._locking('getNextCrudTransaction', () => call(h.getNextCrudTransaction, after));
    if (!r) return null;
    const [entries, txId, batchId] = r;
    return new CrudTransaction(revive(entries).map(CrudEntry.fromJSON), () => call(h.completeCrud, batchId), txId);
  }

  /**
   * The upload queue's length, and with includeSize the size of its
   * entries' data: { count, size? }.
   */
  async getUploadQueueStats(includeSize = false) {
    const h = await this._h();
    const [count, size] = await this._locking('getUploadQueueStats', () => call(h.uploadQueueStats));
    return includeSize ? { count, size } : { count };
  }

  /**
   * Replaces the schema, as PowerSync's updateSchema: views, triggers and
   * indexes follow it and no row is lost (a removed synced table's rows
   * come back with it). Not while connected: disconnect first. Collections
   * made before keep the tables they were made with.
   * @param {Schema} schema
   */
  async updateSchema(schema) {
    if (!(schema instanceof Schema)) throw new TypeError('updateSchema: schema must be a Schema');
    if (this._status.connected || this._status.connecting) throw new Error('updateSchema: cannot update the schema while connected; call disconnect() first');
    const h = await this._h();
    await call(h.updateSchema, JSON.stringify(schema));
    this.schema = schema;
    this._emit('schemaChanged', schema);
  }

  /** The database's PowerSync client id. */
  async getClientId() {
    const h = await this._h();
    return check(h.clientId());
  }

  // ---------- Sync ----------

  /**
   * Starts syncing with a PowerSync service (or the dev sync server) and
   * resolves, as @powersync/web's connect does, once the first attempt has
   * ended: connected, or failed with currentStatus.downloadError set (it
   * never rejects for that; the attempt is retried). It does not wait for
   * data: await waitForFirstSync() for that. Downloads and uploads then run
   * in the background, reconnecting after errors, until disconnect() or
   * close(); either also resolves a connect still waiting. Connecting again
   * replaces the connection.
   *
   * In browsers, every tab and worker of the origin may open the database
   * and call connect(), and exactly one syncs (a Web Lock per database):
   * the others resolve at once, show that one's currentStatus, and the
   * first of them takes over when it disconnects, closes or crashes.
   * @param {{ fetchCredentials: () => Promise<{ endpoint: string, token: string, expiresAt?: Date } | null>,
   *   uploadData: (database: PowerSyncDatabase) => Promise<void> }} connector the app's backend:
   *   fetchCredentials returns null when signed out; uploadData sends
   *   getNextCrudTransaction() or getCrudBatch() to the backend and calls
   *   complete(); what either throws shows in currentStatus and is retried.
   * @param {{ params?: Record<string, unknown>, retryDelayMs?: number, crudUploadThrottleMs?: number,
   *   appMetadata?: Record<string, string> }} [options] retryDelayMs (default 5000, ±10% jitter)
   *   is the wait before reconnecting or retrying an upload; crudUploadThrottleMs (default 1000)
   *   the least time between two uploads; params go to the sync rules, appMetadata to the service's logs.
   */
  async connect(connector, options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options: want an object');
    const h = await this._h();
    const text = JSON.stringify(options);
    if (!this._shared() || this._syncRelease) {
      await this._connectNow(h, connector, text);
      return;
    }
    this._syncRequest = { connector, text };
    if (this._syncWaiting) return; // the pending request will use the new arguments
    await this._awaitSyncLock(h);
  }

  // _connectNow starts this context's sync client and resolves once its
  // first attempt has connected or failed.
  async _connectNow(h, connector, text) {
    // Listen before starting: the first statuses may arrive while h.connect runs.
    let attempted;
    const ended = new Promise((resolve) => { attempted = resolve; });
    const firstAttemptEnded = (s) => s.dataFlowStatus.downloadError != null || !s.connecting;
    const dispose = this.registerListener({ statusChanged: (s) => { if (firstAttemptEnded(s)) attempted(); } });
    this._connectWaiters.add(attempted);
    try {
      await call(h.connect, keepThrown(connector, (this._thrown = {})), this, text);
      this._hold(true);
      if (this._status.connected || this._status.dataFlowStatus.downloadError != null) attempted();
      await ended;
    } finally {
      dispose();
      this._connectWaiters.delete(attempted);
    }
  }

  // _shared: other tabs and workers share the database (OPFS, not exclusive).
  _shared() {
    return this._storage !== null && !this._storage.exclusive;
  }

  // _awaitSyncLock asks for the database's sync lock: exactly one context
  // syncs. It resolves once this context syncs (its first attempt ended),
  // or at once when another context holds the lock: this one then takes
  // over when that one disconnects, closes or crashes (the browser releases
  // its locks), and shows that one's status meanwhile.
  async _awaitSyncLock(h) {
    const name = SYNC_LOCK_PREFIX + this._path;
    const abort = new AbortController();
    this._syncWaiting = abort;
    let started;
    const syncing = new Promise((resolve, reject) => (started = { resolve, reject }));
    navigator.locks
      .request(name, { signal: abort.signal }, async () => {
        if (this._syncWaiting === abort) this._syncWaiting = null;
        const request = this._syncRequest;
        if (!request || this.closed) return started.resolve();
        // This context syncs from now on: its own status is the one shown
        // (and broadcast), also while connecting.
        const held = new Promise((release) => (this._syncRelease = release));
        this._ownerStatus = false;
        this._storage.broadcast({ type: 'status', text: this._statusText });
        try {
          await this._connectNow(h, request.connector, request.text);
        } catch (e) {
          this._syncRelease = null;
          return started.reject(e);
        }
        started.resolve();
        await held;
      })
      .catch((e) => started.resolve(e?.name === 'AbortError' ? undefined : report(e)));
    const { held } = await navigator.locks.query();
    if (held.some((l) => l.name === name) && !this._syncRelease) return; // another context syncs
    await syncing;
  }

  // _releaseSync gives up syncing (or waiting to): another context that
  // asked to sync takes over.
  _releaseSync() {
    this._syncRequest = null;
    this._syncWaiting?.abort();
    this._syncWaiting = null;
    const release = this._syncRelease;
    this._syncRelease = null;
    release?.();
  }

  /** Stops syncing; resolves once stopped. Nothing downloaded or queued is lost. */
  async disconnect() {
    if (this.closed || !this._ready) return; // never opened: never connected
    const h = await this._h();
    await call(h.disconnect);
    this._hold(false);
    this._releaseSync();
  }

  /**
   * Disconnects and deletes everything synced or queued for upload: the
   * rows of synced tables, and of local-only tables unless clearLocal is
   * false; the downloaded buckets, the upload queue and the sync state.
   * @param {{ clearLocal?: boolean }} [options]
   */
  async disconnectAndClear(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('options: want an object');
    const h = await this._h();
    await call(h.disconnectAndClear, options.clearLocal ?? true);
    this._hold(false);
    this._releaseSync();
  }

  /** The sync status now (a SyncStatus; hasSynced is undefined until the database is open). */
  get currentStatus() {
    return this._status;
  }

  /** True while a sync stream is open. */
  get connected() {
    return this._status.connected;
  }

  /** True while a sync stream is being opened or a retry awaited. */
  get connecting() {
    return this._status.connecting;
  }

  /**
   * Calls listener.statusChanged(status) on every change of the sync
   * status, listener.statusUpdated(options) on every status report (the
   * status as SyncStatusOptions: { connected, connecting, dataFlow,
   * lastSyncedAt, hasSynced, priorityStatusEntries }), and as PowerSync does, initialized() once the database has
   * opened, schemaChanged(schema) after updateSchema, closing() when
   * close() begins and closed() when it has finished (close() awaits
   * those two); returns a function that ends that.
   * @param {{ statusChanged?: (status: SyncStatus) => void, statusUpdated?: (options: object) => void, initialized?: () => void,
   *   schemaChanged?: (schema: Schema) => void, closing?: () => Promise<void> | void,
   *   closed?: () => Promise<void> | void }} listener
   */
  registerListener(listener) {
    if (listener === null || typeof listener !== 'object') throw new TypeError('registerListener: listener must be an object');
    for (const event of LISTENER_EVENTS) {
      if (listener[event] !== undefined && typeof listener[event] !== 'function') {
        throw new TypeError(`registerListener: listener.${event} must be a function`);
      }
    }
    this._listeners.add(listener);
    return () => { this._listeners.delete(listener); };
  }

  // _emit calls each listener's event handler with args; a handler that
  // throws (or rejects) is reported and does not stop the others. Resolves
  // once every handler's promise has settled.
  async _emit(event, ...args) {
    const pending = [];
    for (const l of [...this._listeners]) {
      if (typeof l[event] !== 'function') continue;
      try {
        pending.push(Promise.resolve(l[event](...args)).catch(report));
      } catch (e) {
        report(e);
      }
    }
    await Promise.all(pending);
  }

  /**
   * Resolves once a complete checkpoint has been applied (now or in an
   * earlier run), or with priority once the buckets of that priority and
   * more urgent ones have been; also resolves when signal aborts, as in
   * PowerSync.
   * @param {AbortSignal | { priority?: number, signal?: AbortSignal }} [request]
   */
  async waitForFirstSync(request) {
    const isSignal = typeof AbortSignal === 'function' && request instanceof AbortSignal;
    if (request !== undefined && !isSignal && (request === null || typeof request !== 'object')) {
      throw new TypeError('waitForFirstSync: want an AbortSignal or { priority, signal }');
    }
    const signal = isSignal ? request : request?.signal;
    const priority = isSignal ? undefined : request?.priority;
    if (priority !== undefined && !Number.isInteger(priority)) throw new TypeError('waitForFirstSync: priority must be an integer');
    const synced = priority === undefined ? (s) => s.hasSynced === true : (s) => s.statusForPriority(priority).hasSynced === true;
    await this._h();
    if (synced(this._status) || signal?.aborted) return;
    await new Promise((resolve) => {
      const done = () => {
        dispose();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const dispose = this.registerListener({ statusChanged: (s) => { if (synced(s)) done(); } });
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  // _ownStatus takes a new status from this context's sync client. While
  // another context syncs, its status (broadcast) is the one shown; while
  // this one does, the others are told.
  _ownStatus(text) {
    if (this._syncRelease) this._storage?.broadcast({ type: 'status', text });
    else if (this._ownerStatus) return;
    this._statusChanged(text, this._thrown);
  }

  // _statusChanged takes a new status and tells the listeners; thrown holds
  // what this context's connector threw, shown as the status's errors.
  _statusChanged(text, thrown) {
    this._statusText = text;
    const status = reviveSyncStatus(text, thrown);
    this._status = status;
    // statusUpdated takes every report, as PowerSync's sync client's
    // listeners do (the options of the update, SyncStatusOptions); the
    // engine reports the whole status each time, so these are all of them.
    let options;
    for (const l of [...this._listeners]) {
      try {
        l.statusChanged?.(status);
      } catch (e) {
        report(e);
      }
      try {
        if (typeof l.statusUpdated === 'function') {
          options ??= {
            connected: status.connected,
            connecting: status.connecting,
            dataFlow: { ...status.dataFlowStatus },
            lastSyncedAt: status.lastSyncedAt,
            hasSynced: status.hasSynced,
            priorityStatusEntries: status.priorityStatusEntries,
          };
          l.statusUpdated(options);
        }
      } catch (e) {
        report(e);
      }
    }
  }

  // _hold keeps a Node process running while connected, as an open
  // socket would: the module's own timers (retry delays) do not.
  _hold(on) {
    if (on && !this._keepAlive && !isBrowser) this._keepAlive = setInterval(() => {}, 1 << 30);
    if (!on && this._keepAlive) {
      clearInterval(this._keepAlive);
      this._keepAlive = null;
    }
  }

  /**
   * Disconnects and closes the database. What was issued before close()
   * finishes first: queries and transactions called earlier resolve as
   * they would have, and the direct inserts, updates and deletes of its
   * collections already persisting reach the database, so no acknowledged
   * write is lost. A createTransaction whose mutationFn still runs is not
   * waited for: its writes after close() reject. Calls made after close() reject with an Error saying the
   * database is closed.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    await this._emit('closing');
    const h = this._handle ?? (this._ready ? await this._ready.then(() => this._handle, () => null) : null);
    await Promise.allSettled([...this._inflight]);
    await settlePersisting(this);
    this._hold(false);
    for (const attempted of this._connectWaiters) attempted(); // a connect still waiting ends with the database
    try {
      if (h) await call(h.close);
      for (const stop of this._unlisten.splice(0)) stop();
      this._releaseSync();
      await this._storage?.close();
    } finally {
      this._unlock?.();
      this._unlock = null;
    }
    await this._emit('closed');
  }
}

// unhandled logs the error of a watch or onChange that has no onError, so a
// bad query is not silently a watch that never fires.
function unhandled(what, e) {
  console.error(`gopowersync: ${what} failed and has no onError handler:`, e);
}

// keepThrown wraps the app's connector so that what fetchCredentials or
// uploadData throws is kept in thrown[method]: the sync status shows that
// value itself (its class, status, cause), as PowerSync's does, while Go
// gets the rejection as before. A connector without the two functions is
// passed as it is, for the bridge's TypeError.
function keepThrown(connector, thrown) {
  if (typeof connector?.fetchCredentials !== 'function' || typeof connector?.uploadData !== 'function') return connector;
  const keep = async (method, run) => {
    try {
      return await run();
    } catch (e) {
      thrown[method] = e;
      throw e;
    }
  };
  return {
    fetchCredentials: () => keep('fetchCredentials', () => connector.fetchCredentials()),
    uploadData: (database) => keep('uploadData', () => connector.uploadData(database)),
  };
}
