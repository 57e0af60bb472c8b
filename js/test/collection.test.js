import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCollection, powerSyncCollectionOptions, convertPowerSyncSchemaToSpecs, Transaction,
  DuplicateKeyError, UpdateKeyNotFoundError, DeleteKeyNotFoundError, KeyUpdateNotAllowedError,
  SchemaValidationError, MissingUpdateArgumentError, TanStackDBError,
} from '../index.js';
import { appSchema, openDatabase, tempDir, waitFor } from './helpers.js';
import { join } from 'node:path';

async function setup(dbFilename) {
  const schema = appSchema();
  const db = await openDatabase(dbFilename, schema);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await documents.preload();
  return { db, schema, documents };
}

test('a collection loads the rows already in the table and becomes ready', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  await db.execute('INSERT INTO documents (id, name, n) VALUES (?, ?, ?), (?, ?, ?)', ['a', 'A', 1, 'b', 'B', 2]);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  assert.equal(documents.status, 'ready');
  assert.equal(documents.size, 2);
  assert.deepEqual(documents.get('a'), { id: 'a', name: 'A', n: 1, content: null, score: null });
  assert.deepEqual([...documents.keys()], ['a', 'b']);
  assert.deepEqual(documents.toArray.map((r) => r.name), ['A', 'B']);
  assert.equal(documents.state.get('b').n, 2);
  assert.deepEqual(await documents.toArrayWhenReady(), documents.toArray);
  assert.deepEqual(documents.utils.getMeta().tableName, 'documents');
});

test('insert is visible in the same tick and persists to SQLite and the upload queue', async () => {
  const { db, documents } = await setup();
  const tx = documents.insert({ id: 'x', name: 'new', n: 3 });
  assert.ok(tx instanceof Transaction);
  assert.equal(documents.get('x').name, 'new');
  assert.equal(documents.has('x'), true);
  await tx.isPersisted.promise;
  assert.equal(tx.state, 'completed');
  assert.deepEqual(await db.get('SELECT name, n FROM documents WHERE id = ?', ['x']), { name: 'new', n: 3 });
  const crud = await db.getNextCrudTransaction();
  assert.equal(crud.crud[0].op, 'PUT');
  assert.equal(crud.crud[0].id, 'x');
});

test('update sends only the changed fields, and delete removes the row', async () => {
  const { db, documents } = await setup();
  await documents.insert({ id: 'u', name: 'before', content: 'keep', n: 1 }).isPersisted.promise;
  await (await db.getNextCrudTransaction()).complete();
  const tx = documents.update('u', (draft) => { draft.name = 'after'; });
  assert.equal(documents.get('u').name, 'after');
  assert.equal(documents.get('u').content, 'keep');
  assert.deepEqual(tx.mutations[0].changes, { name: 'after' });
  await tx.isPersisted.promise;
  const patch = await db.getNextCrudTransaction();
  assert.equal(patch.crud[0].op, 'PATCH');
  assert.deepEqual(patch.crud[0].opData, { name: 'after' });
  await patch.complete();

  const del = documents.delete('u');
  assert.equal(documents.has('u'), false);
  await del.isPersisted.promise;
  assert.equal(await db.getOptional('SELECT id FROM documents WHERE id = ?', ['u']), null);
  assert.equal((await db.getNextCrudTransaction()).crud[0].op, 'DELETE');
});

test('update of several keys gives the callback an array of drafts', async () => {
  const { documents } = await setup();
  await documents.insert([{ id: '1', n: 1 }, { id: '2', n: 2 }]).isPersisted.promise;
  await documents.update(['1', '2'], (drafts) => { for (const d of drafts) d.n *= 10; }).isPersisted.promise;
  assert.deepEqual(documents.toArray.map((r) => r.n), [10, 20]);
});

test('raw SQL writes, and another collection on the same table, are mirrored', async () => {
  const { db, schema, documents } = await setup();
  const other = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await other.preload();
  await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['raw', 'sql']);
  await waitFor(() => documents.get('raw')?.name === 'sql', 'the raw insert');
  await db.execute('UPDATE documents SET name = ? WHERE id = ?', ['changed', 'raw']);
  await waitFor(() => documents.get('raw')?.name === 'changed', 'the raw update');
  await other.insert({ id: 'o', name: 'from other' }).isPersisted.promise;
  assert.equal(documents.get('o')?.name, 'from other');
  await db.execute('DELETE FROM documents WHERE id = ?', ['raw']);
  await waitFor(() => !documents.has('raw') && !other.has('raw'), 'the raw delete');
});

test('subscribeChanges delivers inserts, updates with previousValue and deletes', async () => {
  const { documents } = await setup();
  await documents.insert({ id: 'seen', n: 0 }).isPersisted.promise;
  const batches = [];
  const sub = documents.subscribeChanges((changes) => batches.push(changes));
  documents.insert({ id: 'k', n: 1 });
  documents.update('k', (d) => { d.n = 2; });
  documents.delete('k');
  // Between the calls the stored row (with its null columns) may replace
  // the optimistic one, which is one more update; the order holds.
  const events = batches.flat();
  assert.ok(events.every((c) => c.key === 'k'));
  assert.equal(events[0].type, 'insert');
  assert.deepEqual(events[0].value, { id: 'k', n: 1 });
  assert.ok(events.some((c) => c.type === 'update' && c.value.n === 2 && c.previousValue.n === 1));
  assert.equal(events.at(-1).type, 'delete');
  sub.unsubscribe();
  const count = events.length;
  documents.insert({ id: 'later' });
  assert.equal(batches.flat().length, count);
});

test('subscribeChanges with includeInitialState sends the current rows first', async () => {
  const { documents } = await setup();
  await documents.insert([{ id: 'a' }, { id: 'b' }]).isPersisted.promise;
  const got = [];
  const sub = documents.subscribeChanges((changes) => got.push(...changes), { includeInitialState: true });
  await waitFor(() => got.length === 2, 'the initial state');
  assert.deepEqual(got.map((c) => [c.type, c.key]), [['insert', 'a'], ['insert', 'b']]);
  sub.unsubscribe();
});

test('without includeInitialState an update of an unseen key arrives as an insert and its delete is dropped... once seen it is an update', async () => {
  const { db, documents } = await setup();
  await documents.insert({ id: 'old', n: 1 }).isPersisted.promise;
  const got = [];
  const sub = documents.subscribeChanges((changes) => got.push(...changes));
  await db.execute('UPDATE documents SET n = 2 WHERE id = ?', ['old']);
  await waitFor(() => got.length === 1, 'the update');
  assert.equal(got[0].type, 'insert');
  sub.unsubscribe();
});

test('mutation errors are instances of the exported classes and change nothing', async () => {
  const { documents } = await setup();
  await documents.insert({ id: 'dup' }).isPersisted.promise;
  const size = documents.size;
  assert.throws(() => documents.insert({ id: 'dup' }), (e) => e instanceof DuplicateKeyError && e.name === 'DuplicateKeyError' && e instanceof TanStackDBError);
  assert.throws(() => documents.update('missing', (d) => { d.n = 1; }), (e) => e instanceof UpdateKeyNotFoundError && e.name === 'UpdateKeyNotFoundError');
  assert.throws(() => documents.delete('missing'), (e) => e instanceof DeleteKeyNotFoundError && e.name === 'DeleteKeyNotFoundError');
  assert.throws(() => documents.update('dup', (d) => { d.id = 'other'; }), (e) => e instanceof KeyUpdateNotAllowedError);
  assert.throws(() => documents.update('dup'), MissingUpdateArgumentError);
  assert.throws(() => documents.insert({ id: 7 }), (e) => e instanceof TanStackDBError);
  assert.throws(() => documents.insert({ id: 'n', n: 'not a number' }), (e) => e instanceof SchemaValidationError && e.issues.length === 1 && e.issues[0].path[0] === 'n');
  assert.equal(documents.size, size);
});

test('wrong argument types are TypeErrors naming the argument', async () => {
  const { documents } = await setup();
  assert.throws(() => documents.get(1), { name: 'TypeError', message: /key/ });
  assert.throws(() => documents.delete([1]), { name: 'TypeError', message: /keys\[0\]/ });
  assert.throws(() => documents.insert('x'), { name: 'TypeError', message: /item/ });
  assert.throws(() => documents.insert({ id: 'a' }, { bogus: 1 }), { name: 'TypeError', message: /bogus/ });
  assert.throws(() => documents.update('a', 5), { name: 'TypeError', message: /config/ });
  assert.throws(() => documents.update('a', {}, 5), { name: 'TypeError', message: /callback/ });
  assert.throws(() => documents.subscribeChanges(), { name: 'TypeError', message: /callback/ });
  assert.throws(() => powerSyncCollectionOptions({ database: {}, tableName: 'documents' }), { name: 'TypeError', message: /database/ });
  assert.throws(() => createCollection({}), TypeError);
  assert.equal(documents.size, 0);
});

test('a Standard Schema validator runs in JS before the row reaches Go', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const nameAtLeast3 = {
    '~standard': {
      version: 1, vendor: 'test',
      validate: (v) => (typeof v.name === 'string' && v.name.length >= 3 ? { value: { ...v, name: v.name.toUpperCase() } } : { issues: [{ message: 'name too short', path: ['name'] }] }),
    },
  };
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', schema: nameAtLeast3 }));
  await documents.preload();
  assert.throws(() => documents.insert({ id: 'a', name: 'ab' }), (e) => e instanceof SchemaValidationError && e.issues[0].message === 'name too short');
  assert.equal(documents.size, 0);
  await documents.insert({ id: 'b', name: 'abc' }).isPersisted.promise;
  assert.equal((await db.get('SELECT name FROM documents WHERE id = ?', ['b'])).name, 'ABC');

  const specs = convertPowerSyncSchemaToSpecs(schema);
  const docs2 = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', schema: specs.documents }));
  await docs2.preload();
  assert.throws(() => docs2.insert({ id: 'c', n: 'x' }), SchemaValidationError);
});

test('a collection over a file database sees rows written before a reopen', async () => {
  const file = join(tempDir(), 'c.sqlite');
  const first = await setup(file);
  await first.documents.insert({ id: 'p', name: 'persisted' }).isPersisted.promise;
  await first.documents.cleanup();
  await first.db.close();
  const second = await setup(file);
  assert.equal(second.documents.get('p')?.name, 'persisted');
});

test('a subscriber that throws neither breaks the module nor starves other subscribers', async (t) => {
  const { db, documents } = await setup();
  const errors = [];
  t.mock.method(console, 'error', (...args) => errors.push(args));
  documents.subscribeChanges(() => { throw new Error('listener bug'); });
  const seen = [];
  documents.subscribeChanges((changes) => seen.push(...changes));
  await documents.insert({ id: 'after-throw', name: 'still works' }).isPersisted.promise;
  assert.ok(seen.some((c) => c.key === 'after-throw'));
  assert.ok(errors.length >= 1);
  assert.equal((await db.get('SELECT name FROM documents WHERE id = ?', ['after-throw'])).name, 'still works');
});

test('serializer writes app values as SQLite values and deserializationSchema reads them back', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const anything = { '~standard': { version: 1, vendor: 'test', validate: (v) => ({ value: v }) } };
  const parseContent = {
    '~standard': { version: 1, vendor: 'test', validate: (row) => ({ value: { ...row, content: row.content == null ? null : JSON.parse(row.content) } }) },
  };
  const documents = createCollection(powerSyncCollectionOptions({
    database: db, tableName: 'documents', schema: anything, deserializationSchema: parseContent,
    serializer: { content: (v) => JSON.stringify(v) }, onDeserializationError: () => {},
  }));
  await documents.preload();
  await documents.insert({ id: 's', content: { tags: ['a', 'b'] } }).isPersisted.promise;
  assert.equal((await db.get('SELECT content FROM documents WHERE id = ?', ['s'])).content, '{"tags":["a","b"]}');
  assert.deepEqual(documents.get('s').content, { tags: ['a', 'b'] });
  await documents.update('s', (d) => { d.content.tags.push('c'); }).isPersisted.promise;
  assert.equal((await db.get('SELECT content FROM documents WHERE id = ?', ['s'])).content, '{"tags":["a","b","c"]}');
});

test('a collection created before the database is open becomes usable once it is', async () => {
  const { PowerSyncDatabase } = await import('../index.js');
  const schema = appSchema();
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: ':memory:' } });
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  assert.equal(documents.size, 0);
  await documents.preload();
  assert.equal(documents.status, 'ready');
  await documents.insert({ id: 'late' }).isPersisted.promise;
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 1);
  await db.close();
});

test('a subscriber reading the collection in its callback sees the change it is told about', async () => {
  for (const startSync of [true, false]) {
    const schema = appSchema();
    const db = await openDatabase(':memory:', schema);
    const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents, startSync }));
    const stale = [];
    let deliveries = 0;
    // Subscribed before any read, as an app rendering from the callback does.
    documents.subscribeChanges((changes) => {
      deliveries++;
      const ids = documents.toArray.map((r) => r.id);
      if (documents.size !== ids.length) stale.push(`size ${documents.size} but toArray has ${ids.length}`);
      for (const c of changes) {
        const row = documents.get(c.key);
        if (c.type === 'delete' ? row !== undefined || ids.includes(c.key) : !ids.includes(c.key) || JSON.stringify(row) !== JSON.stringify(c.value)) {
          stale.push(`${c.type} ${c.key}: get ${JSON.stringify(row)}, toArray ${ids}`);
        }
      }
    });
    await documents.preload();
    assert.equal(documents.size, 0); // the collection's reads are now cached
    documents.insert({ id: 'a', name: 'A' });
    documents.insert({ id: 'b', name: 'B' });
    await documents.update('b', (d) => { d.name = 'B2'; }).isPersisted.promise;
    await db.execute('DELETE FROM documents WHERE id = ?', ['a']);
    await waitFor(() => documents.size === 1 && deliveries >= 4, 'the delete to be delivered');
    assert.deepEqual(stale, [], `startSync ${startSync}`);
    assert.deepEqual(documents.toArray.map((r) => [r.id, r.name]), [['b', 'B2']]);
  }
});

test('a large initial load that yields to the event loop completes in Node', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  await db.execute("INSERT INTO documents (id, name, n) SELECT printf('d%06d', value), 'doc ' || value, value FROM generate_series(1, 30000)");
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await documents.preload(); // 30 batches: the load hands the thread back between them
  assert.equal(documents.size, 30000);
  assert.equal(documents.get('d030000').n, 30000);
});
