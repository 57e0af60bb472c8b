// Durable storage of one database in the origin private file system (OPFS),
// for the Go module running on this thread (a page or a dedicated worker),
// shared with every other tab and worker of the origin that opens it.
//
// Each context keeps its own copy of the database in memory (bridge/opfs,
// store/pagevfs) and its own storage worker (opfs-worker.js) on the one OPFS
// file. Writes take turns under a Web Lock named after the database. A
// context keeps it between its writes until another asks for it (a 'want'
// broadcast), and lets go once its commits are in the file; taking it:
//
//   1. beginWrite(): take the lock; the worker replays a journal record a
//      crashed writer left and reports the file's version (SQLite's change
//      counter); the Go side brings its copy to that version with the
//      commits other contexts broadcast (or rereads the file);
//   2. commit(record): SQLite commits; its journal record is kept here;
//      stageRows(text), once per slice of at most 500 row changes as the
//      store hands them over after the commit: each goes to the worker at
//      once, so no step holds or encodes a large commit's rows whole;
//   3. endWrite(meta): the record goes to the worker, which makes it durable
//      and then broadcasts, on a BroadcastChannel, each staged part of its
//      rows as a message of its own, then the record with meta (the tables
//      it changed) and how many parts went ahead of it.
//
// A context therefore only ever applies durable commits of others, and
// writes on the latest. durable(seq) resolves on the worker's
// acknowledgement, as with one tab.

import { DatabaseClosedError, DatabaseLockedError, PersistenceError } from './errors.js';

const LOCK_PREFIX = 'gopowersync-write:';
const CHANNEL_PREFIX = 'gopowersync:';
const WANT_EVERY_MS = 50;
const PRESENCE_PREFIX = 'gopowersync-open:';

/** How long a write waits for the lock by default (a large sync holds it for seconds). */
export const DEFAULT_LOCK_TIMEOUT_MS = 30000;

/**
 * Opens dbFilename (a plain file name in the OPFS root) for the Go module.
 * Resolves to an OPFSStorage once the file has been recovered (journal
 * replayed) and read. Rejects with DatabaseLockedError when the write lock
 * is not granted within options.lockTimeoutMs (default 30 s), and with the
 * browser's error when OPFS is unavailable.
 *
 * With options.exclusive, the context takes the lock at open and keeps it
 * until close (another context's open then fails at once with
 * DatabaseLockedError), and commit() sends each record to the worker
 * without beginWrite/endWrite: one writer, no sharing (the probe tests).
 * @param {string} dbFilename
 * @param {{ lockTimeoutMs?: number, exclusive?: boolean }} [options]
 */
export async function openOPFSStorage(dbFilename, options = {}) {
  if (typeof dbFilename !== 'string' || dbFilename === '' || /[/\\]/.test(dbFilename) || dbFilename.endsWith('-journal')) {
    throw new TypeError(`openOPFSStorage: dbFilename must be a plain file name, got ${JSON.stringify(dbFilename)}`);
  }
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  if (typeof lockTimeoutMs !== 'number' || !(lockTimeoutMs > 0)) {
    throw new TypeError(`openOPFSStorage: lockTimeoutMs must be a positive number, got ${lockTimeoutMs}`);
  }
  if (!globalThis.navigator?.storage?.getDirectory || !globalThis.navigator?.locks || typeof BroadcastChannel !== 'function') {
    throw new Error('openOPFSStorage: this context has no OPFS or Web Locks (needs a secure context: https or localhost)');
  }
  let worker;
  let storage;
  try {
    worker = new Worker(new URL('./opfs-worker.js', import.meta.url), { type: 'module', name: `opfs:${dbFilename}` });
    storage = new OPFSStorage(dbFilename, worker, lockTimeoutMs, options.exclusive === true);
    await storage._open();
    return storage;
  } catch (e) {
    storage?._unlisten();
    storage?._release?.();
    storage?._leave?.();
    worker?.terminate();
    throw e;
  }
}

/** The page side of one open database's storage worker and of its sharing. */
export class OPFSStorage {
  constructor(name, worker, lockTimeoutMs, exclusive) {
    /** The database file name: open the store with this path. */
    this.name = name;
    /** True when this context holds the database alone (see openOPFSStorage). */
    this.exclusive = exclusive;
    /** How many journal records the open replayed (crash recovery). */
    this.replayed = 0;
    /** This context's id in the broadcasts. */
    this.id = crypto.randomUUID();
    this._lockTimeoutMs = lockTimeoutMs;
    this._worker = worker;
    this._image = null;
    this._posted = 0; // last sequence number sent
    this._acked = 0; // last sequence number acknowledged (durable)
    this._settled = 0; // last sequence number in the file, its journal emptied
    this._failure = null;
    this._waiters = []; // {seq, resolve, reject}, in seq order, for _acked
    this._settling = []; // the same, for _settled
    this._calls = new Map(); // id -> {resolve, reject} for open/close
    this._nextId = 1;
    this._release = null; // releases the write lock while held
    this._inWrite = false; // between beginWrite and endWrite
    this._leave = null; // releases the presence lock
    /**
     * True while no other context has the database open, as found when
     * this one last took the write lock: its commits then skip the
     * broadcast (a context that opens later takes the write lock to read
     * the file, so the next write here takes it again and looks again).
     */
    this.alone = false;
    this._wanted = false; // another context asked for the lock while this one held it
    this._staged = null; // the open write's record: {seq, buffer}
    this._remote = []; // other contexts' commits not yet taken: {record, meta, parts}
    this._parts = new Map(); // context id -> row change parts that came ahead of its commit
    this._onRemote = null;
    this._listeners = new Map(); // message type -> Set of functions (other uses of the channel)
    // Listening starts before the worker reads the file: no commit made
    // after that read is missed (older ones are dropped by version).
    this._channel = new BroadcastChannel(CHANNEL_PREFIX + name);
    this._channel.onmessage = (e) => this._onBroadcast(e.data);
    worker.onmessage = (e) => this._onMessage(e.data);
    // A page about to be frozen (a background tab the browser suspends, or
    // one going into the back/forward cache) runs no more code, so it could
    // not hear a 'want': it lets the lock go now, as if asked.
    this._onFreeze = () => this._onWant();
    globalThis.document?.addEventListener?.('freeze', this._onFreeze);
    globalThis.addEventListener?.('pagehide', this._onFreeze);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this._fail({ name: 'WorkerError', message: e.message || 'the OPFS storage worker failed' });
    };
  }

  // _unlisten stops hearing the other contexts and the page's lifecycle.
  _unlisten() {
    this._channel.close();
    globalThis.document?.removeEventListener?.('freeze', this._onFreeze);
    globalThis.removeEventListener?.('pagehide', this._onFreeze);
  }

  _call(type, fields = {}) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._calls.set(id, { resolve, reject });
      this._worker.postMessage({ type, id, ...fields });
    });
  }

  async _open() {
    const open = () => this._call('open', { name: this.name, from: this.id });
    let opened;
    if (this.exclusive) {
      this._release = await this._lockNow();
      opened = await open();
    } else {
      // Held (shared) while open: a writer that finds no other holder
      // skips telling the others what it changed (see alone).
      this._leave = await this._presence();
      opened = await this._locked(open);
    }
    this._image = new Uint8Array(opened.image);
    this.replayed = opened.replayed;
  }

  // _lock takes the write lock, waiting at most the lock timeout; resolves
  // to the function that releases it. While it waits it tells the holder,
  // which keeps the lock between its writes until someone asks (see
  // beginWrite), again every WANT_EVERY_MS in case the holder took the lock
  // after hearing the first.
  _lock() {
    const waited = this._lockTimeoutMs;
    const want = () => this.broadcast({ type: 'want' });
    want();
    const nagging = setInterval(want, WANT_EVERY_MS);
    return new Promise((resolve, reject) => {
      navigator.locks
        .request(LOCK_PREFIX + this.name, { signal: AbortSignal.timeout(waited) }, () => {
          clearInterval(nagging);
          return new Promise((release) => resolve(release));
        })
        .catch((e) => {
          clearInterval(nagging);
          reject(e?.name === 'TimeoutError' || e?.name === 'AbortError' ? new DatabaseLockedError(this.name, waited) : e);
        });
    });
  }

  // _onWant: another context waits for the lock. It is let go now if no
  // write is open, else at the end of the open one.
  _onWant() {
    if (!this._release || this.exclusive) return; // exclusive: held until close
    this._wanted = true;
    if (!this._inWrite) this._letGo();
  }

  // _letGo releases the write lock once every commit sent is in the file
  // (the next holder reads and writes it; durable is not enough: the worker
  // writes the file after it acknowledges), and resolves then.
  async _letGo() {
    const release = this._release;
    this._release = null;
    this._wanted = false;
    if (!release) return;
    try {
      await this._settledAt(this._posted);
    } catch {
      // failed: the file holds every acknowledged commit
    }
    release();
  }

  // _presence takes the database's presence lock in shared mode; resolves
  // to its release.
  _presence() {
    return new Promise((resolve, reject) => {
      navigator.locks
        .request(PRESENCE_PREFIX + this.name, { mode: 'shared' }, () => new Promise((release) => resolve(release)))
        .catch(reject);
    });
  }

  // _lockNow takes the write lock if no one holds it, else fails with
  // DatabaseLockedError; resolves to its release.
  _lockNow() {
    return new Promise((resolve, reject) => {
      navigator.locks
        .request(LOCK_PREFIX + this.name, { ifAvailable: true }, (lock) => {
          if (!lock) {
            reject(new DatabaseLockedError(this.name));
            return undefined;
          }
          return new Promise((release) => resolve(release));
        })
        .catch(reject);
    });
  }

  async _locked(fn) {
    const release = await this._lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  _onMessage(msg) {
    switch (msg.type) {
      case 'ack':
        this._acked = Math.max(this._acked, msg.seq);
        while (this._waiters.length && this._waiters[0].seq <= this._acked) this._waiters.shift().resolve();
        return;
      case 'settled':
        this._settled = Math.max(this._settled, msg.seq);
        while (this._settling.length && this._settling[0].seq <= this._settled) this._settling.shift().resolve();
        return;
      case 'failed':
        this._fail(msg);
        return;
      case 'opened':
      case 'begun':
      case 'read':
      case 'closed':
      case 'error': {
        const call = this._calls.get(msg.id);
        this._calls.delete(msg.id);
        if (!call) return;
        if (msg.type === 'error') call.reject(Object.assign(new Error(msg.message), { name: msg.name }));
        else call.resolve(msg);
      }
    }
  }

  _onBroadcast(msg) {
    if (msg?.from === this.id) return;
    if (msg?.type === 'rows') {
      if (!this._parts.has(msg.from)) this._parts.set(msg.from, []);
      this._parts.get(msg.from).push(msg.text);
      return;
    }
    if (msg?.type === 'commit') {
      // A context's messages arrive in the order it sent them: its parts,
      // then its commit. Parts missing (this context began listening
      // between them) make the commit's rows unknown, as for a replayed one.
      const parts = this._parts.get(msg.from) ?? [];
      this._parts.delete(msg.from);
      const complete = msg.meta != null && parts.length === msg.parts;
      this._remote.push({ record: new Uint8Array(msg.record), meta: complete ? msg.meta : null, parts: complete ? parts : null });
      this._onRemote?.();
      return;
    }
    if (msg?.type === 'want') return this._onWant();
    for (const fn of this._listeners.get(msg?.type) ?? []) fn(msg);
  }

  _fail(cause) {
    if (!this._failure) this._failure = new PersistenceError(this.name, cause);
    for (const w of this._waiters.splice(0)) w.reject(this._failure);
    for (const w of this._settling.splice(0)) w.reject(this._failure);
    for (const call of this._calls.values()) call.reject(this._failure);
    this._calls.clear();
    const release = this._release;
    this._release = null;
    release?.(); // the others go on: the file holds every acknowledged commit
  }


  /** The database file as read at open; returned once, then forgotten. */
  takeImage() {
    const image = this._image;
    this._image = null;
    return image;
  }

  /**
   * Takes the write lock and readies the file for a write. Resolves to the
   * file's version (SQLite's change counter) once the lock is held, or to
   * null when this context kept the lock since its last write: no one else
   * wrote, the copy is the latest. Rejects with DatabaseLockedError when
   * another context held the lock longer than the lock timeout, with the
   * PersistenceError once a write has failed. endWrite() must follow a
   * resolved beginWrite().
   *
   * The lock is kept after a write until another context asks for it, so
   * that the writes of a context alone cost what they cost with one tab:
   * no lock round trip, commits sent without waiting for the previous one.
   */
  async beginWrite() {
    if (this.exclusive) throw new Error(`database "${this.name}" is open exclusively: no beginWrite`);
    if (this._failure) throw this._failure;
    if (!this._worker) throw new DatabaseClosedError();
    if (this._release && !this._wanted) {
      this._inWrite = true;
      return null;
    }
    if (this._release) await this._letGo(); // someone waits: their turn first
    const release = await this._lock();
    try {
      const begun = await this._call('begin');
      const { held } = await navigator.locks.query();
      this.alone = held.filter((l) => l.name === PRESENCE_PREFIX + this.name).length <= 1;
      this._release = release;
      this._wanted = false;
      this._inWrite = true;
      return begun.version;
    } catch (e) {
      release();
      throw e;
    }
  }

  /**
   * Reads the whole file (under the write lock, between beginWrite and
   * endWrite): for a copy that cannot catch up from the broadcasts.
   * Resolves to {image: Uint8Array, version}.
   */
  async readImage() {
    if (!this._release) throw new Error(`database "${this.name}": readImage without the write lock`);
    const read = await this._call('read');
    return { image: new Uint8Array(read.image), version: read.version };
  }

  /**
   * Keeps one journal record (a Uint8Array over its own ArrayBuffer, which
   * is transferred at endWrite) and returns its sequence number. Throws the
   * PersistenceError once a write has failed (no commit is silently lost),
   * and when the write lock is not held.
   */
  commit(record) {
    if (this._failure) throw this._failure;
    if (!this._worker) throw new DatabaseClosedError();
    if (!this._release || this._staged) throw new Error(`database "${this.name}": a commit outside a write`);
    const seq = Number(new DataView(record.buffer, record.byteOffset, 12).getBigUint64(4, true));
    const buffer = record.byteOffset === 0 && record.byteLength === record.buffer.byteLength ? record.buffer : record.slice().buffer;
    if (this.exclusive) {
      this._worker.postMessage({ type: 'commit', seq, record: buffer, meta: null }, [buffer]);
      this._posted = seq;
    } else {
      this._staged = { seq, buffer };
    }
    return seq;
  }

  /**
   * Sends one part of the open write's row changes (JSON text, at most 500
   * changes) to the worker, which broadcasts it ahead of the commit once
   * the commit is durable, and drops it if the write ends without one.
   */
  stageRows(text) {
    if (this._failure) throw this._failure;
    if (!this._worker) throw new DatabaseClosedError();
    if (!this._release) throw new Error(`database "${this.name}": row changes outside a write`);
    this._worker.postMessage({ type: 'rows', text });
  }

  /**
   * Ends a write: sends its record (if it committed) with meta, the JSON
   * text of the tables it changed, to the worker, which makes it durable
   * and broadcasts it after the parts stageRows sent; the lock is released
   * once it is in the file (or failed).
   */
  endWrite(meta) {
    if (this.exclusive) return;
    const staged = this._staged;
    this._staged = null;
    this._inWrite = false;
    if (!this._release) return;
    if (staged && !this._failure && this._worker) {
      this._worker.postMessage({ type: 'commit', seq: staged.seq, record: staged.buffer, meta: meta ?? null, quiet: this.alone }, [staged.buffer]);
      this._posted = staged.seq;
    } else if (this._worker) {
      this._worker.postMessage({ type: 'unstage' }); // parts of a write that made no commit
    }
    if (this._wanted || this._failure || !this._worker) this._letGo();
  }

  /**
   * Calls fn (no arguments) whenever another context's commit arrives;
   * takeRemote() returns them.
   */
  onRemote(fn) {
    this._onRemote = fn;
  }

  /**
   * The other contexts' commits arrived since the last call: [{record,
   * meta, parts}], parts the JSON texts of its row changes (null with meta).
   */
  takeRemote() {
    return this._remote.splice(0);
  }

  /** Sends msg (an object with a type other than 'commit') to the other contexts. */
  broadcast(msg) {
    this._channel.postMessage({ ...msg, from: this.id });
  }

  /** Calls fn(msg) for each broadcast of that type from another context; returns a function that ends it. */
  listen(type, fn) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(fn);
    return () => this._listeners.get(type)?.delete(fn);
  }

  /** Resolves once commit seq (and every one before it) is durable in OPFS. */
  durable(seq) {
    if (this._failure) return Promise.reject(this._failure);
    if (seq <= this._acked) return Promise.resolve();
    return new Promise((resolve, reject) => this._waiters.push({ seq, resolve, reject }));
  }

  // _settledAt resolves once commit seq (and every one before it) is in
  // the database file and the journal is empty again.
  _settledAt(seq) {
    if (this._failure) return Promise.reject(this._failure);
    if (seq <= this._settled) return Promise.resolve();
    return new Promise((resolve, reject) => this._settling.push({ seq, resolve, reject }));
  }

  /** The last sequence number handed to the worker. */
  get posted() {
    return this._posted;
  }

  /** Waits for the outstanding commits, closes the files and stops listening. */
  async close() {
    if (!this._worker) return;
    try {
      if (!this._failure) await this.durable(this._posted);
      await this._call('close');
    } finally {
      this._worker.terminate();
      this._worker = null;
      this._unlisten();
      const release = this._release;
      this._release = null;
      release?.();
      this._leave?.();
      this._leave = null;
    }
  }
}
