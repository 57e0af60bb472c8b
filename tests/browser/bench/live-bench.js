// Live queries in the browser, ours (js/index.js + dist/) and TanStack DB
// (tests/browser/reference) side by side in one headless Chromium run,
// alternating stacks, each round on a fresh profile. Not a test: it prints
// a table of medians for BENCHMARKS.md. The workloads are the same code on
// both stacks (tests/browser/pages/live-common.js):
//   first result of where + orderBy + limit 50 over 100,000 rows (three
//   times, once more after 5 s idle; on the reference also after
//   todos.createIndex on the order key);
//   update to the live query's change callback, p50 and p99 of 300;
//   first result of a self-join of 10,000 rows grouped with a count.
//
//   node tests/browser/bench/live-bench.js [--rounds 3] [--stacks ours,reference]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { freshProfile, launch } from '../lib/browser.js';
import { REPO } from '../lib/build.js';
import { buildReference } from '../lib/reference.js';
import { serve } from '../lib/server.js';

const PAGES = { ours: '/tests/browser/pages/stack.html', reference: '/tests/browser/reference/dist/index.html' };
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] || 3) || 3;
const STACKS = args.includes('--stacks') ? args[args.indexOf('--stacks') + 1].split(',') : ['ours', 'reference'];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
buildReference();
const results = { ours: {}, reference: {} };
const add = (stack, key, v) => (results[stack][key] ??= []).push(v);
const loads = [load()];
const web = await serve(REPO);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const stack of round % 2 ? STACKS : [...STACKS].reverse()) {
      const r = await roundOf(stack);
      console.log(`round ${round} ${stack.padEnd(9)} ${JSON.stringify(r)}`);
      for (const [k, v] of Object.entries(r)) for (const x of [v].flat()) add(stack, k, x);
    }
    loads.push(load());
  }
} finally {
  await web.close();
}
const rows = [
  ['first result, where + orderBy + limit 50 over 100,000 rows (no index)', 'first'],
  ['the same, once more after 5 s idle', 'firstIdle'],
  ['the same, the reference with an index on the order key', 'firstIndexed'],
  ['update to the live query\'s callback, p50', 'cbP50'],
  ['update to the live query\'s callback, p99', 'cbP99'],
  ['first result, self-join of 10,000 rows + groupBy count', 'join'],
];
console.log(`\nload average (1/5/15 min) at the start and after each round: ${loads.join('; ')}`);
console.log(`rounds: ${ROUNDS}; a cell is a median\n`);
console.log('| workload | ours | reference | ours/reference |');
console.log('|---|---|---|---|');
for (const [label, key] of rows) {
  const o = results.ours[key]?.length ? median(results.ours[key]) : null;
  const ref = results.reference[key]?.length ? median(results.reference[key]) : null;
  const refIdx = key === 'firstIndexed' ? ref : null;
  const oursCell = key === 'firstIndexed' ? (results.ours.first ? `${median(results.ours.first).toFixed(1)} ms (no index)` : '-') : o === null ? '-' : `${o.toFixed(2)} ms`;
  const ratio = key === 'firstIndexed' ? (refIdx && results.ours.first ? (median(results.ours.first) / refIdx).toFixed(2) : '-') : o !== null && ref ? (o / ref).toFixed(2) : '-';
  console.log(`| ${label} | ${oursCell} | ${ref === null ? '-' : `${ref.toFixed(2)} ms`} | ${ratio} |`);
}

async function roundOf(stack) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  const r = { first: [] };
  try {
    const page = await chrome.context.newPage();
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const go = async () => {
      await page.goto(web.url + PAGES[stack]);
      await page.waitForFunction(() => window.pageReady);
    };
    await go();
    await page.evaluate(async () => {
      await app.open('big.db');
      await app.fill('big', 100000);
      await db.close();
    });
    await go();
    const open = await page.evaluate(() => app.open('big.db'));
    if (open.size !== 100000) throw new Error(`${stack}: ${open.size} rows`);
    for (let i = 0; i < 3; i++) r.first.push(await page.evaluate(() => app.live('firstResult')));
    // Once more after 5 s idle: what background work (our index on the
    // order, made after the first pass) gives a later query.
    await page.waitForTimeout(5000);
    r.firstIdle = await page.evaluate(() => app.live('firstResult'));
    if (stack === 'reference') {
      await page.evaluate(() => app.index());
      r.firstIndexed = await page.evaluate(() => app.live('firstResult'));
    }
    const cb = await page.evaluate(() => app.live('updateToCallback'));
    r.cbP50 = cb.p50;
    r.cbP99 = cb.p99;
    await page.evaluate(() => db.close());
    await go();
    await page.evaluate(async () => {
      await app.open('join.db');
      await app.fill('j', 10000);
    });
    await page.waitForFunction(() => todos.size === 10000, null, { timeout: 60000 });
    const j = await page.evaluate(() => app.live('joinGroupCount'));
    if (j.groups !== 10000) throw new Error(`${stack}: join: ${j.groups} groups`);
    r.join = j.ms;
    await page.evaluate(() => db.close());
    if (errors.length) throw new Error(`${stack}: page errors: ${errors.join('; ')}`);
    return r;
  } finally {
    await chrome.close();
    profile.remove();
  }
}
