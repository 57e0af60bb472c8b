// Measures the OPFS persistence path in headless Chromium with the probe
// module (SQLite over pagevfs + the storage worker). Not a test: it prints
// figures. Run: node tests/browser/bench/opfs-bench.js
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { freshProfile, launch } from '../lib/browser.js';
import { buildProbe, REPO } from '../lib/build.js';
import { durable, exec, openProbe, query } from '../lib/probe.js';
import { serve } from '../lib/server.js';

const ROWS = 100_000;
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`;

buildProbe();
const server = await serve(REPO);
const profile = freshProfile();
let chrome = await launch(profile.dir);
const out = [];
const say = (s) => {
  out.push(s);
  console.log(s);
};

try {
  // 1. One-row transactions: commit to durable.
  {
    const { page, marks } = await openProbe(chrome.context, server.url, 'latency.db');
    say(`first visit: instantiate ${ms(marks.instantiate)}, openOPFSStorage ${ms(marks.storage)}, Go open ${ms(marks.goOpen)}`);
    await exec(page, 'CREATE TABLE t (id INTEGER PRIMARY KEY, data TEXT)');
    const lat = await page.evaluate(async () => {
      const commit = [];
      const toDurable = [];
      for (let i = 0; i < 350; i++) {
        const t0 = performance.now();
        db.exec("INSERT INTO t (data) VALUES (json_object('title', 'a todo item', 'n', ?))", i);
        const t1 = performance.now();
        await db.durable();
        const t2 = performance.now();
        if (i >= 50) {
          commit.push(t1 - t0);
          toDurable.push(t2 - t0);
        }
      }
      return { commit, toDurable };
    });
    say(`1-row transaction, 300 after 50 warm-up: commit returns p50 ${ms(pct(lat.commit, 50))} p99 ${ms(pct(lat.commit, 99))}; commit to durable p50 ${ms(pct(lat.toDurable, 50))} p99 ${ms(pct(lat.toDurable, 99))}`);
    await page.close();
  }

  // 2. 10,000 inserts in one transaction until durable.
  {
    const { page } = await openProbe(chrome.context, server.url, 'bulk.db');
    await exec(page, 'CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT)');
    for (let run = 1; run <= 5; run++) {
      const r = await page.evaluate(async (run) => {
        const t0 = performance.now();
        db.exec('BEGIN');
        for (let i = 0; i < 10000; i++) {
          db.exec("INSERT INTO t (id, data) VALUES (?, json_object('title', 'a todo item with a typical title', 'n', ?))", `${run}-${i}`, i);
        }
        const t1 = performance.now();
        db.exec('COMMIT');
        const t2 = performance.now();
        await db.durable();
        const t3 = performance.now();
        return { inserts: t1 - t0, commit: t2 - t1, durableAfterCommit: t3 - t2, total: t3 - t0 };
      }, run);
      say(`10,000 inserts in one tx (run ${run}): inserts ${ms(r.inserts)}, COMMIT ${ms(r.commit)}, then durable ${ms(r.durableAfterCommit)}, total ${ms(r.total)}`);
    }
    await page.close();
  }

  // 3. A 100,000-row database: build it, watching for long tasks.
  {
    const { page } = await openProbe(chrome.context, server.url, 'big.db');
    await exec(page, 'CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT)');
    const r = await page.evaluate(async (rows) => {
      const long = [];
      new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
      const t0 = performance.now();
      for (let b = 0; b < rows / 1000; b++) {
        db.exec("INSERT INTO t (id, data) SELECT printf('%08d', value), json_object('title', 'todo number ' || value, 'done', value % 2, 'n', value) FROM generate_series(?, ?)", b * 1000 + 1, b * 1000 + 1000);
        await new Promise((r) => setTimeout(r, 0));
      }
      await db.durable();
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 100));
      return { ms: t1 - t0, long };
    }, ROWS);
    say(`100,000 rows inserted as 100 transactions of 1,000 (yielding between): ${ms(r.ms)} until durable; long tasks: ${r.long.length}, max ${ms(Math.max(0, ...r.long))}`);
    const size = await query(page, 'SELECT page_count * page_size FROM pragma_page_count, pragma_page_size');
    say(`database file: ${(size[0][0] / 1e6).toFixed(1)} MB`);
    await page.evaluate(() => window.storage.close());
    await page.close();
  }

  // 4. Opening it: after a browser restart without HTTP or code cache, then on reload.
  const openAndScan = async (page) =>
    page.evaluate(async () => {
      const long = [];
      new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: true });
      const t0 = performance.now();
      const boot = await window.boot();
      const open = await window.openDB('big.db');
      const t1 = performance.now();
      const count = db.query('SELECT count(*) FROM t');
      const t2 = performance.now();
      const all = db.query('SELECT id, data FROM t');
      const t3 = performance.now();
      await new Promise((r) => setTimeout(r, 100));
      return { boot, open, toOpen: t1 - t0, count: t2 - t1, scan: t3 - t2, scanBytes: all.length, long };
    });
  const report = (label, r) =>
    say(
      `${label}: instantiate ${ms(r.boot.instantiate)}, openOPFSStorage ${ms(r.open.storage)} (${(r.open.bytes / 1e6).toFixed(1)} MB), Go open ${ms(r.open.goOpen)}, ` +
        `ready ${ms(r.toOpen)}; count(*) ${ms(r.count)}; scan of all rows to JSON ${ms(r.scan)}; long tasks ${r.long.length}, max ${ms(Math.max(0, ...r.long))}`,
    );
  await chrome.close();
  for (const dir of ['Cache', 'Code Cache']) rmSync(join(profile.dir, 'Default', dir), { recursive: true, force: true });
  chrome = await launch(profile.dir);
  {
    const page = await chrome.context.newPage();
    await page.goto(`${server.url}/tests/browser/pages/probe.html`);
    await page.waitForFunction(() => window.pageReady);
    report('open 100k rows, cold (new browser, caches removed)', await openAndScan(page));
    for (let i = 1; i <= 3; i++) {
      await page.evaluate(() => window.storage.close());
      await page.reload();
      await page.waitForFunction(() => window.pageReady);
      report(`open 100k rows, reload ${i}`, await openAndScan(page));
    }
  }
} finally {
  await chrome.close();
  profile.remove();
  await server.close();
}
