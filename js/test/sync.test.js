// db.connect against the real dev sync server (./syncserver/cmd/sync-server), run as a child
// process: one server per test, built once per file.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  init, PowerSyncDatabase, Schema, Table, column, SyncStatus, createCollection, powerSyncCollectionOptions,
} from '../index.js';
import { tempDir, waitFor } from './helpers.js';

const REPO = resolve(import.meta.dirname, '../..');
/** Small delays, so retries and uploads happen within a test's deadlines. */
const FAST = { retryDelayMs: 50, crudUploadThrottleMs: 10 };

const dir = tempDir();
const serverBin = join(dir, 'sync-server');

before(async () => {
  await promisify(execFile)(process.env.GO || 'go', ['build', '-o', serverBin, './syncserver/cmd/sync-server'], { cwd: REPO });
  await init();
});

function schema() {
  return new Schema({
    todos: new Table({ description: column.text, done: column.integer }),
    drafts: new Table({ body: column.text }, { localOnly: true }),
  });
}

let serial = 0;

/**
 * A dev server and databases for one test, all stopped after it: open(name?) opens a database
 * (':memory:', or a file in the temporary directory when named).
 */
async function fixture(t) {
  const child = spawn(serverBin, ['-addr', '127.0.0.1:0', '-db', join(dir, `server-${++serial}.sqlite`)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const dbs = [];
  t.after(async () => {
    for (const db of dbs) await db.close();
    child.kill();
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { log += chunk; });
  const base = await waitFor(() => /serving (http:\/\/[\d.]+:\d+)\//.exec(log)?.[1], () => `the dev server's address; it logged: ${log}`, 20000);
  const open = async (name) => {
    const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: name ? join(dir, `${name}-${serial}.sqlite`) : ':memory:' } });
    dbs.push(db);
    await db.init();
    return db;
  };
  return { base, open };
}

/** The connector of the README's "The dev sync server", counting its calls. */
function devConnector(base) {
  return {
    calls: { fetchCredentials: 0, uploadData: 0 },
    async fetchCredentials() {
      this.calls.fetchCredentials++;
      return (await fetch(`${base}/api/token`)).json();
    },
    async uploadData(database) {
      this.calls.uploadData++;
      const tx = await database.getNextCrudTransaction();
      if (!tx) return;
      const r = await fetch(`${base}/api/upload`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batch: tx.crud.map((e) => e.toJSON()) }),
      });
      if (!r.ok) throw new Error(await r.text());
      await tx.complete();
    },
  };
}

/** The backend's own write (no client): POST /api/upload. */
async function backendWrite(base, batch) {
  const r = await fetch(`${base}/api/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  assert.equal(r.status, 200, await r.text());
}

function todosOf(db) {
  return createCollection(powerSyncCollectionOptions({ database: db, table: db.schema.props.todos }));
}

const queued = async (db) => (await db.getUploadQueueStats()).count;

test('rows the backend writes appear in the database and in a collection without any call', async (t) => {
  const { base, open } = await fixture(t);
  await backendWrite(base, [{ op: 'PUT', type: 'todos', id: 't1', data: { description: 'Milk', done: 0 } }]);
  const db = await open();
  const todos = todosOf(db);
  await todos.preload();
  await db.connect(devConnector(base), FAST);
  await db.waitForFirstSync();
  assert.deepEqual(await db.getAll('SELECT id, description, done FROM todos'), [{ id: 't1', description: 'Milk', done: 0 }]);
  await waitFor(() => todos.get('t1')?.description === 'Milk', 'the collection to show the synced row');

  await backendWrite(base, [
    { op: 'PUT', type: 'todos', id: 't2', data: { description: 'Eggs', done: 0 } },
    { op: 'PATCH', type: 'todos', id: 't1', data: { done: 1 } },
  ]);
  await waitFor(() => todos.get('t2')?.description === 'Eggs' && todos.get('t1')?.done === 1, 'an insert and an update to arrive');
  await backendWrite(base, [{ op: 'DELETE', type: 'todos', id: 't2' }]);
  await waitFor(() => !todos.has('t2'), 'a delete to arrive');
  assert.deepEqual(await db.getAll('SELECT id, done FROM todos'), [{ id: 't1', done: 1 }]);
});

test('an insert through a collection is uploaded and reaches a second database', async (t) => {
  const { base, open } = await fixture(t);
  const [a, b] = [await open(), await open()];
  const [todosA, todosB] = [todosOf(a), todosOf(b)];
  await Promise.all([todosA.preload(), todosB.preload()]);
  await a.connect(devConnector(base), FAST);
  await b.connect(devConnector(base), FAST);
  await Promise.all([a.waitForFirstSync(), b.waitForFirstSync()]);

  await todosA.insert({ id: 'x1', description: 'from A', done: 0 }).isPersisted.promise;
  await waitFor(() => todosB.get('x1')?.description === 'from A', 'the row to reach the second database');
  await waitFor(async () => (await queued(a)) === 0, 'the upload queue to drain');
  assert.deepEqual(await b.get('SELECT description FROM todos WHERE id = ?', ['x1']), { description: 'from A' });
});

test('a write the backend did not apply is reverted to the server\'s state', async (t) => {
  const { base, open } = await fixture(t);
  await backendWrite(base, [{ op: 'PUT', type: 'todos', id: 'r1', data: { description: 'server value', done: 0 } }]);
  const db = await open();
  const todos = todosOf(db);
  await todos.preload();
  const dev = devConnector(base);
  let dropped = 0;
  await db.connect({
    fetchCredentials: () => dev.fetchCredentials(),
    async uploadData(database) { // "accepts" the write without posting it
      const tx = await database.getNextCrudTransaction();
      if (!tx) return;
      dropped += tx.crud.length;
      await tx.complete();
    },
  }, FAST);
  await db.waitForFirstSync();
  await waitFor(() => todos.get('r1')?.description === 'server value', 'the synced row');

  todos.update('r1', (d) => { d.description = 'local edit'; });
  todos.insert({ id: 'r2', description: 'never posted', done: 0 });
  assert.equal(todos.get('r1').description, 'local edit', 'optimistic');
  assert.equal(todos.get('r2').description, 'never posted', 'optimistic');
  await waitFor(() => todos.get('r1')?.description === 'server value' && !todos.has('r2'), 'the local writes to be reverted');
  assert.equal(dropped, 2);
  assert.deepEqual(await db.getAll('SELECT id, description FROM todos'), [{ id: 'r1', description: 'server value' }]);
});

test('currentStatus and registerListener report connecting, connected, hasSynced, lastSyncedAt and uploading', async (t) => {
  const { base, open } = await fixture(t);
  const unopened = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  assert.ok(unopened.currentStatus instanceof SyncStatus);
  assert.equal(unopened.currentStatus.hasSynced, undefined, 'unknown before the database is open');

  const db = await open();
  assert.equal(db.currentStatus.hasSynced, false);
  assert.equal(db.connected, false);
  const seen = [];
  const dispose = db.registerListener({ statusChanged: (s) => seen.push(s) });
  const started = Date.now();
  await db.connect(devConnector(base), FAST);
  // As @powersync/web: connect() resolves once the first attempt has connected.
  assert.equal(db.connected, true, 'connected when connect() resolves');
  assert.equal(db.connecting, false);
  await db.waitForFirstSync();

  const now = db.currentStatus;
  assert.ok(seen.every((s) => s instanceof SyncStatus));
  assert.ok(seen.some((s) => s.connecting && !s.connected), 'connecting first');
  assert.equal(now.connected, true);
  assert.equal(db.connected, true);
  assert.equal(now.hasSynced, true);
  assert.ok(now.lastSyncedAt instanceof Date);
  assert.ok(now.lastSyncedAt.getTime() >= started - 1000 && now.lastSyncedAt.getTime() <= Date.now() + 1000, `lastSyncedAt ${now.lastSyncedAt}`);
  assert.equal(now.statusForPriority(3).hasSynced, true);
  assert.equal(now.dataFlowStatus.downloadError, undefined);
  assert.equal(JSON.parse(JSON.stringify(now)).connected, true);

  await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['u1', 'upload me']);
  await waitFor(() => seen.some((s) => s.dataFlowStatus.uploading), 'a status with uploading');
  await waitFor(() => !db.currentStatus.dataFlowStatus.uploading && db.currentStatus.uploadError === undefined, 'the upload to finish');
  assert.equal(await queued(db), 0);

  dispose();
  const count = seen.length;
  await db.disconnect();
  assert.equal(db.connected, false);
  assert.equal(seen.length, count, 'no calls after dispose');
});

test('a database synced before knows it at open, before connecting', async (t) => {
  const { base, open } = await fixture(t);
  const first = await open('remembers');
  await first.connect(devConnector(base), FAST);
  await first.waitForFirstSync();
  const at = first.currentStatus.lastSyncedAt;
  await first.close();

  const again = await open('remembers');
  assert.equal(again.currentStatus.hasSynced, true);
  assert.equal(again.currentStatus.connected, false);
  assert.equal(again.currentStatus.lastSyncedAt.getTime(), at.getTime());
  await again.waitForFirstSync(); // resolves at once
});

class HttpError extends Error {
  constructor(status, cause) {
    super(`HTTP ${status}`, { cause });
    this.name = 'HttpError';
    this.status = status;
  }
}

test('uploadData throwing shows as uploadError (the thrown value itself), keeps the queue and is retried', async (t) => {
  const { base, open } = await fixture(t);
  const db = await open();
  const dev = devConnector(base);
  let failing = true;
  let attempts = 0;
  let last;
  await db.connect({
    fetchCredentials: () => dev.fetchCredentials(),
    async uploadData(database) {
      attempts++;
      if (failing) throw (last = new HttpError(409, new Error('backend down for the test')));
      return dev.uploadData(database);
    },
  }, FAST);
  await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['q1', 'queued']);
  await waitFor(() => db.currentStatus.uploadError, 'an upload error');
  const err = db.currentStatus.dataFlowStatus.uploadError;
  // As PowerSync's dataFlow: { uploadError: ex }: the app's own value.
  assert.ok(err instanceof HttpError, `${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, 409);
  assert.equal(err.message, 'HTTP 409');
  assert.match(err.cause.message, /backend down for the test/);
  assert.equal(db.currentStatus.uploadError, err);
  await waitFor(() => db.currentStatus.uploadError === last, 'the latest thrown value to show');
  await waitFor(() => attempts >= 3, () => `retries (${attempts} attempts)`);
  assert.equal(await queued(db), 1, 'the queue is kept');

  failing = false;
  await waitFor(async () => (await queued(db)) === 0 && db.currentStatus.uploadError === undefined, 'the retry to succeed and clear the error');
});

test('credentials that are missing or fail show as downloadError, are retried, and local data stays', async (t) => {
  const { open } = await fixture(t);
  const cases = [
    { name: 'signed out (null)', fetchCredentials: async () => null, error: /not signed in/ },
    { name: 'signed out (undefined)', fetchCredentials: async () => undefined, error: /not signed in/ },
    { name: 'a thrown error', fetchCredentials: async () => { throw new HttpError(503, new Error('token service down')); }, error: /HTTP 503/, own: HttpError },
    { name: 'a synchronous throw', fetchCredentials: () => { throw new RangeError('token service down'); }, error: /token service down/, own: RangeError },
    { name: 'no endpoint', fetchCredentials: async () => ({ token: 'x' }), error: /endpoint/ },
  ];
  for (const c of cases) {
    const db = await open();
    await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['local', 'mine']);
    let calls = 0;
    await db.connect({
      fetchCredentials() { calls++; return c.fetchCredentials(); },
      async uploadData() { throw new Error('uploads wait for a connection'); },
    }, FAST);
    // connect() resolves (never rejects) once the first attempt has failed.
    assert.match(db.currentStatus.downloadError?.message ?? '', c.error, `${c.name}: downloadError when connect() resolves`);
    await waitFor(() => c.error.test(db.currentStatus.downloadError?.message ?? ''), () => `${c.name}: downloadError ${db.currentStatus.downloadError?.message}`);
    await waitFor(() => calls >= 3, () => `${c.name}: retries (${calls} calls)`);
    // What the app threw is the downloadError itself; our own findings stay ours.
    if (c.own) assert.ok(db.currentStatus.downloadError instanceof c.own, c.name);
    else assert.ok(db.currentStatus.downloadError instanceof Error && !('thrown' in db.currentStatus.downloadError), c.name);
    assert.equal(db.connected, false, c.name);
    assert.equal(db.currentStatus.hasSynced, false, c.name);
    assert.equal(db.currentStatus.uploadError, undefined, c.name);
    assert.deepEqual(await db.getAll('SELECT id, description FROM todos'), [{ id: 'local', description: 'mine' }], c.name);
    assert.equal(await queued(db), 1, c.name);
    await db.disconnect();
  }
});

test('an endpoint that is not a sync service shows a clear downloadError, is retried, and local data stays', async (t) => {
  const { open } = await fixture(t);
  let answer;
  let requests = 0;
  const web = createServer((req, res) => {
    requests++;
    // A request of an earlier case can still arrive after that case moved on
    // (in flight when it disconnected): answer it as the 404 case would.
    res.writeHead(answer ?? 404, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Not here</title><h1>Not here</h1>');
  });
  await new Promise((r) => web.listen(0, '127.0.0.1', r));
  t.after(() => web.close());
  const endpoint = `http://127.0.0.1:${web.address().port}`;
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const refused = `http://127.0.0.1:${closed.address().port}`;
  await new Promise((r) => closed.close(r));

  const cases = [
    { name: 'a 404 page', endpoint, answer: 404, error: /HTTP 404: the answer is an HTML page \(is the endpoint a PowerSync service\?\)/, status: 404 },
    { name: 'a 200 page', endpoint, answer: 200, error: /content type "text\/html"/ },
    { name: 'nobody listening', endpoint: refused, error: /fetch failed \(.*ECONNREFUSED/ },
  ];
  for (const c of cases) {
    answer = c.answer;
    const db = await open();
    await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['local', 'mine']);
    let calls = 0;
    await db.connect({
      fetchCredentials() { calls++; return { endpoint: c.endpoint, token: 'secret-token-123' }; },
      async uploadData() { throw new Error('uploads wait for a connection'); },
    }, FAST);
    const before = requests;
    await waitFor(() => db.currentStatus.downloadError, `${c.name}: a download error`);
    const err = db.currentStatus.downloadError;
    assert.match(err.message, c.error, c.name);
    assert.equal(err.status, c.status, c.name);
    assert.doesNotMatch(err.message, /secret-token-123/, 'no token in errors');
    if (c.endpoint === endpoint) await waitFor(() => requests - before >= 3, () => `${c.name}: retries (${requests - before} requests)`);
    assert.equal(db.connected, false, c.name);
    assert.deepEqual(await db.getAll('SELECT id, description FROM todos'), [{ id: 'local', description: 'mine' }], c.name);
    assert.equal(await queued(db), 1, c.name);
    await db.disconnect();
  }
});

test('disconnect stops syncing, writes meanwhile queue up, and connecting again uploads them', async (t) => {
  const { base, open } = await fixture(t);
  const [a, b] = [await open(), await open()];
  await a.connect(devConnector(base), FAST);
  await b.connect(devConnector(base), FAST);
  await Promise.all([a.waitForFirstSync(), b.waitForFirstSync()]);

  await a.disconnect();
  assert.equal(a.connected, false);
  assert.equal(a.currentStatus.connecting, false);
  await a.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['off1', 'written offline']);
  await a.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['off2', 'written offline']);
  // Time for several round trips of b, which is connected: a's writes stay queued meanwhile.
  await backendWrite(base, [{ op: 'PUT', type: 'todos', id: 'marker', data: { description: 'after the offline writes' } }]);
  await waitFor(async () => (await b.getOptional('SELECT id FROM todos WHERE id = ?', ['marker'])) !== null, 'b to see the marker');
  assert.equal(await queued(a), 2);
  assert.equal(await b.getOptional('SELECT id FROM todos WHERE id = ?', ['off1']), null);
  assert.equal(await a.getOptional('SELECT id FROM todos WHERE id = ?', ['marker']), null, 'a downloads nothing while disconnected');

  await a.connect(devConnector(base), FAST);
  await waitFor(async () => (await b.getAll('SELECT id FROM todos WHERE id LIKE ?', ['off%'])).length === 2, 'the queued writes to reach b');
  await waitFor(async () => (await queued(a)) === 0 && (await a.getOptional('SELECT id FROM todos WHERE id = ?', ['marker'])) !== null, 'a to catch up');
});

test('connecting again replaces the connection', async (t) => {
  const { base, open } = await fixture(t);
  const db = await open();
  const first = devConnector(base);
  const second = devConnector(base);
  await db.connect(first, FAST);
  await db.waitForFirstSync();
  await db.connect(second, FAST);
  await waitFor(() => db.connected, 'the new connection');
  const before = first.calls.uploadData;
  await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['n1', 'through the second connector']);
  await waitFor(async () => (await queued(db)) === 0, 'the upload');
  assert.ok(second.calls.uploadData >= 1);
  assert.equal(first.calls.uploadData, before, 'the first connector is no longer used');
});

test('disconnectAndClear empties the synced tables and the upload queue, and local-only tables unless asked not to', async (t) => {
  const { base, open } = await fixture(t);
  await backendWrite(base, [{ op: 'PUT', type: 'todos', id: 'c1', data: { description: 'synced' } }]);
  const db = await open();
  const todos = todosOf(db);
  await todos.preload();
  await db.connect(devConnector(base), FAST);
  await db.waitForFirstSync();
  await waitFor(() => todos.has('c1'), 'the synced row');
  await db.disconnect();
  await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['c2', 'queued']);
  await db.execute('INSERT INTO drafts (id, body) VALUES (?, ?)', ['d1', 'local only']);

  await db.disconnectAndClear({ clearLocal: false });
  assert.deepEqual(await db.getAll('SELECT id FROM todos'), []);
  assert.equal(await queued(db), 0);
  assert.deepEqual(await db.getAll('SELECT id FROM drafts'), [{ id: 'd1' }]);
  assert.equal(db.currentStatus.hasSynced, false);
  assert.equal(db.currentStatus.lastSyncedAt, undefined);
  assert.equal(db.connected, false);
  await waitFor(() => todos.size === 0, 'the collection to empty');

  await db.disconnectAndClear();
  assert.deepEqual(await db.getAll('SELECT id FROM drafts'), []);
});

test('waitForFirstSync resolves when its signal aborts, as in PowerSync', async (t) => {
  const { open } = await fixture(t);
  const db = await open();
  const ac = new AbortController();
  const waiting = db.waitForFirstSync({ signal: ac.signal, priority: 1 });
  ac.abort();
  await waiting;
  assert.equal(db.currentStatus.hasSynced, false);
  await db.waitForFirstSync(AbortSignal.abort());
});

test('bad arguments are TypeErrors and start nothing', async (t) => {
  const { base, open } = await fixture(t);
  const db = await open();
  const good = devConnector(base);
  const typeError = (message) => ({ name: 'TypeError', message });
  await assert.rejects(db.connect(), typeError(/connector/));
  await assert.rejects(db.connect(null), typeError(/connector/));
  await assert.rejects(db.connect({ fetchCredentials() {} }), typeError(/connector\.uploadData/));
  await assert.rejects(db.connect({ uploadData() {}, fetchCredentials: 'no' }), typeError(/connector\.fetchCredentials/));
  await assert.rejects(db.connect(good, 'fast'), typeError(/options/));
  for (const [options, arg] of [
    [{ retryDelayMs: -5 }, 'options.retryDelayMs'],
    [{ retryDelayMs: 'soon' }, 'options.retryDelayMs'],
    [{ crudUploadThrottleMs: -1 }, 'options.crudUploadThrottleMs'],
    [{ params: 'x' }, 'options.params'],
    [{ appMetadata: { build: 1 } }, 'options.appMetadata.build'],
    [{ connectionMethod: 'web-socket' }, 'options.connectionMethod'],
    [{ retryDelay: 10 }, 'options.retryDelay'],
  ]) {
    await assert.rejects(db.connect(good, options), typeError(new RegExp(arg.replace('.', '\\.'))), JSON.stringify(options));
  }
  assert.throws(() => db.registerListener(null), TypeError);
  assert.throws(() => db.registerListener({ statusChanged: 1 }), TypeError);
  await assert.rejects(db.waitForFirstSync({ priority: 'high' }), TypeError);
  await assert.rejects(db.waitForFirstSync('now'), TypeError);
  await assert.rejects(db.disconnectAndClear({ clearLocal: 'yes' }), typeError(/clearLocal/));
  assert.equal(good.calls.fetchCredentials, 0);
  assert.equal(db.currentStatus.connecting, false);
  assert.equal(db.connected, false);
});
