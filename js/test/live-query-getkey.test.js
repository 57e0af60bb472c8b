// createLiveQueryCollection({ query, getKey }), as TanStack DB's
// LiveQueryCollectionConfig.getKey: the result is keyed by what getKey
// returns (get, has, keys, entries, state, forEach and change messages),
// not by the engine's key (here a join's [todo,user] pair).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions, createLiveQueryCollection, eq, Schema, Table, column } from '../index.js';
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
