// PowerSync's Transaction: tx.commit() and tx.rollback() inside a
// writeTransaction/readTransaction callback decide how it ends (the first
// call wins; see DBAdapter's TransactionImplementation in @powersync/common),
// and writeTransaction(cb, lockTimeout) / readTransaction(cb, lockTimeout)
// give up waiting for the lock after lockTimeout ms without running cb.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from './helpers.js';

const names = async (db) => (await db.getAll('SELECT name FROM documents ORDER BY name')).map((r) => r.name);
const queued = async (db) => (await db.getUploadQueueStats()).count;

test('tx.rollback(): nothing is written or queued, and writeTransaction resolves with the callback result', async () => {
  const db = await openDatabase();
  const q0 = await queued(db);
  const r = await db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id, name) VALUES ('r1', 'rolled')");
    await tx.rollback();
    await assert.rejects(tx.execute("INSERT INTO documents (id, name) VALUES ('r2', 'after')"), /rolled back/);
    await tx.commit(); // the first decision stands
    return 'value';
  });
  assert.equal(r, 'value');
  assert.deepEqual(await names(db), []);
  assert.equal(await queued(db), q0);
  // A throw after rollback() rejects with that throw; still nothing written.
  await assert.rejects(db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id, name) VALUES ('r3', 'x')");
    await tx.rollback();
    throw new RangeError('mine');
  }), RangeError);
  assert.deepEqual(await names(db), []);
});

test('tx.commit(): the writes stay even when the callback then throws, and the throw reaches the caller', async () => {
  const db = await openDatabase();
  const q0 = await queued(db);
  const err = new RangeError('after commit');
  await assert.rejects(db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id, name) VALUES ('c1', 'kept')");
    await tx.commit();
    await tx.rollback(); // too late: commit decided
    await tx.execute("INSERT INTO documents (id, name) VALUES ('c2', 'kept too')");
    throw err;
  }), (e) => e === err);
  assert.deepEqual(await names(db), ['kept', 'kept too']);
  assert.equal(await queued(db), q0 + 2);
  // Without commit(), a throw still rolls back.
  await assert.rejects(db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id, name) VALUES ('c3', 'gone')");
    throw err;
  }), (e) => e === err);
  assert.deepEqual(await names(db), ['kept', 'kept too']);
  // readTransaction's tx has both too.
  assert.equal(await db.readTransaction(async (tx) => { await tx.commit(); return (await tx.getAll('SELECT 1 AS one'))[0].one; }), 1);
  assert.equal(await db.readTransaction(async (tx) => { await tx.rollback(); return 2; }), 2);
  // writeLock's context is not a transaction: no commit/rollback, as in PowerSync.
  await db.writeLock(async (ctx) => { assert.equal(ctx.commit, undefined); assert.equal(ctx.rollback, undefined); });
});

test('lockTimeout: the wait for a held lock ends with an Error and the callback never runs', { timeout: 20000 }, async () => {
  const db = await openDatabase();
  for (const kind of ['writeTransaction', 'readTransaction']) {
    let release;
    const held = db.writeTransaction(async (tx) => {
      await tx.execute("INSERT INTO documents (id, name) VALUES ('h', 'held')");
      await new Promise((r) => { release = r; });
    });
    while (!release) await new Promise((r) => setTimeout(r, 5));
    let ran = false;
    const t0 = Date.now();
    await assert.rejects(db[kind](async () => { ran = true; }, 100), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, new RegExp(`${kind}: the database's lock was not free within 100 ms`));
      return true;
    });
    assert.ok(Date.now() - t0 >= 90, 'rejected before lockTimeout');
    release();
    await held;
    // The lock arrives later: the abandoned callback still does not run.
    assert.deepEqual(await db.getAll('SELECT 1 AS one'), [{ one: 1 }]);
    assert.equal(ran, false);
    // With the lock free, the same call runs, and a long callback is not cut short by lockTimeout.
    assert.equal(await db[kind](async (tx) => { await new Promise((r) => setTimeout(r, 150)); return (await tx.getAll('SELECT 1 AS one'))[0].one; }, 100), 1);
    await db.execute('DELETE FROM documents');
  }
  await assert.rejects(db.writeTransaction(async () => {}, -1), TypeError);
  await assert.rejects(db.readTransaction(async () => {}, '5'), TypeError);
});

// Trial 16b finding 6, documented in docs/API.md (tx.commit()): statements
// after commit() share the committed transaction's upload entries, where
// PowerSync runs them as their own transactions. This test pins what the
// text says; it changes with the text when the store can end a transaction
// mid-callback.
test('tx.commit(): later statements join the upload transaction, as docs/API.md says', async () => {
  const db = await openDatabase();
  await db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id, name) VALUES ('cm', 'x')");
    await tx.commit();
    await tx.execute("INSERT INTO documents (id, name) VALUES ('after', 'y')");
  });
  const t = await db.getNextCrudTransaction();
  assert.deepEqual(t.crud.map((e) => e.id), ['cm', 'after']);
  assert.equal(new Set(t.crud.map((e) => e.transactionId)).size, 1);
});
