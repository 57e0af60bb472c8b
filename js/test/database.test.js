import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { PowerSyncDatabase, CrudEntry } from '../index.js';
import { appSchema, openDatabase, tempDir, waitFor } from './helpers.js';

test('execute returns rowsAffected and rows; getAll/get/getOptional read through the view', async () => {
  const db = await openDatabase();
  // Writes to a view go through INSTEAD OF triggers, which SQLite does not
  // count in changes(); a plain table shows rowsAffected.
  await db.execute('INSERT INTO documents (id, name, n, score) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
    ['a', 'first', 1, 0.5, 'b', 'second', 2, null]);
  await db.execute('CREATE TEMP TABLE scratch (x)');
  const r = await db.execute('INSERT INTO scratch VALUES (?), (?)', [1, 2]);
  assert.equal(r.rowsAffected, 2);
  const sel = await db.execute('SELECT id, name FROM documents ORDER BY id');
  assert.equal(sel.rows.length, 2);
  assert.deepEqual(sel.rows._array, [{ id: 'a', name: 'first' }, { id: 'b', name: 'second' }]);
  assert.deepEqual(sel.rows.item(1), { id: 'b', name: 'second' });
  assert.deepEqual(await db.getAll('SELECT id, n, score FROM documents ORDER BY id'), [
    { id: 'a', n: 1, score: 0.5 }, { id: 'b', n: 2, score: null }]);
  assert.deepEqual(await db.get('SELECT name FROM documents WHERE id = ?', ['b']), { name: 'second' });
  assert.equal(await db.getOptional('SELECT name FROM documents WHERE id = ?', ['zzz']), null);
  await assert.rejects(db.get('SELECT name FROM documents WHERE id = ?', ['zzz']), /empty|no rows/i);
});

test('parameters keep their types: blobs, booleans, nulls, large integers, text', async () => {
  const db = await openDatabase();
  const row = await db.get('SELECT ? AS b, typeof(?) AS t, ? AS yes, ? AS none, ? AS big, ? AS s',
    [new Uint8Array([1, 2, 255]), 3, true, null, 2 ** 40, 'é"\n']);
  assert.deepEqual(row.b, new Uint8Array([1, 2, 255]));
  assert.equal(row.t, 'integer');
  assert.equal(row.yes, 1);
  assert.equal(row.none, null);
  assert.equal(row.big, 2 ** 40);
  assert.equal(row.s, 'é"\n');
});

test('SQL errors carry SQLite\'s message', async () => {
  const db = await openDatabase();
  await assert.rejects(db.execute('SELECT * FROM no_such_table'), /no such table: no_such_table/);
  await assert.rejects(db.execute('SELEC 1'), /syntax error/);
});

test('bad argument types are TypeErrors naming the argument, and nothing runs', async () => {
  const db = await openDatabase();
  await assert.rejects(db.execute(42), { name: 'TypeError', message: /sql/ });
  await assert.rejects(db.execute('SELECT ?', 'x'), { name: 'TypeError', message: /params/ });
  await assert.rejects(db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['x', { a: 1 }]), { name: 'TypeError', message: /params\[1\]/ });
  assert.equal((await db.getAll('SELECT * FROM documents')).length, 0);
  await assert.rejects(db.writeTransaction('nope'), TypeError);
  assert.throws(() => db.onChange({ onChange() {} }, { tables: 'documents' }), TypeError);
});

test('writeTransaction commits when the callback resolves and every tx call reaches the same transaction', async () => {
  const db = await openDatabase();
  const result = await db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['1', 'one']);
    const seen = await tx.get('SELECT count(*) AS c FROM documents');
    await tx.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['2', 'two']);
    return seen.c;
  });
  assert.equal(result, 1);
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 2);
});

test('writeTransaction rolls back everything when the callback throws, with the thrown error', async () => {
  const db = await openDatabase();
  const boom = new Error('boom');
  await assert.rejects(db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['1', 'one']);
    throw boom;
  }), (e) => e === boom);
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 0);
  const crud = await db.getCrudBatch();
  assert.equal(crud, null);
});

test('a failing statement inside writeTransaction rolls the transaction back', async () => {
  const db = await openDatabase();
  await assert.rejects(db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['1', 'one']);
    await tx.execute('INSERT INTO nowhere VALUES (1)');
  }), /no such table/);
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 0);
});

test('a transaction object refuses statements once its callback has settled', async () => {
  const db = await openDatabase();
  let kept;
  await db.writeTransaction(async (tx) => { kept = tx; });
  await assert.rejects(kept.execute('SELECT 1'), /closed/);
});

test('readTransaction reads consistently and returns the callback result', async () => {
  const db = await openDatabase();
  await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['1', 'one']);
  const names = await db.readTransaction(async (tx) => (await tx.getAll('SELECT name FROM documents')).map((r) => r.name));
  assert.deepEqual(names, ['one']);
});

test('writes through the view land in the upload queue as PowerSync CrudEntries', async () => {
  const db = await openDatabase();
  await db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id, name, n) VALUES (?, ?, ?)', ['d1', 'a', 1]);
    await tx.execute('UPDATE documents SET n = ? WHERE id = ?', [2, 'd1']);
  });
  await db.execute('DELETE FROM documents WHERE id = ?', ['d1']);
  await db.execute('INSERT INTO notes (id, body, _metadata) VALUES (?, ?, ?)', ['n1', 'x', 'meta!']);

  assert.equal((await db.getUploadQueueStats()).count, 4);
  assert.ok((await db.getUploadQueueStats(true)).size > 0);
  const batch = await db.getCrudBatch(2);
  assert.equal(batch.haveMore, true);
  assert.equal(batch.crud.length, 2);
  const [put, patch] = batch.crud;
  assert.ok(put instanceof CrudEntry);
  assert.equal(put.op, 'PUT');
  assert.equal(put.table, 'documents');
  assert.equal(put.id, 'd1');
  assert.deepEqual(put.opData, { name: 'a', n: 1 });
  assert.equal(patch.op, 'PATCH');
  assert.deepEqual(patch.opData, { n: 2 });
  assert.equal(put.transactionId, patch.transactionId);
  assert.deepEqual(Object.keys(put.toJSON()).sort(), ['data', 'id', 'metadata', 'old', 'op', 'op_id', 'tx_id', 'type']);
  assert.equal(put.toJSON().op_id, put.clientId);

  const tx1 = await db.getNextCrudTransaction();
  assert.equal(tx1.crud.length, 2);
  assert.equal(tx1.transactionId, put.transactionId);
  await tx1.complete();

  const tx2 = await db.getNextCrudTransaction();
  assert.equal(tx2.crud.length, 1);
  assert.equal(tx2.crud[0].op, 'DELETE');
  assert.notEqual(tx2.transactionId, tx1.transactionId);
  await tx2.complete();

  const tx3 = await db.getNextCrudTransaction();
  assert.equal(tx3.crud[0].table, 'notes');
  assert.equal(tx3.crud[0].metadata, 'meta!');
  await tx3.complete();
  assert.equal(await db.getNextCrudTransaction(), null);
  assert.equal((await db.getUploadQueueStats()).count, 0);
});

test('onChange reports the changed tables once per committed write, and stops when disposed', async () => {
  const db = await openDatabase();
  const events = [];
  const dispose = db.onChange({ onChange: (e) => events.push(e.changedTables) }, { tables: ['documents'] });
  await db.execute('SELECT 1'); // the subscription starts once the database call queue has run
  await db.writeTransaction(async (tx) => {
    await tx.execute('INSERT INTO documents (id) VALUES (?)', ['1']);
    await tx.execute('INSERT INTO documents (id) VALUES (?)', ['2']);
  });
  await db.execute('INSERT INTO notes (id) VALUES (?)', ['x']);
  await waitFor(() => events.length >= 1, 'the documents event');
  await db.execute('SELECT 1');
  assert.equal(events.length, 1, 'one event for one transaction, none for the notes write');
  assert.ok(events[0].includes('documents') && !events[0].includes('notes'), `changed: ${events[0]}`);
  dispose();
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['3']);
  await db.execute('SELECT 1');
  assert.equal(events.length, 1);
});

test('onChange without a handler is an async iterable of events', async () => {
  const db = await openDatabase();
  const controller = new AbortController();
  const it = db.onChange({ tables: ['notes'], signal: controller.signal })[Symbol.asyncIterator]();
  const first = it.next();
  await db.execute('SELECT 1');
  await db.execute('INSERT INTO notes (id) VALUES (?)', ['1']);
  assert.ok((await first).value.changedTables.includes('notes'));
  controller.abort();
  assert.equal((await it.next()).done, true);
});

test('watch delivers the first result at once and a new one after each change', async () => {
  const db = await openDatabase();
  const seen = [];
  const dispose = db.watch('SELECT count(*) AS c FROM documents', [], { onResult: (r) => seen.push(r.rows._array[0].c) });
  await waitFor(() => seen.length === 1, 'the first result');
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['1']);
  await waitFor(() => seen.at(-1) === 1, 'the second result');
  dispose();
  await db.execute('INSERT INTO documents (id) VALUES (?)', ['2']);
  await db.execute('SELECT 1');
  assert.equal(seen.at(-1), 1);

  const results = [];
  for await (const r of db.watch('SELECT id FROM documents ORDER BY id')) {
    results.push(r.rows._array.map((x) => x.id));
    if (results.length === 1) await db.execute('INSERT INTO documents (id) VALUES (?)', ['3']);
    else break;
  }
  assert.deepEqual(results, [['1', '2'], ['1', '2', '3']]);
});

test('a file database keeps its data across close and reopen', async () => {
  const dir = tempDir();
  const file = join(dir, 'app.sqlite');
  const db = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['k', 'kept']);
  await db.close();
  assert.ok(existsSync(file));
  await assert.rejects(db.execute('SELECT 1'), /closed/);
  const again = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  assert.deepEqual(await again.get('SELECT name FROM documents WHERE id = ?', ['k']), { name: 'kept' });
  assert.equal((await again.getNextCrudTransaction()).crud[0].id, 'k');
  await again.close();
});

test('the storage errors are exported Error classes with their names and causes', async () => {
  const { DatabaseLockedError, PersistenceError } = await import('../index.js');
  const locked = new DatabaseLockedError('app.db');
  assert.ok(locked instanceof Error);
  assert.equal(locked.name, 'DatabaseLockedError');
  assert.match(locked.message, /"app\.db" is open in another tab, worker or process/);
  const cause = Object.assign(new Error('No space available'), { name: 'QuotaExceededError' });
  const failed = new PersistenceError('app.db', cause);
  assert.ok(failed instanceof Error);
  assert.equal(failed.name, 'PersistenceError');
  assert.equal(failed.cause, cause);
  assert.match(failed.message, /"app\.db".*not durable: QuotaExceededError: No space available/);
});
