// Sync in headless Chromium: pages on our package (pages/sync.html) and on
// the official @powersync/web (reference/sync.html) sync with our dev sync
// server, started once for this file on a temp database with sync rules
// that give each user a bucket of its own, so every test syncs only its own
// rows (its user). What a test expects is a model of the server's rows
// kept from every write it made; each device's collection and table must
// end equal to it, with an empty upload queue, and so must what our Go
// client (tests/interop/gosync) downloads from the server as that user.
//
// Tests:
//   - two devices (two browser contexts) converge, writes on both sides;
//   - offline by disconnect(), then connect(): nothing lost or duplicated,
//     and a third, fresh device agrees;
//   - offline by a network cut (DevTools offline emulation, the open
//     stream reset by a proxy), then back;
//   - the official @powersync/web syncs the same rows as ours, writes going
//     both ways;
//   - the dev server SIGKILLed mid-download and restarted on the same port
//     and database: the download resumes and converges;
//   - the browser SIGKILLed mid-download, reopened on the same profile: it
//     keeps its persisted writes, resumes and converges;
//   - 100,000 rows arrive; the main-thread tasks over 50 ms are reported
//     (asserted to be none with SYNC_LONG_TASKS=1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { freshProfile, launch } from './lib/browser.js';
import { REPO } from './lib/build.js';
import { startProxy } from './lib/proxy.js';
import { buildReference } from './lib/reference.js';
import { serve } from './lib/server.js';
import { backendUpload, buildSyncCommands, goSync, sleep, startSyncServer } from './lib/syncserver.js';
import { plain, todosColumns } from './pages/sync-common.js';

const PAGES = {
  ours: '/tests/browser/pages/sync.html',
  reference: '/tests/browser/reference/dist/sync.html',
};
const RULES = `
bucket_definitions:
  by_owner:
    parameters: SELECT request.user_id() AS user_id
    data:
      - SELECT * FROM todos WHERE owner = bucket.user_id
`;
const WAIT = 60000; // the longest any step may take (a busy 2-core machine)

let env = null; // { tmp, rules, dbPath, bins, server, web, chrome, profile, schemaJSON }
let skip = false;

before(async () => {
  const gp = await import('../../js/index.js');
  if (typeof gp.PowerSyncDatabase.prototype.connect !== 'function') {
    skip = 'the JS package has no db.connect yet';
    return;
  }
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  buildReference();
  const tmp = mkdtempSync(join(tmpdir(), 'gopowersync-sync-test-'));
  const rules = join(tmp, 'rules.yaml');
  writeFileSync(rules, RULES);
  const dbPath = join(tmp, 'server.sqlite');
  const bins = buildSyncCommands();
  const server = await startSyncServer(bins.server, dbPath, { rules });
  const web = await serve(REPO);
  const profile = freshProfile();
  const chrome = await launch(profile.dir);
  const schemaJSON = JSON.stringify(new gp.Schema({ todos: new gp.Table(todosColumns(gp.column)) }));
  env = { tmp, rules, dbPath, bins, server, web, chrome, profile, schemaJSON };
});

after(async () => {
  if (!env) return;
  await env.chrome.close();
  env.profile.remove();
  await env.server.stop();
  await env.web.close();
  rmSync(env.tmp, { recursive: true, force: true });
});

/** Runs a test body unless the package cannot sync yet. */
const syncTest = (name, fn, options = {}) =>
  test(name, options, async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    await fn(t);
  });

// ---------- the server's rows, as the test's writes made them ----------

/** The rows the server must hold for one user: every write of the test applied to it. */
class Model {
  constructor(user) {
    this.user = user;
    this.rows = new Map();
  }
  /** A new row of this user (all five columns). */
  row(id, i, text = 'item') {
    return { id, owner: this.user, description: `${text} ${i}`, completed: i % 2, created_at: `2026-11-30T${String(i % 24).padStart(2, '0')}:00:00.000Z`, priority: i % 5 };
  }
  put(rows) {
    for (const r of rows) this.rows.set(r.id, plain(r));
    return rows;
  }
  patch(changes) {
    for (const { id, ...c } of changes) this.rows.set(id, { ...this.rows.get(id), ...c });
    return changes;
  }
  delete(ids) {
    for (const id of ids) this.rows.delete(id);
    return ids;
  }
  ids() {
    return [...this.rows.keys()].sort();
  }
  expected() {
    return [...this.rows.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

/** The backend writes rows, changes and deletes of the model's user directly (POST /api/upload), 1,000 per batch. */
async function backend(model, { put = [], patch = [], del = [] }) {
  const ops = [
    ...model.put(put).map(({ id, ...data }) => ({ op: 'PUT', type: 'todos', id, data })),
    ...model.patch(patch).map(({ id, ...data }) => ({ op: 'PATCH', type: 'todos', id, data })),
    ...model.delete(del).map((id) => ({ op: 'DELETE', type: 'todos', id })),
  ];
  for (let i = 0; i < ops.length; i += 1000) await backendUpload(env.server.url, ops.slice(i, i + 1000));
}

/** n rows of the model's user with ids prefix-00000, prefix-00001, ... */
const rows = (model, prefix, n, from = 0) => Array.from({ length: n }, (_, k) => model.row(`${prefix}-${String(from + k).padStart(5, '0')}`, from + k, prefix));

/** What the server holds for user, read by our Go client (a fresh first sync). */
async function serverRows(user) {
  const out = await goSync(env.bins.gosync, env.server.url, env.schemaJSON, ['-user', user]);
  return out.tables.todos.map(plain);
}

// ---------- devices ----------

/**
 * Opens a device: a page of stack ('ours' or 'reference') in context (by
 * default a new browser context of the shared browser, closed after the
 * test) on database name. Page errors are collected in errors.
 */
async function device(t, { stack = 'ours', name = 'sync.db', context, chrome = env.chrome } = {}) {
  let ctx = context;
  if (!ctx) {
    ctx = await chrome.browser.newContext();
    t.after(() => ctx.close().catch(() => {}));
  }
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(env.web.url + PAGES[stack]);
  await page.waitForFunction(() => window.pageReady);
  await page.evaluate((name) => app.open(name), name);
  return {
    page,
    context: ctx,
    errors,
    label: `${stack} ${name}`,
    connect: (url, user, options) => page.evaluate(([url, user, options]) => app.connect(url, user, options), [url, user, options]),
    disconnect: () => page.evaluate(() => app.disconnect()),
    status: () => page.evaluate(() => app.status()),
    queue: () => page.evaluate(() => app.queue()),
    insert: (rs) => page.evaluate((rs) => app.insert(rs), rs),
    update: (cs) => page.evaluate((cs) => app.update(cs), cs),
    remove: (ids) => page.evaluate((ids) => app.remove(ids), ids),
    uploads: () => page.evaluate(() => window.uploads ?? { entries: 0, batches: 0, failures: 0 }),
  };
}

/** Polls fn until it returns something truthy; fails after ms with what describe() says. */
async function poll(fn, ms, describe) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${await describe()}`);
    await sleep(200);
  }
}

/** How two row lists differ, in a line. */
function diff(got, want) {
  const g = new Map(got.map((r) => [r.id, r]));
  const w = new Map(want.map((r) => [r.id, r]));
  const missing = [...w.keys()].filter((id) => !g.has(id));
  const extra = [...g.keys()].filter((id) => !w.has(id));
  const changed = [...w.keys()].filter((id) => g.has(id) && JSON.stringify(g.get(id)) !== JSON.stringify(w.get(id)));
  const some = (xs) => `${xs.length}${xs.length ? ` (${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ', ...' : ''})` : ''}`;
  const first = changed[0] ? `; first changed: got ${JSON.stringify(g.get(changed[0]))}, want ${JSON.stringify(w.get(changed[0]))}` : '';
  return `${got.length} rows, want ${want.length}: missing ${some(missing)}, extra ${some(extra)}, changed ${some(changed)}${first}`;
}

/**
 * Waits until every device shows exactly the model's rows in its collection
 * and its table, has synced and has nothing left to upload; then checks the
 * server's rows (gosync) are the same. Returns ms from the call.
 */
async function converged(devices, model, ms = WAIT) {
  const t0 = Date.now();
  const want = model.expected();
  const wantJSON = JSON.stringify(want);
  for (const d of devices) {
    let last = null;
    await poll(
      async () => {
        const size = await d.page.evaluate(() => todos.size);
        const queue = await d.queue();
        last = { size, queue, status: await d.status() };
        if (size !== want.length || queue !== 0 || !last.status.hasSynced) return false;
        last.rows = await d.page.evaluate(() => app.rows());
        return JSON.stringify(last.rows) === wantJSON;
      },
      ms - (Date.now() - t0),
      () =>
        `${d.label} did not converge: ${last?.rows ? diff(last.rows, want) : `${last?.size} rows, want ${want.length}`}; ` +
        `upload queue ${last?.queue}; status ${JSON.stringify(last?.status)}`,
    );
    const sql = await d.page.evaluate(() => app.sqlRows());
    assert.equal(JSON.stringify(sql), wantJSON, `${d.label}: the table differs from the collection: ${diff(sql, want)}`);
    assert.deepEqual(d.errors, [], `${d.label}: page errors`);
  }
  const server = await serverRows(model.user);
  assert.equal(JSON.stringify(server), wantJSON, `the server's rows (gosync): ${diff(server, want)}`);
  return Date.now() - t0;
}

/** Waits until the device's status matches pred; returns it. */
function statusUntil(d, pred, what, ms = WAIT) {
  let last;
  return poll(
    async () => {
      last = await d.status();
      return pred(last) && last;
    },
    ms,
    () => `${d.label}: status never ${what}: ${JSON.stringify(last)}`,
  );
}

/**
 * Records each sync stream the page opens (CDP Network events): the
 * buckets its request asked for ([{ name, after }]) and the bytes it
 * delivered, in order.
 */
async function watchStreams(d) {
  const cdp = await d.context.newCDPSession(d.page);
  const streams = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!e.request.url.endsWith('/sync/stream') || e.request.method !== 'POST') return; // not CORS preflights
    const s = { buckets: null, bytes: 0 };
    streams.set(e.requestId, s);
    const body = e.request.postData
      ? Promise.resolve(e.request.postData)
      : cdp.send('Network.getRequestPostData', { requestId: e.requestId }).then((r) => r.postData);
    body.then((text) => (s.buckets = JSON.parse(text).buckets), () => {});
  });
  cdp.on('Network.dataReceived', (e) => {
    const s = streams.get(e.requestId);
    if (s) s.bytes += e.dataLength;
  });
  await cdp.send('Network.enable');
  return { cdp, streams: () => [...streams.values()] };
}

/**
 * Checks that the streams opened after an interruption resumed the
 * download (asked for the bucket's ops after the last one stored) rather
 * than starting over.
 */
function assertResumed(streams) {
  const downloading = streams.filter((s) => s.bytes > 0); // not the attempts that failed to connect
  assert.ok(downloading.length > 0, 'no sync stream after the interruption');
  for (const s of downloading) {
    assert.ok(Array.isArray(s.buckets) && s.buckets.length === 1, `a stream's request: buckets ${JSON.stringify(s.buckets)}`);
    assert.ok(BigInt(s.buckets[0].after ?? 0) > 0n, `a stream after the interruption started over: buckets ${JSON.stringify(s.buckets)}`);
  }
}

const sum = (streams) => streams.reduce((n, s) => n + s.bytes, 0);

// ---------- the scenarios ----------

syncTest('sync: two devices (two browser contexts) converge through the dev server, writing on both sides', async (t) => {
  const m = new Model('two-devices');
  await backend(m, { put: rows(m, 'seed', 100) });
  const a = await device(t);
  const b = await device(t);
  await Promise.all([a.connect(env.server.url, m.user), b.connect(env.server.url, m.user)]);
  await converged([a, b], m);

  // Both write at once: new rows, and changes and deletes of disjoint seeded rows.
  const seeded = m.ids();
  await Promise.all([
    a.insert(m.put(rows(m, 'a', 25))),
    b.insert(m.put(rows(m, 'b', 25))),
    a.update(m.patch(seeded.slice(0, 10).map((id) => ({ id, description: `changed on a ${id}` })))),
    b.update(m.patch(seeded.slice(10, 20).map((id) => ({ id, completed: 1, priority: 9 })))),
    a.remove(m.delete(seeded.slice(20, 25))),
    b.remove(m.delete(seeded.slice(25, 30))),
  ]);
  const first = await converged([a, b], m);

  // Each changes what the other wrote.
  const aIds = m.ids().filter((id) => id.startsWith('a-'));
  const bIds = m.ids().filter((id) => id.startsWith('b-'));
  await Promise.all([
    a.update(m.patch(bIds.slice(0, 5).map((id) => ({ id, description: `b's row changed on a` })))),
    b.remove(m.delete(aIds.slice(0, 5))),
  ]);
  const second = await converged([a, b], m);

  // Both change the same row at once: whichever the server applied last, both show it.
  const contested = seeded.at(-1);
  await Promise.all([a.update([{ id: contested, description: 'a wins' }]), b.update([{ id: contested, description: 'b wins' }])]);
  const server = (await serverRows(m.user)).find((r) => r.id === contested);
  assert.ok(['a wins', 'b wins'].includes(server?.description), `the contested row on the server: ${JSON.stringify(server)}`);
  m.patch([{ id: contested, description: server.description }]);
  await converged([a, b], m);
  console.log(`# two devices: ${m.rows.size} rows; both writing converged in ${first} ms, then ${second} ms`);
});

syncTest('sync: offline by disconnect(), writes queue on both sides; connect() converges with nothing lost or duplicated, and a fresh device agrees', async (t) => {
  const m = new Model('disconnect');
  await backend(m, { put: rows(m, 'seed', 50) });
  const a = await device(t);
  const b = await device(t);
  await Promise.all([a.connect(env.server.url, m.user), b.connect(env.server.url, m.user)]);
  await converged([a, b], m);

  await a.disconnect();
  let s = await a.status();
  assert.equal(s.connected, false, 'connected after disconnect() resolved');
  assert.equal(s.connecting, false, 'connecting after disconnect() resolved');
  const seeded = m.ids();
  const aInserted = rows(m, 'a-offline', 20);
  await a.insert(aInserted);
  await a.update(seeded.slice(0, 10).map((id) => ({ id, description: `changed offline ${id}` })));
  await a.remove(seeded.slice(10, 15));
  assert.equal(await a.queue(), 35, 'the upload queue holds the offline writes');
  // Meanwhile the other device and the backend write.
  await b.insert(m.put(rows(m, 'b-online', 20)));
  await b.update(m.patch(seeded.slice(20, 25).map((id) => ({ id, priority: 7 }))));
  await b.remove(m.delete(seeded.slice(25, 28)));
  await backend(m, { put: rows(m, 'backend', 10) });
  await converged([b], m);
  // The disconnected device saw none of it, and the server none of its writes.
  await sleep(500);
  const aRows = await a.page.evaluate(() => app.rows());
  assert.equal(aRows.filter((r) => r.id.startsWith('b-online') || r.id.startsWith('backend')).length, 0, 'a disconnected device received rows');
  s = await a.status();
  assert.equal(s.connected || s.connecting, false, `the disconnected device reconnected by itself: ${JSON.stringify(s)}`);
  assert.equal((await serverRows(m.user)).filter((r) => r.id.startsWith('a-offline')).length, 0, 'the server got rows of a disconnected device');

  m.put(aInserted);
  m.patch(seeded.slice(0, 10).map((id) => ({ id, description: `changed offline ${id}` })));
  m.delete(seeded.slice(10, 15));
  await a.connect(env.server.url, m.user);
  const ms = await converged([a, b], m);
  const up = await a.uploads();
  assert.equal(up.entries, 35, 'each queued write uploaded once');
  assert.equal(up.failures, 0, 'failed uploads');
  const c = await device(t);
  await c.connect(env.server.url, m.user);
  await converged([c], m);
  console.log(`# disconnect: 35 queued writes uploaded, both converged ${ms} ms after connect(); a fresh device agrees (${m.rows.size} rows)`);
});

syncTest('sync: offline by a network cut (DevTools offline emulation, the open stream reset), uploads queue and the status says so; back online it converges', async (t) => {
  const m = new Model('network-cut');
  await backend(m, { put: rows(m, 'seed', 50) });
  const proxy = await startProxy(env.server.port);
  t.after(() => proxy.close());
  const a = await device(t);
  const b = await device(t);
  const cdp = await a.context.newCDPSession(a.page);
  await cdp.send('Network.enable');
  const network = (offline) => cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await Promise.all([a.connect(proxy.url, m.user), b.connect(env.server.url, m.user)]);
  await converged([a, b], m);

  await network(true);
  proxy.cut();
  const down = await statusUntil(a, (s) => !s.connected && s.downloadError, 'disconnected with a downloadError');
  const seeded = m.ids();
  const sent = await a.uploads();
  await a.insert(m.put(rows(m, 'a-cut', 15)));
  await a.update(m.patch(seeded.slice(0, 5).map((id) => ({ id, description: `changed while cut ${id}` }))));
  await a.remove(m.delete(seeded.slice(5, 8)));
  await b.insert(m.put(rows(m, 'b-online', 10)));
  await backend(m, { put: rows(m, 'backend', 10) });
  const failing = await statusUntil(a, (s) => s.uploadError, 'showing an uploadError');
  assert.equal(failing.connected, false, 'connected while the network is cut');
  assert.equal(await a.queue(), 23, 'the upload queue holds the writes made while cut');
  assert.equal((await a.uploads()).entries, sent.entries, 'uploaded while the network is cut');
  assert.equal((await a.page.evaluate(() => app.rows())).filter((r) => r.id.startsWith('b-online')).length, 0, 'received rows while cut');

  await network(false);
  proxy.resume();
  const ms = await converged([a, b], m);
  const s = await a.status();
  assert.equal(s.downloadError, null, 'the downloadError stays after converging');
  assert.equal(s.uploadError, null, 'the uploadError stays after converging');
  assert.equal((await a.uploads()).entries - sent.entries, 23, 'each write made while cut uploaded once');
  console.log(`# network cut: status ${JSON.stringify({ downloadError: down.downloadError, uploadError: failing.uploadError })}; converged ${ms} ms after the network came back`);
});

syncTest('sync: the official @powersync/web syncs the same rows from the dev server as ours, and writes go both ways', async (t) => {
  const m = new Model('reference');
  await backend(m, { put: rows(m, 'seed', 2000) });
  await backend(m, { patch: m.ids().slice(0, 100).map((id) => ({ id, description: `patched ${id}`, completed: 1 })), del: m.ids().slice(100, 150) });
  const ref = await device(t, { stack: 'reference' });
  const ours = await device(t);
  await Promise.all([ref.connect(env.server.url, m.user), ours.connect(env.server.url, m.user)]);
  const first = await converged([ref, ours], m);

  const ids = m.ids();
  await Promise.all([
    ref.insert(m.put(rows(m, 'ref', 10))),
    ref.update(m.patch(ids.slice(200, 205).map((id) => ({ id, description: 'changed by the reference', priority: 8 })))),
    ours.insert(m.put(rows(m, 'ours', 10))),
    ours.remove(m.delete(ids.slice(300, 305))),
  ]);
  const second = await converged([ref, ours], m);
  console.log(`# reference: ${m.rows.size} rows; both converged in ${first} ms, after writes on both ${second} ms`);
});

syncTest('sync: the dev server SIGKILLed mid-download and restarted on the same port and database: the download resumes and converges', async (t) => {
  const m = new Model('server-kill');
  const N = 30000;
  await backend(m, { put: rows(m, 'seed', N) });
  const a = await device(t);
  const { cdp, streams } = await watchStreams(a);
  // Slowed to 1 MB/s: the server then still has much of the stream to
  // write when it dies (unthrottled, the whole stream sits in socket
  // buffers at once and a kill cuts nothing).
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: 1e6, uploadThroughput: -1 });
  await a.connect(env.server.url, m.user);
  await statusUntil(a, (s) => s.progress?.downloaded > 0, 'downloading');
  await env.server.kill();
  const cutAt = await statusUntil(a, (s) => s.downloadError || s.hasSynced, 'with a downloadError');
  assert.ok(!cutAt.hasSynced, 'the whole checkpoint arrived before the kill took effect: nothing to resume');
  assert.ok(cutAt.progress === null || cutAt.progress.downloaded < N, `progress at the cut: ${JSON.stringify(cutAt.progress)}`);
  const received = await a.page.evaluate(() => db.getAll('SELECT count(*) AS n FROM ps_oplog')).then((r) => r[0].n);
  const written = rows(m, 'a-outage', 5);
  await a.insert(written);
  assert.equal((await a.status()).connected, false);

  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  env.server = await startSyncServer(env.bins.server, env.dbPath, { rules: env.rules, port: env.server.port });
  m.put(written);
  const seededIds = m.ids().filter((id) => id.startsWith('seed-'));
  await backend(m, { put: rows(m, 'after', 100), patch: seededIds.slice(0, 50).map((id) => ({ id, priority: 6 })), del: seededIds.slice(50, 60) });
  const ms = await converged([a], m);
  const [first, ...later] = streams();
  console.log(`# server kill: cut at ${received} of ${N} ops stored (${cutAt.downloadError}); the stream delivered ${first.bytes} bytes, ${later.length} after the restart ${sum(later)}, asking for ${JSON.stringify(later.map((s) => s.buckets))}; converged ${ms} ms after the restart`);
  assert.ok(received > 0 && received < N, `ops stored at the cut: ${received}`);
  assertResumed(later);
});

syncTest('sync: the browser SIGKILLed mid-download and reopened on the same profile keeps its persisted writes, resumes and converges', async (t) => {
  const m = new Model('browser-kill');
  const N = 20000;
  await backend(m, { put: rows(m, 'seed', N) });
  const profile = freshProfile();
  let chrome = await launch(profile.dir);
  t.after(async () => {
    await chrome.close();
    profile.remove();
  });
  // The persistent default context: an incognito one would lose the data with the browser.
  let a = await device(t, { context: chrome.context, chrome, name: 'crash.db' });
  const beforeKill = await watchStreams(a);
  await a.connect(env.server.url, m.user);
  const local = m.put(rows(m, 'local', 10));
  await a.insert(local); // resolves once persisted
  const at = await statusUntil(a, (s) => s.progress?.downloaded >= 4000, 'past 4,000 ops downloaded');
  await chrome.kill();

  chrome = await launch(profile.dir);
  a = await device(t, { context: chrome.context, chrome, name: 'crash.db' });
  assert.equal(await a.page.evaluate(() => app.integrity()), 'ok', 'integrity after the crash');
  const kept = new Set((await a.page.evaluate(() => app.rows())).map((r) => r.id));
  for (const r of local) assert.ok(kept.has(r.id), `persisted write ${r.id} lost in the crash`);
  const stored = await a.page.evaluate(() => db.getAll('SELECT count(*) AS n FROM ps_oplog')).then((r) => r[0].n);
  const { streams } = await watchStreams(a);
  await a.connect(env.server.url, m.user);
  await backend(m, { put: rows(m, 'after', 50) });
  const ms = await converged([a], m);
  const first = sum(beforeKill.streams());
  const later = streams();
  console.log(`# browser kill: killed at ${at.progress.downloaded} of ${N} ops downloaded (${stored} stored); the stream delivered ${first} bytes before the kill; after reopening ${later.length} streams ${sum(later)} bytes, asking for ${JSON.stringify(later.map((s) => s.buckets))}; converged in ${ms} ms`);
  assert.ok(stored > 0 && stored < N, `ops stored at the kill: ${stored}`);
  assertResumed(later);
});

// Issue 9, item 2: "while 100,000 rows arrive the page has no main-thread
// task over 50 ms". At f221162 one task of 1.9-2.6 s applied the
// checkpoint and one of about 1 s ended the download; since 511db19 what
// was left were 50-90 ms tasks near the end, the Go collector's mark phase,
// gone since 75650c0 and its parents (the tracked changes wait in SQLite,
// queued events stay packed: BENCHMARKS.md, "while 100,000 rows arrive by
// sync"). By thread CPU no task of the sync takes 50 ms (longest 25-37 ms,
// tests/browser/bench/sync-trace.js; with a second tab open, the multi-tab
// encoding of a commit's row changes is one ~195 ms task, same section),
// but this test measures wall time, as the other long-task tests do. On a
// quiet 2-core machine it passed 2 of 3 runs at ae412cc, the third saw one
// task of 50 ms while another process ran (BENCHMARKS.md). As stack.test.js
// does for loads, make test reports the long tasks and asserts only that the
// rows converge; SYNC_LONG_TASKS=1 asserts that there are none, for a quiet
// machine (the project measures timing in benchmarks, not in tests).
const ASSERT_LONG_TASKS = process.env.SYNC_LONG_TASKS === '1';

syncTest('sync: 100,000 rows arrive with no main-thread task over 50 ms (issue 9, item 2; asserted with SYNC_LONG_TASKS=1)', async (t) => {
  const m = new Model('long-tasks');
  const N = 100000;
  await backend(m, { put: rows(m, 'seed', N) });
  // A second visit, as stack.test.js measures loads: V8's code cache is
  // warm, so no task is the module's lazy compilation. The first visit
  // syncs a few rows of another user on another database, so that the
  // sync path's code is compiled (and cached) too, as for an app that has
  // synced before.
  const warm = new Model('long-tasks-warm');
  await backend(warm, { put: rows(warm, 'warm', 2000) });
  const a = await device(t, { name: 'warm.db' });
  await a.page.evaluate(([url, user, n]) => app.initialSync(url, user, n), [env.server.url, warm.user, 2000]);
  await a.page.reload();
  await a.page.waitForFunction(() => window.pageReady);
  await a.page.evaluate(() => app.open('sync.db'));
  const r = await a.page.evaluate(([url, user, n]) => app.initialSync(url, user, n), [env.server.url, m.user, N]);
  console.log(`# 100,000 rows: hasSynced after ${Math.round(r.hasSynced)} ms, the collection showed them all after ${Math.round(r.rows)} ms; long tasks (ms, at ms since connect): ${JSON.stringify(r.long)}`);
  await converged([a], m);
  if (ASSERT_LONG_TASKS) assert.deepEqual(r.long, [], 'main-thread tasks over 50 ms during the initial sync');
  else if (r.long.length > 0) t.diagnostic(`long tasks reported, not asserted (SYNC_LONG_TASKS=1 asserts): ${JSON.stringify(r.long)}`);
});
