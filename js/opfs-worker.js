// The storage worker of one database in one context (tab or worker): it
// opens the database file in the origin private file system (OPFS) through
// synchronous access handles, which exist only in dedicated workers, in the
// shared mode ("readwrite-unsafe"): every context of the origin has such a
// worker on the same files, and the page's Web Lock (js/opfs.js) lets one
// write at a time. It makes each commit the page sends it durable, in order:
//
//   1. append the commit's journal record to "<db>-journal", flush: the
//      commit is durable, so it is acknowledged and broadcast to the other
//      contexts now;
//   2. write its pages into "<db>" (after truncating it to the new size), flush;
//   3. truncate the journal (its record is now redundant) and report the
//      commit settled: the page lets the write lock go only then, so the
//      next writer never reads or writes the file while this one does.
//
// A crash between any two steps (of this context, or of another one: the
// lock is then released) is repaired by the next lock holder, which replays
// every complete, checksum-valid journal record onto the database file and
// broadcasts it; a torn record (cut short by the crash) fails its checksum
// and is dropped, and its commit was never acknowledged nor broadcast.
// Acknowledging at step 1 rather than 3 takes the second flush and the
// truncation out of isPersisted and of the other tabs' latency (the p99 of
// a cross-tab commit, BENCHMARKS.md).
//
// The record format is defined and tested in Go (store/pagevfs/journal.go,
// store/pagevfs/testdata/vector.*); this file decodes the same bytes.
//
// Messages in:  {type:'open', id, name, from}, {type:'begin', id}, {type:'read', id},
//               {type:'rows', text}, {type:'unstage'},
//               {type:'commit', seq, record, meta, quiet}, {type:'close', id}
//               (all but close under the page's write lock)
// Messages out: {type:'opened', id, image, replayed}, {type:'begun', id, version},
//               {type:'read', id, image, version}, {type:'ack', seq} (durable),
//               {type:'settled', seq} (in the file, journal emptied),
//               {type:'failed', seq, name, message}, {type:'closed', id},
//               {type:'error', id, name, message} (failures of the others)
// Broadcast (BroadcastChannel "gopowersync:<db>"): after each durable commit,
//               {type:'rows', from, text} for each part of its row changes the
//               page staged, then {type:'commit', from, record, meta, parts}
//               (parts: how many went ahead; meta null for a replayed one).

const MAGIC = 0x314a5650; // "PVJ1" little-endian
const MARKER = 0x454a5650; // "PVJE"
const HEADER = 28;
const PAGE_HEAD = 12;
const TRAILER = 8;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE), as Go's hash/crc32.ChecksumIEEE. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Decodes the journal record at the start of bytes (a Uint8Array).
 * Returns {seq, size, pages: [{offset, data}], length}, or null for a torn
 * record (short, bad magic, checksum mismatch, no commit marker).
 * seq and size are Numbers: files stay far below 2^53 bytes.
 */
export function decodeRecord(bytes, verify = true) {
  if (bytes.length < HEADER + TRAILER) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) return null;
  const seq = Number(dv.getBigUint64(4, true));
  const size = Number(dv.getBigUint64(12, true));
  const count = dv.getUint32(20, true);
  const body = dv.getUint32(24, true);
  const end = HEADER + body;
  if (bytes.length < end + TRAILER) return null;
  if (verify && crc32(bytes.subarray(0, end)) !== dv.getUint32(end, true)) return null;
  if (dv.getUint32(end + 4, true) !== MARKER) return null;
  const pages = [];
  let at = HEADER;
  for (let i = 0; i < count; i++) {
    if (at + PAGE_HEAD > end) return null;
    const offset = Number(dv.getBigUint64(at, true));
    const n = dv.getUint32(at + 8, true);
    at += PAGE_HEAD;
    if (at + n > end || offset + n > size) return null;
    pages.push({ offset, data: bytes.subarray(at, at + n) });
    at += n;
  }
  if (at !== end) return null;
  return { seq, size, pages, length: end + TRAILER };
}

/** Applies a decoded record to a sync access handle. */
function applyRecord(handle, rec) {
  if (handle.getSize() !== rec.size) handle.truncate(rec.size);
  for (const p of rec.pages) writeAll(handle, p.data, p.offset);
}

/** Writes all of data at offset, or throws. */
function writeAll(handle, data, at) {
  const n = handle.write(data, { at });
  if (n !== data.byteLength) {
    throw new DOMException(`short write: ${n} of ${data.byteLength} bytes at ${at}`, 'QuotaExceededError');
  }
}

/** Reads the whole file behind a sync access handle into a new Uint8Array. */
function readAll(handle) {
  const buf = new Uint8Array(handle.getSize());
  let at = 0;
  while (at < buf.length) {
    const n = handle.read(buf.subarray(at), { at });
    if (n <= 0) throw new Error(`short read at ${at} of ${buf.length} bytes`);
    at += n;
  }
  return buf;
}

/**
 * Replays every complete record of the journal onto the database file, in
 * sequence order, stopping at the first torn or out-of-sequence record.
 * Returns the number of records applied.
 */
export function replay(dbHandle, journalBytes, onRecord) {
  let at = 0;
  let applied = 0;
  let last = 0;
  while (at < journalBytes.length) {
    const rec = decodeRecord(journalBytes.subarray(at));
    if (!rec || (applied > 0 && rec.seq !== last + 1)) break;
    applyRecord(dbHandle, rec);
    onRecord?.(journalBytes.subarray(at, at + rec.length));
    applied++;
    last = rec.seq;
    at += rec.length;
  }
  return applied;
}

/** The file change counter (bytes 24-27, big-endian) of a database file: its version. */
function fileVersion(handle) {
  if (handle.getSize() < 28) return 0;
  const b = new Uint8Array(4);
  handle.read(b, { at: 24 });
  return new DataView(b.buffer).getUint32(0);
}

/** One open database: its two files and the commit pipeline state. */
class Store {
  constructor(name, db, journal, from) {
    this.name = name;
    this.db = db;
    this.journal = journal;
    this.from = from; // this context's id in broadcasts
    this.channel = new BroadcastChannel('gopowersync:' + name);
    this.failure = null; // first write failure: every later commit fails with it
    this.rows = []; // the open write's row change parts (JSON texts), broadcast with its commit
  }

  static async open(name, from) {
    const root = await navigator.storage.getDirectory();
    const dbFile = await root.getFileHandle(name, { create: true });
    const journalFile = await root.getFileHandle(name + '-journal', { create: true });
    let db;
    let journal;
    try {
      db = await openHandle(dbFile);
      journal = await openHandle(journalFile);
    } catch (e) {
      db?.close();
      if (e?.name === 'NoModificationAllowedError') {
        throw namedError('DatabaseLockedError', `database "${name}" is open in another tab or worker`);
      }
      throw e;
    }
    const store = new Store(name, db, journal, from);
    const replayed = store.recover();
    return { store, replayed };
  }

  /**
   * Replays the journal onto the database file and empties the journal:
   * a record left there is a commit whose writer crashed before it
   * finished (or before it broadcast it), so it is broadcast here.
   */
  recover() {
    if (this.journal.getSize() === 0) return 0;
    const bytes = readAll(this.journal);
    const applied = replay(this.db, bytes, (record) => this.broadcast(record, null));
    this.db.flush();
    this.journal.truncate(0);
    this.journal.flush();
    return applied;
  }

  /**
   * Sends a durable commit to the other contexts: each part of its row
   * changes as a message of its own (a receiving page deserializes each in
   * its own task), then its record and meta.
   */
  broadcast(record, meta, parts = []) {
    for (const text of parts) this.channel.postMessage({ type: 'rows', from: this.from, text });
    this.channel.postMessage({ type: 'commit', from: this.from, record, meta, parts: parts.length });
  }

  /**
   * Makes one commit durable (see the file comment for the steps), calls
   * durable() once it is (its journal record flushed) and, unless quiet
   * (no other context has the database open), broadcasts it then; returns
   * once it is in the database file. Throws the first failure, before or
   * after durable() was called.
   */
  commit(record, meta, quiet, durable) {
    const parts = this.rows;
    this.rows = [];
    if (this.failure) throw this.failure;
    try {
      const rec = decodeRecord(record, false);
      if (!rec) throw new Error('malformed journal record from the page');
      writeAll(this.journal, record, 0);
      this.journal.flush();
      durable();
      if (!quiet) this.broadcast(record, meta, parts);
      applyRecord(this.db, rec);
      this.db.flush();
      this.journal.truncate(0);
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }

  close() {
    try {
      this.db.flush();
      this.journal.flush();
    } finally {
      this.db.close();
      this.journal.close();
      this.channel.close();
    }
  }
}

/**
 * Opens a sync access handle in the shared mode, retrying for a while when
 * the file is still held in the exclusive one (by an older version of this
 * code in a page that is going away, which lets go when its thread ends).
 */
async function openHandle(fileHandle) {
  for (let wait = 10; ; wait *= 2) {
    try {
      return await fileHandle.createSyncAccessHandle({ mode: 'readwrite-unsafe' });
    } catch (e) {
      if (e?.name !== 'NoModificationAllowedError' || wait > 1280) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function namedError(name, message) {
  const e = new Error(message);
  e.name = name;
  return e;
}

function errorFields(e) {
  return { name: e?.name ?? 'Error', message: e?.message ?? String(e) };
}

let store = null;

async function onMessage(msg) {
  switch (msg.type) {
    case 'open': {
      try {
        const opened = await Store.open(msg.name, msg.from);
        store = opened.store;
        const image = readAll(store.db);
        postMessage({ type: 'opened', id: msg.id, image: image.buffer, replayed: opened.replayed }, [image.buffer]);
      } catch (e) {
        postMessage({ type: 'error', id: msg.id, ...errorFields(e) });
      }
      return;
    }
    case 'begin': {
      try {
        if (store.failure) throw store.failure;
        store.recover();
        postMessage({ type: 'begun', id: msg.id, version: fileVersion(store.db) });
      } catch (e) {
        postMessage({ type: 'error', id: msg.id, ...errorFields(e) });
      }
      return;
    }
    case 'read': {
      try {
        const image = readAll(store.db);
        postMessage({ type: 'read', id: msg.id, image: image.buffer, version: fileVersion(store.db) }, [image.buffer]);
      } catch (e) {
        postMessage({ type: 'error', id: msg.id, ...errorFields(e) });
      }
      return;
    }
    case 'rows':
      store?.rows.push(msg.text);
      return;
    case 'unstage':
      if (store) store.rows = [];
      return;
    case 'commit': {
      try {
        store.commit(new Uint8Array(msg.record), msg.meta, msg.quiet === true, () => postMessage({ type: 'ack', seq: msg.seq }));
        postMessage({ type: 'settled', seq: msg.seq });
      } catch (e) {
        postMessage({ type: 'failed', seq: msg.seq, ...errorFields(e) });
      }
      return;
    }
    case 'close': {
      try {
        store?.close();
        store = null;
        postMessage({ type: 'closed', id: msg.id });
      } catch (e) {
        postMessage({ type: 'error', id: msg.id, ...errorFields(e) });
      }
      return;
    }
  }
}

// Serve messages only when started by opfs.js as the storage worker (it
// names it "opfs:<db>"): the decoding functions above are also imported by
// tests, in pages and in other workers.
if (typeof DedicatedWorkerGlobalScope !== 'undefined' && globalThis.name?.startsWith('opfs:')) {
  globalThis.onmessage = (e) => onMessage(e.data);
}
