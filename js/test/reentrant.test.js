// Mutations made inside callbacks: they persist after the change they react
// to, and every read made afterwards, in the same callback too, shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions } from '../index.js';
import { appSchema, openDatabase, waitFor } from './helpers.js';

async function setup() {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await documents.preload();
  return { db, documents };
}

test('an update made in a subscriber persists after the update it reacts to', async () => {
  const { db, documents } = await setup();
  const keys = ['a', 'b', 'c', 'd'];
  await documents.insert(keys.map((id) => ({ id, name: 'new' }))).isPersisted.promise;
  const txs = [];
  const sub = documents.subscribeChanges((changes) => {
    for (const c of changes) {
      if (c.type === 'update' && c.value.name === 'edited') txs.push(documents.update(c.key, (d) => { d.name = 'reacted'; }));
    }
  }, { includeInitialState: false });
  for (const id of keys) txs.push(documents.update(id, (d) => { d.name = 'edited'; }));
  assert.equal(txs.length, 2 * keys.length, 'the subscriber reacted to each update');
  await Promise.all(txs.map((tx) => tx.isPersisted.promise));
  sub.unsubscribe();
  for (const id of keys) {
    assert.deepEqual(await db.get('SELECT name FROM documents WHERE id = ?', [id]), { name: 'reacted' }, `SQLite's ${id}`);
  }
  await waitFor(() => keys.every((id) => documents.get(id).name === 'reacted'), 'the collection shows the last writes');
  const order = [];
  for (const e of (await db.getCrudBatch(1000)).crud) if (e.op === 'PATCH') order.push(`${e.id}=${e.opData.name}`);
  assert.deepEqual(order, keys.flatMap((id) => [`${id}=edited`, `${id}=reacted`]), 'the upload queue in commit order');
});

test('reads inside a change callback show the mutations the callback made', async () => {
  const { documents } = await setup();
  await documents.insert([{ id: 'a', name: 'A', n: 1 }, { id: 'b', name: 'B', n: 2 }]).isPersisted.promise;
  // Fill the read cache, so that a stale entry would be returned.
  assert.equal(documents.get('a').n, 1);
  assert.equal(documents.toArray.length, 2);
  let seen = null;
  const sub = documents.subscribeChanges((changes) => {
    if (seen || !changes.some((c) => c.key === 'b' && c.value.name === 'B2')) return;
    documents.update('a', (d) => { d.n = 10; });
    const afterUpdate = documents.get('a')?.n;
    documents.update('a', (d) => { d.n += 1; }); // the draft starts from the callback's own update
    documents.delete('b');
    documents.insert({ id: 'c', name: 'C', n: 3 });
    seen = {
      afterUpdate,
      a: documents.get('a')?.n,
      hasB: documents.has('b'),
      hasC: documents.has('c'),
      size: documents.size,
      names: documents.toArray.map((r) => r.name),
      keys: [...documents.keys()],
      state: [...documents.state.keys()],
    };
  }, { includeInitialState: false });
  documents.update('b', (d) => { d.name = 'B2'; });
  sub.unsubscribe();
  assert.deepEqual(seen, {
    afterUpdate: 10, a: 11, hasB: false, hasC: true, size: 2,
    names: ['A', 'C'], keys: ['a', 'c'], state: ['a', 'c'],
  });
  assert.equal(documents.get('a').n, 11);
});
