// PowerSync's readLock and writeLock (the lock without a transaction), and
// the database events of registerListener besides statusChanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, PowerSyncDatabase, Schema, Table, column, TransactionReentryError, createCollection, powerSyncCollectionOptions } from '../index.js';
import { appSchema, openDatabase, waitFor } from './helpers.js';

test('writeLock runs each statement as its own commit, holding the lock throughout', async () => {
  const db = await openDatabase();
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const order = [];
  const locked = db.writeLock(async (ctx) => {
    await ctx.execute("INSERT INTO documents (id, name) VALUES ('a', 'A')");
    await assert.rejects(ctx.execute('INSERT INTO nowhere VALUES (1)'), /no such table: nowhere/);
    assert.deepEqual(await ctx.getAll('SELECT id FROM documents'), [{ id: 'a' }]);
    assert.deepEqual(await ctx.get("SELECT name FROM documents WHERE id = 'a'"), { name: 'A' });
    assert.equal(await ctx.getOptional("SELECT name FROM documents WHERE id = 'zz'"), null);
    assert.deepEqual(await ctx.executeRaw("SELECT id, name FROM documents"), [['a', 'A']]);
    await gate;
    order.push('lock done');
    throw new Error('the callback fails after its writes');
  });
  // A call from outside waits for the lock.
  const outside = db.getAll('SELECT id FROM documents').then((rows) => { order.push('outside read'); return rows; });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(order, [], 'the outside read waits while the lock is held');
  release();
  await assert.rejects(locked, /the callback fails after its writes/);
  assert.deepEqual(await outside, [{ id: 'a' }], 'the write committed on its own, though the callback threw');
  assert.deepEqual(order, ['lock done', 'outside read']);
  const queue = await db.getCrudBatch(10);
  assert.deepEqual(queue.crud.map((e) => `${e.op} ${e.id}`), ['PUT a']);
  assert.equal(await db.writeLock(async (ctx) => (await ctx.execute("UPDATE documents SET n = 1 WHERE id = 'a'")).rowsAffected), 0,
    'rowsAffected as for execute (views write through triggers)');
  assert.deepEqual(await db.get("SELECT n FROM documents WHERE id = 'a'"), { n: 1 });
});

test('readLock reads, refuses writes, and db calls inside a lock callback say to use its context', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name) VALUES ('r', 'R')");
  const n = await db.readLock(async (ctx) => {
    await assert.rejects(ctx.execute("DELETE FROM documents"),
      (e) => e.message === 'this statement writes: it cannot run in readTransaction or readLock (use writeTransaction or writeLock)');
    return (await ctx.get('SELECT count(*) AS n FROM documents')).n;
  });
  assert.equal(n, 1);
  for (const kind of ['readLock', 'writeLock']) {
    await db[kind](async () => {
      await assert.rejects(db.getAll('SELECT 1'), (e) => e instanceof TransactionReentryError && e.message.includes(`inside a ${kind} callback`));
    });
  }
  await assert.rejects(db.writeLock('nope'), TypeError);
});

test('registerListener: initialized, schemaChanged, closing and closed, as PowerSync calls them', async () => {
  await init();
  const db = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: ':memory:' } });
  const events = [];
  db.registerListener({
    initialized: () => events.push('initialized'),
    schemaChanged: (schema) => events.push(`schemaChanged ${Object.keys(schema.props).join(',')}`),
    closing: async () => { await new Promise((r) => setTimeout(r, 10)); events.push('closing'); },
    closed: async () => { await new Promise((r) => setTimeout(r, 10)); events.push('closed'); },
  });
  const dispose = db.registerListener({ initialized: () => events.push('disposed listener') });
  dispose();
  db.registerListener({ initialized: () => { throw new Error('a failing listener does not stop the others'); } });
  await db.init();
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events, ['initialized']);
  await db.updateSchema(new Schema({ extra: new Table({ x: column.text }) }));
  assert.deepEqual(events, ['initialized', 'schemaChanged extra']);
  await db.close();
  assert.deepEqual(events, ['initialized', 'schemaChanged extra', 'closing', 'closed'], 'close() awaits closing and closed');
  await db.close();
  assert.equal(events.length, 4, 'a second close() sends nothing');
  for (const event of ['initialized', 'schemaChanged', 'closing', 'closed', 'statusChanged']) {
    assert.throws(() => db.registerListener({ [event]: 1 }), (e) => e instanceof TypeError && e.message.includes(`listener.${event}`));
  }
});

test("a collection's subscriberCount and subscribers:change events follow its subscriptions", async () => {
  const { createCollection, powerSyncCollectionOptions, createLiveQueryCollection } = await import('../index.js');
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await documents.preload();
  assert.equal(documents.subscriberCount, 0);
  const events = [];
  documents.on('subscribers:change', (e) => {
    assert.equal(e.collection, documents);
    events.push(`${e.type} ${e.previousSubscriberCount}->${e.subscriberCount}`);
  });
  const sub = documents.subscribeChanges(() => {});
  assert.equal(documents.subscriberCount, 1);
  const query = createLiveQueryCollection((q) => q.from({ d: documents }));
  await query.preload();
  assert.equal(documents.subscriberCount, 2, 'a live query reading the collection subscribes to it');
  sub.unsubscribe();
  assert.equal(documents.subscriberCount, 1);
  const waiting = ['subscribers:change 0->1', 'subscribers:change 1->2', 'subscribers:change 2->1'];
  await waitFor(() => events.length >= waiting.length, () => `events ${events}`);
  assert.deepEqual(events, waiting);
  assert.throws(() => documents.on('status:unknown', () => {}), (e) => e instanceof TypeError && e.message.includes('subscribers:change'));
  await query.cleanup();
});

test('BEGIN or SAVEPOINT through a lock context is refused before it runs, and the database stays usable (trial 16b #1)', async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const docs = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await docs.preload();
  const refused = (e) => e instanceof Error && /^transaction-control statements \(BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT, RELEASE\) are refused/.test(e.message);
  for (const sql of ['BEGIN', 'BEGIN IMMEDIATE', 'SAVEPOINT a', 'RELEASE a', 'COMMIT', 'ROLLBACK', 'END']) {
    await db.writeLock(async (ctx) => { await assert.rejects(ctx.execute(sql), refused, `writeLock ${sql}`); });
    await db.readLock(async (ctx) => { await assert.rejects(ctx.execute(sql), refused, `readLock ${sql}`); });
  }
  await assert.rejects(db.execute('BEGIN'), refused, 'plain execute: the same rule');
  await db.execute("INSERT INTO documents (id, name) VALUES ('e', 'E')");
  await db.writeTransaction((tx) => tx.execute("INSERT INTO documents (id, name) VALUES ('w', 'W')"));
  assert.deepEqual(await db.readTransaction((tx) => tx.getAll('SELECT id FROM documents ORDER BY id')), [{ id: 'e' }, { id: 'w' }]);
  const tx = docs.insert({ id: 'c', name: 'C' });
  await tx.isPersisted.promise;
  assert.deepEqual(await db.get("SELECT name FROM documents WHERE id = 'c'"), { name: 'C' });
});
