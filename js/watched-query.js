// PowerSync's watched queries: db.query({ sql, parameters, mapper }).watch(),
// a query result kept current, with a state object and listeners (what
// PowerSync's framework hooks read). Built on PowerSyncDatabase.watch.

const OPTIONS = new Set(['throttleMs', 'reportFetching', 'triggerOnTables', 'comparator', 'placeholderData']);
const DIFF_OPTIONS = new Set(['throttleMs', 'reportFetching', 'triggerOnTables', 'rowComparator', 'placeholderData']);

// A row's key is its id when it has a text one, else its JSON; rows with
// the same key are the same row, changed when their JSON differs.
const DEFAULT_ROW_COMPARATOR = {
  keyBy: (row) => (row && typeof row === 'object' && typeof row.id === 'string' ? row.id : JSON.stringify(row)),
  compareBy: (row) => JSON.stringify(row),
};

function checkOptions(o, differential) {
  if (o === null || typeof o !== 'object') throw new TypeError('watch: options must be an object');
  for (const k of Object.keys(o)) if (!(differential ? DIFF_OPTIONS : OPTIONS).has(k)) throw new TypeError(`watch: unknown option "${k}"`);
  if (o.rowComparator !== undefined && (typeof o.rowComparator?.keyBy !== 'function' || typeof o.rowComparator?.compareBy !== 'function')) {
    throw new TypeError('differentialWatch: rowComparator must have keyBy(row) and compareBy(row)');
  }
  if (o.comparator !== undefined && typeof o.comparator?.checkEquality !== 'function') throw new TypeError('watch: comparator must have checkEquality(current, previous)');
  if (o.placeholderData !== undefined && !Array.isArray(o.placeholderData)) throw new TypeError('watch: placeholderData must be an array');
  return o;
}

/**
 * A query result kept current. state is { isLoading, isFetching, error,
 * lastUpdated, data }: isLoading until the first result; isFetching while
 * the first result is read (later re-reads are not reported: the engine
 * runs them without telling); data the rows through mapper. Listeners
 * get onData(data) when data changes (per comparator, if any),
 * onStateChange(state) on every change, onError(error), closed().
 */
export class WatchedQuery {
  /** @internal use db.query(...).watch() */
  constructor(db, definition, options, differential = false) {
    this._db = db;
    this._def = definition;
    this._differential = differential;
    this._previous = new Map(); // differential: key -> { hash, row }
    this._options = checkOptions(options, differential);
    this._listeners = new Set();
    this._dispose = null;
    this.closed = false;
    this.state = {
      isLoading: true,
      isFetching: options.reportFetching ?? true,
      error: null,
      lastUpdated: null,
      data: options.placeholderData ?? [],
    };
    this._start();
  }

  _start() {
    const { sql, parameters = [], mapper } = this._def;
    const { throttleMs, triggerOnTables } = this._options;
    const watchOptions = {};
    if (throttleMs !== undefined) watchOptions.throttleMs = throttleMs;
    if (triggerOnTables !== undefined) watchOptions.tables = triggerOnTables;
    const generation = (this._generation = (this._generation ?? 0) + 1);
    this._dispose = this._db.watch(sql, [...parameters], {
      onResult: (result) => {
        if (this.closed || generation !== this._generation) return;
        let rows;
        try {
          rows = mapper ? result.rows._array.map(mapper) : result.rows._array;
        } catch (e) {
          this._update({ error: e, isFetching: false });
          return;
        }
        const update = {};
        if (this.state.isLoading) update.isLoading = false;
        if (this.state.isFetching) update.isFetching = false;
        if (this.state.error) update.error = null;
        let diff;
        if (this._differential) {
          diff = this._diff(rows);
          if (diff) update.data = diff.all;
        } else if (!this._options.comparator?.checkEquality(rows, this.state.data)) {
          update.data = rows;
        }
        if (Object.keys(update).length > 0) this._update(update, diff);
      },
      onError: (error) => {
        if (!this.closed && generation === this._generation) this._update({ error, isFetching: false });
      },
    }, watchOptions);
  }

  // _diff compares rows with the previous result: { added, removed,
  // updated: [{ current, previous }], unchanged, all }, or null when nothing
  // changed (after the first result). Unchanged rows keep their previous
  // objects, so a UI can skip them by identity.
  _diff(rows) {
    const { keyBy, compareBy } = this._options.rowComparator ?? DEFAULT_ROW_COMPARATOR;
    const first = this.state.lastUpdated === null;
    const now = new Map();
    const diff = { added: [], removed: [], updated: [], unchanged: [], all: [] };
    for (const row of rows) {
      const key = keyBy(row);
      const hash = compareBy(row);
      const was = this._previous.get(key);
      if (!was) {
        diff.added.push(row);
        diff.all.push(row);
        now.set(key, { hash, row });
      } else if (was.hash === hash) {
        diff.unchanged.push(was.row);
        diff.all.push(was.row);
        now.set(key, was);
      } else {
        diff.updated.push({ current: row, previous: was.row });
        diff.all.push(row);
        now.set(key, { hash, row });
      }
    }
    for (const [key, was] of this._previous) if (!now.has(key)) diff.removed.push(was.row);
    this._previous = now;
    const changed = diff.added.length + diff.removed.length + diff.updated.length > 0;
    return changed || first ? diff : null;
  }

  _update(update, diff) {
    this.state = { ...this.state, ...update, lastUpdated: new Date() };
    for (const l of [...this._listeners]) {
      try {
        if (update.error) l.onError?.(update.error);
        if (diff) l.onDiff?.(diff);
        if ('data' in update) l.onData?.(this.state.data);
        l.onStateChange?.(this.state);
      } catch (e) {
        (globalThis.reportError ?? console.error)(e);
      }
    }
  }

  /** Adds { onData?, onStateChange?, onError?, closed? }; returns a function that removes it. */
  registerListener(listener) {
    if (listener === null || typeof listener !== 'object') throw new TypeError('registerListener: listener must be an object');
    this._listeners.add(listener);
    return () => { this._listeners.delete(listener); };
  }

  /** Replaces the options (throttleMs, triggerOnTables, comparator, ...) and reads the query again. */
  async updateSettings(options) {
    if (this.closed) throw new Error('updateSettings: the watched query is closed');
    this._options = checkOptions(options, this._differential);
    this._dispose?.();
    this._update({ isFetching: this._options.reportFetching ?? true });
    this._start();
  }

  /** Stops watching; listeners get closed(). */
  async close() {
    if (this.closed) return;
    this.closed = true;
    this._dispose?.();
    for (const l of [...this._listeners]) l.closed?.();
    this._listeners.clear();
  }
}

/** db.query(definition): { watch(options?) }. @internal */
export function queryOf(db, definition) {
  if (definition === null || typeof definition !== 'object' || typeof definition.sql !== 'string') {
    throw new TypeError('query: want { sql, parameters?, mapper? }');
  }
  if (definition.parameters !== undefined && !Array.isArray(definition.parameters)) throw new TypeError('query: parameters must be an array');
  if (definition.mapper !== undefined && typeof definition.mapper !== 'function') throw new TypeError('query: mapper must be a function');
  return {
    watch: (options = {}) => new WatchedQuery(db, definition, options),
    differentialWatch: (options = {}) => new WatchedQuery(db, definition, options, true),
  };
}
