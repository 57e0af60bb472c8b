// Measures the public package (js/index.js + dist/) persisted in OPFS, in
// headless Chromium. Not a test: it prints figures. Needs `make build`.
// Run: node tests/browser/bench/stack-bench.js
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { serve } from '../lib/server.js';

const PAGE = '/tests/browser/pages/stack.html';
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x) => `${x.toFixed(1)} ms`;

execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
const server = await serve(REPO);
const profile = freshProfile();
let chrome = await launch(profile.dir);
const newPage = async () => {
  const page = await chrome.context.newPage();
  await page.goto(server.url + PAGE);
  await page.waitForFunction(() => window.pageReady);
  return page;
};

try {
  {
    const page = await newPage();
    const m = await page.evaluate(() => app.open('latency.db'));
    console.log(`first visit: init ${ms(m.init)}, db.init ${ms(m.dbInit)}, preload (empty) ${ms(m.preload)}`);
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
    console.log(`1-row update, 300 after 50 warm-up: to change callback p50 ${ms(pct(lat.cb, 50))} p99 ${ms(pct(lat.cb, 99))}; to isPersisted p50 ${ms(pct(lat.persisted, 50))} p99 ${ms(pct(lat.persisted, 99))}`);
    for (let run = 1; run <= 3; run++) {
      const r = await page.evaluate(async (run) => {
        const rows = Array.from({ length: 10000 }, (_, i) => ({ id: `r${run}-${i}`, title: 'a todo item with a typical title', n: i }));
        const t0 = performance.now();
        const tx = todos.insert(rows);
        const t1 = performance.now();
        await tx.isPersisted.promise;
        return { insert: t1 - t0, persisted: performance.now() - t0 };
      }, run);
      console.log(`10,000 inserts in one transaction (run ${run}): insert() returns ${ms(r.insert)}, persisted ${ms(r.persisted)}`);
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
    console.log(`${label}: init ${ms(m.init)}, db.init ${ms(m.dbInit)}, preload ${ms(m.preload)} (${m.size} rows), total ${ms(m.init + m.dbInit + m.preload)}; long tasks ${JSON.stringify(m.long)}`);
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
  await server.close();
}
