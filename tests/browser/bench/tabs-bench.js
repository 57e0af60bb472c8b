// Many tabs on one database (issue 13), in headless Chromium, our package
// (js/index.js + dist/): prints figures, asserts nothing.
//
//   - the primitives a cross-tab design pays: a BroadcastChannel round trip
//     between two tabs, a Web Lock taken and released;
//   - a one-row update in tab A to the change callback of tab B's
//     collection (and to A's isPersisted), p50/p99;
//   - a second tab's cold open while tab A holds 100,000 rows, against a
//     reload of the one tab; the module's memory in each tab.
//
//   - one transaction of 100,000 rows in tab A (one INSERT): tab B's
//     main-thread tasks while it receives it, from a Chromium trace (the
//     longest by thread CPU, and how many over 50 ms).
//
// Run: node tests/browser/bench/tabs-bench.js [--updates N] [--latency | --big]
//   --updates N  the cross-tab updates measured, after 50 of warm-up (default 300)
//   --latency    only the cross-tab latency (to compare builds: run this file
//                of each checkout in turn)
//   --big        only the 100,000-row transaction (--rows N for another size)
import { execFileSync } from 'node:child_process';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { serve } from '../lib/server.js';

const PAGE = '/tests/browser/pages/stack.html';
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x) => `${x.toFixed(2)} ms`;
const say = (line) => console.log(`tabs: ${line}`);
const arg = (name) => process.argv.indexOf(name);
const UPDATES = arg('--updates') > 0 ? Number(process.argv[arg('--updates') + 1]) : 300;
const LATENCY_ONLY = arg('--latency') > 0;
const BIG_ONLY = arg('--big') > 0;
const BIG_ROWS = arg('--rows') > 0 ? Number(process.argv[arg('--rows') + 1]) : 100000;
if (!(UPDATES > 0)) throw new Error('tabs-bench: --updates takes a positive number');

execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
const server = await serve(REPO);
const profile = freshProfile();
const chrome = await launch(profile.dir);

// Keeps the module's instance, to read the size of its memory.
const KEEP_INSTANCE = () => {
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (...args) => {
    const r = await instantiate.apply(WebAssembly, args);
    window.wasmInstance = r.instance ?? r;
    return r;
  };
};

async function openTab(name) {
  const page = await chrome.context.newPage();
  await page.addInitScript(KEEP_INSTANCE);
  await page.goto(server.url + PAGE);
  await page.waitForFunction(() => window.pageReady);
  const marks = name ? await page.evaluate((name) => app.open(name), name) : null;
  return { page, marks };
}

const wasmMB = (page) => page.evaluate(() => window.wasmInstance.exports.mem.buffer.byteLength / 1e6);

try {
  // ---- primitives ----
  if (!LATENCY_ONLY && !BIG_ONLY) {
    const { page: a } = await openTab();
    const { page: b } = await openTab();
    await b.evaluate(() => {
      const ch = new BroadcastChannel('bench-ping');
      ch.onmessage = (e) => ch.postMessage(e.data);
    });
    const prim = await a.evaluate(async () => {
      const ch = new BroadcastChannel('bench-ping');
      const rtt = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await new Promise((r) => { ch.onmessage = r; ch.postMessage(i); });
        if (i >= 50) rtt.push(performance.now() - t0);
      }
      const lock = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await navigator.locks.request('bench-lock', async () => {});
        if (i >= 50) lock.push(performance.now() - t0);
      }
      return { rtt, lock };
    });
    say(`BroadcastChannel round trip between two tabs: p50 ${ms(pct(prim.rtt, 50))} p99 ${ms(pct(prim.rtt, 99))}`);
    say(`Web Lock request+release (uncontended): p50 ${ms(pct(prim.lock, 50))} p99 ${ms(pct(prim.lock, 99))}`);
    await a.close();
    await b.close();
  }

  // ---- cross-tab commit to callback ----
  if (!BIG_ONLY) {
    const name = 'bench-latency.db';
    const { page: a } = await openTab(name);
    await a.evaluate(() => todos.insert({ id: 'one', title: 'x', n: 0 }).isPersisted.promise);
    const { page: b } = await openTab(name);
    await b.waitForFunction(() => todos.has('one'));
    await b.evaluate(() => {
      window.seen = new Map(); // n -> absolute time of B's change callback
      todos.subscribeChanges((changes) => {
        const t = performance.timeOrigin + performance.now();
        for (const c of changes) if (c.value?.id === 'one') window.seen.set(c.value.n, t);
      });
    });
    const last = UPDATES + 50;
    const sent = await a.evaluate(async (last) => {
      const out = [];
      for (let i = 1; i <= last; i++) {
        const t0 = performance.timeOrigin + performance.now();
        const tx = todos.update('one', (d) => { d.n = i; });
        await tx.isPersisted.promise;
        out.push({ i, t0, persisted: performance.timeOrigin + performance.now() - t0 });
        await new Promise((r) => setTimeout(r, 5));
      }
      return out;
    }, last);
    await b.waitForFunction((last) => window.seen.has(last), last);
    const seen = new Map(await b.evaluate(() => [...window.seen]));
    const cross = [];
    const persisted = [];
    for (const s of sent.slice(50)) {
      cross.push(seen.get(s.i) - s.t0);
      persisted.push(s.persisted);
    }
    say(`1-row update in tab A, ${UPDATES} after 50 warm-up: A's isPersisted p50 ${ms(pct(persisted, 50))} p99 ${ms(pct(persisted, 99))}; ` +
      `tab B's change callback p50 ${ms(pct(cross, 50))} p90 ${ms(pct(cross, 90))} p99 ${ms(pct(cross, 99))} (${cross.filter((x) => x > 16.7).length} over one 60 Hz frame)`);
    await a.close();
    await b.close();
  }

  // ---- one large transaction, as the other tab receives it ----
  if (!LATENCY_ONLY) {
    const name = 'bench-bigtx.db';
    const { page: a } = await openTab(name);
    const { page: b } = await openTab(name);
    // Warm B's receiving path (lazy wasm compilation) with a small commit.
    await a.evaluate(() => app.fill('warm', 1000));
    await b.waitForFunction(() => todos.size === 1000);
    const cdp = await chrome.context.newCDPSession(b);
    const events = [];
    cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
    const traced = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink.user_timing'] }, transferMode: 'ReportEvents' });
    await b.evaluate(() => performance.mark('tabs-bench-big'));
    const t0 = Date.now();
    await a.evaluate((n) => db.execute(
      "WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?) " +
        "INSERT INTO todos (id, title, n) SELECT printf('big-%06d', value), 'todo number ' || value, value FROM s", [n]), BIG_ROWS);
    await b.waitForFunction((n) => todos.size === 1000 + n, BIG_ROWS, { timeout: 300000, polling: 100 });
    const received = Date.now() - t0;
    await cdp.send('Tracing.end');
    await traced;
    const mark = events.find((e) => e.name === 'tabs-bench-big');
    const tasks = events.filter((e) => e.pid === mark.pid && e.tid === mark.tid && e.ph === 'X' && e.name === 'RunTask' && e.ts >= mark.ts && e.tdur !== undefined);
    const longest = tasks.reduce((m, e) => (e.tdur > m.tdur ? e : m), { tdur: 0, dur: 0 });
    const over = tasks.filter((e) => e.tdur > 50000);
    const cpu = tasks.reduce((sum, e) => sum + e.tdur, 0) / 1000;
    say(`one transaction of ${BIG_ROWS} rows in tab A, received by tab B (${received} ms until B's collection held them): ` +
      `B's longest main-thread task ${(longest.tdur / 1000).toFixed(0)} ms of CPU (${(longest.dur / 1000).toFixed(0)} ms wall), ` +
      `${over.length} over 50 ms of CPU, ${tasks.length} tasks, ${cpu.toFixed(0)} ms of CPU in all`);
    if (process.env.TABS_BENCH_DETAIL) {
      for (const task of [...tasks].sort((x, y) => y.tdur - x.tdur).slice(0, 3)) {
        const inner = new Map();
        for (const e of events) if (e.pid === task.pid && e.tid === task.tid && e.ph === 'X' && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur) inner.set(e.name, (inner.get(e.name) ?? 0) + e.dur);
        say(`  ${(task.dur / 1000).toFixed(0)}/${(task.tdur / 1000).toFixed(0)} ms: ` + [...inner].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`).join(', '));
      }
    }
    await a.close();
    await b.close();
  }

  // ---- a second tab's cold open with 100,000 rows ----
  if (!LATENCY_ONLY && !BIG_ONLY) {
    const name = 'bench-big.db';
    const { page: a } = await openTab(name);
    await a.evaluate(() => app.fill('big', 100000));
    const { page: b, marks: second } = await openTab(name);
    const report = (label, m) => `${label}: init ${ms(m.init)}, db.init ${ms(m.dbInit)}, preload ${ms(m.preload)} (${m.size} rows), total ${ms(m.init + m.dbInit + m.preload)}`;
    say(report('second tab opens while the first holds 100,000 rows', second));
    say(`module memory: tab A ${(await wasmMB(a)).toFixed(0)} MB, tab B ${(await wasmMB(b)).toFixed(0)} MB`);
    await b.close();
    await a.evaluate(() => db.close());
    await a.reload();
    await a.waitForFunction(() => window.pageReady);
    say(report('the same database reopened alone (reload)', await a.evaluate((name) => app.open(name), name)));
    say(`module memory, one tab: ${(await wasmMB(a)).toFixed(0)} MB`);
    await a.close();
  }
} finally {
  await chrome.close();
  profile.remove();
  await server.close();
}
