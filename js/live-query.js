// Live queries: TanStack DB's query builder and createLiveQueryCollection.
// The builder turns the callbacks into a query IR (JSON); the Go engine
// checks it, compiles it and keeps its result up to date incrementally.
// This file holds no query semantics: only the translation of JS values
// into the IR, and a read-only collection over the engine's result.

import { module, check, revive, report } from './loader.js';
import { EngineCollection } from './engine-collection.js';
import { SPREAD, Func, Aggregate, ref, isRef, toExpr, whereJSON } from './expressions.js';
import {
  OnlyOneSourceAllowedError, InvalidSourceError, QueryMustHaveFromClauseError, SubQueryMustHaveFromClauseError,
  InvalidWhereExpressionError,
} from './query-errors.js';
import { DuplicateKeySyncError } from './errors.js';

export {
  eq, gt, gte, lt, lte, and, or, not, isNull, isUndefined, inArray, like, ilike, upper, lower, length, concat,
  coalesce, add, subtract, multiply, divide, count, sum, avg, min, max,
} from './expressions.js';

// ---------- The builder ----------

function isSource(v) {
  return v instanceof EngineCollection; // a Collection or a LiveQueryCollection
}

function oneSource(sources, context) {
  if (sources === null || typeof sources !== 'object' || Array.isArray(sources)) {
    throw new InvalidSourceError(`Invalid source for ${context}: Expected an object with a single key-value pair like { alias: collection }`);
  }
  const entries = Object.entries(sources);
  if (entries.length !== 1) throw new OnlyOneSourceAllowedError(`Only one source is allowed in the ${context}`);
  const [alias, src] = entries[0];
  if (src instanceof BaseQueryBuilder) {
    if (!src._q.from) throw new SubQueryMustHaveFromClauseError(`A sub query passed to a ${context} must have a from clause itself`);
    return { alias, query: src };
  }
  if (!isSource(src)) throw new InvalidSourceError(`Invalid source for live query: The value provided for alias "${alias}" is not a Collection or subquery. Live queries only accept Collection instances or subqueries. Please ensure you're passing a valid Collection or QueryBuilder, not a plain array or other data type.`);
  return { alias, collection: src };
}

/**
 * TanStack DB's query builder. Every method returns a new builder; the
 * callbacks receive one reference per alias (`({ todo }) => todo.done`).
 */
export class BaseQueryBuilder {
  constructor(q = {}) { this._q = q; }

  _with(patch) { return new BaseQueryBuilder({ ...this._q, ...patch }); }

  _aliases() {
    const refs = {};
    if (this._q.from) refs[this._q.from.alias] = ref([this._q.from.alias]);
    for (const j of this._q.joins ?? []) refs[j.source.alias] = ref([j.source.alias]);
    refs.$selected = ref(['$selected']);
    return refs;
  }

  /** from({ alias: collectionOrQuery }) */
  from(source) { return this._with({ from: oneSource(source, 'from clause') }); }

  /** join({ alias: source }, ({ a, b }) => eq(a.x, b.y), type = 'left') */
  join(source, on, type = 'left') {
    const s = oneSource(source, 'join clause');
    if (typeof on !== 'function') throw new TypeError('join: the condition must be a function');
    const next = this._with({ joins: [...(this._q.joins ?? []), { source: s, type, on: null }] });
    const cond = toExpr(on(next._aliases()));
    next._q.joins[next._q.joins.length - 1].on = cond;
    return next;
  }

  innerJoin(source, on) { return this.join(source, on, 'inner'); }
  leftJoin(source, on) { return this.join(source, on, 'left'); }
  rightJoin(source, on) { return this.join(source, on, 'right'); }
  fullJoin(source, on) { return this.join(source, on, 'full'); }

  /** where(({ a }) => condition); several are and-ed. */
  where(callback) { return this._with({ where: [...(this._q.where ?? []), this._condition(callback, 'where')] }); }

  /** having(({ a }) => condition over groups). */
  having(callback) { return this._with({ having: [...(this._q.having ?? []), this._condition(callback, 'having')] }); }

  _condition(callback, what) {
    if (typeof callback !== 'function') throw new TypeError(`${what}: want a function`);
    const v = callback(this._aliases());
    if (!isRef(v) && !(v instanceof Func) && !(v instanceof Aggregate)) {
      throw new InvalidWhereExpressionError(`Invalid ${what}() expression: Expected a query expression, but received a ${typeof v}. ` +
        'This usually happens when using JavaScript\'s comparison operators (===, !==, <, >, etc.) directly. ' +
        'Instead, use the query builder functions: eq, gt, gte, lt, lte, and, or, not, like, ilike, isNull, isUndefined');
    }
    return toExpr(v);
  }

  /** select(({ a }) => ({ field: a.x, nested: { y: a.y }, ...a })) */
  select(callback) {
    if (typeof callback !== 'function') throw new TypeError('select: want a function');
    const shape = callback(this._aliases());
    if (shape === null || typeof shape !== 'object' || isRef(shape) || Array.isArray(shape)) {
      throw new TypeError('select: the callback must return an object');
    }
    return this._with({ select: selectItems(shape) });
  }

  /** orderBy(({ a }) => a.x, 'asc' | 'desc' | { direction, nulls, stringSort }) */
  orderBy(callback, options = 'asc') {
    if (typeof callback !== 'function') throw new TypeError('orderBy: want a function');
    const opts = typeof options === 'string' ? { direction: options } : { ...options };
    const v = callback(this._aliases());
    const list = Array.isArray(v) ? v : [v];
    const keys = list.map((e) => ({ expr: toExpr(e), direction: opts.direction ?? 'asc', nulls: opts.nulls ?? 'first', stringSort: opts.stringSort ?? 'locale' }));
    return this._with({ orderBy: [...(this._q.orderBy ?? []), ...keys] });
  }

  /** groupBy(({ a }) => a.x or [a.x, a.y]) */
  groupBy(callback) {
    if (typeof callback !== 'function') throw new TypeError('groupBy: want a function');
    const v = callback(this._aliases());
    const list = Array.isArray(v) ? v : [v];
    return this._with({ groupBy: [...(this._q.groupBy ?? []), ...list.map(toExpr)] });
  }

  limit(n) { return this._with({ limit: rowCount(n, 'limit') }); }
  offset(n) { return this._with({ offset: rowCount(n, 'offset') }); }
  distinct() { return this._with({ distinct: true }); }
  // findOne needs no orderBy (TanStack DB's docs look a row up by id with it):
  // the engine limits it to one row itself, so no limit goes in the IR.
  findOne() { return this._with({ findOne: true }); }
}

function selectItems(shape) {
  const items = [];
  for (const key of Reflect.ownKeys(shape)) {
    if (typeof key !== 'string') continue;
    const v = shape[key];
    if (key.startsWith(SPREAD)) {
      items.push({ spread: key.slice(SPREAD.length) });
    } else if (v !== null && typeof v === 'object' && !isRef(v) && !(v instanceof Func) && !(v instanceof Aggregate)
      && !Array.isArray(v) && !(v instanceof Date)) {
      items.push({ name: key, nested: selectItems(v) });
    } else {
      items.push({ name: key, expr: toExpr(v) });
    }
  }
  return items;
}

// irOf serializes a builder's query; sources collects the collections it
// reads, which the IR names by index.
function irOf(q, sources) {
  const src = (s) => {
    if (s.query) return { alias: s.alias, query: irOf(s.query._q, sources) };
    let i = sources.indexOf(s.collection);
    if (i < 0) i = sources.push(s.collection) - 1;
    return { alias: s.alias, collection: i };
  };
  if (!q.from) throw new QueryMustHaveFromClauseError();
  const out = { from: src(q.from) };
  if (q.joins) out.joins = q.joins.map((j) => ({ source: src(j.source), type: j.type, on: j.on }));
  for (const k of ['where', 'groupBy', 'having', 'select', 'orderBy', 'limit', 'offset', 'distinct', 'findOne']) {
    if (q[k] !== undefined) out[k] = q[k];
  }
  return out;
}

// rowCount checks a limit or offset where it is given: JSON would carry
// NaN and ±Infinity as null, which reads as "no limit", so the engine's own
// check (a non-negative integer) cannot see them.
function rowCount(n, what) {
  if (!Number.isSafeInteger(n) || n < 0) {
    const got = typeof n === 'number' ? String(n) : typeof n;
    throw new TypeError(`${what}: want a non-negative integer, got ${got}`);
  }
  return n;
}

// ---------- The live query collection ----------

const LIVE_OPTIONS = new Set(['query', 'startSync', 'gcTime', 'id', 'getKey']);

// Releases the engine's side of live queries that JS no longer holds.
const released = new FinalizationRegistry((release) => release());

/**
 * createLiveQueryCollection((q) => q.from(...)...) or
 * createLiveQueryCollection({ query, startSync?, gcTime?, id?, getKey? }): a
 * read-only collection holding the query's result, in its orderBy order.
 * getKey(row), as TanStack DB's: the result's keys (get, has, keys,
 * entries, change messages) are what it returns, instead of the
 * engine's (the source's key, a join's pair, a group's value).
 */
export function createLiveQueryCollection(config) {
  const options = typeof config === 'function' ? { query: config } : config;
  if (options === null || typeof options !== 'object') throw new TypeError('createLiveQueryCollection: want a query function or { query }');
  for (const k of Object.keys(options)) {
    if (!LIVE_OPTIONS.has(k)) throw new TypeError(`createLiveQueryCollection: unknown option "${k}"`);
  }
  const { query, startSync, gcTime, id, getKey } = options;
  const builder = typeof query === 'function' ? query(new BaseQueryBuilder()) : query;
  if (!(builder instanceof BaseQueryBuilder)) throw new TypeError('createLiveQueryCollection: query must be a function returning the query builder');
  if (startSync !== undefined && typeof startSync !== 'boolean') throw new TypeError('createLiveQueryCollection: startSync must be a boolean');
  if (gcTime !== undefined && typeof gcTime !== 'number') throw new TypeError('createLiveQueryCollection: gcTime must be a number (ms)');
  if (id !== undefined && typeof id !== 'string') throw new TypeError('createLiveQueryCollection: id must be a string');
  if (getKey !== undefined && typeof getKey !== 'function') throw new TypeError('createLiveQueryCollection: getKey must be a function (row) => key');
  const sources = [];
  const ir = irOf(builder._q, sources);
  const opts = { startSync: startSync ?? true };
  if (gcTime !== undefined) opts.gcTime = gcTime;
  if (id !== undefined) opts.id = id;
  const c = new LiveQueryCollection(JSON.stringify(ir), sources, opts, builder._q.findOne === true,
    { offset: builder._q.offset ?? 0, limit: builder._q.limit });
  if (getKey) c._getKey = getKey;
  return c;
}

/**
 * queryOnce((q) => q.from(...)...) or queryOnce({ query }): runs the query
 * once, as TanStack DB's queryOnce: resolves to its rows in the query's
 * order (the row, or undefined, for findOne), and releases the query.
 */
export async function queryOnce(config) {
  const options = typeof config === 'function' ? { query: config } : config;
  if (options === null || typeof options !== 'object') throw new TypeError('queryOnce: want a query function or { query }');
  for (const k of Object.keys(options)) {
    if (k !== 'query') throw new TypeError(`queryOnce: unknown option "${k}"`);
  }
  const c = createLiveQueryCollection({ query: options.query, gcTime: 0 });
  try {
    const rows = await c.toArrayWhenReady();
    return c.singleResult ? rows[0] : rows;
  } finally {
    await c.cleanup();
  }
}

/**
 * The result of a live query: the read API of a collection (get, has,
 * size, toArray, state, keys, values, entries, subscribeChanges, status,
 * preload, toArrayWhenReady, cleanup), in the query's order. It can be the
 * source of another query.
 */
export class LiveQueryCollection extends EngineCollection {
  /** @internal use createLiveQueryCollection */
  constructor(irJSON, sources, options, singleResult, window) {
    super();
    this.singleResult = singleResult;
    this._window = window;
    this._sources = sources; // held: a source live query must not be released while this one reads it
    this._go = null;
    this._error = null;
    this._list = null;
    this._keyList = null;
    this._watchId = null;
    this._getKey = null; // the user's getKey, which then names the rows
    this._keyMap = null; // user key -> row, for the rows array _keyMapOf
    this._keyMapOf = null;
    this._keyError = null; // why getKey failed (threw, or gave two rows one key): the query is in error until cleanup
    this.utils = {
      /**
       * Moves the window of an ordered query ({ offset?, limit? }); an
       * on-demand source loads what the new window needs.
       */
      setWindow: ({ offset, limit } = {}) => {
        for (const [k, v] of Object.entries({ offset, limit })) {
          if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new TypeError(`setWindow: ${k} must be a non-negative integer`);
        }
        const w = this._window;
        this._window = { offset: offset ?? w.offset, limit: limit === undefined ? w.limit : limit };
        check(this._g().setWindow(this._window.offset, this._window.limit ?? -1));
        this._list = null;
        this._keyList = null;
        return true;
      },
    };
    const create = () => {
      const m = module();
      const ids = sources.map((s) => s._g().id);
      const [handle, id] = check(m.createLiveQuery(irJSON, ids, JSON.stringify(options)));
      // The engine's live query, by handle: no Go functions per query, so
      // queries can come and go freely; a dropped one is released.
      const op = (name) => (...args) => m.liveQuery(name, handle, ...args);
      const async = (name) => (cb) => m.liveQueryAsync(name, handle, cb);
      this._go = {
        id, get: op('get'), has: op('has'), size: op('size'), status: op('status'), keys: op('keys'),
        values: op('values'), subscribeChanges: op('subscribeChanges'), watchKeys: op('watchKeys'),
        unsubscribe: op('unsubscribe'), setWindow: op('setWindow'), preload: async('preload'), cleanup: async('cleanup'),
      };
      this.id = id;
      released.register(this, () => m.liveQueryAsync('release', handle, () => {}));
    };
    const waiting = sources.filter((s) => !s._go && s._pending).map((s) => s._pending);
    if (waiting.length === 0) {
      create();
      this._pending = null;
    } else {
      // A source's database is still opening: the query starts once it is.
      this._pending = Promise.all(waiting).then(create).catch((e) => { this._error = e; throw e; });
      this._pending.catch(() => {});
    }
  }

  _g() {
    if (this._go) return this._go;
    if (this._error) throw this._error;
    throw new Error('live query: its sources are still opening; await preload() first');
  }

  // _cached reports whether the read cache is live (see Collection).
  _cached() {
    if (this._watchId !== null) return true;
    if (!this._go) return false;
    const status = check(this._go.status());
    if (status === 'idle' || status === 'cleaned-up') return false;
    this._watchId = check(this._go.watchKeys(() => this._forget()));
    this._forget();
    return true;
  }

  _forget() {
    this._list = null;
    this._keyList = null;
  }

  /** 'idle' | 'loading' | 'ready' | 'error' | 'cleaned-up' */
  get status() {
    if (!this._go) return this._error ? 'error' : 'loading';
    if (this._keyError) return 'error';
    return check(this._go.status());
  }

  get(key) {
    if (!this._go) return undefined;
    if (this._getKey) return this._userKeyed().get(key);
    const p = check(this._go.get(key));
    return p === undefined ? undefined : revive(p);
  }

  has(key) {
    if (!this._go) return false;
    if (this._getKey) return this._userKeyed().has(key);
    return check(this._go.has(key));
  }

  /**
   * Run by preload once the query is ready: with getKey, throws, so that
   * preload rejects and the query's status is 'error', if getKey throws or
   * gives two rows the same key (DuplicateKeySyncError), as TanStack DB's.
   */
  _afterPreload() {
    if (this._getKey) this._userKeyed();
  }

  _afterCleanup() {
    this._keyError = null;
    this._keyMap = null;
    this._keyMapOf = null;
  }

  // _userKeyed maps getKey(row) to the row for the current rows. A
  // getKey that throws, or two rows with one key, put the query in error
  // (TanStack DB's live query errors on a duplicate synced key): this
  // throws that error, now and on every later read until cleanup.
  _userKeyed() {
    if (this._keyError) throw this._keyError;
    const rows = this._rows();
    if (this._keyMapOf !== rows) {
      const m = new Map();
      try {
        for (const r of rows) {
          const k = this._getKey(r);
          if (m.has(k)) {
            throw new DuplicateKeySyncError(`Cannot insert document with key "${k}" from sync because it already exists in the collection "${this.id}": ` +
              'the live query\'s getKey gave two result rows this key; make getKey return a value unique to each row ' +
              '(a join or distinct can give several rows the same fields)');
          }
          m.set(k, r);
        }
      } catch (e) {
        this._keyError = e;
        throw e;
      }
      this._keyMap = m;
      this._keyMapOf = rows;
    }
    return this._keyMap;
  }

  get size() { return this._go ? check(this._go.size()) : 0; }

  /** The rows, in the query's order. */
  get toArray() { return this._rows().slice(); }

  // _rows is the rows array itself (cached while the read cache is live).
  _rows() {
    if (!this._go) return [];
    if (this._cached() && this._list) return this._list;
    const list = revive(check(this._go.values()));
    if (this._watchId !== null) this._list = list;
    return list;
  }

  get state() { return new Map(this.entries()); }

  *keys() {
    if (!this._go) return;
    if (this._getKey) {
      yield* [...this._userKeyed().keys()];
      return;
    }
    if (this._cached() && this._keyList) {
      yield* this._keyList.slice();
      return;
    }
    const keys = revive(check(this._go.keys()));
    if (this._watchId !== null) this._keyList = keys;
    yield* keys.slice();
  }

  *values() { yield* this.toArray; }

  *entries() {
    const keys = [...this.keys()];
    const rows = this.toArray;
    for (let i = 0; i < keys.length; i++) yield [keys[i], rows[i]];
  }

  [Symbol.iterator]() { return this.entries(); }

  // _userKeyedChanges names the engine's changes by getKey. An update
  // whose row's getKey changed is, as in TanStack DB, a delete of the old
  // key and an insert of the new: a subscriber never sees an update of a
  // key it was not given.
  _userKeyedChanges(changes) {
    const out = [];
    for (const c of changes) {
      const key = this._getKey(c.value);
      if (c.type === 'update' && c.previousValue !== undefined) {
        const old = this._getKey(c.previousValue);
        if (old !== key) {
          out.push({ type: 'delete', key: old, value: c.previousValue });
          out.push({ type: 'insert', key, value: c.value });
          continue;
        }
      }
      out.push({ ...c, key });
    }
    return out;
  }

  /** Calls callback(value, key, index) for each row, in order. */
  forEach(callback) {
    let i = 0;
    for (const [k, v] of this.entries()) callback(v, k, i++);
  }

  /** The results of callback(value, key, index) for each row, in order. */
  map(callback) {
    const out = [];
    this.forEach((v, k, i) => out.push(callback(v, k, i)));
    return out;
  }

  /** Whether the query is ready. */
  isReady() { return this.status === 'ready'; }

  /** Calls callback with each batch of changes; returns { unsubscribe() }. */
  subscribeChanges(callback, options = {}) {
    if (typeof callback !== 'function') throw new TypeError('subscribeChanges: callback must be a function');
    const { includeInitialState } = options ?? {};
    if (includeInitialState !== undefined && typeof includeInitialState !== 'boolean') throw new TypeError('subscribeChanges: includeInitialState must be a boolean');
    const where = whereJSON(options?.where);
    let id = null;
    let active = true;
    const deliver = (payload) => {
      this._list = null;
      this._keyList = null;
      try {
        let changes = revive(payload);
        if (this._getKey) {
          if (this._keyError) return;
          try {
            this._userKeyed(); // the new rows' keys must be unique, or the query is in error
            changes = this._userKeyedChanges(changes);
          } catch (e) {
            // The query is now in error (its status says so, reads throw e);
            // said once here, as TanStack DB logs a live query's error.
            this._keyError = e;
            console.error('gopowersync: live query in error:', e);
            return;
          }
        }
        callback(changes);
      } catch (e) {
        report(e);
      }
    };
    const start = () => {
      if (!active) return;
      this._cached();
      if (this._getKey) this._userKeyed();
      id = check(this._go.subscribeChanges(deliver, includeInitialState, where));
    };
    if (this._go) start();
    else this._pending?.then(start, () => {});
    return {
      unsubscribe: () => {
        active = false;
        if (id !== null) this._go.unsubscribe(id);
        id = null;
      },
    };
  }
}
