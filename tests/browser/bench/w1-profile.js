// W1's tail, explained by a profile: the 1-row update-to-callback loop of
// browser-bench.js in headless Chromium under the DevTools protocol's CPU
// profiler (100 µs sampling), with each update in a function of its own
// (w1Update) so that the samples of every update can be found. It prints
// the latency percentiles and, for the slowest 1% of updates and for all of
// them, where their sampled time went: Go's collector, the runtime's
// allocation and finalizer bookkeeping (what syscall/js does for every JS
// value it holds), SQLite, the rest of Go, JS, V8's own collector, and
// time the thread was not running (one sample spanning over 1 ms).
// Not a test: it prints figures (BENCHMARKS.md).
//
//   node tests/browser/bench/w1-profile.js [--root DIR] [--updates 1000] [--inserts 0]
//     [--save FILE.cpuprofile] [--flags '--js-flags=--liftoff-only']
//
// --inserts N then profiles N optimistic insert() calls of 10,000 rows
// (W3) the same way, in a function named w3Insert.
//
// --root serves another checkout (after its `make build`). Go's function
// names come from the module's name section: build it without -s for them
// (GOOS=js GOARCH=wasm go build -trimpath -ldflags=-w ... then
// wasm/striplines, as the Makefile does); without names, Go's time is
// still told apart from JS and V8's, and everything in Go counts as "Go".
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
const INSERTS = opt('inserts', 0);
const SAVE = opt('save', null, String); // the W1 loop's raw profile, as JSON (a .cpuprofile)

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

// Categories, first match wins, by the innermost frame's name.
const CATEGORIES = [
  ['Go collector', /^runtime\.(gc|scan|mark|greyobject|shade|findObject|heapBits|wbBuf|bulkBarrier|sweep|tryDefer|spanInline|spanOf|typePointers|\(\*(gcWork|mspan|sweepLocked|mheap|gcControllerState|spanQueue|spanSPMC)\))|^runtime\.__(gcWork|sweepLocked|gcControllerState|spanQueue|spanSPMC|mheap)_|^runtime\.[A-Za-z_.()*]*[Ss]can/],
  ['Go finalizers and specials', /^runtime\.(addspecial|removespecial|addfinalizer|removefinalizer|SetFinalizer|setFinalizer|\(\*mspan\)\.specialFindSplicePoint|runfinq|queuefinalizer|freeSpecial)/],
  ['Go allocation', /^runtime\.(mallocgc|nextFreeFast|\(\*mcache\)|\(\*mcentral\)|__mspan_\.initHeapBits|memclrNoHeapPointers|newobject|makeslice|growslice|slicebytetostring)/],
  ['Go maps (rows are maps; string keys hashed by memhashFallback in wasm)', /^runtime\.(map|memhash)|^internal_runtime_maps/],
  ['SQLite', /go_sqlite3_wasm|go-sqlite3-wasm/],
  ['Go runtime, other', /^runtime[._]|^internal_runtime|^internal\/runtime/],
  ['syscall/js', /^syscall[._]js|^syscall\/js/],
  ['Go, our packages and the rest', /^[a-z_]+[._]|^github|^\$func/],
];

const web = await serve(ROOT);
const profile = freshProfile();
const chrome = await launch(profile.dir, opt('flags', '', String).split(' ').filter(Boolean));
try {
  const page = await chrome.context.newPage();
  for (const p of chrome.context.pages()) if (p !== page) await p.close();
  await page.goto(web.url + '/tests/browser/pages/stack.html');
  await page.waitForFunction(() => window.pageReady);
  await page.evaluate(() => app.open('w1-profile.db'));
  await page.evaluate(() => todos.insert({ id: 'one', title: 'x', n: 0 }).isPersisted.promise);
  const cdp = await chrome.context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  // Warm-up outside the profile, as browser-bench.js leaves 50 out.
  const loop = async (n, keep) => page.evaluate(async ({ n, keep }) => {
    const cb = [];
    let changed;
    const sub = todos.subscribeChanges(() => changed?.());
    // A named function per update: the profile's samples inside it are
    // that update's, up to its callback.
    async function w1Update(i) {
      const seen = new Promise((r) => (changed = r));
      const tx = todos.update('one', (d) => {
        d.n = i;
      });
      await seen;
      return tx;
    }
    for (let i = 1; i <= n; i++) {
      const t0 = performance.now();
      const tx = await w1Update(i);
      if (keep) cb.push(performance.now() - t0);
      await tx.isPersisted.promise;
    }
    sub.unsubscribe();
    return cb;
  }, { n, keep });
  await loop(50, false);
  await cdp.send('Profiler.start');
  const cb = await loop(UPDATES, true);
  const { profile: prof } = await cdp.send('Profiler.stop');
  if (SAVE) (await import('node:fs')).writeFileSync(SAVE, JSON.stringify(prof));

  const w1 = analyze(prof, 'w1Update');
  console.log(`root ${ROOT}; ${UPDATES} updates; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; Go names ${w1.names ? 'yes' : 'no (built with -s)'}`);
  console.log(`update to callback: p50 ${pct(cb, 50).toFixed(2)} ms, p99 ${pct(cb, 99).toFixed(2)} ms, max ${Math.max(...cb).toFixed(2)} ms; ${w1.bursts.length} sampled updates`);
  report(w1, 'updates');

  if (INSERTS > 0) {
    // W3's optimistic insert(): 10,000 rows, the call alone (not until
    // persisted), in a named function; one unprofiled first (V8 warming up).
    const insert = (run) => page.evaluate(async (run) => {
      const rows = Array.from({ length: 10000 }, (_, i) => ({ id: `p${run}-${i}`, title: 'a todo item with a typical title', n: i }));
      function w3Insert() {
        return todos.insert(rows);
      }
      const t0 = performance.now();
      const tx = w3Insert();
      const ms = performance.now() - t0;
      await tx.isPersisted.promise;
      return ms;
    }, run);
    await insert(0);
    await cdp.send('Profiler.start');
    const took = [];
    for (let run = 1; run <= INSERTS; run++) took.push(await insert(run));
    const { profile: prof3 } = await cdp.send('Profiler.stop');
    const w3 = analyze(prof3, 'w3Insert');
    console.log(`\ninsert() of 10,000 rows returns: ${took.map((x) => x.toFixed(0)).join(', ')} ms; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    report(w3, 'inserts');
  }
  await page.evaluate(() => db.close());
} finally {
  await chrome.close();
  profile.remove();
  await web.close();
}


/**
 * The samples of prof taken while a function named marker was on the
 * stack, as bursts (runs of consecutive such samples, one per call), each
 * with its sampled time by category, and self time by function.
 */
function analyze(prof, marker) {
  // Per sample: its node, and the time until the next sample.
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inUpdate = new Map(); // node id -> whether marker is on its stack
  const onStack = (id) => {
    if (inUpdate.has(id)) return inUpdate.get(id);
    const n = byId.get(id);
    const v = n.callFrame.functionName === marker || (parent.has(id) && onStack(parent.get(id)));
    inUpdate.set(id, v);
    return v;
  };
  const category = (n) => {
    const name = n.callFrame.functionName;
    if (name === '(garbage collector)') return 'V8 collector';
    if (name === '(program)' || name === '(idle)') return 'V8 other (program, idle)';
    const wasm = n.callFrame.url.startsWith('wasm://') || n.callFrame.url.endsWith('.wasm');
    for (const [c, re] of CATEGORIES) if (wasm && re.test(name)) return c;
    return wasm ? 'Go, our packages and the rest' : 'JS';
  };
  // Bursts: runs of consecutive samples inside w1Update.
  const bursts = [];
  const selfTime = new Map(); // function name -> ms inside marker, sampling gaps left out
  const callers = new Map(); // function name -> (first caller outside the runtime -> ms)
  let cur = null;
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000; // ms
    if (!onStack(id)) {
      cur = null;
      continue;
    }
    if (!cur) bursts.push((cur = { ms: 0, by: {} }));
    cur.ms += dt;
    if (dt <= 1) {
      const name = fnName(byId.get(id).callFrame);
      selfTime.set(name, (selfTime.get(name) ?? 0) + dt);
      // The nearest caller that is not the runtime's or the maps': where
      // the allocation, hashing or collection was asked for.
      let p = parent.get(id);
      while (p !== undefined && /^(runtime|internal_runtime|internal\/runtime)[._]/.test(byId.get(p).callFrame.functionName)) p = parent.get(p);
      const caller = p === undefined ? '(none)' : fnName(byId.get(p).callFrame);
      const m = callers.get(name) ?? new Map();
      callers.set(name, m.set(caller, (m.get(caller) ?? 0) + dt));
    }
    const c = dt > 1 ? 'thread not running (a sample over 1 ms)' : category(byId.get(id));
    cur.by[c] = (cur.by[c] ?? 0) + dt;
  }
  const sum = (list) => {
    const by = {};
    let ms = 0;
    for (const b of list) {
      ms += b.ms;
      for (const [k, v] of Object.entries(b.by)) by[k] = (by[k] ?? 0) + v;
    }
    return { n: list.length, ms, by };
  };
  bursts.sort((a, b) => b.ms - a.ms);
  const names = prof.nodes.some((n) => /^runtime\./.test(n.callFrame.functionName));
  return { bursts, selfTime, callers, names };
}

/** Prints where the sampled time of the slowest 1% of bursts and of all of them went. */
function report({ bursts, selfTime, callers }, what) {
  const sum = (list) => {
    const by = {};
    let ms = 0;
    for (const b of list) {
      ms += b.ms;
      for (const [k, v] of Object.entries(b.by)) by[k] = (by[k] ?? 0) + v;
    }
    return { n: list.length, ms, by };
  };
  const slow = sum(bursts.slice(0, Math.max(1, Math.round(bursts.length / 100))));
  const all = sum(bursts);
  const cats = [...new Set([...Object.keys(all.by), ...Object.keys(slow.by)])].sort((a, b) => (slow.by[b] ?? 0) - (slow.by[a] ?? 0));
  console.log(`\n| where the sampled time went | slowest 1% (${slow.n} ${what}, ${slow.ms.toFixed(1)} ms) | all (${all.n} ${what}, ${all.ms.toFixed(1)} ms) |`);
  console.log('|---|---|---|');
  for (const c of cats) {
    const f = (s) => `${(s.by[c] ?? 0).toFixed(1)} ms (${Math.round((100 * (s.by[c] ?? 0)) / s.ms)}%)`;
    console.log(`| ${c} | ${f(slow)} | ${f(all)} |`);
  }
  console.log(`\nfunctions with the most time inside the ${what} (self time, sampling gaps left out):`);
  for (const [name, ms] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    const from = [...callers.get(name)].sort((a, b) => b[1] - a[1]).slice(0, 3);
    console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${name}  (from ${from.map(([c, t]) => `${c} ${t.toFixed(1)}`).join(', ')})`);
  }
}

/** A function's name, or where an anonymous JS function is (file:line). */
function fnName(f) {
  return f.functionName || (f.url ? `(anonymous ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1})` : '(anonymous)');
}
