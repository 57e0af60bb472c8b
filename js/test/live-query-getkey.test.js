// createLiveQueryCollection({ query, getKey }), as TanStack DB's
// LiveQueryCollectionConfig.getKey: the result is keyed by what getKey
// returns (get, has, keys, entries, state, forEach and change messages),
// not by the engine's key (here a join's [todo,user] pair).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions, createLiveQueryCollection, eq, Schema, Table, column, DuplicateKeySyncError, CollectionOperationError } from '../index.js';
import { openDatabase, waitFor } from './helpers.js';

test('getKey keys the result of a live query', async () => {
  const s = new Schema({ todos: new Table({ title: column.text, owner: column.text }), users: new Table({ name: column.text }) });
  const db = await openDatabase(':memory:', s);
  await db.execute("INSERT INTO users (id, name) VALUES ('u1', 'Ann'), ('u2', 'Bob')");
  await db.execute("INSERT INTO todos (id, title, owner) VALUES ('t1', 'write', 'u1'), ('t2', 'ship', 'u2')");
  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: s.props.todos }));
  const users = createCollection(powerSyncCollectionOptions({ database: db, table: s.props.users }));
  const lq = createLiveQueryCollection({
    query: (q) => q.from({ todo: todos }).join({ user: users }, ({ todo, user }) => eq(todo.owner, user.id), 'inner')
      .select(({ todo, user }) => ({ title: todo.title, who: user.name })),
    getKey: (row) => `${row.who}/${row.title}`,
  });
  await lq.preload();
  assert.deepEqual([...lq.keys()].sort(), ['Ann/write', 'Bob/ship']);
  assert.deepEqual(lq.get('Bob/ship'), { title: 'ship', who: 'Bob' });
  assert.equal(lq.has('Ann/write'), true);
  assert.equal(lq.has('t1'), false);
  assert.deepEqual([...lq.state.entries()].sort(), [['Ann/write', { title: 'write', who: 'Ann' }], ['Bob/ship', { title: 'ship', who: 'Bob' }]]);
  const keysSeen = [];
  lq.forEach((_v, k) => keysSeen.push(k));
  assert.deepEqual(keysSeen.sort(), ['Ann/write', 'Bob/ship']);
  const changes = [];
  const sub = lq.subscribeChanges((cs) => changes.push(...cs.map((c) => `${c.type} ${c.key}`)), { includeInitialState: true });
  todos.insert({ id: 't3', title: 'test', owner: 'u1' });
  todos.delete('t2');
  await waitFor(() => changes.length >= 4, 'four changes');
  assert.deepEqual(changes.sort(), ['delete Bob/ship', 'insert Ann/test', 'insert Ann/write', 'insert Bob/ship']);
  assert.deepEqual(lq.get('Ann/test'), { title: 'test', who: 'Ann' });
  assert.equal(lq.get('Bob/ship'), undefined);
  sub.unsubscribe();
  assert.throws(() => createLiveQueryCollection({ query: (q) => q.from({ t: todos }), getKey: 'id' }), TypeError);
  await lq.cleanup();
});

// An update that changes a row's getKey is a delete of the old key and an
// insert of the new one (trial16b finding 2), with or without the initial
// state, and with an orderBy.
test('getKey: a row whose key changes leaves its old key', async () => {
  const s = new Schema({ t: new Table({ s: column.text, n: column.integer }) });
  const db = await openDatabase(':memory:', s);
  const T = createCollection(powerSyncCollectionOptions({ database: db, table: s.props.t }));
  await T.preload();
  T.insert([{ id: '1', s: 'a', n: 1 }, { id: '2', s: 'b', n: 1 }]);
  const lq = createLiveQueryCollection({ query: (q) => q.from({ t: T }), getKey: (r) => r.s });
  const ordered = createLiveQueryCollection({ query: (q) => q.from({ t: T }).orderBy(({ t }) => t.s), getKey: (r) => r.s.toUpperCase() });
  await lq.preload();
  await ordered.preload();
  const seen = [];
  const seenOrdered = [];
  const seenLater = [];
  const subs = [
    lq.subscribeChanges((cs) => seen.push(...cs.map((c) => `${c.type}:${c.key}`)), { includeInitialState: true }),
    ordered.subscribeChanges((cs) => seenOrdered.push(...cs.map((c) => `${c.type}:${c.key}`)), { includeInitialState: true }),
    lq.subscribeChanges((cs) => seenLater.push(...cs.map((c) => `${c.type}:${c.key}:${c.value.s}`))),
  ];
  await waitFor(() => seen.length >= 2 && seenOrdered.length >= 2, 'initial state');
  T.update('1', (d) => { d.s = 'q'; });
  T.update('2', (d) => { d.n = 2; }); // same key: stays an update
  await waitFor(() => seen.length >= 5 && seenOrdered.length >= 5 && seenLater.length >= 2, 'the updates');
  assert.deepEqual(seen, ['insert:a', 'insert:b', 'delete:a', 'insert:q', 'update:b']);
  assert.deepEqual(seenOrdered, ['insert:A', 'insert:B', 'delete:A', 'insert:Q', 'update:B']);
  // Without the initial state the engine sends a row this subscriber was
  // not given as an insert (as TanStack's subscription does): no delete of a.
  assert.deepEqual(seenLater, ['insert:q:q', 'insert:b:b']);
  assert.deepEqual([...lq.keys()].sort(), ['b', 'q']);
  assert.equal(lq.has('a'), false);
  assert.deepEqual(lq.get('q'), { id: '1', s: 'q', n: 1 });
  for (const sub of subs) sub.unsubscribe();
  await lq.cleanup();
  await ordered.cleanup();
  await db.close();
});

// Two rows with one key put the query in error, as TanStack DB's live
// query does on a duplicate synced key (DuplicateKeySyncError); so does a
// getKey that throws: preload() rejects with it (trial16b finding 3).
test('getKey: a duplicate key or a throwing getKey puts the query in error', async () => {
  const s = new Schema({ t: new Table({ s: column.text }) });
  const db = await openDatabase(':memory:', s);
  const T = createCollection(powerSyncCollectionOptions({ database: db, table: s.props.t }));
  await T.preload();
  T.insert([{ id: '1', s: 'x' }, { id: '2', s: 'x' }, { id: '3', s: 'y' }]);

  const dup = createLiveQueryCollection({ query: (q) => q.from({ t: T }), getKey: (r) => r.s });
  await assert.rejects(dup.preload(), (e) => e instanceof DuplicateKeySyncError && e instanceof CollectionOperationError
    && /key "x"/.test(e.message) && e.name === 'DuplicateKeySyncError');
  assert.equal(dup.status, 'error');
  assert.throws(() => dup.get('x'), DuplicateKeySyncError);
  assert.throws(() => [...dup.keys()], DuplicateKeySyncError);
  await dup.cleanup();

  const boom = new Error('getKey broke');
  const throwing = createLiveQueryCollection({ query: (q) => q.from({ t: T }), getKey: () => { throw boom; } });
  await assert.rejects(throwing.preload(), (e) => e === boom);
  assert.equal(throwing.status, 'error');
  await throwing.cleanup();

  // A key that becomes duplicate later: the query goes to error then.
  const later = createLiveQueryCollection({ query: (q) => q.from({ t: T }).where(({ t }) => eq(t.s, 'y')), getKey: (r) => r.s });
  await later.preload();
  assert.deepEqual([...later.keys()], ['y']);
  const got = [];
  const sub = later.subscribeChanges((cs) => got.push(...cs));
  T.update('1', (d) => { d.s = 'y'; });
  await waitFor(() => later.status === 'error', 'the query in error');
  assert.throws(() => later.get('y'), DuplicateKeySyncError);
  assert.deepEqual(got, []);
  sub.unsubscribe();
  await later.cleanup();
  await db.close();
});
