import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, createCollection, powerSyncCollectionOptions, createTransaction, PowerSyncTransactor,
  MissingMutationFunctionError, TransactionNotPendingMutateError, TransactionNotPendingCommitError,
  TransactionAlreadyCompletedRollbackError,
} from '../index.js';
import { openDatabase } from './helpers.js';

async function setup() {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  const notes = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'notes' }));
  await Promise.all([documents.preload(), notes.preload()]);
  return { db, documents, notes };
}

test('mutations across collections commit in one SQLite transaction with one transactionId', async () => {
  const { db, documents, notes } = await setup();
  const tx = createTransaction({
    autoCommit: false,
    mutationFn: async ({ transaction }) => { await new PowerSyncTransactor({ database: db }).applyTransaction(transaction); },
  });
  tx.mutate(() => {
    documents.insert({ id: 'd1', name: 'a' });
    documents.insert({ id: 'd2', name: 'b' });
    notes.insert({ id: 'n1', body: 'c' });
  });
  assert.equal(tx.state, 'pending');
  assert.equal(tx.mutations.length, 3);
  assert.equal(tx.mutations[0].collection, documents);
  assert.equal(documents.size, 2);
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 0);
  await tx.commit();
  await tx.isPersisted.promise;
  assert.equal(tx.state, 'completed');
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 2);
  const crud = await db.getNextCrudTransaction();
  assert.equal(crud.crud.length, 3);
  assert.deepEqual(new Set(crud.crud.map((e) => e.table)), new Set(['documents', 'notes']));
});

test('a failing mutationFn rolls back the optimistic state, writes nothing and rejects isPersisted with the cause', async () => {
  const { db, documents } = await setup();
  const cause = new Error('server said no');
  const tx = createTransaction({ autoCommit: false, mutationFn: async () => { throw cause; } });
  tx.mutate(() => documents.insert({ id: 'r', name: 'doomed' }));
  assert.equal(documents.size, 1);
  await assert.rejects(tx.commit(), (e) => e === cause);
  assert.equal(tx.state, 'failed');
  await assert.rejects(tx.isPersisted.promise, (e) => e === cause);
  assert.equal(documents.size, 0);
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 0);
  assert.equal(await db.getNextCrudTransaction(), null);
});

test('a transactor write that fails in SQLite rolls back every mutation of the transaction', async () => {
  const { db, documents } = await setup();
  await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['taken', 'sql']);
  const tx = createTransaction({
    autoCommit: false,
    mutationFn: async ({ transaction }) => {
      await db.execute('CREATE TEMP TRIGGER fail_x BEFORE INSERT ON ps_data__documents WHEN NEW.id = \'bad\' BEGIN SELECT RAISE(ABORT, \'rejected by trigger\'); END');
      await new PowerSyncTransactor({ database: db }).applyTransaction(transaction);
    },
  });
  tx.mutate(() => {
    documents.insert({ id: 'good', name: 'g' });
    documents.insert({ id: 'bad', name: 'b' });
  });
  await assert.rejects(tx.commit(), /rejected by trigger/);
  await assert.rejects(tx.isPersisted.promise, Error);
  assert.equal(await db.getOptional('SELECT id FROM documents WHERE id = ?', ['good']), null);
  assert.equal(documents.has('good'), false);
});

test('rollback fails the transaction and rejects isPersisted with an Error', async () => {
  const { documents } = await setup();
  const tx = createTransaction({ autoCommit: false, mutationFn: async () => {} });
  tx.mutate(() => documents.insert({ id: 'z' }));
  tx.rollback();
  assert.equal(tx.state, 'failed');
  assert.equal(documents.has('z'), false);
  await assert.rejects(tx.isPersisted.promise, (e) => e instanceof Error);
  assert.throws(() => tx.mutate(() => {}), TransactionNotPendingMutateError);
  await assert.rejects(tx.commit(), TransactionNotPendingCommitError);
});

test('rollback of a completed transaction throws TransactionAlreadyCompletedRollbackError', async () => {
  await init();
  const tx = createTransaction({ mutationFn: async () => {} });
  await tx.commit();
  assert.equal(tx.state, 'completed');
  assert.throws(() => tx.rollback(), (e) => e instanceof TransactionAlreadyCompletedRollbackError && e.name === 'TransactionAlreadyCompletedRollbackError');
});

test('autoCommit transactions commit when mutate returns', async () => {
  const { db, documents } = await setup();
  const tx = createTransaction({ mutationFn: ({ transaction }) => new PowerSyncTransactor({ database: db }).applyTransaction(transaction) });
  tx.mutate(() => documents.insert({ id: 'auto' }));
  assert.notEqual(tx.state, 'pending');
  await tx.isPersisted.promise;
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 1);
});

test('createTransaction without mutationFn throws MissingMutationFunctionError; bad options are TypeErrors', async () => {
  await init();
  assert.throws(() => createTransaction({}), (e) => e instanceof MissingMutationFunctionError && e.name === 'MissingMutationFunctionError');
  assert.throws(() => createTransaction({ mutationFn: 1 }), { name: 'TypeError', message: /mutationFn/ });
  assert.throws(() => createTransaction({ mutationFn() {}, autocommit: true }), { name: 'TypeError', message: /autocommit/ });
  const tx = createTransaction({ mutationFn: async () => {} });
  assert.throws(() => tx.mutate(), { name: 'TypeError', message: /callback/ });
});

// Every observable of a transaction, read at one moment.
function observed(tx) {
  return { state: tx.state, pending: tx.isPersisted.isPending(), error: tx.error?.error };
}

test('a transaction\'s observables agree however late they are first read', async () => {
  const { documents } = await setup();
  // Never touched until the engine has finished it.
  const tx = documents.insert({ id: 'late', name: 'x' });
  const { waitFor } = await import('./helpers.js');
  await waitFor(() => tx.state === 'completed', 'the insert to complete');
  assert.deepEqual(observed(tx), { state: 'completed', pending: false, error: undefined });
  assert.equal(await tx.isPersisted.promise, tx);
  assert.equal(tx.isPersisted, tx.isPersisted, 'one isPersisted object');

  // Right after commit() resolves.
  const manual = createTransaction({ autoCommit: false, mutationFn: async () => {} });
  manual.mutate(() => documents.insert({ id: 'manual', name: 'y' }));
  assert.deepEqual(observed(manual), { state: 'pending', pending: true, error: undefined });
  await manual.commit();
  assert.deepEqual(observed(manual), { state: 'completed', pending: false, error: undefined });

  // A failure: state, error, isPending and the promise tell the same story.
  const cause = new Error('refused');
  const failing = createTransaction({ autoCommit: false, mutationFn: async () => { throw cause; } });
  failing.mutate(() => documents.insert({ id: 'failing', name: 'z' }));
  await assert.rejects(failing.commit(), (e) => e === cause);
  assert.deepEqual(observed(failing), { state: 'failed', pending: false, error: cause });
  assert.equal(failing.error.message, 'refused');
  await assert.rejects(failing.isPersisted.promise, (e) => e === cause);

  // Rolled back before anyone asked.
  const rolled = createTransaction({ autoCommit: false, mutationFn: async () => {} });
  rolled.mutate(() => documents.insert({ id: 'rolled', name: 'w' }));
  rolled.rollback();
  const o = observed(rolled);
  assert.equal(o.state, 'failed');
  assert.equal(o.pending, false);
  assert.ok(o.error instanceof Error);
  await assert.rejects(rolled.isPersisted.promise, (e) => e === o.error);
});
