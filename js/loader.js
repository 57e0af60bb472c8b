// Loads the Go module once and hands back its entry object.

import { makeError } from './errors.js';
import { reviveWith } from './values.js';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

let loading;

/**
 * The transaction callback that the running code belongs to, where the
 * runtime can tell (Node's AsyncLocalStorage, which follows awaits, timers
 * and promise callbacks); null elsewhere (browsers, until the TC39
 * AsyncContext proposal lands). Read it with txScope.getStore(); run
 * callbacks in it with inTxScope. @internal
 */
export const txScope = (() => {
  const hooks = isNode ? globalThis.process.getBuiltinModule?.('node:async_hooks') : undefined;
  return hooks ? new hooks.AsyncLocalStorage() : null;
})();

// The callbacks running in inTxScope. While an AsyncLocalStorage is
// enabled, Node 20 tracks every promise through async hooks (in 4 paired
// runs of 600 awaited calls, 2.98 s of CPU against 2.20 s without it), so
// it is enabled only while a transaction callback runs: the scope matters
// only then (after disable(), getStore() is undefined).
let inScope = 0;

/**
 * Runs fn() as the transaction callback scope (see txScope); resolves to
 * what fn resolves to. @internal
 */
export async function inTxScope(scope, fn) {
  if (!txScope) return fn();
  inScope++;
  try {
    return await txScope.run(scope, fn);
  } finally {
    if (--inScope === 0) txScope.disable();
  }
}

/**
 * Loads and starts the WebAssembly module. Idempotent: later calls return
 * the first call's promise (a failed load may be retried).
 * @param {{ wasmURL?: string | URL }} [options] the module's URL, or the
 *   directory holding gopowersync.wasm and wasm_exec.js; default dist/
 *   beside js/.
 */
export function init(options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('init: options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'wasmURL') throw new TypeError(`init: unknown option "${key}"`);
  }
  loading ??= load(options).catch((e) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** Whether init() has loaded the module (module() answers). @internal */
export function loaded() {
  return globalThis.__gopowersync?.ready === true;
}

/** The entry object of the running module; throws before init(). @internal */
export function module() {
  const m = globalThis.__gopowersync;
  if (!m) throw new Error('gopowersync: call and await init() first');
  return m;
}

async function load({ wasmURL }) {
  if (globalThis.__gopowersync) return;
  let wasm = new URL(wasmURL ?? '../dist/', import.meta.url);
  if (!wasm.pathname.endsWith('.wasm')) {
    if (!wasm.pathname.endsWith('/')) wasm = new URL(wasm.href + '/');
    wasm = new URL('gopowersync.wasm', wasm);
  }
  const loaderURL = new URL('wasm_exec.js', wasm);
  if (isNode) await nodeGlobals();
  if (!globalThis.Go) await import(loaderURL.href);
  const go = new globalThis.Go();
  if (isNode) unrefTimers(go);
  if (txScope) {
    // What the engine runs (its calls into JS: subscribers, handlers,
    // uploadData) belongs to no transaction callback, whichever JS task
    // happened to resume it; a transaction callback sets its scope itself.
    const resume = go._resume.bind(go);
    go._resume = () => txScope.exit(resume);
  }
  const { instance } = await instantiate(wasm, go.importObject);
  // main publishes globalThis.__gopowersync before it blocks, which is
  // before run() returns control here.
  go.run(instance);
  const m = globalThis.__gopowersync;
  if (!m) throw new Error('gopowersync: the module started without publishing its entry object');
  const problem = m.setup({ makeError, watchPromise: (p, id) => watchPromise(m, p, id), nextTask: nextTask() });
  if (problem) throw new Error(`gopowersync: setup: ${problem}`);
  m.ready = true;
}

/**
 * nextTask returns a function whose promise resolves in a later task of
 * the event loop (not a microtask), so Go work that waits for it lets the
 * current task, and rendering, finish first.
 */
function nextTask() {
  if (typeof setImmediate === 'function') return () => new Promise((resolve) => setImmediate(resolve));
  const channel = new MessageChannel();
  const waiting = [];
  channel.port1.onmessage = () => waiting.shift()?.();
  return () => new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

function watchPromise(m, p, id) {
  Promise.resolve(p).then((v) => m.settle(id, true, v), (e) => m.settle(id, false, e));
}

/**
 * In Node, the Go runtime's timers (wasm_exec.js keeps them in
 * _scheduledTimeouts) must not keep the process alive on their own: a
 * collection's garbage-collection timer (five minutes by default) would
 * otherwise hold a finished script or test run open.
 */
function unrefTimers(go) {
  const timeouts = go._scheduledTimeouts;
  if (!(timeouts instanceof Map)) return;
  timeouts.set = function set(id, timeout) {
    timeout?.unref?.();
    return Map.prototype.set.call(this, id, timeout);
  };
}

/** wasm_exec.js reaches the file system through globalThis.fs in Node. */
async function nodeGlobals() {
  const [fs, path] = await Promise.all([import('node:fs'), import('node:path')]);
  globalThis.fs ??= fs.default;
  globalThis.path ??= path.default;
  globalThis.crypto ??= (await import('node:crypto')).webcrypto;
}

async function instantiate(url, imports) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.instantiate(await readFile(url), imports);
  }
  if (onPageThread()) {
    const module = await compileInWorker(url).catch(() => null);
    // A page that cannot start the worker (a strict CSP, say) compiles here.
    if (module) return { instance: await WebAssembly.instantiate(module, imports) };
  }
  const response = fetch(url);
  if (WebAssembly.instantiateStreaming) {
    try {
      // Streaming lets the browser compile while downloading and cache the
      // compiled code; it needs the application/wasm content type.
      return await WebAssembly.instantiateStreaming(response, imports);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }
  const r = await fetch(url);
  if (!r.ok) throw new Error(`gopowersync: fetch ${url}: ${r.status} ${r.statusText}`);
  return WebAssembly.instantiate(await r.arrayBuffer(), imports);
}

/** True on a page's main thread, where long tasks block rendering and input. */
function onPageThread() {
  return typeof document === 'object' && typeof Worker === 'function' && typeof WebAssembly.Module === 'function';
}

/**
 * Compiles the module in js/compile-worker.js; resolves to a
 * WebAssembly.Module. The worker stays: terminating it right after the
 * compilation made some later page loads start from uncached code (a
 * 450 ms task of lazy compilation in db.init), as if V8 never got to
 * cache what it compiled there.
 */
function compileInWorker(url) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./compile-worker.js', import.meta.url), { type: 'module', name: 'gopowersync:compile' });
    const fail = (why) => {
      worker.terminate();
      reject(new Error(`gopowersync: compile worker: ${why}`));
    };
    worker.onmessage = ({ data }) => (data.module instanceof WebAssembly.Module ? resolve(data.module) : fail(data.error ?? 'no module'));
    worker.onerror = (e) => fail(e.message ?? 'failed to start');
    worker.postMessage({ url: url.href });
  });
}

/**
 * Calls an async Go function fn(...args, cb) and returns its promise; Go
 * calls cb(ok, value). A bad argument comes back from the call itself as
 * an Error instance.
 * @internal
 */
export function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    const r = fn(...args, (ok, v) => (ok ? resolve(v) : reject(asError(v))));
    if (r instanceof Error) reject(r);
  });
}

/** Rejections always carry an Error, even when JS code threw undefined. @internal */
export function asError(v) {
  return v === undefined || v === null ? new Error(`rejected with ${v}`) : v;
}

/** Throws the Error a sync Go function returned instead of a value. @internal */
export function check(r) {
  if (r instanceof Error) throw r;
  return r;
}

/**
 * Parses a payload from Go: JSON text, or [text, blobs] when values were
 * binary (restored as Uint8Array). @internal
 */
export function revive(payload) {
  if (typeof payload === 'string') return JSON.parse(payload);
  const [text, blobs] = payload;
  if (!blobs) return JSON.parse(text);
  return reviveWith(text, blobs);
}

/** Reports an error thrown by a user callback without interrupting the caller. @internal */
export function report(e) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(e);
  else console.error('gopowersync: a callback threw:', e);
}
