// `make bench-browser`: workloads W1-W7, our package (js/index.js + dist/)
// and the reference stack (TanStack DB + @powersync/web on OPFS,
// tests/browser/reference) side by side in one headless Chromium run,
// alternating, and one table of medians with the ratio ours/reference.
// Not a test: it prints figures (BENCHMARKS.md). Both stacks expose the same
// window.app and todos/db globals, so every workload is the same code.
//
// A round runs, for each stack in turn (the order swapped every round),
// on a fresh browser profile:
//   W5 first visit: init + db.init + preload of an empty collection, in a
//      new profile (nothing cached), and the bytes of the files it fetched
//      (brotli at quality 11 for both: our demo server sends the module so);
//   W1 1-row update to the change callback, p50 and p99 of 300 after 50
//      warm-up updates;
//   W2 the same updates to isPersisted, p50 and p99;
//   W3 10,000 inserts in one transaction: insert() returning (optimistic)
//      and until isPersisted, 3 times (the first warms V8 up);
//   W4 a reload of a 100,000-row database (warm code cache): init + db.init
//      + preload until the collection holds every row;
//   W6 memory with those 100,000 rows loaded, after a forced garbage
//      collection: the renderer processes' PSS (the page, its workers and
//      their wasm memory: the reference keeps its SQLite in a worker), with
//      the main thread's JS heap and our module's memory beside it.
// Then W7: a first sync of 100,000 rows from the dev sync server
// (sync-bench.js has the details), RUNS_W7 times each, alternating.
// A cell is the median over the rounds (for W1/W2: of each round's p50 and
// p99; for W3: of every run after the first of a round).
//
//   node tests/browser/bench/browser-bench.js [--rounds 5] [--w7-runs 3] [--w7-rows 100000] [--before DIR]
//
// --before DIR adds a third stack, ours as built in DIR (another checkout,
// after its own `make build`), served from there: a change's before and
// after in the same run, with a column for the ratio ours/before.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { jsHeap, mb, renderersPSS, transferred } from '../lib/measure.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';
import { buildSyncCommands, startSyncServer } from '../lib/syncserver.js';
import { firstSync, seed } from './w7.js';

const PAGES = {
  ours: '/tests/browser/pages/stack.html',
  reference: '/tests/browser/reference/dist/index.html',
};
const args = process.argv.slice(2);
const opt = (name, def, conv = Number) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? def : conv(args[i + 1]);
};
const ROUNDS = opt('rounds', 5);
const W7_RUNS = opt('w7-runs', 3);
const W7_ROWS = opt('w7-rows', 100000);
const BIG = 100000;
const BEFORE = opt('before', null, String);
const STACKS = BEFORE ? ['ours', 'before', 'reference'] : ['ours', 'reference'];
PAGES.before = PAGES.ours;
const ROOTS = { ours: REPO, before: BEFORE, reference: REPO };

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => pct(xs, 50);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
buildReference();
const bins = buildSyncCommands();
const tmp = mkdtempSync(join(tmpdir(), 'gopowersync-browser-bench-'));
const results = Object.fromEntries(STACKS.map((s) => [s, {}]));
const add = (stack, key, value) => (results[stack][key] ??= []).push(value);
const loads = [load()];
let web;
let sync;
const servers = [];
try {
  web = { ours: await serve(REPO) };
  web.reference = web.ours;
  if (BEFORE) web.before = await serve(BEFORE);
  servers.push(...new Set(Object.values(web)));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const stack of round % 2 ? STACKS : [...STACKS].reverse()) {
      const r = await roundOf(stack);
      console.log(`round ${round} ${stack.padEnd(9)} ${JSON.stringify(r)}`);
      for (const [k, v] of Object.entries(r)) for (const x of [v].flat()) add(stack, k, x);
    }
    loads.push(load());
  }
  sync = await startSyncServer(bins.server, join(tmp, 'sync.sqlite'));
  await seed(sync.url, W7_ROWS);
  for (let run = 1; run <= W7_RUNS; run++) {
    for (const stack of run % 2 ? STACKS : [...STACKS].reverse()) {
      const r = await firstSync(stack === 'before' ? 'ours' : stack, web[stack].url, sync.url, W7_ROWS);
      console.log(`W7 run ${run} ${stack.padEnd(9)} ${JSON.stringify(r)}`);
      add(stack, 'w7HasSynced', r.hasSynced);
      add(stack, 'w7Rows', r.rows);
      add(stack, 'w7Longest', r.longest);
      add(stack, 'w7PSS', r.pssPeakMB);
    }
    loads.push(load());
  }
  printTable();
} finally {
  for (const s of servers) await s.close();
  await sync?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

/** W5, W1-W3, W4 and W6 on one stack, in a browser profile of its own. */
async function roundOf(stack) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  const r = {};
  try {
    const fetched = new Set();
    const page = await chrome.context.newPage();
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const url = web[stack].url;
    page.on('response', (res) => res.url().startsWith(url) && fetched.add(new URL(res.url()).pathname));
    await page.goto(url + PAGES[stack]);
    await page.waitForFunction(() => window.pageReady);
    const first = await page.evaluate(() => app.open('latency.db'));
    r.firstVisit = first.init + first.dbInit + first.preload;
    const bytes = transferred(ROOTS[stack], fetched);
    r.bytesBrotli = bytes.brotli;
    r.bytesGzip = bytes.gzip;
    r.bytesRaw = bytes.raw;

    await page.evaluate(() => todos.insert({ id: 'one', title: 'x', n: 0 }).isPersisted.promise);
    const lat = await page.evaluate(async () => {
      const cb = [];
      const persisted = [];
      let changed;
      const sub = todos.subscribeChanges(() => changed?.());
      for (let i = 1; i <= 350; i++) {
        const t0 = performance.now();
        const seen = new Promise((r) => (changed = r));
        const tx = todos.update('one', (d) => {
          d.n = i;
        });
        await seen;
        const t1 = performance.now();
        await tx.isPersisted.promise;
        const t2 = performance.now();
        if (i > 50) {
          cb.push(t1 - t0);
          persisted.push(t2 - t0);
        }
      }
      sub.unsubscribe();
      return { cb, persisted };
    });
    r.cbP50 = pct(lat.cb, 50);
    r.cbP99 = pct(lat.cb, 99);
    r.persistedP50 = pct(lat.persisted, 50);
    r.persistedP99 = pct(lat.persisted, 99);

    r.insertReturns = [];
    r.insertPersisted = [];
    for (let run = 1; run <= 3; run++) {
      const m = await page.evaluate(async (run) => {
        const rows = Array.from({ length: 10000 }, (_, i) => ({ id: `r${run}-${i}`, title: 'a todo item with a typical title', n: i }));
        const t0 = performance.now();
        const tx = todos.insert(rows);
        const t1 = performance.now();
        await tx.isPersisted.promise;
        return { insert: t1 - t0, persisted: performance.now() - t0 };
      }, run);
      if (run > 1) {
        r.insertReturns.push(m.insert);
        r.insertPersisted.push(m.persisted);
      }
    }

    // W4 and W6: a database of exactly BIG rows, filled with SQL, reopened after a reload.
    await page.evaluate(async () => db.close());
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(async (n) => {
      await app.open('big.db');
      await app.fill('big', n);
      await db.close();
    }, BIG);
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    const open = await page.evaluate(() => app.open('big.db'));
    if (open.size !== BIG) throw new Error(`${stack}: ${open.size} rows loaded, want ${BIG}`);
    r.open100k = open.init + open.dbInit + open.preload;
    const cdp = await chrome.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await new Promise((res) => setTimeout(res, 1000));
    r.memPSS = renderersPSS(chrome.pid);
    r.memJSHeap = await jsHeap(cdp);
    r.memWasm = (await page.evaluate(() => app.wasmMemory?.())) ?? 0; // a --before checkout may not have it
    await page.evaluate(() => db.close());
    if (errors.length) throw new Error(`${stack}: page errors: ${errors.join('; ')}`);
    return r;
  } finally {
    await chrome.close();
    profile.remove();
  }
}

/** Prints the table: per workload, each stack's median and the ratio ours/reference. */
function printTable() {
  const f = {
    ms: (x) => `${x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 2 : x < 100 ? 1 : 0 })} ms`,
    mb: (x) => `${mb(x)} MB`,
    kb: (x) => `${Math.round(x / 1000).toLocaleString('en-US')} kB`,
    n: (x) => `${x}`,
    MB: (x) => `${x} MB`,
  };
  const rows = [
    ['W1', '1-row update to change callback, p50', 'cbP50', f.ms],
    ['W1', '1-row update to change callback, p99', 'cbP99', f.ms],
    ['W2', '1-row update to isPersisted, p50', 'persistedP50', f.ms],
    ['W2', '1-row update to isPersisted, p99', 'persistedP99', f.ms],
    ['W3', '10,000 inserts in one transaction until persisted', 'insertPersisted', f.ms],
    ['W3', '`insert()` of 10,000 rows returns (optimistic)', 'insertReturns', f.ms],
    ['W4', `reload, open ${BIG.toLocaleString('en-US')} rows to a loaded collection`, 'open100k', f.ms],
    ['W5', 'first visit: to a ready, empty collection', 'firstVisit', f.ms],
    ['W5', 'first visit: bytes fetched, brotli -q 11', 'bytesBrotli', f.kb],
    ['W5', 'first visit: bytes fetched, gzip -9 / raw (not in the target)', null, null],
    ['W6', `memory with ${BIG.toLocaleString('en-US')} rows loaded: renderer PSS`, 'memPSS', f.mb],
    ['W6', 'of it: main-thread JS heap / our module memory (not in the target)', null, null],
    ['W7', `first sync of ${W7_ROWS.toLocaleString('en-US')} rows: to hasSynced`, 'w7HasSynced', f.ms],
    ['W7', 'first sync: to the collection showing every row', 'w7Rows', f.ms],
    ['W7', 'first sync: longest main-thread task (not in the target)', 'w7Longest', f.ms],
    ['W7', 'first sync: peak renderer PSS (not in the target)', 'w7PSS', f.MB],
  ];
  const med = (stack, key) => (results[stack][key]?.length ? median(results[stack][key]) : null);
  console.log(`\nload average (1/5/15 min) at the start and after each round / W7 run: ${loads.join('; ')}`);
  console.log(`rounds: ${ROUNDS}; W7 runs: ${W7_RUNS}; a cell is a median\n`);
  const cols = BEFORE ? ['ours', 'before', 'reference'] : ['ours', 'reference'];
  console.log(`| | workload | ${cols.join(' | ')} | ours/reference |${BEFORE ? ' ours/before |' : ''}`);
  console.log(`|---|---|${cols.map(() => '---|').join('')}---|${BEFORE ? '---|' : ''}`);
  for (const [w, label, key, fmt] of rows) {
    if (key === null) {
      const pair = (s) =>
        label.includes('gzip')
          ? `${f.kb(med(s, 'bytesGzip'))} / ${f.kb(med(s, 'bytesRaw'))}`
          : `${f.mb(med(s, 'memJSHeap'))} / ${f.mb(med(s, 'memWasm'))}`;
      console.log(`| ${w} | ${label} | ${cols.map(pair).join(' | ')} | |${BEFORE ? ' |' : ''}`);
      continue;
    }
    const v = Object.fromEntries(cols.map((s) => [s, med(s, key)]));
    const ratio = (a, b) => (a !== null && b ? (a / b).toFixed(2) : '-');
    const cells = cols.map((s) => (v[s] === null ? '-' : fmt(v[s])));
    console.log(`| ${w} | ${label} | ${cells.join(' | ')} | ${ratio(v.ours, v.reference)} |${BEFORE ? ` ${ratio(v.ours, v.before)} |` : ''}`);
  }
}
