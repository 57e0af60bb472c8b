// Measures, side by side in one run, our public package (js/index.js +
// dist/) and the reference stack (TanStack DB + PowerSync web on OPFS,
// tests/browser/reference), both persisted in OPFS, in headless Chromium.
// Both stacks expose the same window.app (open, fill) and the same
// todos/db globals, so every workload below runs on each unchanged. Not a
// test: it prints figures. It builds what it needs (make build; npm ci and
// vite build of the reference, skipped when up to date).
// Run: node tests/browser/bench/stack-bench.js [ours|reference]...
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';

const STACKS = {
  ours: '/tests/browser/pages/stack.html',
  reference: '/tests/browser/reference/dist/index.html',
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x) => `${x.toFixed(1)} ms`;
const kB = (n) => `${(n / 1000).toFixed(0)} kB`;

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(STACKS);
for (const s of chosen) if (!STACKS[s]) throw new Error(`unknown stack ${s}: want ${Object.keys(STACKS).join(' or ')}`);
if (chosen.includes('ours')) execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
if (chosen.includes('reference')) buildReference();

const server = await serve(REPO);
try {
  for (const stack of chosen) await bench(stack, STACKS[stack]);
} finally {
  await server.close();
}

/** Runs every workload on one stack, in a browser profile of its own. */
async function bench(stack, path) {
  const say = (line) => console.log(`${stack}: ${line}`);
  const profile = freshProfile();
  let chrome = await launch(profile.dir);
  const newPage = async (onResponse) => {
    const page = await chrome.context.newPage();
    if (onResponse) page.on('response', onResponse);
    await page.goto(server.url + path);
    await page.waitForFunction(() => window.pageReady);
    return page;
  };
  try {
    {
      const fetched = new Set();
      const page = await newPage((r) => r.url().startsWith(server.url) && fetched.add(new URL(r.url()).pathname));
      const m = await page.evaluate(() => app.open('latency.db'));
      say(`first visit: init ${ms(m.init)}, db.init ${ms(m.dbInit)}, preload (empty) ${ms(m.preload)}, total ${ms(m.init + m.dbInit + m.preload)}`);
      say(`bytes the first visit fetched (raw / gzip -9): ${transferred(fetched)}`);
      await page.evaluate(() => todos.insert({ id: 'one', title: 'x', n: 0 }).isPersisted.promise);
      const lat = await page.evaluate(async () => {
        const cb = [];
        const persisted = [];
        let changed;
        todos.subscribeChanges(() => changed?.());
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
        return { cb, persisted };
      });
      say(`1-row update, 300 after 50 warm-up: to change callback p50 ${ms(pct(lat.cb, 50))} p99 ${ms(pct(lat.cb, 99))}; to isPersisted p50 ${ms(pct(lat.persisted, 50))} p99 ${ms(pct(lat.persisted, 99))}`);
      for (let run = 1; run <= 3; run++) {
        const r = await page.evaluate(async (run) => {
          const rows = Array.from({ length: 10000 }, (_, i) => ({ id: `r${run}-${i}`, title: 'a todo item with a typical title', n: i }));
          const t0 = performance.now();
          const tx = todos.insert(rows);
          const t1 = performance.now();
          await tx.isPersisted.promise;
          return { insert: t1 - t0, persisted: performance.now() - t0 };
        }, run);
        say(`10,000 inserts in one transaction (run ${run}): insert() returns ${ms(r.insert)}, persisted ${ms(r.persisted)}`);
      }
      await page.evaluate(async () => {
        await app.fill('big', 100000);
        await db.close();
      });
      await page.close();
    }
    await chrome.close();
    for (const dir of ['Cache', 'Code Cache']) rmSync(join(profile.dir, 'Default', dir), { recursive: true, force: true });
    chrome = await launch(profile.dir);
    const page = await newPage();
    const report = (label, m) =>
      say(`${label}: init ${ms(m.init)}, db.init ${ms(m.dbInit)}, preload ${ms(m.preload)} (${m.size} rows), total ${ms(m.init + m.dbInit + m.preload)}; long tasks ${JSON.stringify(m.long)}`);
    report('open ~130k rows, cold (new browser, caches removed)', await page.evaluate(() => app.open('latency.db')));
    for (let i = 1; i <= 3; i++) {
      await page.evaluate(() => db.close());
      await page.reload();
      await page.waitForFunction(() => window.pageReady);
      report(`open ~130k rows, reload ${i}`, await page.evaluate(() => app.open('latency.db')));
    }
  } finally {
    await chrome.close();
    profile.remove();
  }
}

/** Sums the sizes of the repository files behind the fetched paths. */
function transferred(paths) {
  let raw = 0;
  let gz = 0;
  for (const p of paths) {
    const file = join(REPO, decodeURIComponent(p));
    if (!existsSync(file)) continue;
    const data = readFileSync(file);
    raw += data.length;
    gz += gzipSync(data, { level: 9 }).length;
  }
  return `${kB(raw)} / ${kB(gz)} in ${paths.size} files`;
}
