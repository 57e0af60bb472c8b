// Durable storage of one database in the origin private file system (OPFS),
// for the Go module running on this thread (a page or a dedicated worker).
//
// The Go side (bridge/opfs, store/pagevfs) keeps the database in memory
// and hands every committed transaction to commit() as one journal record;
// a dedicated storage worker (opfs-worker.js) writes it durably and
// acknowledges it; durable(seq) resolves on that acknowledgement.
//
// One database is open in one place at a time: a Web Lock named after the
// database guards it, and a second tab (or worker) gets DatabaseLockedError.

import { DatabaseLockedError, PersistenceError } from './errors.js';

const LOCK_PREFIX = 'gopowersync-opfs:';

/**
 * Opens dbFilename (a plain file name in the OPFS root) for the Go module.
 * Resolves to an OPFSStorage once the file has been recovered (journal
 * replayed) and read. Rejects with DatabaseLockedError when another tab
 * holds it, and with the browser's error when OPFS is unavailable.
 */
export async function openOPFSStorage(dbFilename) {
  if (typeof dbFilename !== 'string' || dbFilename === '' || /[/\\]/.test(dbFilename) || dbFilename.endsWith('-journal')) {
    throw new TypeError(`openOPFSStorage: dbFilename must be a plain file name, got ${JSON.stringify(dbFilename)}`);
  }
  if (!globalThis.navigator?.storage?.getDirectory || !globalThis.navigator?.locks) {
    throw new Error('openOPFSStorage: this context has no OPFS or Web Locks (needs a secure context: https or localhost)');
  }
  const releaseLock = await acquireLock(dbFilename);
  let worker;
  try {
    worker = new Worker(new URL('./opfs-worker.js', import.meta.url), { type: 'module', name: `opfs:${dbFilename}` });
    const storage = new OPFSStorage(dbFilename, worker, releaseLock);
    await storage._open();
    return storage;
  } catch (e) {
    worker?.terminate();
    releaseLock();
    throw e;
  }
}

/** Takes the database's Web Lock without waiting; resolves to its release. */
function acquireLock(dbFilename) {
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(LOCK_PREFIX + dbFilename, { ifAvailable: true }, (lock) => {
        if (!lock) {
          reject(new DatabaseLockedError(dbFilename));
          return undefined;
        }
        // Hold the lock until release() resolves this promise.
        return new Promise((release) => resolve(release));
      })
      .catch(reject);
  });
}

/** The page side of one open database's storage worker. */
export class OPFSStorage {
  constructor(name, worker, releaseLock) {
    /** The database file name: open the store with this path. */
    this.name = name;
    /** How many journal records the open replayed (crash recovery). */
    this.replayed = 0;
    this._worker = worker;
    this._releaseLock = releaseLock;
    this._image = null;
    this._posted = 0; // last sequence number sent
    this._acked = 0; // last sequence number acknowledged
    this._failure = null;
    this._waiters = []; // {seq, resolve, reject}, in seq order
    this._calls = new Map(); // id -> {resolve, reject} for open/close
    this._nextId = 1;
    worker.onmessage = (e) => this._onMessage(e.data);
    worker.onerror = (e) => {
      e.preventDefault?.();
      this._fail({ name: 'WorkerError', message: e.message || 'the OPFS storage worker failed' });
    };
  }

  _call(type, fields = {}) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._calls.set(id, { resolve, reject });
      this._worker.postMessage({ type, id, ...fields });
    });
  }

  async _open() {
    const opened = await this._call('open', { name: this.name });
    this._image = new Uint8Array(opened.image);
    this.replayed = opened.replayed;
  }

  _onMessage(msg) {
    switch (msg.type) {
      case 'ack':
        this._acked = Math.max(this._acked, msg.seq);
        while (this._waiters.length && this._waiters[0].seq <= this._acked) this._waiters.shift().resolve();
        return;
      case 'failed':
        this._fail(msg);
        return;
      case 'opened':
      case 'closed':
      case 'error': {
        const call = this._calls.get(msg.id);
        this._calls.delete(msg.id);
        if (!call) return;
        if (msg.type === 'error') {
          const e = msg.name === 'DatabaseLockedError' ? new DatabaseLockedError(this.name) : Object.assign(new Error(msg.message), { name: msg.name });
          call.reject(e);
        } else call.resolve(msg);
      }
    }
  }

  _fail(cause) {
    if (!this._failure) this._failure = new PersistenceError(this.name, cause);
    for (const w of this._waiters.splice(0)) w.reject(this._failure);
    for (const call of this._calls.values()) call.reject(this._failure);
    this._calls.clear();
  }

  /** The database file as read at open; returned once, then forgotten. */
  takeImage() {
    const image = this._image;
    this._image = null;
    return image;
  }

  /**
   * Sends one journal record (a Uint8Array over its own ArrayBuffer, which is
   * transferred) to the worker and returns its sequence number. Throws the
   * PersistenceError once a write has failed: no commit is silently lost.
   */
  commit(record) {
    if (this._failure) throw this._failure;
    if (!this._worker) throw new Error(`database "${this.name}" is closed`);
    const seq = Number(new DataView(record.buffer, record.byteOffset, 12).getBigUint64(4, true));
    const buffer = record.byteOffset === 0 && record.byteLength === record.buffer.byteLength ? record.buffer : record.slice().buffer;
    this._worker.postMessage({ type: 'commit', seq, record: buffer }, [buffer]);
    this._posted = seq;
    return seq;
  }

  /** Resolves once commit seq (and every one before it) is durable in OPFS. */
  durable(seq) {
    if (this._failure) return Promise.reject(this._failure);
    if (seq <= this._acked) return Promise.resolve();
    return new Promise((resolve, reject) => this._waiters.push({ seq, resolve, reject }));
  }

  /** The last sequence number handed to commit(). */
  get posted() {
    return this._posted;
  }

  /** Waits for the outstanding commits, closes the files and releases the lock. */
  async close() {
    if (!this._worker) return;
    try {
      if (!this._failure) await this.durable(this._posted);
      await this._call('close');
    } finally {
      this._worker.terminate();
      this._worker = null;
      this._releaseLock();
    }
  }
}
