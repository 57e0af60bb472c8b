// The full stack in headless Chromium: js/index.js, the module from
// `make build` (dist/), collections persisted in OPFS. Skipped while
// js/index.js does not exist.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withBrowser } from './lib/browser.js';
import { REPO } from './lib/build.js';
import { serve } from './lib/server.js';

const PAGE = '/tests/browser/pages/stack.html';
let server;
let skip = false;

before(async () => {
  if (!existsSync(join(REPO, 'js/index.js'))) {
    skip = 'js/index.js does not exist yet';
    return;
  }
  // make is incremental: this costs nothing when dist/ is up to date. A
  // failed build fails these tests: the package exists, so it must build.
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  server = await serve(REPO);
});

after(async () => {
  await server?.close();
});

/** withBrowser, skipped while the package does not exist. */
async function withStack(t, fn) {
  if (skip) {
    t.skip(skip);
    return;
  }
  await withBrowser(fn);
}

/** Opens the stack page and the database name; returns the page and timings. */
async function openApp(context, name) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`# pageerror: ${e.message}`));
  await page.goto(server.url + PAGE);
  await page.waitForFunction(() => window.pageReady);
  const marks = await page.evaluate((name) => app.open(name), name);
  return { page, marks };
}

/** How many times the page itself fetched the module. */
function wasmFetches(page) {
  return page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length);
}

test('stack: inserted rows are persisted, survive a reload, and the database is intact', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page } = await openApp(chrome.context, 'stack-reload.db');
    await page.evaluate(async () => {
      const tx = todos.insert(Array.from({ length: 100 }, (_, i) => ({ id: `todo-${i}`, title: `todo ${i}`, n: i })));
      await tx.isPersisted.promise;
      const up = todos.update('todo-7', (d) => {
        d.title = 'changed';
      });
      await up.isPersisted.promise;
    });
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    const marks = await page.evaluate(() => app.open('stack-reload.db'));
    assert.equal(marks.size, 100);
    assert.equal(await page.evaluate(() => app.integrity()), 'ok');
    assert.equal(await page.evaluate(() => todos.get('todo-7').title), 'changed');
  });
});

test('stack: a page compiles the module in a worker, not on its main thread', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page } = await openApp(chrome.context, 'stack-compile.db');
    const compilers = page.workers().filter((w) => w.url().endsWith('/js/compile-worker.js'));
    assert.equal(compilers.length, 1, 'one compile worker');
    // The page got a compiled module from it, so it never fetched the
    // module itself: the worker's fetch is the only one.
    const fetched = await wasmFetches(page);
    assert.equal(fetched, 0, 'the page fetched the module itself');
    await page.evaluate(() => todos.insert({ id: 'a', title: 'works', n: 1 }).isPersisted.promise);
  });
});

test('stack: a page whose compile worker cannot start compiles the module itself', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const page = await chrome.context.newPage();
    await page.route('**/js/compile-worker.js', (route) => route.fulfill({ status: 404, body: 'blocked' }));
    await page.goto(server.url + PAGE);
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate(() => app.open('stack-no-worker.db'));
    const fetched = await wasmFetches(page);
    assert.equal(fetched, 1, 'the page fetched the module itself');
    await page.evaluate(() => todos.insert({ id: 'a', title: 'works', n: 1 }).isPersisted.promise);
    assert.equal(await page.evaluate(() => todos.get('a').title), 'works');
  });
});

test('stack: a second tab opens the same database and both keep working', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page: first } = await openApp(chrome.context, 'stack-tabs.db');
    await first.evaluate(() => todos.insert({ id: 'a', title: 'first tab', n: 1 }).isPersisted.promise);
    const { page: second } = await openApp(chrome.context, 'stack-tabs.db');
    assert.deepEqual(await second.evaluate(() => todos.toArray.map((r) => r.id)), ['a']);
    await second.evaluate(() => todos.insert({ id: 'b', title: 'second tab', n: 2 }).isPersisted.promise);
    await first.waitForFunction(() => todos.has('b'));
    assert.equal(await first.evaluate(() => app.integrity()), 'ok');
    assert.deepEqual(await first.evaluate(() => todos.toArray.map((r) => r.id).sort()), ['a', 'b']);
  });
});

test('stack: killing the browser mid-stream keeps every transaction whose isPersisted resolved', async (t) => {
  await withStack(t, async (b) => {
    const acked = new Set();
    const rounds = 3;
    for (let round = 0; round <= rounds; round++) {
      const { page } = await openApp(b.chrome.context, 'stack-crash.db');
      if (round > 0) {
        assert.equal(await page.evaluate(() => app.integrity()), 'ok', `round ${round}: integrity`);
        const present = new Set(await page.evaluate(() => todos.toArray.map((r) => r.n)));
        for (const n of acked) assert.ok(present.has(n), `round ${round}: persisted transaction ${n} is missing`);
        console.log(`# stack crash round ${round}: ${acked.size} persisted, ${present.size} present`);
      }
      if (round === rounds) break;
      const start = await page.evaluate(() => Math.max(0, ...todos.toArray.map((r) => r.n)));
      await page.exposeFunction('reportPersisted', (n) => acked.add(n));
      await page.evaluate((start) => {
        (async () => {
          for (let n = start + 1; ; n++) {
            const tx = todos.insert({ id: `todo-${n}`, title: `todo ${n}`, n });
            tx.isPersisted.promise.then(() => window.reportPersisted(n));
            await new Promise((r) => setTimeout(r, 0));
          }
        })();
      }, start);
      const target = acked.size + 20 + Math.floor(Math.random() * 20);
      const deadline = Date.now() + 60000;
      while (acked.size < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(acked.size >= target, `round ${round}: only ${acked.size} transactions persisted in 60 s`);
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      await b.chrome.kill();
      await b.relaunch();
    }
  });
});

test('stack: a refused storage write (permission, simulated in the worker) rejects isPersisted with a clear error', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page } = await openApp(chrome.context, 'stack-quota.db');
    await page.evaluate(() => todos.insert({ id: 'kept', title: 'durable', n: 1 }).isPersisted.promise);
    const worker = page.workers().find((w) => w.url().endsWith('/js/opfs-worker.js'));
    assert.ok(worker, 'storage worker found');
    await worker.evaluate(() => {
      FileSystemSyncAccessHandle.prototype.write = function () {
        throw new DOMException('simulated: the user revoked storage access', 'NotAllowedError');
      };
    });
    const first = await page.evaluate(() =>
      todos.insert({ id: 'lost', title: 'not durable', n: 2 }).isPersisted.promise.then(() => null, (e) => `${e instanceof gp.PersistenceError} ${e.message}`),
    );
    assert.match(first ?? 'resolved', /^true .*NotAllowedError/);
    const later = await page.evaluate(() =>
      todos.insert({ id: 'later', title: 'not durable', n: 3 }).isPersisted.promise.then(() => null, (e) => `${e instanceof gp.PersistenceError} ${e.message}`),
    );
    assert.match(later ?? 'resolved', /^true .*NotAllowedError/);
    await page.close();
    const { page: again } = await openApp(chrome.context, 'stack-quota.db');
    assert.equal(await again.evaluate(() => app.integrity()), 'ok');
    assert.deepEqual(await again.evaluate(() => todos.toArray.map((r) => r.id)), ['kept']);
  });
});

test('stack: running out of storage quota rejects isPersisted and loses nothing already persisted', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page } = await openApp(chrome.context, 'stack-real-quota.db');
    await page.evaluate(() => todos.insert({ id: 'kept', title: 'durable', n: 1 }).isPersisted.promise);
    // A real quota, enforced by the browser: what the origin uses now plus
    // 256 kB, then a transaction of about 4 MB.
    const cdp = await chrome.context.newCDPSession(page);
    const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url, quotaSize: usage + 256 * 1024 });
    const failed = await page.evaluate(() => {
      const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `big-${i}`, title: 'x'.repeat(2000), n: i }));
      return todos.insert(rows).isPersisted.promise.then(
        () => null,
        (e) => ({ isPersistenceError: e instanceof gp.PersistenceError, cause: e.cause?.name, message: e.message }),
      );
    });
    assert.ok(failed, 'isPersisted resolved over the quota');
    assert.equal(failed.isPersistenceError, true, failed.message);
    assert.equal(failed.cause, 'QuotaExceededError', failed.message);
    assert.match(failed.message, /stack-real-quota\.db.*not durable/);
    await page.close();
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: server.url }).catch(() => {});
    const { page: again } = await openApp(chrome.context, 'stack-real-quota.db');
    assert.equal(await again.evaluate(() => app.integrity()), 'ok');
    assert.deepEqual(await again.evaluate(() => todos.toArray.map((r) => r.id)), ['kept']);
    assert.equal(await again.evaluate(async () => (await db.getAll('SELECT id FROM ps_crud')).length), 1, 'the upload queue holds only the persisted insert');
  });
});

test('stack: main-thread long tasks while loading 100,000 rows (reported, not asserted)', async (t) => {
  await withStack(t, async ({ chrome }) => {
    const { page } = await openApp(chrome.context, 'stack-big.db');
    await page.evaluate(() => app.fill('todo', 100000));
    await page.reload();
    await page.waitForFunction(() => window.pageReady);
    const m = await page.evaluate(() => app.open('stack-big.db'));
    assert.equal(m.size, 100000);
    console.log(`# 100k rows: init ${m.init.toFixed(0)} ms, db.init ${m.dbInit.toFixed(0)} ms, preload ${m.preload.toFixed(0)} ms; long tasks (ms, at ms since open): ${JSON.stringify(m.long)}`);
  });
});
