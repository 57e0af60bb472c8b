// Node measurements of the JS<->Go path (not a test: figures vary with
// the machine). Run after `make build`:  node js/tools/bench.mjs [file|memory]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  init, PowerSyncDatabase, createCollection, powerSyncCollectionOptions,
  createTransaction, PowerSyncTransactor, Schema, Table, column,
} from '../index.js';

function appSchema() {
  return new Schema({
    documents: new Table({ name: column.text, content: column.text, n: column.integer, score: column.real }, { indexes: { by_name: ['name'] } }),
  });
}

const where = process.argv[2] ?? 'file';
const dir = mkdtempSync(join(tmpdir(), 'gopowersync-bench-'));
const dbFilename = where === 'memory' ? ':memory:' : join(dir, 'bench.sqlite');

function pct(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x) => `${x.toFixed(3)} ms`;

let t = performance.now();
await init();
console.log(`init (load + instantiate module): ${ms(performance.now() - t)}`);
const schema = appSchema();
const db = new PowerSyncDatabase({ schema, database: { dbFilename } });
t = performance.now();
await db.init();
console.log(`open ${where} database: ${ms(performance.now() - t)}`);
const documents = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.documents }));
await documents.preload();
const transactor = new PowerSyncTransactor({ database: db });

// 1. 10,000 inserts in one transaction, until persisted.
for (let round = 0; round < 3; round++) {
  const rows = Array.from({ length: 10000 }, (_, i) => ({ id: `r${round}-${i}`, name: `doc ${i}`, content: 'x'.repeat(40), n: i, score: i / 3 }));
  t = performance.now();
  const tx = createTransaction({ autoCommit: false, mutationFn: ({ transaction }) => transactor.applyTransaction(transaction) });
  tx.mutate(() => documents.insert(rows));
  const optimistic = performance.now() - t;
  await tx.commit();
  await tx.isPersisted.promise;
  console.log(`10,000 inserts in one transaction: optimistic ${ms(optimistic)}, persisted ${ms(performance.now() - t)} (size ${documents.size})`);
}

// 1b. the same through db.writeTransaction with one tx.execute per row.
t = performance.now();
await db.writeTransaction(async (tx) => {
  for (let i = 0; i < 10000; i++) await tx.execute('INSERT INTO documents (id, name, n) VALUES (?, ?, ?)', [`w${i}`, 'w', i]);
});
console.log(`10,000 tx.execute INSERTs in one writeTransaction: ${ms(performance.now() - t)}`);

// 2. single-row update: to the subscriber callback, and to persisted.
const key = 'r0-5';
let received = 0;
let callbackAt = 0;
const sub = documents.subscribeChanges(() => { received++; callbackAt = performance.now(); });
const toCallback = [];
const toPersisted = [];
for (let i = 0; i < 500; i++) {
  const start = performance.now();
  const before = received;
  const tx = documents.update(key, (d) => { d.n = i; });
  if (received === before) throw new Error('the change callback did not run synchronously');
  toCallback.push(callbackAt - start);
  await tx.isPersisted.promise;
  toPersisted.push(performance.now() - start);
}
sub.unsubscribe();
console.log(`update -> change callback: p50 ${ms(pct(toCallback, 50))}, p99 ${ms(pct(toCallback, 99))}`);
console.log(`update -> isPersisted:     p50 ${ms(pct(toPersisted, 50))}, p99 ${ms(pct(toPersisted, 99))}`);

// 3. reads.
t = performance.now();
for (let i = 0; i < 10000; i++) documents.get(`r1-${i}`);
console.log(`10,000 get(): ${ms(performance.now() - t)}`);
t = performance.now();
const all = documents.toArray;
console.log(`toArray of ${all.length}: ${ms(performance.now() - t)}`);
t = performance.now();
const rowsRead = await db.getAll('SELECT * FROM documents');
console.log(`db.getAll of ${rowsRead.length} rows: ${ms(performance.now() - t)}`);

await db.close();
rmSync(dir, { recursive: true, force: true });
