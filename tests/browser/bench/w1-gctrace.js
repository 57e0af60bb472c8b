// W1's loop (browser-bench.js's 1-row update to change callback) with Go's
// GODEBUG=gctrace=1 on, to tell which slow updates had a Go collection
// end inside them, and where in the loop the others fall (V8 tiering the
// module up in the first seconds after load). Not a test: it prints figures
// (BENCHMARKS.md, "W1's tail on a quiet machine").
//   node tests/browser/bench/w1-gctrace.js [--root DIR] [--updates 1000]
//     [--pause MS] [--rows N] [--env GODEBUG=gctrace=1,GOGC=100]
//     [--flags '--js-flags=--liftoff-only']
import { loadavg } from 'node:os';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { serve } from '../lib/server.js';

const args = process.argv.slice(2);
const opt = (name, def, conv = Number) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? def : conv(args[i + 1]);
};
const ROOT = opt('root', REPO, String);
const UPDATES = opt('updates', 1000);
const ROWS = opt('rows', 0);
const PAUSE = opt('pause', 0);
// --warm N: N updates, then a reload of the page (same browser profile, so
// V8's code cache for the module applies), before the measured loop.
const WARM = opt('warm', 0); // ms idle after each isPersisted, before the next update
const ENV = opt('env', 'GODEBUG=gctrace=1', String);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const web = await serve(ROOT);
const profile = freshProfile();
const FLAGS = opt('flags', '', String).split(' ').filter(Boolean); // extra Chromium flags, e.g. --js-flags=--no-wasm-dynamic-tiering
const chrome = await launch(profile.dir, FLAGS);
try {
  const page = await chrome.context.newPage();
  for (const p of chrome.context.pages()) if (p !== page) await p.close();
  const env = Object.fromEntries(ENV.split(',').map((kv) => kv.split('=')).map(([k, ...v]) => [k, v.join('=')]));
  await page.addInitScript((env) => {
    // wasm_exec.js assigns globalThis.Go; the class stored instead starts
    // every instance with env as its environment (GODEBUG read at start).
    let Go;
    Object.defineProperty(globalThis, 'Go', {
      configurable: true,
      get: () => Go,
      set: (base) => {
        Go = class extends base {
          constructor() {
            super();
            this.env = { ...this.env, ...env };
          }
        };
      },
    });
    globalThis.__gclog = [];
    const log = console.log.bind(console);
    const err = console.error.bind(console);
    const keep = (f) => (...a) => { if (typeof a[0] === 'string' && a[0].startsWith('gc ')) globalThis.__gclog.push([performance.now(), a[0]]); return f(...a); };
    console.log = keep(log);
    console.error = keep(err);
  }, env);
  await page.goto(web.url + '/tests/browser/pages/stack.html');
  await page.waitForFunction(() => window.pageReady);
  await page.evaluate(() => app.open('w1-gc.db'));
  if (WARM) {
    await page.evaluate(async (n) => {
      await todos.insert({ id: 'warm', title: 'x', n: 0 }).isPersisted.promise;
      for (let i = 1; i <= n; i++) await todos.update('warm', (d) => { d.n = i; }).isPersisted.promise;
      await db.close();
    }, WARM);
    await new Promise((r) => setTimeout(r, 3000)); // V8 writes its code cache after a task
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(() => app.open('w1-gc.db'));
  }
  if (ROWS) {
    await page.evaluate(async (rows) => {
      for (let k = 0; k < rows; k += 10000) {
        const batch = Array.from({ length: Math.min(10000, rows - k) }, (_, i) => ({ id: `r${k + i}`, title: 'a todo item with a typical title', n: k + i }));
        await todos.insert(batch).isPersisted.promise;
      }
    }, ROWS);
  }
  await page.evaluate(() => todos.insert({ id: 'one', title: 'x', n: 0 }).isPersisted.promise);
  const res = await page.evaluate(async ({ n, pause }) => {
    let changed;
    const sub = todos.subscribeChanges(() => changed?.());
    const spans = [];
    for (let i = 1; i <= n; i++) {
      const seen = new Promise((r) => (changed = r));
      const t0 = performance.now();
      const tx = todos.update('one', (d) => { d.n = i; });
      await seen;
      const t1 = performance.now();
      await tx.isPersisted.promise;
      if (pause) await new Promise((r) => setTimeout(r, pause));
      if (i > 50) spans.push([t0, t1]);
    }
    sub.unsubscribe();
    return { spans, gclog: globalThis.__gclog, mem: app.wasmMemory?.() };
  }, { n: UPDATES, pause: PAUSE });
  const cb = res.spans.map(([a, b]) => b - a);
  console.log(`root ${ROOT}; ${UPDATES} updates (${ROWS} extra rows, pause ${PAUSE} ms, warm ${WARM}); env ${ENV}; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; wasm memory ${res.mem}`);
  console.log(`update to callback: p50 ${pct(cb, 50).toFixed(2)} ms, p99 ${pct(cb, 99).toFixed(2)} ms, max ${Math.max(...cb).toFixed(2)} ms`);
  // browser-bench.js's window (updates 51-350) against the last 300.
  const win = (a, b) => { const w = cb.slice(a, b); return `p50 ${pct(w, 50).toFixed(2)} p99 ${pct(w, 99).toFixed(2)} max ${Math.max(...w).toFixed(1)}`; };
  console.log(`updates 51-350: ${win(0, 300)}; last 300: ${win(cb.length - 300, cb.length)} ms`);
  // A gc line is printed when a cycle ends: the update whose span holds the print had it.
  const inside = (t) => res.spans.findIndex(([a, b]) => t >= a && t <= b + 0.05);
  const slowIdx = cb.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, Math.max(1, Math.round(cb.length / 100)));
  const withGC = new Set(res.gclog.map(([t]) => inside(t)).filter((i) => i >= 0));
  console.log(`collections during the loop: ${res.gclog.filter(([t]) => t >= res.spans[0][0]).length}; ended inside an update: ${withGC.size}`);
  console.log(`slowest 1%: ${slowIdx.map(([v, i]) => `${v.toFixed(1)}${withGC.has(i) ? "(gc)" : ""}@${i}`).join(" ")} ms`);
  const rest = [...withGC].map((i) => cb[i].toFixed(1));
  console.log(`updates with a collection: ${rest.join(' ')} ms`);
  for (const [t, l] of res.gclog.slice(-4)) console.log(`  ${t.toFixed(0)} ${l.trim()}`);
} finally {
  await chrome.close();
  profile.remove();
  await web.close();
}
