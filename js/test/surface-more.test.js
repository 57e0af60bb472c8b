// TanStack DB's and PowerSync's calls that issue 10 listed as missing:
// collection.validateData, isLoadingSubset and its event, the index
// events, truncate, and the database's statusUpdated listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions, localOnlyCollectionOptions, SchemaValidationError, createLiveQueryCollection, eq } from '../index.js';
import { openDatabase, waitFor } from './helpers.js';

// A Standard Schema that requires name to be a string and upper-cases it.
const upperName = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate(v) {
      if (typeof v.name !== 'string') return { issues: [{ message: 'name must be a string', path: ['name'] }] };
      return { value: { ...v, name: v.name.toUpperCase() } };
    },
  },
};

test('validateData runs the collection schema as TanStack DB does: the output value, SchemaValidationError, an update merged with the item', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', schema: upperName }));
  await documents.preload();
  assert.deepEqual(documents.validateData({ id: 'a', name: 'x' }, 'insert'), { id: 'a', name: 'X' });
  assert.throws(() => documents.validateData({ id: 'a', name: 5 }, 'insert'), (e) => e instanceof SchemaValidationError && e.type === 'insert');
  await documents.insert({ id: 'a', name: 'first' }).isPersisted.promise;
  // An update is checked merged with the current item; only the changed fields come back.
  assert.deepEqual(documents.validateData({ content: 'c' }, 'update', 'a'), { content: 'c' });
  assert.deepEqual(documents.validateData({ name: 'y' }, 'update', 'a'), { name: 'Y' });
  assert.throws(() => documents.validateData({ content: 'c' }, 'update', 'missing'), SchemaValidationError);

  // Without a schema of its own, a PowerSync collection checks the table's types (as theirs, convertTableToSchema).
  const plain = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  assert.deepEqual(plain.validateData({ id: 'b', n: 1 }, 'insert'), { id: 'b', n: 1 });
  assert.throws(() => plain.validateData({ id: 'b', n: 'one' }, 'insert'), SchemaValidationError);
  // A local-only collection without a schema returns the data as given.
  const ui = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id }));
  const item = { id: 'u', anything: [1] };
  assert.equal(ui.validateData(item, 'insert'), item);
  assert.throws(() => plain.validateData({}, 'upsert'), TypeError);
});

// Trial 16b finding 8: a value JSON cannot hold inside an object field (a
// bigint, a cycle) is named by its field, by validateData as by insert and
// update, not V8's bare "Do not know how to serialize a BigInt".
test('validateData, insert and update name the field of a value JSON cannot hold', async () => {
  const db = await openDatabase();
  const plain = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await plain.preload();
  assert.deepEqual(plain.validateData({ id: 'v', n: 5n }, 'insert'), { id: 'v', n: 5n });
  assert.throws(() => plain.validateData({ id: 'v', name: { a: [1, 5n] } }, 'insert'), (e) => {
    assert.ok(e instanceof SchemaValidationError, e.message);
    assert.deepEqual(e.issues.map((i) => i.path), [['name', 'a', 1]]);
    assert.match(e.issues[0].message, /^name\.a\[1\]: Do not know how to serialize a BigInt/);
    return true;
  });
  const cycle = {};
  cycle.self = cycle;
  assert.throws(() => plain.validateData({ id: 'v', name: cycle }, 'insert'), (e) => e.issues[0].path.join() === 'name,self');
  assert.throws(() => plain.insert({ id: 'v', name: { a: 5n } }), { name: 'TypeError', message: /^insert: item\.name\.a: Do not know how to serialize a BigInt/ });
  assert.throws(() => plain.insert([{ id: 'v' }, { id: 'w', name: { a: 5n } }]), { name: 'TypeError', message: /^insert: items\[1\]\.name\.a: / });
  await plain.insert({ id: 'u', name: 'x' }).isPersisted.promise;
  assert.throws(() => plain.update('u', (d) => { d.content = [5n]; }), { name: 'TypeError', message: /^update: draft\.content\[0\]: / });
  assert.equal(plain.get('u').content, null);
});

test('registerListener statusUpdated is called on every status update, with the status options, beside statusChanged', async (t) => {
  const db = await openDatabase();
  const updated = [];
  const changed = [];
  const dispose = db.registerListener({ statusUpdated: (o) => updated.push(o), statusChanged: (s) => changed.push(s) });
  await db.connect({
    fetchCredentials: async () => ({ endpoint: 'http://127.0.0.1:1', token: 'x' }),
    uploadData: async () => {},
  }, { retryDelayMs: 50 });
  t.after(() => db.disconnect());
  await waitFor(() => updated.some((o) => o.dataFlow?.downloadError), 'a statusUpdated with the downloadError');
  assert.ok(updated.length >= changed.length && changed.length > 0, `${updated.length} updates, ${changed.length} changes`);
  assert.ok(updated.some((o) => o.connecting === true), 'connecting reported');
  const last = updated.at(-1);
  assert.equal(Object.getPrototypeOf(last), Object.prototype, 'the options, a plain object (SyncStatusOptions)');
  assert.ok(last.dataFlow.downloadError instanceof Error);
  assert.equal(last.connected, db.currentStatus.connected);
  dispose();
  assert.throws(() => db.registerListener({ statusUpdated: 1 }), (e) => e instanceof TypeError && e.message.includes('listener.statusUpdated'));
});

test('isLoadingSubset and loadingSubset:change follow an on-demand collection loading a live query\'s rows', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name, n) VALUES ('a', 'x', 1), ('b', 'y', 2)");
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', syncMode: 'on-demand' }));
  await documents.preload();
  assert.equal(documents.isLoadingSubset, false);
  const events = [];
  documents.on('loadingSubset:change', (e) => {
    events.push([e.type, e.collection === documents, e.previousIsLoadingSubset, e.isLoadingSubset, e.loadingSubsetTransition]);
  });
  const ones = createLiveQueryCollection({ query: (q) => q.from({ d: documents }).where(({ d }) => eq(d.n, 1)), gcTime: 0 });
  await ones.preload();
  assert.deepEqual([...ones.keys()], ['a']);
  await waitFor(() => events.length === 2, 'a start and an end');
  assert.deepEqual(events, [
    ['loadingSubset:change', true, false, true, 'start'],
    ['loadingSubset:change', true, true, false, 'end'],
  ]);
  assert.equal(documents.isLoadingSubset, false);
  await ones.cleanup();
});

test('index:added and index:removed follow createIndex, a live query\'s own index and removeIndex', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name, n) VALUES ('a', 'x', 1), ('b', 'y', 2)");
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  const events = [];
  const record = (e) => events.push([e.type, e.collection === documents, e.index.name, e.index.path]);
  documents.on('index:added', record);
  documents.on('index:removed', record);
  const byName = documents.createIndex((row) => row.name, { name: 'byName' });
  await waitFor(() => events.length === 1, 'index:added');
  assert.deepEqual(events[0], ['index:added', true, 'byName', ['name']]);
  // A windowed live query orders by n: the collection makes that index itself (autoIndex 'eager').
  const top = createLiveQueryCollection({ query: (q) => q.from({ d: documents }).orderBy(({ d }) => d.n).limit(1), gcTime: 0 });
  await top.preload();
  await waitFor(() => events.length === 2, 'the live query\'s index:added');
  assert.deepEqual(events[1].slice(0, 2), ['index:added', true]);
  assert.deepEqual(events[1][3], ['n']);
  assert.equal(documents.removeIndex(byName), true);
  assert.equal(documents.removeIndex('byName'), false, 'already removed');
  await waitFor(() => events.length === 3, 'index:removed');
  assert.deepEqual(events[2], ['index:removed', true, 'byName', ['name']]);
  assert.throws(() => documents.removeIndex(5), TypeError);
  await top.cleanup();
});

test('truncate is an event a collection takes; ordinary sync writes do not send it', async () => {
  // The engine sends it when a table is reread whole (another tab's missed
  // commits: a browser case); collection/sync_test.go checks the engine's
  // call, this the seam up to on().
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  const events = [];
  const off = documents.on('truncate', (e) => events.push(e));
  await db.execute("INSERT INTO documents (id, name) VALUES ('a', 'x')");
  await waitFor(() => documents.has('a'), 'the insert seen');
  await db.execute("DELETE FROM documents");
  await waitFor(() => !documents.has('a'), 'the delete seen');
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, []);
  off();
});
