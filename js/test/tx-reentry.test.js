// A call on the database inside one of its own transaction callbacks waits
// for the lock that transaction holds: PowerSync hangs there in silence.
// Here it rejects at once with TransactionReentryError naming the tx method
// to use (Node tells which callback a call belongs to), and where that
// cannot be told, a warning after LOCK_WAIT_WARNING_MS names the way out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransactionReentryError, createCollection, powerSyncCollectionOptions } from '../index.js';
import { appSchema, openDatabase } from './helpers.js';

const INSERT = "INSERT INTO documents (id, name) VALUES ('in', 'x')";

test('db calls inside a transaction callback reject with TransactionReentryError naming the tx method', { timeout: 20000 }, async () => {
  const db = await openDatabase();
  const calls = {
    execute: () => db.execute(INSERT),
    getAll: () => db.getAll('SELECT 1'),
    get: () => db.get('SELECT 1 AS one'),
    getOptional: () => db.getOptional('SELECT 1'),
    executeRaw: () => db.executeRaw('SELECT 1'),
    executeBatch: () => db.executeBatch(INSERT, [[]]),
    writeTransaction: () => db.writeTransaction(async () => {}),
    readTransaction: () => db.readTransaction(async () => {}),
    getCrudBatch: () => db.getCrudBatch(),
    getNextCrudTransaction: () => db.getNextCrudTransaction(),
    getUploadQueueStats: () => db.getUploadQueueStats(),
  };
  for (const kind of ['writeTransaction', 'readTransaction']) {
    for (const [name, run] of Object.entries(calls)) {
      const result = await db[kind](async (tx) => {
        await tx.getAll('SELECT 1'); // after an await too
        await assert.rejects(run(), (e) => {
          assert.ok(e instanceof TransactionReentryError, `${kind}/${name}: ${e}`);
          assert.equal(e.name, 'TransactionReentryError');
          assert.match(e.message, new RegExp(`db\\.${name === 'executeBatch' ? 'writeTransaction' : name}\\(\\) called inside a ${kind} callback`));
          assert.match(e.message, /tx\.\w+\(\.\.\.\)/);
          return true;
        });
        return 'done';
      });
      assert.equal(result, 'done', 'the transaction itself goes on');
    }
  }
  assert.match(new TransactionReentryError('getAll').message, /tx\.getAll\(\.\.\.\)/);
  assert.match(new TransactionReentryError().message, /tx argument/);
  // The database is usable, and the tx argument works.
  await db.writeTransaction((tx) => tx.execute(INSERT));
  assert.deepEqual(await db.getAll('SELECT id FROM documents'), [{ id: 'in' }]);
});

test('calls that merely start in a transaction callback are not refused', { timeout: 20000 }, async () => {
  const schema = appSchema();
  const db = await openDatabase(':memory:', schema);
  const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
  await documents.preload();
  // A subscriber the engine calls while the callback runs is not part of it.
  const reads = [];
  const sub = documents.subscribeChanges(() => { reads.push(db.getAll('SELECT id FROM documents')); });
  let later;
  let release;
  const ended = new Promise((resolve) => { release = resolve; });
  await db.writeTransaction(async (tx) => {
    documents.insert({ id: 'c' });
    await tx.execute(INSERT);
    // Scheduled inside, run after the transaction ended.
    later = ended.then(() => db.getAll("SELECT id FROM documents WHERE id = 'in'"));
  });
  release();
  sub.unsubscribe();
  assert.ok(reads.length > 0, 'the subscriber ran');
  await Promise.all(reads);
  assert.deepEqual((await later).map((r) => r.id), ['in'], 'the read ran after the commit');
});

test('a call the runtime cannot place waits, and after a while a warning names tx.execute', { timeout: 30000 }, async (t) => {
  const db = await openDatabase();
  const warnings = [];
  let warned;
  const warning = new Promise((resolve) => { warned = resolve; });
  t.mock.method(console, 'warn', (...args) => { warnings.push(args.join(' ')); warned(); });
  // Its promise chain began outside the transaction: the callback awaits it
  // all the same, so it waits for the lock the transaction holds.
  let go;
  const outside = new Promise((resolve) => { go = resolve; }).then(() => db.execute(INSERT));
  await db.writeTransaction(async () => {
    go();
    await Promise.race([outside, warning]);
  });
  await outside; // ran once the transaction ended
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /db\.execute\(\) has waited 5 s for the database's lock, which a writeTransaction callback holds/);
  assert.match(warnings[0], /tx\.execute\(\.\.\.\)/);
  assert.deepEqual(await db.getAll('SELECT id FROM documents'), [{ id: 'in' }]);
});
