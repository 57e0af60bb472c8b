// W7: initial sync of 100,000 rows from our dev sync server in headless
// Chromium, our package (pages/sync.html) and the reference stack
// (@powersync/web + a TanStack DB collection, reference/sync.html) side by
// side in one run. Not a test: it prints figures (BENCHMARKS.md, "W7").
//
// It builds what it needs (make build, the dev server, the reference when
// out of date), starts the dev server once on a temp database (no sync
// rules: one bucket), seeds ROWS rows through POST /api/upload in batches of
// 1,000 (5 columns, about 150 bytes of JSON a row with its id), then runs
// the stacks alternately, RUNS times each. Every run is a new device's first
// visit: a fresh browser profile, the page loaded, the database opened and
// an empty collection ready; then, from the call to connect():
//   - hasSynced: until waitForFirstSync() resolves;
//   - rows: until the collection first shows all ROWS rows (subscribeChanges);
//   - long tasks: main-thread tasks over 50 ms meanwhile (PerformanceObserver,
//     as stack-bench and stack.test.js measure them);
//   - heap: the page's peak JS heap (CDP Performance.getMetrics
//     JSHeapUsedSize, every 100 ms; the main thread only);
//   - wasm: ours, the module's linear memory before connect and at the end
//     (it only grows, so the end is its peak);
//   - renderer PSS: the peak of the summed proportional set sizes of the
//     browser's renderer processes (every 100 ms from /proc; workers
//     included, an idle spare renderer too), and its value before connect.
// A run fails unless the collection and the table end with all ROWS rows.
//
//   node tests/browser/bench/sync-bench.js [--rows 100000] [--runs 3] [ours|reference]...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';
import { backendUpload, buildSyncCommands, startSyncServer } from '../lib/syncserver.js';

const STACKS = {
  ours: '/tests/browser/pages/sync.html',
  reference: '/tests/browser/reference/dist/sync.html',
};
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(args[i + 1]);
  args.splice(i, 2);
  return v;
};
const ROWS = opt('rows', 100000);
const RUNS = opt('runs', 3);
const chosen = args.length ? args : Object.keys(STACKS);
for (const s of chosen) if (!STACKS[s]) throw new Error(`unknown stack ${s}: want ${Object.keys(STACKS).join(' or ')}`);

/** Row i: 5 columns, the values of tests/interop/bench/initial-sync.js (owner in place of list_id). */
function row(i) {
  const hex = (n, w) => n.toString(16).padStart(w, '0');
  const dec = (n, w) => String(n).padStart(w, '0');
  return {
    op: 'PUT',
    type: 'todos',
    id: `t${dec(i, 7)}`,
    data: {
      owner: `${hex(i % 100, 8)}-7d1c-4b2a-9e5f-${hex(i % 100, 12)}`,
      description: `Buy item ${dec(i, 6)}`,
      completed: i % 2,
      created_at: `2026-11-${dec(1 + (i % 28), 2)}T${dec(i % 24, 2)}:${dec(i % 60, 2)}:00.000Z`,
      priority: i % 5,
    },
  };
}

if (chosen.includes('ours')) execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
if (chosen.includes('reference')) buildReference();
const bins = buildSyncCommands();
const tmp = mkdtempSync(join(tmpdir(), 'gopowersync-sync-bench-'));
let server;
let web;
try {
  server = await startSyncServer(bins.server, join(tmp, 'server.sqlite'));
  web = await serve(REPO);
  const t0 = performance.now();
  for (let lo = 0; lo < ROWS; lo += 1000) {
    await backendUpload(server.url, Array.from({ length: Math.min(1000, ROWS - lo) }, (_, k) => row(lo + k)));
  }
  const rowBytes = JSON.stringify({ id: row(0).id, ...row(0).data }).length;
  console.log(`seeded ${ROWS} rows (${rowBytes} bytes of JSON each with its id) in ${((performance.now() - t0) / 1000).toFixed(1)} s; server ${server.url}`);
  const results = Object.fromEntries(chosen.map((s) => [s, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const stack of chosen) {
      const r = await measure(stack);
      results[stack].push(r);
      console.log(`run ${run} ${stack.padEnd(9)} ${JSON.stringify(r)}`);
    }
  }
  printTable(results);
} finally {
  await web?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

/** One first sync on a fresh profile; resolves to its figures. */
async function measure(stack) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  try {
    const page = await chrome.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    await page.goto(web.url + STACKS[stack]);
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(() => app.open('w7.db'));
    const cdp = await chrome.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const sampler = sample(chrome.pid, cdp);
    const pssBefore = renderersPSS(chrome.pid);
    const wasmBefore = await page.evaluate(() => app.wasmMemory());
    let m;
    try {
      m = await page.evaluate(([url, n]) => app.initialSync(url, 'bench', n), [server.url, ROWS]);
    } finally {
      await sampler.stop();
    }
    const count = await page.evaluate(async () => (await db.get('SELECT count(*) AS n FROM todos')).n);
    if (m.size !== ROWS || count !== ROWS) throw new Error(`${stack}: ${m.size} rows in the collection, ${count} in the table, want ${ROWS}`);
    if (errors.length) throw new Error(`${stack}: page errors: ${errors.join('; ')}`);
    const wasm = await page.evaluate(() => app.wasmMemory());
    return {
      hasSynced: Math.round(m.hasSynced),
      rows: Math.round(m.rows),
      longTasks: m.long.length,
      longest: Math.max(0, ...m.long.map((l) => Number(l.split(' ')[0]))),
      long: m.long,
      heapMB: mb(sampler.peakHeap),
      wasmBeforeMB: wasmBefore === null ? null : mb(wasmBefore),
      wasmMB: wasm === null ? null : mb(wasm),
      pssBeforeMB: mb(pssBefore),
      pssPeakMB: mb(sampler.peakPSS),
    };
  } finally {
    await chrome.close();
    profile.remove();
  }
}

/** Bytes in MB, one decimal. */
function mb(bytes) {
  return Math.round(bytes / 1e5) / 10;
}

/** Samples the page's JS heap (CDP) and the renderers' PSS every 100 ms until stop(). */
function sample(pid, cdp) {
  const s = { peakHeap: 0, peakPSS: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const { metrics } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
      const heap = metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
      s.peakHeap = Math.max(s.peakHeap, heap);
      s.peakPSS = Math.max(s.peakPSS, renderersPSS(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  s.stop = async () => {
    running = false;
    await loop;
  };
  return s;
}

/**
 * The memory (bytes) of the renderer processes in the browser's process
 * group: the sum of their proportional set sizes (PSS: a page shared by n
 * processes counts 1/n in each, so shared code is not counted n times).
 */
function renderersPSS(pgid) {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue; // pgrp
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const pss = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${d}/smaps_rollup`, 'utf8'));
      if (pss) total += Number(pss[1]) * 1024;
    } catch {} // the process ended meanwhile
  }
  return total;
}

/** Prints each figure's median (min-max) per stack. */
function printTable(results) {
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const cell = (rs, k, unit) => {
    const xs = rs.map((r) => r[k]).filter((x) => x !== null);
    if (!xs.length) return '-';
    return `${med(xs).toLocaleString('en-US')}${unit} (${Math.min(...xs).toLocaleString('en-US')}-${Math.max(...xs).toLocaleString('en-US')})`;
  };
  const rowsOf = [
    ['time to hasSynced', 'hasSynced', ' ms'],
    ['time to the collection showing every row', 'rows', ' ms'],
    ['main-thread tasks over 50 ms', 'longTasks', ''],
    ['longest main-thread task', 'longest', ' ms'],
    ['peak JS heap, main thread', 'heapMB', ' MB'],
    ['wasm memory before connect', 'wasmBeforeMB', ' MB'],
    ['wasm memory at the end (its peak: it only grows)', 'wasmMB', ' MB'],
    ['renderer processes, PSS before connect', 'pssBeforeMB', ' MB'],
    ['renderer processes, peak PSS', 'pssPeakMB', ' MB'],
  ];
  console.log(`\n| ${ROWS.toLocaleString('en-US')} rows, median of ${RUNS} (min-max) | ${chosen.join(' | ')} |`);
  console.log(`|---|${chosen.map(() => '---').join('|')}|`);
  for (const [label, k, unit] of rowsOf) console.log(`| ${label} | ${chosen.map((s) => cell(results[s], k, unit)).join(' | ')} |`);
}
