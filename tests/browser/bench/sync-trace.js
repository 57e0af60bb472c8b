// Where the main-thread tasks over 50 ms of an initial sync come from: runs
// the scenario of sync.test.js's long-task test (100,000 rows, a second
// visit so V8's code cache is warm) with a Chromium trace, and prints each
// task over 50 ms with its wall time and its thread CPU time (the trace's
// tdur: a task much longer in wall time than in CPU time waited for a core
// the machine gave to something else), the Go collector's cycles that ran
// during it (GODEBUG=gctrace=1, the module's stderr), the trace events
// inside it, and, with --profile, the wasm and JS functions sampled in it
// (a module built with its names). Before the tasks it prints the main
// thread's CPU over the whole sync and its longest task by CPU.
// Not a test: it prints figures for BENCHMARKS.md.
//
//   node tests/browser/bench/sync-trace.js [--rows 100000] [--runs 1] [--profile] [--warm] [--db path] [--tabs]
//
// --tabs opens a second tab on the same database before the sync (it
// receives every commit through the cross-tab broadcast) and reports the
// longest tasks of both tabs' main threads until the second shows every row.
// --db keeps the dev server's database (seeded once) between invocations.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { serve } from '../lib/server.js';
import { backendUpload, buildSyncCommands, startSyncServer } from '../lib/syncserver.js';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
};
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const ROWS = Number(opt('rows', 100000));
const RUNS = Number(opt('runs', 1));
const DB = opt('db', '');
const PROFILE = flag('profile');
const WARM = flag('warm');
const TABS = flag('tabs');
const GODEBUG = opt('godebug', 'gctrace=1');

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

// With --profile, a module that keeps its function names (make build strips them).
if (PROFILE) {
  execFileSync('go', ['build', '-trimpath', '-o', join(REPO, 'dist/gopowersync-names.wasm'), './wasm/gopowersync'], {
    cwd: REPO,
    env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
    stdio: 'inherit',
  });
} else {
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
}
const bins = buildSyncCommands();
const tmp = mkdtempSync(join(tmpdir(), 'gopowersync-sync-trace-'));
const dbPath = DB || join(tmp, 'server.sqlite');
const seeded = DB && existsSync(DB);
let server;
let web;
try {
  server = await startSyncServer(bins.server, dbPath);
  web = await serve(REPO);
  if (!seeded) {
    for (let lo = 0; lo < ROWS; lo += 1000) {
      await backendUpload(server.url, Array.from({ length: Math.min(1000, ROWS - lo) }, (_, k) => row(lo + k)));
    }
  }
  for (let run = 1; run <= RUNS; run++) await traceRun(run);
} finally {
  await web?.close();
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

async function traceRun(run) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  try {
    const page = await chrome.context.newPage();
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    await page.route('**/dist/wasm_exec.js', async (route) => {
      const r = await route.fetch();
      const body = (await r.text()).replace('this.env = {};', `this.env = { GODEBUG: ${JSON.stringify(GODEBUG)} };`);
      await route.fulfill({ response: r, body });
    });
    if (PROFILE) {
      await page.route('**/dist/gopowersync.wasm', (route) =>
        route.fulfill({ contentType: 'application/wasm', body: readFileSync(join(REPO, 'dist/gopowersync-names.wasm')) }),
      );
    }
    await page.addInitScript(() => {
      window.goLog = [];
      const log = console.log;
      console.log = (...a) => {
        const s = a.join(' ');
        if (s.startsWith('gc ') || s.startsWith('scvg') || s.startsWith('trace:')) window.goLog.push([performance.now(), s]);
        else log.apply(console, a);
      };
    });
    await page.goto(web.url + '/tests/browser/pages/sync.html');
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate((name) => app.open(name), WARM ? 'warm.db' : 'trace.db');
    // With --warm the first visit syncs too (every row, on another
    // database), so that the sync path's code is compiled and cached.
    if (WARM) await page.evaluate(([url, n]) => app.initialSync(url, 'warm', n), [server.url, ROWS]);
    // A second visit: the code cache is warm, as in the test.
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(() => app.open('trace.db'));
    let other;
    if (TABS) {
      other = await chrome.context.newPage();
      await other.goto(web.url + '/tests/browser/pages/sync.html');
      await other.waitForFunction(() => window.pageReady);
      await other.evaluate(() => app.open('trace.db'));
    }
    const cdp = await chrome.context.newCDPSession(page);
    if (PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
    }
    const events = [];
    cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
    const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
    await cdp.send('Tracing.start', {
      traceConfig: { includedCategories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'v8.wasm', 'blink.user_timing'] },
      transferMode: 'ReportEvents',
    });
    const schedBefore = schedstats();
    const r = await page.evaluate(async ([url, n]) => {
      window.goLog.length = 0;
      performance.mark('sync-trace-start');
      const t0 = performance.now();
      const m = await app.initialSync(url, 'bench', n);
      performance.mark('sync-trace-end');
      return { ...m, t0, timeOrigin: performance.timeOrigin, goLog: window.goLog };
    }, [server.url, ROWS]);
    if (other) {
      await other.waitForFunction((n) => window.todos.size === n, ROWS, { timeout: 300000, polling: 200 });
      r.otherDone = Date.now();
    }
    await cdp.send('Tracing.end');
    await done;
    const cpu = PROFILE ? (await cdp.send('Profiler.stop')).profile : null;
    r.sched = { before: schedBefore, after: schedstats() };
    report(run, r, events, cpu);
  } finally {
    await chrome.close();
    profile.remove();
  }
}

/** Prints the run's long tasks from the trace, each with its GC cycles and top functions. */
function report(run, r, events, cpu) {
  console.log(`run ${run}: hasSynced ${Math.round(r.hasSynced)} ms, rows ${Math.round(r.rows)} ms; long tasks seen by the page: ${JSON.stringify(r.long)}; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  // The renderer's main thread: the one with the page's function calls.
  const names = events.filter((e) => e.ph === 'M' && e.name === 'thread_name');
  if (TABS) {
    // Every renderer main thread that ran our code: the syncing tab and the
    // receiving one, over the whole trace (the receiver finishes later).
    const mains = names.filter((e) => e.args.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'FunctionCall'));
    for (const m of mains) {
      const all = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.name === 'RunTask' && e.tdur !== undefined);
      const byCpu = Math.max(0, ...all.map((e) => e.tdur)) / 1000;
      const byWall = Math.max(0, ...all.map((e) => e.dur)) / 1000;
      const cpu = all.reduce((a, e) => a + e.tdur, 0) / 1000;
      const over = all.filter((e) => e.tdur > 50000).map((e) => `${(e.dur / 1000).toFixed(0)}/${(e.tdur / 1000).toFixed(0)}`);
      console.log(`  tabs: renderer ${m.pid}: ${all.length} tasks, ${Math.round(cpu)} ms of CPU; longest by CPU ${byCpu.toFixed(0)} ms, by wall ${byWall.toFixed(0)} ms; over 50 ms of CPU (wall/CPU ms): ${over.join(', ') || 'none'}`);
      for (const task of all.filter((e) => e.tdur > 50000)) {
        const inner = new Map();
        for (const e of events) if (e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur) inner.set(e.name, (inner.get(e.name) ?? 0) + e.dur);
        console.log('      ' + [...inner].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)} ms`).join(', '));
      }
    }
  }
  const main = names.find((e) => e.args.name === 'CrRendererMain' && events.some((x) => x.pid === e.pid && x.name === 'FunctionCall'));
  if (!main) throw new Error('no renderer main thread in the trace');
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const tasks = onMain.filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.dur > 50000);
  // The page's clock in the trace's: the mark made at r.t0.
  const mark = events.find((e) => e.name === 'sync-trace-start');
  const navStart = mark ? mark.ts - r.t0 * 1000 : undefined;
  // Every task of the sync (from connect() until the collection showed
  // every row): the thread CPU they took in all, and the longest of them
  // by CPU, which a loaded machine does not stretch as it does wall time.
  if (navStart !== undefined) {
    const from = navStart + r.t0 * 1000;
    const to = from + Math.max(r.hasSynced, r.rows) * 1000;
    const all = onMain.filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.ts >= from && e.ts <= to && e.tdur !== undefined);
    const cpu = all.reduce((a, e) => a + e.tdur, 0) / 1000;
    const longest = Math.max(0, ...all.map((e) => e.tdur)) / 1000;
    const over = all.filter((e) => e.tdur > 50000).length;
    const lazy = onMain.filter((e) => e.name === 'wasm.CompileLazy' && e.ts >= from && e.ts <= to);
    const lazyMs = lazy.reduce((a, e) => a + (e.dur ?? 0), 0) / 1000;
    console.log(`  main thread during the sync: ${all.length} tasks, ${Math.round(cpu)} ms of CPU in all; the longest ${Math.round(longest)} ms of CPU; ${over} over 50 ms of CPU; ${lazy.length} lazy wasm compilations, ${Math.round(lazyMs)} ms (wall)`);
  }
  // The kernel's account of the renderer's main thread (its tid is the
  // process id): CPU time, and time spent runnable but waiting for a core.
  const b = r.sched.before.get(main.pid);
  const a = r.sched.after.get(main.pid);
  if (a && b) {
    console.log(`  renderer main thread, kernel schedstat over the sync: ${Math.round((a[0] - b[0]) / 1e6)} ms on a CPU, ${Math.round((a[1] - b[1]) / 1e6)} ms runnable but waiting for one`);
  }
  if (r.goLog.length) {
    const marks = r.goLog.map(([, s]) => /ms clock, [\d.]+\+([\d.]+)\/([\d.]+)\/([\d.]+)\+/.exec(s)).filter(Boolean);
    const idle = marks.map((m) => Number(m[3]));
    console.log(`  Go GC: ${r.goLog.length} cycles; idle-worker mark (ms, wall while it ran) longest ${Math.max(0, ...idle)}, in all ${Math.round(idle.reduce((a, b) => a + b, 0))}`);
  }
  console.log(`  ${tasks.length} RunTask events over 50 ms on the main thread (wall / thread CPU ms):`);
  const gcAt = r.goLog.map(([t, s]) => [t, s]);
  for (const task of tasks) {
    const cpuMs = task.tdur !== undefined ? (task.tdur / 1000).toFixed(0) : '?';
    const line = [`  - ${(task.dur / 1000).toFixed(0)} / ${cpuMs} ms`];
    // Go's gc lines are logged when a cycle ends; those logged during the
    // task, by the page's clock (navStart-relative ms).
    if (navStart !== undefined) {
      const s = (task.ts - navStart) / 1000;
      const e = s + task.dur / 1000;
      line.push(`at ${Math.round(s - r.t0)} ms since connect`);
      const gcs = gcAt.filter(([t]) => t >= s && t <= e).map(([, m]) => m.replace(/^gc (\d+) .*?: ([\d.+/]+) ms clock.*?, ([\d\->]+) MB.*$/, 'gc$1 $2ms $3MB'));
      if (gcs.length) line.push(gcs.join('; '));
    }
    if (cpu) line.push(topFunctions(cpu, task.ts, task.ts + task.dur));
    // The trace events inside the task, by wall time (nested ones count
    // in their parents too): wasm.CompileLazy is V8 compiling a function on
    // its first call, wasm.GrowMemory the module's memory growing.
    const inner = new Map();
    for (const e of onMain) if (e.ph === 'X' && e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur) inner.set(e.name, (inner.get(e.name) ?? 0) + e.dur);
    line.push('\n      ' + [...inner].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)} ms`).join(', '));
    console.log(line.join('  '));
  }
  if (r.goLog.length) {
    console.log(`  Go GC cycles during the sync: ${r.goLog.length}`);
    for (const [t, s] of r.goLog) console.log(`    ${Math.round(t - r.t0)} ms: ${s}`);
  }
}

/** The 8 functions with the most self samples between from and to (trace µs). */
function topFunctions(cpu, from, to) {
  const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
  let t = cpu.startTime;
  const self = new Map();
  let total = 0;
  for (let i = 0; i < cpu.samples.length; i++) {
    t += cpu.timeDeltas[i];
    if (t < from || t > to) continue;
    const f = byId.get(cpu.samples[i]).callFrame;
    const name = f.functionName || `(${f.url.split('/').pop() || 'program'})`;
    self.set(name, (self.get(name) ?? 0) + 1);
    total++;
  }
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8);
  return `\n      ${total} samples: ` + top.map(([n, c]) => `${n} ${Math.round((100 * c) / total)}%`).join(', ');
}

/** /proc/PID/schedstat of every process's main thread: pid -> [ns on CPU, ns waiting on a run queue]. */
function schedstats() {
  const out = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const [run, wait] = readFileSync(`/proc/${d}/schedstat`, 'utf8').split(' ').map(Number);
      out.set(Number(d), [run, wait]);
    } catch {} // gone meanwhile
  }
  return out;
}
