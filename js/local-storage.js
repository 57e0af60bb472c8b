// localStorageCollectionOptions: a local-only collection kept in
// localStorage (or any storage with getItem/setItem/removeItem), so UI state
// outlives a reload and follows other tabs through storage events.
//
// The stored value has TanStack DB's layout, so data saved by either
// library reads in the other: one JSON object under storageKey mapping
// 's:' + key to { versionKey, data }; versionKey changes with every write,
// and is how a tab tells which items another tab changed.

import { IS_LOCAL_OPTIONS } from './local-only.js';
import { isStandardSchema } from './standard-schema.js';
import { check } from './loader.js';
import { encode } from './values.js';

const OPTIONS = new Set(['storageKey', 'storage', 'storageEventApi', 'parser', 'id', 'getKey', 'schema', 'onInsert', 'onUpdate', 'onDelete']);

function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => { m.set(k, String(v)); },
    removeItem: (k) => { m.delete(k); },
  };
}

function newVersion() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Describes a local-only collection persisted in storage, as TanStack DB's
 * localStorageCollectionOptions: `{ storageKey, getKey, storage?,
 * storageEventApi?, parser?, id?, schema?, onInsert?, onUpdate?, onDelete? }`.
 * storage defaults to globalThis.localStorage (an in-memory store where
 * there is none, as in Node), storageEventApi to globalThis (where
 * 'storage' events arrive from other tabs), parser to JSON. utils:
 * acceptMutations(transaction), clearStorage(), getStorageSize() (bytes).
 * A write the storage refuses (quota) fails its transaction.
 */
export function localStorageCollectionOptions(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('localStorageCollectionOptions: config must be an object');
  for (const key of Object.keys(config)) {
    if (!OPTIONS.has(key)) throw new TypeError(`localStorageCollectionOptions: unknown option "${key}"`);
  }
  const { storageKey, getKey, id, schema, onInsert, onUpdate, onDelete } = config;
  if (typeof storageKey !== 'string' || storageKey === '') throw new TypeError('localStorageCollectionOptions: storageKey must be a non-empty string');
  if (typeof getKey !== 'function') throw new TypeError('localStorageCollectionOptions: getKey must be a function (item) => key');
  if (id !== undefined && typeof id !== 'string') throw new TypeError('localStorageCollectionOptions: id must be a string');
  if (schema !== undefined && !isStandardSchema(schema)) throw new TypeError('localStorageCollectionOptions: schema must be a Standard Schema v1 validator');
  for (const [k, v] of Object.entries({ onInsert, onUpdate, onDelete })) {
    if (v !== undefined && typeof v !== 'function') throw new TypeError(`localStorageCollectionOptions: ${k} must be a function`);
  }
  const storage = config.storage ?? globalThis.localStorage ?? memoryStorage();
  for (const m of ['getItem', 'setItem', 'removeItem']) {
    if (typeof storage?.[m] !== 'function') throw new TypeError(`localStorageCollectionOptions: storage must have ${m}()`);
  }
  const events = config.storageEventApi ?? (typeof globalThis.addEventListener === 'function' ? globalThis : null);
  const parser = config.parser ?? JSON;
  if (typeof parser?.parse !== 'function' || typeof parser?.stringify !== 'function') {
    throw new TypeError('localStorageCollectionOptions: parser must have parse() and stringify()');
  }

  // What this tab last read or wrote: key -> { versionKey, data }.
  const known = load(storage, parser, storageKey);
  let collection = null;

  const save = (map) => {
    const obj = {};
    for (const [k, v] of map) obj[`s:${k}`] = v;
    storage.setItem(storageKey, parser.stringify(obj));
  };
  // persist stores the mutations of this collection, before the engine
  // keeps them: a refused write fails the transaction, and nothing is
  // shown that storage does not hold.
  const persist = (transaction) => {
    const staged = new Map(known);
    for (const m of transaction.mutations) {
      if (m.collection !== collection) continue;
      if (m.type === 'delete') staged.delete(m.key);
      else staged.set(m.key, { versionKey: newVersion(), data: m.modified });
    }
    save(staged);
    known.clear();
    for (const [k, v] of staged) known.set(k, v);
  };
  const wrap = (fn) => async (params) => {
    const result = fn ? await fn(params) : undefined;
    persist(params.transaction);
    return result;
  };

  return {
    [IS_LOCAL_OPTIONS]: true,
    // With JSON as the parser, values JSON cannot hold are refused at the
    // call, naming the field, instead of failing the save.
    jsonStorage: parser === JSON,
    id: id ?? `local-collection:${storageKey}`,
    getKey,
    schema,
    initialData: [...known.values()].map((v) => v.data),
    onInsert: wrap(onInsert),
    onUpdate: wrap(onUpdate),
    onDelete: wrap(onDelete),
    // Called once the collection exists: its utils, and other tabs' writes.
    attach(c) {
      collection = c;
      const accept = c.utils.acceptMutations;
      c.utils = {
        acceptMutations: (transaction) => {
          persist(transaction);
          accept(transaction);
        },
        clearStorage: () => storage.removeItem(storageKey),
        getStorageSize: () => {
          const text = storage.getItem(storageKey);
          return text ? new TextEncoder().encode(text).length : 0;
        },
      };
      events?.addEventListener('storage', (event) => {
        if (event.key !== storageKey || (event.storageArea !== undefined && event.storageArea !== storage)) return;
        const now = load(storage, parser, storageKey);
        const changes = [];
        for (const [key, was] of known) {
          const is = now.get(key);
          if (!is) changes.push({ type: 'delete', key });
          else if (is.versionKey !== was.versionKey) changes.push({ type: 'update', key, value: is.data });
        }
        for (const [key, is] of now) if (!known.has(key)) changes.push({ type: 'insert', key, value: is.data });
        known.clear();
        for (const [k, v] of now) known.set(k, v);
        if (changes.length === 0) return;
        const [text, blobs] = encode(changes, true);
        check(c._go.writeLocal(text, blobs));
      });
    },
  };
}

// load reads the stored items; what cannot be read counts as nothing
// stored (and is overwritten by the next write), as in TanStack DB.
function load(storage, parser, storageKey) {
  const out = new Map();
  const text = storage.getItem(storageKey);
  if (!text) return out;
  try {
    const obj = parser.parse(text);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not an object');
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || typeof v !== 'object' || !('versionKey' in v) || !('data' in v)) throw new Error(`entry ${k} is not { versionKey, data }`);
      out.set(k.startsWith('s:') ? k.slice(2) : k, v);
    }
  } catch (e) {
    console.warn(`localStorageCollectionOptions: ignoring unreadable data under "${storageKey}":`, e);
    out.clear();
  }
  return out;
}
