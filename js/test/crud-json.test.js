// Issue 10, trial finding 1: what we hand a connector must go through the
// README's JSON.stringify, bigints included, or uploads stop for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrudEntry } from '../index.js';
import { openDatabase } from './helpers.js';

const big = 9007199254740993n; // 2^53 + 1: no Number holds it

test('upload queue: an entry holding a bigint goes through the README connector\'s JSON.stringify, exact where the runtime allows', async () => {
  const db = await openDatabase();
  await db.execute('INSERT INTO documents (id, name, n) VALUES (?, ?, ?)', ['a', 'x', big]);
  await db.execute('INSERT INTO documents (id, name, n) VALUES (?, ?, ?)', ['b', 'x', big - 1n]);
  const tx = await db.getNextCrudTransaction();
  assert.equal(tx.crud[0].opData.n, big, 'opData keeps the exact bigint');
  const text = JSON.stringify({ batch: tx.crud.map((e) => e.toJSON()) });
  const want = typeof JSON.rawJSON === 'function' ? '9007199254740993' : String(Number(big));
  assert.match(text, new RegExp(`"n":${want}[,}]`));
  // The whole transaction and a batch stringify through the entries' toJSON.
  assert.match(JSON.stringify(tx), new RegExp(`"n":${want}[,}]`));
  const batch = await db.getCrudBatch();
  assert.doesNotThrow(() => JSON.stringify(batch));
  // opData is left as it was.
  assert.equal(typeof tx.crud[0].opData.n, 'bigint');
});

test('upload queue: hashCode and equals take bigints and tell 2^53+1 from 2^53', async () => {
  const db = await openDatabase();
  await db.execute('INSERT INTO documents (id, n) VALUES (?, ?)', ['a', big]);
  const [e] = (await db.getCrudBatch()).crud;
  const other = new CrudEntry(e.clientId, e.op, e.table, e.id, e.transactionId, { ...e.opData, n: big - 1n });
  assert.notEqual(e.hashCode(), other.hashCode());
  assert.equal(e.equals(other), false);
  const same = new CrudEntry(e.clientId, e.op, e.table, e.id, e.transactionId, { ...e.opData });
  assert.equal(e.equals(same), true);
});

test('upload queue: CrudEntry.fromRow reads what getCrudBatch reads, where the runtime gives JSON.parse the source text', async () => {
  const db = await openDatabase();
  await db.execute('INSERT INTO documents (id, n) VALUES (?, ?)', ['a', big]);
  const [row] = await db.getAll('SELECT * FROM ps_crud');
  const fromRow = CrudEntry.fromRow(row);
  assert.equal(fromRow.opData.n, typeof JSON.rawJSON === 'function' ? big : Number(big));
  assert.doesNotThrow(() => JSON.stringify(fromRow));
});
