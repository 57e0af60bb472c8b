// Collection and LiveQueryCollection wait for their engine object, preload
// and clean up by one piece of code (js/engine-collection.js), and
// collection.js and live-query.js no longer import each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  Collection, LiveQueryCollection, createCollection, powerSyncCollectionOptions, createLiveQueryCollection, eq,
} from '../index.js';
import { appSchema, openDatabase, waitFor } from './helpers.js';

const SHARED = ['preload', 'stateWhenReady', 'toArrayWhenReady', 'cleanup'];

test('the lifecycle methods have one home, and the two modules no cycle', () => {
  const base = Object.getPrototypeOf(Collection.prototype);
  assert.equal(Object.getPrototypeOf(LiveQueryCollection.prototype), base);
  for (const m of SHARED) {
    assert.equal(Object.hasOwn(base, m), true, `${m} on the shared base`);
    assert.equal(Object.hasOwn(Collection.prototype, m), false, `Collection does not redefine ${m}`);
    assert.equal(Object.hasOwn(LiveQueryCollection.prototype, m), false, `LiveQueryCollection does not redefine ${m}`);
  }
  const imports = (file) => [...readFileSync(new URL(`../${file}`, import.meta.url), 'utf8').matchAll(/from '\.\/([\w-]+\.js)'/g)].map((m) => m[1]);
  assert.equal(imports('collection.js').includes('live-query.js'), false);
  assert.equal(imports('live-query.js').includes('collection.js'), false);
});

test('both kinds preload, read when ready and clean up alike', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  await db.execute("INSERT INTO documents (id, name, n) VALUES ('a', 'A', 1), ('b', 'B', 2)");
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents, startSync: false }));
  const ones = createLiveQueryCollection({ query: (q) => q.from({ d: documents }).where(({ d }) => eq(d.n, 1)), startSync: false });
  for (const [c, ids] of [[documents, ['a', 'b']], [ones, ['a']]]) {
    assert.equal(c.status, 'idle');
    assert.deepEqual((await c.toArrayWhenReady()).map((r) => r.id), ids);
    assert.equal(c.status, 'ready');
    assert.deepEqual([...(await c.stateWhenReady()).keys()], ids);
    await c.preload(); // again: resolves at once
  }
  await ones.cleanup();
  assert.equal(ones.status, 'cleaned-up');
  await documents.cleanup();
  assert.equal(documents.status, 'cleaned-up');
  assert.equal(documents.size, 0);
  // Reading again restarts them.
  assert.deepEqual((await ones.toArrayWhenReady()).map((r) => r.id), ['a']);
  await waitFor(() => documents.status === 'ready', 'the source restarted with the query');
  assert.deepEqual(documents.toArray.map((r) => r.id), ['a', 'b']);
});
