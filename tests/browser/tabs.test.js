// Many tabs, one database (issue 13), through the public package in headless
// Chromium: every tab opens the same OPFS database, sees the others' writes,
// and writes on the latest state. One browser for the whole file: each test
// opens its own database name in new pages of it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, freshProfile } from './lib/browser.js';
import { REPO } from './lib/build.js';
import { serve } from './lib/server.js';
import { backendUpload, buildSyncCommands, startSyncServer } from './lib/syncserver.js';

const PAGE = '/tests/browser/pages/stack.html';
let server;
let profile;
let chrome;

before(async () => {
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  server = await serve(REPO);
  profile = freshProfile();
  chrome = await launch(profile.dir);
});

after(async () => {
  await chrome?.close();
  profile?.remove();
  await server?.close();
});

/** Opens the stack page on database name in a new tab. */
async function openTab(name, options) {
  const page = await chrome.context.newPage();
  page.on('pageerror', (e) => console.log(`# pageerror: ${e.message}`));
  if (process.env.TABS_CONSOLE) page.on('console', (m) => console.log(`# console: ${m.text()}`));
  await page.goto(server.url + PAGE);
  await page.waitForFunction(() => window.pageReady);
  await page.evaluate(([name, options]) => app.open(name, options), [name, options]);
  return page;
}

/** The rows of todos in the tab's collection, sorted by id. */
const rowsOf = (page) => page.evaluate(() => todos.toArray.map((r) => ({ id: r.id, title: r.title, n: r.n })).sort((a, b) => (a.id < b.id ? -1 : 1)));

/** The tab's upload queue: [id, tx_id, data] in order. */
const crudOf = (page) => page.evaluate(async () => (await db.getAll('SELECT id, tx_id, data FROM ps_crud ORDER BY id')).map((r) => [r.id, r.tx_id, r.data]));

test('tabs: a second tab opens the database and each sees the other\'s writes', async () => {
  const a = await openTab('tabs-two.db');
  await a.evaluate(() => todos.insert({ id: 'a1', title: 'from a', n: 1 }).isPersisted.promise);
  const b = await openTab('tabs-two.db');
  assert.deepEqual(await rowsOf(b), [{ id: 'a1', title: 'from a', n: 1 }]);
  await b.evaluate(() => todos.insert({ id: 'b1', title: 'from b', n: 2 }).isPersisted.promise);
  await a.waitForFunction(() => todos.has('b1'));
  await a.evaluate(() => todos.update('b1', (d) => { d.title = 'edited in a'; }).isPersisted.promise);
  await b.waitForFunction(() => todos.get('b1')?.title === 'edited in a');
  assert.deepEqual(await rowsOf(a), await rowsOf(b));
  assert.deepEqual(await crudOf(a), await crudOf(b));
  assert.equal(await a.evaluate(() => app.integrity()), 'ok');
  await a.close();
  await b.close();
});

/** Waits until fn() resolves to the same JSON in every call of the list, and returns it. */
async function converged(what, fns, timeout = 30000) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await Promise.all(fns.map((f) => f()));
    const texts = last.map((v) => JSON.stringify(v));
    if (texts.every((t) => t === texts[0])) return last[0];
    if (Date.now() > deadline) assert.fail(`${what} did not converge: ${texts.map((t) => t.slice(0, 300)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('tabs: a tab that missed the broadcasts rereads the file, and its collection resyncs with the differences as changes', async () => {
  const a = await openTab('tabs-resync.db');
  const b = await openTab('tabs-resync.db');
  await a.evaluate(() => Promise.all([todos.insert({ id: 'r1', title: 'one', n: 1 }), todos.insert({ id: 'r2', title: 'two', n: 2 })].map((t) => t.isPersisted.promise)));
  await b.waitForFunction(() => todos.has('r1') && todos.has('r2'));
  await b.evaluate(() => {
    window.events = [];
    todos.subscribeChanges((chs) => window.events.push(...chs.map((c) => [c.type, c.key])), { includeInitialState: false });
    // B stops hearing the other tabs: it misses A's next commits.
    window.heard = db._storage._channel.onmessage;
    db._storage._channel.onmessage = null;
  });
  await a.evaluate(() => todos.update('r1', (d) => { d.title = 'one, edited'; }).isPersisted.promise);
  await a.evaluate(() => todos.delete('r2').isPersisted.promise);
  await a.evaluate(() => todos.insert({ id: 'r3', title: 'three', n: 3 }).isPersisted.promise);
  // B hears again and writes: it finds the file ahead of its copy, waits
  // for broadcasts that will not come, and rereads the file.
  await b.evaluate(() => {
    db._storage._channel.onmessage = window.heard;
    return todos.insert({ id: 'b1', title: 'from b', n: 4 }).isPersisted.promise;
  });
  assert.deepEqual(await rowsOf(b), [
    { id: 'b1', title: 'from b', n: 4 },
    { id: 'r1', title: 'one, edited', n: 1 },
    { id: 'r3', title: 'three', n: 3 },
  ]);
  const events = await b.evaluate(() => window.events.filter(([, key]) => key !== 'b1'));
  assert.deepEqual(events.sort(), [['delete', 'r2'], ['insert', 'r3'], ['update', 'r1']]);
  await a.waitForFunction(() => todos.has('b1'));
  assert.deepEqual(await rowsOf(a), await rowsOf(b));
  await a.close();
  await b.close();
});

test('tabs: three tabs making random writes converge to the same rows and upload queue', async () => {
  const name = 'tabs-three.db';
  const tabs = [await openTab(name)];
  await tabs[0].evaluate(() => todos.insert(Array.from({ length: 10 }, (_, i) => ({ id: `seed-${i}`, title: 'seed', n: 0 }))).isPersisted.promise);
  tabs.push(await openTab(name), await openTab(name));
  // Each tab: 40 transactions at random: inserts of its own rows through
  // the collection, increments of a shared seed row and deletes of its own
  // rows with SQL. Increments are counted: none may be lost.
  const increments = await Promise.all(
    tabs.map((page, t) =>
      page.evaluate(async (t) => {
        let incs = 0;
        const mine = [];
        const pending = [];
        for (let k = 0; k < 40; k++) {
          const r = Math.random();
          if (r < 0.4 || mine.length === 0) {
            const id = `t${t}-${k}`;
            mine.push(id);
            pending.push(todos.insert({ id, title: `tab ${t} row ${k}`, n: k }).isPersisted.promise);
          } else if (r < 0.85) {
            const seed = `seed-${Math.floor(Math.random() * 10)}`;
            pending.push(db.execute('UPDATE todos SET n = n + 1 WHERE id = ?', [seed]));
            incs++;
          } else {
            const id = mine.splice(Math.floor(Math.random() * mine.length), 1)[0];
            pending.push(todos.get(id) ? todos.delete(id).isPersisted.promise : db.execute('DELETE FROM todos WHERE id = ?', [id]));
          }
          if (k % 5 === 0) await new Promise((r) => setTimeout(r, Math.random() * 10));
        }
        await Promise.all(pending);
        return incs;
      }, t),
    ),
  );
  const sqlRows = (page) => page.evaluate(async () => (await db.getAll('SELECT id, title, n FROM todos ORDER BY id')).map((r) => ({ id: r.id, title: r.title, n: r.n })));
  // An empty write transaction brings a tab's copy up to the latest commit.
  const settle = (page) => page.evaluate(() => db.writeTransaction(async () => {}));
  await Promise.all(tabs.map(settle));
  const rows = await converged('collections and SQL', tabs.flatMap((p) => [() => rowsOf(p), () => sqlRows(p)]));
  const crud = await converged('upload queues', tabs.map((p) => () => crudOf(p)));
  const seedTotal = rows.filter((r) => r.id.startsWith('seed-')).reduce((s, r) => s + r.n, 0);
  assert.equal(seedTotal, increments.reduce((a, b) => a + b, 0), 'every increment of every tab is in the rows');
  for (let i = 1; i < crud.length; i++) {
    assert.ok(crud[i][0] > crud[i - 1][0], 'upload queue ids increase');
    assert.ok(crud[i][1] >= crud[i - 1][1], 'transaction ids follow commit order');
  }
  const txIds = new Set(crud.map((c) => c[1]));
  assert.ok(txIds.size >= 3 * 40 - 5, `distinct transaction ids: ${txIds.size}`);
  assert.equal(await tabs[1].evaluate(() => app.integrity()), 'ok');
  for (const p of tabs) await p.close();
});

test('tabs: a read-modify-write race between two tabs loses nothing', async () => {
  const name = 'tabs-rmw.db';
  const a = await openTab(name);
  await a.evaluate(() => db.execute("INSERT INTO todos (id, title, n) VALUES ('counter', 'c', 0)"));
  const b = await openTab(name);
  const N = 50;
  const bump = (page) =>
    page.evaluate(async (N) => {
      const all = [];
      for (let i = 0; i < N; i++) {
        all.push(
          db.writeTransaction(async (tx) => {
            const { n } = await tx.get("SELECT n FROM todos WHERE id = 'counter'");
            await new Promise((r) => setTimeout(r, 0)); // let the other tab try meanwhile
            await tx.execute("UPDATE todos SET n = ? WHERE id = 'counter'", [n + 1]);
          }),
        );
      }
      await Promise.all(all);
    }, N);
  await Promise.all([bump(a), bump(b)]);
  for (const p of [a, b]) await p.evaluate(() => db.writeTransaction(async () => {}));
  const counts = await converged('the counter', [a, b].map((p) => () => p.evaluate(() => todos.get('counter').n)));
  assert.equal(counts, 2 * N);
  await a.close();
  await b.close();
});

test('tabs: a write that cannot get the lock in time fails with DatabaseLockedError, and nothing else suffers', async () => {
  const name = 'tabs-lock.db';
  const a = await openTab(name, { lockTimeoutMs: 300 });
  const b = await openTab(name);
  await a.evaluate(() => todos.insert({ id: 'p', title: 'persisted before', n: 0 }).isPersisted.promise);
  // A third context takes the write lock and keeps it, as a stuck tab
  // would (asking for it the way the package does: a 'want' broadcast
  // makes the tab keeping it between writes let go).
  const stuck = await chrome.context.newPage();
  await stuck.goto(server.url + PAGE);
  await stuck.evaluate((name) => {
    const channel = new BroadcastChannel(`gopowersync:${name}`);
    const nag = setInterval(() => channel.postMessage({ type: 'want', from: 'stuck' }), 50);
    return new Promise((granted) =>
      navigator.locks.request(`gopowersync-write:${name}`, () => new Promise((release) => {
        clearInterval(nag);
        window.unlock = release;
        granted();
      })),
    );
  }, name);
  const refused = await a.evaluate(() =>
    db.execute("INSERT INTO todos (id, title, n) VALUES ('x', 'waited', 1)").then(() => null, (e) => ({ locked: e instanceof gp.DatabaseLockedError, message: e.message })),
  );
  assert.ok(refused, 'the write went through while another context held the lock');
  assert.equal(refused.locked, true, refused.message);
  assert.match(refused.message, /tabs-lock\.db.*more than 300 ms/);
  // A collection's write is refused the same way: its isPersisted rejects
  // with the typed error and the optimistic row goes; the rest stays.
  const mutation = await a.evaluate(async () => {
    const tx = todos.insert({ id: 'w', title: 'waited too', n: 1 });
    const shown = todos.has('w');
    const error = await tx.isPersisted.promise.then(() => null, (e) => ({ locked: e instanceof gp.DatabaseLockedError, name: e.name }));
    await new Promise((r) => setTimeout(r, 0));
    return { shown, error, after: todos.toArray.map((r) => r.id) };
  });
  assert.deepEqual(mutation, { shown: true, error: { locked: true, name: 'DatabaseLockedError' }, after: ['p'] });
  await stuck.evaluate(() => window.unlock());
  await stuck.close();
  // Both tabs go on: nothing of the refused write was kept.
  await a.evaluate(() => db.execute("INSERT INTO todos (id, title, n) VALUES ('y', 'after', 2)"));
  await b.evaluate(() => todos.insert({ id: 'z', title: 'from b', n: 3 }).isPersisted.promise);
  await a.waitForFunction(() => todos.has('z'));
  await b.waitForFunction(() => todos.has('y'));
  assert.deepEqual((await rowsOf(b)).map((r) => r.id), ['p', 'y', 'z']);
  assert.equal(await a.evaluate(() => app.integrity()), 'ok');
  await a.close();
  await b.close();
});

test('tabs: storage failing in one tab fails that tab with PersistenceError; the others go on', async () => {
  const name = 'tabs-fail.db';
  const a = await openTab(name);
  const b = await openTab(name);
  // A's storage worker refuses a malformed record, as it would refuse a
  // write OPFS rejected: its storage is failed from then on.
  const failed = await a.evaluate(async () => {
    db._storage._worker.postMessage({ type: 'commit', seq: 1e9, record: new ArrayBuffer(16), meta: null });
    await new Promise((r) => setTimeout(r, 200));
    const tx = todos.insert({ id: 'a1', title: 'lost?', n: 1 });
    return tx.isPersisted.promise.then(() => null, (e) => ({ name: e.name, cause: e.cause?.name }));
  });
  assert.ok(failed, 'the failed tab persisted a write');
  assert.equal(failed.name, 'PersistenceError');
  await b.evaluate(() => todos.insert({ id: 'b1', title: 'fine', n: 2 }).isPersisted.promise);
  assert.deepEqual((await rowsOf(b)).map((r) => r.id), ['b1']);
  assert.equal(await b.evaluate(() => app.integrity()), 'ok');
  await a.close();
  await b.close();
});

test('tabs: killing a tab mid-write leaves an intact database holding every persisted transaction', async () => {
  const name = 'tabs-crash.db';
  const a = await openTab(name);
  const b = await openTab(name);
  const persisted = new Set();
  for (const [tag, page] of [['a', a], ['b', b]]) {
    await page.exposeFunction('reportPersisted', (id) => persisted.add(id));
    // Transactions of 1-50 rows, one in seven of about 1 MB, so that the
    // kill also lands while a large record is written.
    await page.evaluate((tag) => {
      window.streaming = (async () => {
        for (let n = 1; !window.halt; n++) {
          const size = 1 + (n % 50);
          const pad = n % 7 === 0 ? 'x'.repeat(20000) : '';
          const rows = Array.from({ length: size }, (_, i) => ({ id: `${tag}-${n}-${i}`, title: `${tag} ${n} ${pad}`, n }));
          const tx = todos.insert(rows);
          window.inserted = n;
          window.lastTx = tx;
          tx.isPersisted.promise.then(() => { window.persistedN = n; return window.reportPersisted(`${tag}-${n}`); }, (e) => console.log(`${tag}-${n}: ${e.name}: ${e.message}`));
          await new Promise((r) => setTimeout(r, 0));
        }
      })();
    }, tag);
  }
  const count = (tag) => [...persisted].filter((id) => id.startsWith(tag)).length;
  const waitFor = async (what, ok) => {
    const deadline = Date.now() + 60000;
    while (!ok()) {
      if (Date.now() > deadline) {
        const pages = await Promise.all([a, b].map((p) => p.evaluate(() => JSON.stringify({ inserted: window.inserted, persisted: window.persistedN, posted: db._storage._posted, acked: db._storage._acked })).catch((e) => e.message)));
        assert.fail(`${what}: ${count('a')} of a, ${count('b')} of b persisted; ${pages}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await waitFor('both tabs persist', () => count('a') >= 20 && count('b') >= 20);
  await new Promise((r) => setTimeout(r, Math.random() * 50));
  // The renderer of a dies on the spot: no unload, its locks released by the browser.
  const cdp = await a.context().newCDPSession(a);
  cdp.send('Page.crash').catch(() => {}); // answers never: the page is gone
  await a.waitForEvent('crash', { timeout: 10000 }).catch(() => {});
  const before = count('b');
  await waitFor('b goes on writing after a died', () => count('b') >= before + 20);
  await b.evaluate(async () => {
    window.halt = true;
    await window.streaming;
    await window.lastTx.isPersisted.promise; // and every one before it
  });
  await new Promise((r) => setTimeout(r, 200)); // the last reports reach Node
  const c = await openTab(name);
  assert.equal(await c.evaluate(() => app.integrity()), 'ok');
  const present = new Set(await c.evaluate(async () => (await db.getAll("SELECT DISTINCT substr(id, 1, instr(substr(id, 3), '-') + 1) AS tx FROM todos")).map((r) => r.tx)));
  for (const id of persisted) assert.ok(present.has(id), `persisted transaction ${id} is missing`);
  // Every transaction present is whole.
  const torn = await c.evaluate(async () => db.getAll(
    "SELECT n, substr(id, 1, 1) AS tab, count(*) AS rows FROM todos GROUP BY tab, n HAVING rows != 1 + n % 50",
  ));
  assert.deepEqual(torn, []);
  // b's collection holds what the file holds.
  await b.evaluate(() => db.writeTransaction(async () => {}));
  await converged('b and a fresh tab', [() => rowsOf(b), () => rowsOf(c)], 60000);
  console.log(`# crash: ${count('a')} of a, ${count('b')} of b persisted; ${present.size} transactions present`);
  await a.close().catch(() => {});
  await b.close();
  await c.close();
});

test('tabs: a tab opened while another loads 100,000 rows ends with all of them', async () => {
  const name = 'tabs-big.db';
  const a = await openTab(name);
  // 100 statements of 1,000 rows each, one write transaction each.
  const filling = a.evaluate(() => app.fill('big', 100000));
  await a.waitForFunction(() => todos.size >= 20000, null, { timeout: 120000, polling: 100 });
  const b = await openTab(name);
  const openedWith = await b.evaluate(() => todos.size);
  await filling;
  await b.waitForFunction(() => todos.size === 100000, null, { timeout: 120000, polling: 200 });
  const count = (page) => page.evaluate(async () => (await db.get('SELECT count(*) AS n FROM todos')).n);
  assert.deepEqual([await count(a), await count(b)], [100000, 100000]);
  // The collection holds what SQL holds, row for row (a sample of ids).
  const sample = await b.evaluate(async () => {
    const rows = await db.getAll("SELECT id, title, n FROM todos WHERE n % 997 = 0 ORDER BY id");
    return rows.filter((r) => { const c = todos.get(r.id); return !c || c.title !== r.title || c.n !== r.n; }).length;
  });
  assert.equal(sample, 0);
  assert.equal(await b.evaluate(() => app.integrity()), 'ok');
  console.log(`# big: the second tab opened with ${openedWith} rows`);
  await a.close();
  await b.close();
});

const RULES = `
bucket_definitions:
  by_owner:
    parameters: SELECT request.user_id() AS user_id
    data:
      - SELECT * FROM todos WHERE owner = bucket.user_id
`;

test('tabs: exactly one tab syncs, every tab shows its status, and closing it hands sync over', async () => {
  const bins = buildSyncCommands();
  const tmp = mkdtempSync(join(tmpdir(), 'gopowersync-tabs-test-'));
  writeFileSync(join(tmp, 'rules.yaml'), RULES);
  const sync = await startSyncServer(bins.server, join(tmp, 'server.sqlite'), { rules: join(tmp, 'rules.yaml') });
  const name = 'tabs-sync.db';
  const user = 'tabs-user';
  const row = (id) => ({ id, owner: user, description: id, completed: 0, created_at: '2026-11-30T00:00:00.000Z', priority: 1 });
  const openSync = async () => {
    const page = await chrome.context.newPage();
    page.on('pageerror', (e) => console.log(`# pageerror: ${e.message}`));
    await page.goto(server.url + '/tests/browser/pages/sync.html');
    await page.waitForFunction(() => window.pageReady);
    await page.evaluate((name) => app.open(name), name);
    return page;
  };
  const syncing = (page) => page.evaluate(() => db._syncRelease !== null);
  const syncLocks = (page) => page.evaluate(async (name) => (await navigator.locks.query()).held.filter((l) => l.name === `gopowersync-sync:${name}`).length, name);
  try {
    const a = await openSync();
    const b = await openSync();
    await a.evaluate((url) => app.connect(url, 'tabs-user'), sync.url);
    await b.evaluate((url) => app.connect(url, 'tabs-user'), sync.url);
    assert.equal(await syncLocks(a), 1);
    assert.deepEqual([await syncing(a), await syncing(b)], [true, false]);
    // b shows a's status.
    await b.waitForFunction(() => db.currentStatus.connected, null, { timeout: 30000 });
    await backendUpload(sync.url, [{ op: 'PUT', type: 'todos', id: 's1', data: row('s1') }]);
    await a.waitForFunction(() => todos.has('s1'), null, { timeout: 30000 });
    await b.waitForFunction(() => todos.has('s1'), null, { timeout: 30000 });
    // b's write is uploaded by a.
    await b.evaluate((r) => app.insert([r]), row('b1'));
    await b.waitForFunction(async () => (await db.get('SELECT count(*) AS n FROM ps_crud')).n === 0, null, { timeout: 30000, polling: 200 });

    await a.close();
    await b.waitForFunction(() => db._syncRelease !== null && db.currentStatus.connected, null, { timeout: 30000, polling: 100 });
    assert.equal(await syncLocks(b), 1);
    await backendUpload(sync.url, [{ op: 'PUT', type: 'todos', id: 's2', data: row('s2') }]);
    await b.waitForFunction(() => todos.has('s2'), null, { timeout: 30000 });
    await b.evaluate((r) => app.insert([r]), row('b2'));
    await b.waitForFunction(async () => (await db.get('SELECT count(*) AS n FROM ps_crud')).n === 0, null, { timeout: 30000, polling: 200 });
    assert.deepEqual((await b.evaluate(() => app.rows())).map((r) => r.id), ['b1', 'b2', 's1', 's2']);
    await b.close();
  } finally {
    await sync.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('tabs: a dedicated worker opens the database beside a tab; each sees the other\'s writes, one upload queue', async () => {
  const name = 'tabs-worker.db';
  const a = await openTab(name);
  await a.evaluate(() => todos.insert({ id: 'a1', title: 'from the tab', n: 1 }).isPersisted.promise);
  // The tab starts a worker that opens the same database with the package.
  const started = a.waitForEvent('worker', { predicate: (w) => w.url().endsWith('/tests/browser/pages/db-worker.js') });
  await a.evaluate(() => new Promise((resolve, reject) => {
    window.dbWorker = new Worker('/tests/browser/pages/db-worker.js', { type: 'module' });
    window.dbWorker.onmessage = (e) => e.data === 'ready' && resolve();
    window.dbWorker.onerror = (e) => reject(new Error(`db-worker: ${e.message}`));
  }));
  const w = await started;
  assert.equal(await w.evaluate((name) => app.open(name), name), 1, 'the worker loads the tab\'s row');
  // Worker to tab, through the collection and through SQL.
  await w.evaluate(() => todos.insert({ id: 'w1', title: 'from the worker', n: 2 }).isPersisted.promise);
  await w.evaluate(() => db.execute("UPDATE todos SET n = n + 10 WHERE id = 'a1'"));
  await a.waitForFunction(() => todos.has('w1') && todos.get('a1').n === 11);
  // Tab to worker.
  await a.evaluate(() => todos.update('w1', (d) => { d.title = 'edited in the tab'; }).isPersisted.promise);
  await a.evaluate(() => todos.insert({ id: 'a2', title: 'second from the tab', n: 3 }).isPersisted.promise);
  const inWorker = () => w.evaluate(() => todos.toArray.map((r) => ({ id: r.id, title: r.title, n: r.n })).sort((x, y) => (x.id < y.id ? -1 : 1)));
  const workerCrud = () => w.evaluate(async () => (await db.getAll('SELECT id, tx_id, data FROM ps_crud ORDER BY id')).map((r) => [r.id, r.tx_id, r.data]));
  const rows = await converged('tab and worker rows', [() => rowsOf(a), inWorker]);
  assert.deepEqual(rows.map((r) => [r.id, r.title, r.n]), [
    ['a1', 'from the tab', 11],
    ['a2', 'second from the tab', 3],
    ['w1', 'edited in the tab', 2],
  ]);
  // One upload queue: the same entries in both, each write once, in commit order.
  await w.evaluate(() => db.writeTransaction(async () => {}));
  const crud = await converged('tab and worker upload queues', [() => crudOf(a), workerCrud]);
  assert.equal(crud.length, 5, JSON.stringify(crud));
  for (let i = 1; i < crud.length; i++) assert.ok(crud[i][0] > crud[i - 1][0] && crud[i][1] > crud[i - 1][1], 'ids and transaction ids in commit order');
  assert.equal(await w.evaluate(() => app.integrity()), 'ok');
  await w.evaluate(() => db.close());
  await a.evaluate(() => window.dbWorker.terminate());
  await a.close();
});

test('tabs: a tab about to be frozen lets the write lock go; the others write, and it writes again when resumed', async () => {
  const name = 'tabs-freeze.db';
  const a = await openTab(name);
  const b = await openTab(name);
  // A writes and keeps the write lock (no one asked for it yet).
  await a.evaluate(() => todos.insert({ id: 'a1', title: 'before the freeze', n: 1 }).isPersisted.promise);
  const writeLocks = (page) => page.evaluate(async (name) => (await navigator.locks.query()).held.filter((l) => l.name === `gopowersync-write:${name}`).length, name);
  assert.equal(await writeLocks(a), 1, 'a keeps the lock between its writes');
  // The browser is about to freeze A (a background tab it suspends): the
  // page hears 'freeze' and then runs nothing more, so it could not answer
  // another tab's 'want'. (Headless Chromium does not freeze pages on
  // request; the event is what the page sees.)
  await a.evaluate(() => document.dispatchEvent(new Event('freeze')));
  for (const deadline = Date.now() + 5000; (await writeLocks(a)) !== 0; ) {
    assert.ok(Date.now() < deadline, 'a kept the write lock after the freeze event');
    await new Promise((r) => setTimeout(r, 20));
  }
  await b.evaluate(() => todos.insert({ id: 'b1', title: 'while a is frozen', n: 2 }).isPersisted.promise);
  await a.waitForFunction(() => todos.has('b1'));
  await a.evaluate(() => todos.insert({ id: 'a2', title: 'after the freeze', n: 3 }).isPersisted.promise);
  await b.waitForFunction(() => todos.has('a2'));
  assert.deepEqual(await rowsOf(a), await rowsOf(b));
  assert.deepEqual((await rowsOf(b)).map((r) => r.id), ['a1', 'a2', 'b1']);
  await a.close();
  await b.close();
});
