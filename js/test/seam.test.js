// The faults of issue 10 at the seam between JS and Go: keys, misuse,
// user text kept as given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createCollection, powerSyncCollectionOptions, createTransaction, convertPowerSyncSchemaToSpecs,
  SchemaValidationError, UndefinedKeyError, InvalidKeyError, MissingUpdateArgumentError,
} from '../index.js';
import { appSchema, openDatabase } from './helpers.js';

async function setup() {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  const notes = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.notes }));
  await Promise.all([documents.preload(), notes.preload()]);
  return { db, schema, documents, notes };
}

test('any text is a key, in every collection and every operation; only a missing id is UndefinedKeyError', async () => {
  const { db, schema, documents } = await setup();
  await db.execute("INSERT INTO documents (id, name) VALUES ('', 'by sql')");
  // A collection created after the row, and the live one.
  const later = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await later.preload();
  for (const c of [documents, later]) {
    assert.equal(c.has(''), true);
    assert.equal(c.get('')?.name, 'by sql');
    assert.deepEqual([...c.keys()], ['']);
  }
  for (const key of [' ', '\t', 'é', '🙂', '"quoted"']) {
    await documents.insert({ id: key, name: 'v1' }).isPersisted.promise;
    assert.equal(later.get(key)?.name, 'v1', `key ${JSON.stringify(key)} inserted`);
    await documents.update(key, (d) => { d.name = 'v2'; }).isPersisted.promise;
    assert.equal((await db.get('SELECT name FROM documents WHERE id = ?', [key])).name, 'v2');
    await documents.delete(key).isPersisted.promise;
    assert.equal(later.has(key), false);
  }
  await documents.update('', (d) => { d.name = 'changed'; }).isPersisted.promise;
  await documents.delete('').isPersisted.promise;
  await documents.insert({ id: '', name: 'again' }).isPersisted.promise;
  const queued = (await db.getAll('SELECT data FROM ps_crud ORDER BY id')).map((r) => JSON.parse(r.data)).filter((e) => e.id === '');
  assert.deepEqual(queued.map((e) => e.op), ['PUT', 'PATCH', 'DELETE', 'PUT']);
  for (const item of [{ name: 'no id' }, { id: undefined, name: 'x' }, { id: null, name: 'x' }]) {
    assert.throws(() => documents.insert(item), UndefinedKeyError);
  }
  assert.throws(() => documents.insert({ id: 5 }), (e) => e instanceof InvalidKeyError || e instanceof SchemaValidationError);
});

test('misuse throws the class TanStack DB would, with a message that says what to do', async () => {
  const { documents } = await setup();
  await documents.insert({ id: 'L1', name: 'x' }).isPersisted.promise;
  assert.throws(() => documents.insert({ id: 'x', color: 'red' }),
    (e) => e instanceof SchemaValidationError && e.type === 'insert' && e.issues.some((i) => i.path[0] === 'color' && /color/.test(i.message)));
  assert.throws(() => documents.update('L1', (d) => { d.color = 'red'; }),
    (e) => e instanceof SchemaValidationError && e.type === 'update' && e.issues.some((i) => i.path[0] === 'color'));
  // A changes object where the draft callback belongs.
  assert.throws(() => documents.update('L1', { name: 'x' }),
    (e) => e instanceof MissingUpdateArgumentError && /callback/.test(e.message) && /update\(/.test(e.message));
  assert.throws(() => documents.update('L1', { metadata: { a: 1 } }), (e) => e instanceof MissingUpdateArgumentError && /callback/.test(e.message));
  assert.throws(() => documents.update('L1'), MissingUpdateArgumentError);
  assert.throws(() => documents.insert({ id: 'x', n: 'not a number' }), SchemaValidationError);
  assert.throws(() => documents.insert({ id: 'x', name: 5 }), SchemaValidationError);
  assert.equal(documents.size, 1);
});

test('the table specs and the collection agree: one set of rules', async () => {
  const { schema } = await setup();
  const spec = convertPowerSyncSchemaToSpecs(schema).documents;
  const check = (v) => spec['~standard'].validate(v).issues?.map((i) => i.path[0]) ?? [];
  assert.deepEqual(check({ id: 'a', name: 'x', n: 1 }), []);
  assert.deepEqual(check({ id: 'a', n: 'x' }), ['n']);
  assert.deepEqual(check({ id: 'a', color: 'red' }), ['color']);
});

test('metadata is queued and read back as JSON.stringify gives it: key order, escapes, numbers', async () => {
  const { db, notes } = await setup();
  const metadata = { workspaceId: 'w1', reason: '<cleanup> & "done"', big: 1e21, small: 0.1, nested: { z: 1, a: [true, null] }, 'é': 'ü' };
  const text = JSON.stringify(metadata);
  const ins = notes.insert({ id: 'n1', body: 'b' }, { metadata });
  assert.equal(JSON.stringify(ins.mutations[0].metadata), text);
  await ins.isPersisted.promise;
  const upd = notes.update('n1', { metadata }, (d) => { d.body = 'c'; });
  assert.equal(JSON.stringify(upd.mutations[0].metadata), text);
  await upd.isPersisted.promise;
  const del = notes.delete('n1', { metadata });
  assert.equal(JSON.stringify(del.mutations[0].metadata), text);
  await del.isPersisted.promise;
  const queued = (await db.getAll('SELECT data FROM ps_crud ORDER BY id')).map((r) => JSON.parse(r.data).metadata);
  assert.deepEqual(queued, [text, text, text]);
  const tx = createTransaction({ autoCommit: false, mutationFn: async () => {}, metadata });
  assert.equal(JSON.stringify(tx.metadata), text);
  const batch = await db.getCrudBatch();
  assert.deepEqual(batch.crud.map((e) => e.metadata), [text, text, text]);
});
