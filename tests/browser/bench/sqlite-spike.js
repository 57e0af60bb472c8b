// The SQLite spike of issue 12 (RATIONALE.md, "SQLite compiled by clang
// beside the Go module"): the same Go workloads (tests/browser/bench/
// sqlitespike) over today's SQLite, translated to Go and compiled into the
// module ('wasm2go'), and over a clang-built SQLite instantiated by the
// browser beside a Go module without SQLite ('clang': the wa-sqlite build
// that @powersync/web ships, from tests/browser/reference's node_modules),
// in one headless Chromium run, alternating, a fresh profile per build and
// round. Not a test: it prints figures.
//
//   node tests/browser/bench/sqlite-spike.js [--rounds 5]
//
// Per round and build: the first visit (fetch, compile and instantiate the
// module(s), start Go, open, create the store's schema, insert a row, read
// it back; nothing cached), then in the same page W1 (an update in a
// transaction with the store's queue bookkeeping, then a read back: p50 and
// p99 of 300 after 50), W3 (10,000 inserts through the view in one
// transaction, 3 times, the first dropped), the cost of one call into
// SQLite (sqlite3_changes64, 100,000 calls), and a scan of the 30,002 rows
// in ms per 10,000 rows, twice: a step and three column reads per row (13
// calls into JS per row for clang), then a row per call as the store reads
// rows (go-sqlite3's Stmt.Columns; for clang a JS helper packing a batch of
// rows into one buffer per call). Both builds are built as
// `make build` builds the module (-trimpath -s -w, SQLite without bounds
// checks, line tables stripped). The pages are cross-origin isolated, so
// timers have 5 µs resolution.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { transferred } from '../lib/measure.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';

const args = process.argv.slice(2);
const i = args.indexOf('--rounds');
const ROUNDS = i < 0 ? 5 : Number(args[i + 1]);
const VARIANTS = ['wasm2go', 'clang'];
const OUT = join(REPO, '.cache/sqlitespike');
const WA = 'tests/browser/reference/node_modules/@journeyapps/wa-sqlite/dist';
const FILES = {
  wasm2go: ['/.cache/sqlitespike/wasm2go.wasm'],
  clang: ['/.cache/sqlitespike/clang.wasm', `/${WA}/wa-sqlite.mjs`, `/${WA}/wa-sqlite.wasm`],
};

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs) => pct(xs, 50);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const run = (cmd, argv, env = {}) =>
  execFileSync(cmd, argv, { cwd: REPO, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

mkdirSync(OUT, { recursive: true });
for (const v of VARIANTS) {
  const linked = join(OUT, `${v}.linked.wasm`);
  run('go', ['build', '-trimpath', '-ldflags=-s -w', '-gcflags=github.com/ncruces/go-sqlite3-wasm/v6=-B', '-o', linked, `./tests/browser/bench/sqlitespike/${v}`], { GOOS: 'js', GOARCH: 'wasm' });
  run('go', ['run', './wasm/striplines', linked, join(OUT, `${v}.wasm`)]);
}
const goroot = run('go', ['env', 'GOROOT']).trim();
copyFileSync(join(goroot, 'lib/wasm/wasm_exec.js'), join(OUT, 'wasm_exec.js'));
buildReference(); // installs tests/browser/reference's node_modules, where wa-sqlite is
const ddl = JSON.parse(run('go', ['run', './tests/browser/bench/sqlitespike/native']));

const results = Object.fromEntries(VARIANTS.map((v) => [v, {}]));
const add = (v, k, x) => (results[v][k] ??= []).push(x);
const loads = [load()];
const web = await serve(REPO, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of round % 2 ? VARIANTS : [...VARIANTS].reverse()) {
      const r = await roundOf(v);
      console.log(`round ${round} ${v.padEnd(8)} ${JSON.stringify(r)}`);
      for (const [k, x] of Object.entries(r)) if (typeof x === 'number') add(v, k, x);
    }
    loads.push(load());
  }
} finally {
  await web.close();
}
printTable();

async function roundOf(variant) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  try {
    const page = await chrome.context.newPage();
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    const fetched = [];
    page.on('response', (res) => res.url().startsWith(web.url) && fetched.push(new URL(res.url()).pathname));
    await page.goto(`${web.url}/tests/browser/pages/sqlite-spike.html`);
    await page.waitForFunction(() => window.pageReady);
    const first = await page.evaluate(([v, d]) => window.load(v, d), [variant, ddl]);
    if (!first.isolated) throw new Error('the page is not cross-origin isolated: timers are coarse');
    for (const f of FILES[variant]) if (!fetched.includes(f)) throw new Error(`${variant}: ${f} was not fetched (${fetched})`);
    const r = { firstVisit: first.total, firstLoad: first.loaded, firstSQL: first.firstSQL };
    const call = (name, ...a) =>
      page.evaluate(([n, a]) => {
        const x = spike[n](...a);
        if (x.error) throw new Error(`${n}: ${x.error}`);
        return x;
      }, [name, a]);
    const w1 = await call('w1', 50, 300);
    r.w1P50 = pct(w1.ms, 50);
    r.w1P99 = pct(w1.ms, 99);
    const w3 = [];
    for (let run = 1; run <= 3; run++) w3.push((await call('w3', `r${run}`, 10000)).ms);
    r.w3 = median(w3.slice(1));
    r.callNs = (await call('calls', 100000)).ns;
    const scan = await call('scan');
    r.scanPer10k = (scan.ms * 10000) / scan.rows;
    const rows = await call('scanRows');
    r.scanRowsPer10k = (rows.ms * 10000) / rows.rows;
    return r;
  } finally {
    await chrome.close();
    profile.remove();
  }
}

function printTable() {
  const bytes = Object.fromEntries(VARIANTS.map((v) => [v, transferred(REPO, FILES[v])]));
  const rows = [
    ['bytes raw (MB)', (v) => bytes[v].raw / 1e6],
    ['bytes brotli (MB)', (v) => bytes[v].brotli / 1e6],
    ['first visit (ms)', (v) => median(results[v].firstVisit)],
    ['  of which load+start', (v) => median(results[v].firstLoad)],
    ['  of which first SQL', (v) => median(results[v].firstSQL)],
    ['W1 p50 (ms)', (v) => median(results[v].w1P50)],
    ['W1 p99 (ms)', (v) => median(results[v].w1P99)],
    ['W3 10k inserts (ms)', (v) => median(results[v].w3)],
    ['one call (ns)', (v) => median(results[v].callNs)],
    ['scan, 10k rows (ms)', (v) => median(results[v].scanPer10k)],
    ['  a row per call (ms)', (v) => median(results[v].scanRowsPer10k)],
  ];
  console.log(`\nSQLite spike, ${ROUNDS} rounds, medians; load average ${loads.join(' | ')}`);
  console.log(`${'workload'.padEnd(24)}${'wasm2go'.padStart(10)}${'clang'.padStart(10)}${'clang/wasm2go'.padStart(15)}`);
  for (const [name, f] of rows) {
    const [a, b] = VARIANTS.map(f);
    const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(2)).padStart(10);
    console.log(`${name.padEnd(24)}${fmt(a)}${fmt(b)}${(b / a).toFixed(2).padStart(15)}`);
  }
}
