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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../lib/build.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';
import { buildSyncCommands, startSyncServer } from '../lib/syncserver.js';
import { SYNC_PAGES as STACKS, firstSync, seed, todoRow } from './w7.js';

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
  await seed(server.url, ROWS);
  const rowBytes = JSON.stringify({ id: todoRow(0).id, ...todoRow(0).data }).length;
  console.log(`seeded ${ROWS} rows (${rowBytes} bytes of JSON each with its id) in ${((performance.now() - t0) / 1000).toFixed(1)} s; server ${server.url}`);
  const results = Object.fromEntries(chosen.map((s) => [s, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const stack of chosen) {
      const r = await firstSync(stack, web.url, server.url, ROWS);
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
