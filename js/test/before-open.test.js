// A collection used while its database is still opening behaves as a
// TanStack DB collection whose source is loading: reads show the
// optimistic state, mutations are accepted at once and persist once the
// database has opened, or fail with the open's own typed error (nothing
// was acknowledged, nothing is half written).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  init, PowerSyncDatabase, createCollection, powerSyncCollectionOptions, createTransaction, PowerSyncTransactor,
  DatabaseLockedError, CollectionInErrorStateError,
} from '../index.js';
import { appSchema, tempDir } from './helpers.js';

function unopened(dbFilename) {
  const schema = appSchema();
  const db = new PowerSyncDatabase({ schema, database: { dbFilename } });
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  return { db, documents };
}

test('mutations made before the database opens show at once and persist once it opens', async () => {
  await init();
  const { db, documents } = unopened(join(tempDir(), 'early.db'));
  assert.equal(db.ready, false);
  const inserted = documents.insert([{ id: 'a', name: 'A', n: 1 }, { id: 'b', name: 'B' }, { id: '', name: 'empty key' }]);
  assert.equal(documents.status, 'loading');
  assert.deepEqual(documents.get('a'), { id: 'a', name: 'A', n: 1 });
  assert.equal(documents.size, 3);
  assert.deepEqual(documents.toArray.map((d) => d.id), ['', 'a', 'b']);
  const updated = documents.update('a', (d) => { d.name = 'A2'; });
  const deleted = documents.delete('b');
  assert.equal(documents.get('a').name, 'A2');
  assert.equal(documents.has('b'), false);
  await Promise.all([inserted, updated, deleted].map((tx) => tx.isPersisted.promise));
  assert.equal(db.ready, true);
  assert.deepEqual(await db.getAll('SELECT id, name, n FROM documents ORDER BY id'), [
    { id: '', name: 'empty key', n: null },
    { id: 'a', name: 'A2', n: 1 },
  ]);
  const queue = await db.getCrudBatch(10);
  assert.deepEqual(queue.crud.map((e) => `${e.op} ${e.id}`), ['PUT a', 'PUT b', 'PUT ', 'PATCH a', 'DELETE b']);
  await documents.preload();
  assert.equal(documents.status, 'ready');
  assert.deepEqual(documents.toArray.map((d) => d.id), ['', 'a']);
  await db.close();
});

test('a transaction of createTransaction made before the open persists with PowerSyncTransactor', async () => {
  await init();
  const { db, documents } = unopened(':memory:');
  const tx = createTransaction({
    autoCommit: false,
    mutationFn: ({ transaction }) => new PowerSyncTransactor({ database: db }).applyTransaction(transaction),
  });
  tx.mutate(() => documents.insert({ id: 't', name: 'in a transaction' }));
  assert.equal(documents.get('t').name, 'in a transaction');
  await tx.commit();
  assert.deepEqual(await db.getAll('SELECT id, name FROM documents'), [{ id: 't', name: 'in a transaction' }]);
  await db.close();
});

test('a failed open fails the waiting mutations with its typed error and rolls them back', async () => {
  await init();
  const file = join(tempDir(), 'held.db');
  const holder = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  await holder.init();
  try {
    const { db, documents } = unopened(file);
    const tx = documents.insert({ id: 'lost?', name: 'x' });
    assert.equal(documents.has('lost?'), true, 'optimistic while opening');
    await assert.rejects(tx.isPersisted.promise, (e) => e instanceof DatabaseLockedError && e.message.includes('held.db'));
    assert.equal(tx.state, 'failed');
    assert.ok(tx.error.error instanceof DatabaseLockedError);
    assert.equal(documents.has('lost?'), false, 'rolled back');
    assert.equal(documents.status, 'error');
    await assert.rejects(documents.preload(), DatabaseLockedError);
    assert.throws(() => documents.insert({ id: 'after' }), (e) => e instanceof CollectionInErrorStateError && e.cause instanceof DatabaseLockedError);
    await assert.rejects(db.init(), DatabaseLockedError);
    assert.equal((await holder.getAll('SELECT * FROM documents')).length, 0, 'nothing reached the file');
  } finally {
    await holder.close();
  }
});
