// W7, a first sync of ROWS rows in a fresh browser, for sync-bench.js and
// browser-bench.js: the rows the dev server is seeded with, and one measured
// run of a stack (what is measured: sync-bench.js's header).
import { freshProfile, launch } from '../lib/browser.js';
import { mb, renderersPSS, sample } from '../lib/measure.js';
import { backendUpload } from '../lib/syncserver.js';

/** The pages of the two stacks, the same window.app (pages/sync-common.js). */
export const SYNC_PAGES = {
  ours: '/tests/browser/pages/sync.html',
  reference: '/tests/browser/reference/dist/sync.html',
};

/** Row i: 5 columns, the values of tests/interop/bench/initial-sync.js (owner in place of list_id). */
export function todoRow(i) {
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

/** Uploads rows 0..n-1 to the dev server at url, 1,000 a request. */
export async function seed(url, n) {
  for (let lo = 0; lo < n; lo += 1000) {
    await backendUpload(url, Array.from({ length: Math.min(1000, n - lo) }, (_, k) => todoRow(lo + k)));
  }
}

/**
 * One first sync of n rows from the dev server at syncURL, on a fresh
 * profile, of the page at webURL + SYNC_PAGES[stack]; resolves to its
 * figures, and fails unless the collection and the table end with n rows.
 */
export async function firstSync(stack, webURL, syncURL, n) {
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  try {
    const page = await chrome.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const p of chrome.context.pages()) if (p !== page) await p.close();
    await page.goto(webURL + SYNC_PAGES[stack]);
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(() => app.open('w7.db'));
    const cdp = await chrome.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const sampler = sample(chrome.pid, cdp);
    const pssBefore = renderersPSS(chrome.pid);
    const wasmBefore = await page.evaluate(() => app.wasmMemory());
    let m;
    try {
      m = await page.evaluate(([url, n]) => app.initialSync(url, 'bench', n), [syncURL, n]);
    } finally {
      await sampler.stop();
    }
    const count = await page.evaluate(async () => (await db.get('SELECT count(*) AS n FROM todos')).n);
    if (m.size !== n || count !== n) throw new Error(`${stack}: ${m.size} rows in the collection, ${count} in the table, want ${n}`);
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
