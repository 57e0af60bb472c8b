// SQLite over pagevfs, persisted through the OPFS storage worker, in real
// headless Chromium: reload, two tabs, a crash mid-stream, a write failure.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { withBrowser } from './lib/browser.js';
import { buildProbe, REPO } from './lib/build.js';
import { durable, exec, openProbe, query } from './lib/probe.js';
import { serve } from './lib/server.js';

let server;

before(async () => {
  buildProbe();
  server = await serve(REPO);
});

after(async () => {
  await server?.close();
});

async function integrity(page) {
  return (await query(page, 'PRAGMA integrity_check'))[0][0];
}

test('committed rows survive a page reload and the database stays intact', async () => {
  await withBrowser(async ({ chrome }) => {
    const { page } = await openProbe(chrome.context, server.url, 'reload.db');
    await exec(page, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    for (let i = 1; i <= 20; i++) await exec(page, 'INSERT INTO t (id, v) VALUES (?, ?)', i, `row ${i}`);
    await exec(page, "INSERT INTO t (v) SELECT 'bulk ' || value FROM generate_series(1, 5000)");
    await durable(page);
    await page.close();

    const { page: again, marks } = await openProbe(chrome.context, server.url, 'reload.db');
    assert.equal(marks.replayed, 0, 'a clean close leaves no journal to replay');
    assert.equal(await integrity(again), 'ok');
    assert.deepEqual(await query(again, 'SELECT count(*), max(id) FROM t'), [[5020, 5020]]);
    assert.deepEqual(await query(again, 'SELECT v FROM t WHERE id = 7'), [['row 7']]);
  });
});

test('a second tab on the same database gets a clear error and nothing is corrupted', async () => {
  await withBrowser(async ({ chrome }) => {
    const { page: first } = await openProbe(chrome.context, server.url, 'tabs.db');
    await exec(first, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await exec(first, "INSERT INTO t (v) VALUES ('from the first tab')");
    await durable(first);

    const second = await chrome.context.newPage();
    await second.goto(server.url + '/tests/browser/pages/probe.html');
    await second.waitForFunction(() => window.pageReady);
    const refused = await second.evaluate(() =>
      window.opfs.openOPFSStorage('tabs.db', { exclusive: true }).then(
        () => null,
        (e) => ({ name: e.name, message: e.message }),
      ),
    );
    assert.equal(refused?.name, 'DatabaseLockedError');
    assert.match(refused.message, /database "tabs.db" is open in another tab/);

    await exec(first, "INSERT INTO t (v) VALUES ('still writing')");
    await durable(first);
    await first.evaluate(() => window.storage.close());
    await first.close();

    // Once the first tab lets go, the second can open it and sees everything.
    await second.evaluate(() => window.boot());
    await second.evaluate(() => window.openDB('tabs.db'));
    assert.equal(await integrity(second), 'ok');
    assert.deepEqual(await query(second, 'SELECT v FROM t ORDER BY id'), [['from the first tab'], ['still writing']]);
  });
});

test('killing the browser mid-stream keeps every acknowledged transaction and an intact database', async () => {
  await withBrowser(async (b) => {
    const acked = new Set();
    const rounds = 4;
    for (let round = 0; round <= rounds; round++) {
      const { page, marks } = await openProbe(b.chrome.context, server.url, 'crash.db');
      if (round === 0) {
        await exec(page, 'CREATE TABLE tx (n INTEGER PRIMARY KEY, rows INTEGER)');
        await exec(page, 'CREATE TABLE t (id INTEGER PRIMARY KEY, tx INTEGER, v TEXT)');
        await durable(page);
      } else {
        // After a crash: the database opens, is intact, and holds every
        // transaction whose durability was acknowledged before the kill.
        assert.equal(await integrity(page), 'ok', `round ${round}: integrity`);
        const present = new Set((await query(page, 'SELECT n FROM tx')).map((r) => r[0]));
        for (const n of acked) assert.ok(present.has(n), `round ${round}: acknowledged transaction ${n} is missing`);
        // Every transaction present is whole: its marker row and its rows.
        const partial = await query(page, 'SELECT tx.n FROM tx LEFT JOIN t ON t.tx = tx.n GROUP BY tx.n HAVING count(t.id) != max(tx.rows)');
        assert.deepEqual(partial, [], `round ${round}: torn transactions`);
        console.log(`# crash round ${round}: ${acked.size} acknowledged, ${present.size} present, ${marks.replayed} journal records replayed`);
      }
      if (round === rounds) break;
      const start = (await query(page, 'SELECT coalesce(max(n), 0) FROM tx'))[0][0];
      // Stream transactions of 1-50 rows; report each one once durable.
      await page.exposeFunction('reportAcked', (n) => acked.add(n));
      await page.evaluate((start) => {
        window.streaming = (async () => {
          for (let n = start + 1; ; n++) {
            const rows = 1 + (n % 50);
            db.exec('BEGIN');
            db.exec('INSERT INTO tx (n, rows) VALUES (?, ?)', n, rows);
            // Every seventh transaction is large (about 1 MB), so that kills
            // also land while a big journal record or page write is under way.
            const pad = n % 7 === 0 ? 20000 : 200;
            db.exec("INSERT INTO t (tx, v) SELECT ?, 'payload ' || value || printf('%.*c', ?, 'x') FROM generate_series(1, ?)", n, pad, rows);
            db.exec('COMMIT');
            db.durable().then(() => window.reportAcked(n));
            await new Promise((r) => setTimeout(r, 0));
          }
        })();
      }, start);
      const target = acked.size + 30 + Math.floor(Math.random() * 30);
      const deadline = Date.now() + 60000;
      while (acked.size < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(acked.size >= target, `round ${round}: only ${acked.size} transactions acknowledged in 60 s`);
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      await b.chrome.kill();
      await b.relaunch();
    }
    assert.ok(acked.size >= 90, `only ${acked.size} transactions acknowledged`);
  });
});

test('a write failure in the worker rejects durability and every later write, and loses nothing acknowledged', async () => {
  await withBrowser(async ({ chrome }) => {
    const { page } = await openProbe(chrome.context, server.url, 'quota.db');
    await exec(page, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await exec(page, "INSERT INTO t (v) VALUES ('durable')");
    await durable(page);

    // Make the storage worker's writes fail as a full quota would.
    const worker = page.workers().find((w) => w.url().endsWith('/js/opfs-worker.js'));
    assert.ok(worker, 'storage worker found');
    await worker.evaluate(() => {
      FileSystemSyncAccessHandle.prototype.write = function () {
        throw new DOMException('simulated: the origin is over its storage quota', 'QuotaExceededError');
      };
    });
    await exec(page, "INSERT INTO t (v) VALUES ('not durable')");
    const failure = await page.evaluate(() => db.durable().then(() => null, (e) => e.message));
    assert.match(failure ?? '', /QuotaExceededError.*quota/);
    await assert.rejects(exec(page, "INSERT INTO t (v) VALUES ('later')"), /QuotaExceededError/);
    await page.close();

    const { page: again } = await openProbe(chrome.context, server.url, 'quota.db');
    assert.equal(await integrity(again), 'ok');
    assert.deepEqual(await query(again, 'SELECT v FROM t ORDER BY id'), [['durable']]);
  });
});
