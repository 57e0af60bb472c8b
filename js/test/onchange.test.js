// Fault 3 of issue 10: what onChange and watch report, for every option
// PowerSync documents (tables, throttleMs, triggerImmediate, signal).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, waitFor } from './helpers.js';

const settle = (ms) => new Promise((r) => setTimeout(r, ms));

test('onChange reports the watched tables among the changed ones, by their user-facing names', async () => {
  const db = await openDatabase();
  const todos = [];
  const all = [];
  db.onChange({ onChange: (e) => todos.push(e.changedTables) }, { tables: ['documents'], throttleMs: 0 });
  db.onChange({ onChange: (e) => all.push(e.changedTables) }, { throttleMs: 0 });
  await db.execute('SELECT 1');
  await db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id) VALUES (?)', ['d']);
    await tx.execute('INSERT INTO notes (id) VALUES (?)', ['n']);
  });
  await waitFor(() => todos.length === 1 && all.length === 1, 'both events');
  assert.deepEqual(todos, [['documents']]);
  assert.deepEqual(all, [['documents', 'notes']]);
});

test('throttleMs gathers the changes of its window into one event; triggerImmediate sends one at once', async () => {
  const db = await openDatabase();
  const events = [];
  db.onChange({ onChange: (e) => events.push(e.changedTables) }, { tables: ['documents', 'notes'], throttleMs: 400, triggerImmediate: true });
  await waitFor(() => events.length === 1, 'the immediate event');
  assert.deepEqual(events, [[]]);
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['1']);
  await db.execute('INSERT INTO notes (id) VALUES (?)', ['1']);
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['2']);
  await waitFor(() => events.length === 2, 'the throttled event');
  assert.deepEqual(events[1], ['documents', 'notes']);
  await settle(450);
  assert.equal(events.length, 2, 'one event for the window');
});

test('onChange ends when its signal aborts, also with an event waiting in the throttle', async () => {
  const db = await openDatabase();
  const controller = new AbortController();
  const events = [];
  db.onChange({ onChange: (e) => events.push(e) }, { tables: ['documents'], throttleMs: 200, signal: controller.signal });
  await db.execute('SELECT 1');
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['1']);
  controller.abort();
  await settle(250);
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['2']);
  await settle(250);
  assert.equal(events.length, 0);
  // An already aborted signal starts nothing.
  db.onChange({ onChange: (e) => events.push(e) }, { signal: controller.signal, triggerImmediate: true });
  await settle(50);
  assert.equal(events.length, 0);
});

test('watch re-runs at most once per throttleMs window, with the latest result', async () => {
  const db = await openDatabase();
  const seen = [];
  const dispose = db.watch('SELECT count(*) AS c FROM documents', [], { onResult: (r) => seen.push(r.rows._array[0].c) }, { throttleMs: 400 });
  await waitFor(() => seen.length === 1, 'the first result');
  for (let i = 0; i < 3; i++) await db.execute('INSERT INTO documents (id) VALUES (?)', [String(i)]);
  await waitFor(() => seen.at(-1) === 3, 'the latest result');
  assert.deepEqual(seen, [0, 3]);
  dispose();
});

test('bad options are TypeErrors naming them', async () => {
  const db = await openDatabase();
  assert.throws(() => db.onChange({ onChange() {} }, { throttleMs: -1 }), { name: 'TypeError', message: /throttleMs/ });
  assert.throws(() => db.onChange({ onChange() {} }, { triggerImmediate: 'yes' }), { name: 'TypeError', message: /triggerImmediate/ });
  assert.throws(() => db.onChange({ onChange() {} }, { signal: {} }), { name: 'TypeError', message: /signal/ });
  assert.throws(() => db.watch('SELECT 1', [], { throttleMs: 'x' }), { name: 'TypeError', message: /throttleMs/ });
});

// Found by a new user: db.watch('SELEC 1', [], { onResult }) failed silently.
test('a watch whose query fails and that has no onError logs the error', async (t) => {
  const db = await openDatabase();
  const logged = [];
  t.mock.method(console, 'error', (...args) => { logged.push(args); });
  const results = [];
  db.watch('SELEC 1', [], { onResult: (r) => results.push(r) });
  await waitFor(() => logged.length > 0, 'the logged error');
  assert.match(String(logged[0][0]), /watch failed and has no onError/);
  assert.match(String(logged[0][1]?.message), /syntax error/);
  assert.deepEqual(results, []);
});
