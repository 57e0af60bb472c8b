// Every engine failure a JS user meets reaches them as the class TanStack
// DB or PowerSync would throw, with their text (or, where neither has one,
// ours saying what to do), never as a Go error chain (store: execute "...":
// ...). The bridge's userText (bridge/usertext.go) is the one place that
// translates; these cases drive it through the public API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  init, PowerSyncDatabase, Schema, Table, column, createCollection, powerSyncCollectionOptions,
  localOnlyCollectionOptions, createTransaction, createLiveQueryCollection, PowerSyncTransactor,
  DuplicateKeyError, UpdateKeyNotFoundError, DeleteKeyNotFoundError, KeyUpdateNotAllowedError,
  MissingMutationFunctionError,
} from '../index.js';
import { tempDir, waitFor } from './helpers.js';

/** A Go package prefix at the start of a message. */
const GO_PREFIX = /^(store|collection|powersync|query|bridge|psync|sync|schema)[.:]/;

const dir = tempDir();
const schema = new Schema({ t: new Table({ s: column.text }) });
let db;
let items;

before(async () => {
  await init();
  db = new PowerSyncDatabase({ schema, database: { dbFilename: ':memory:' } });
  await db.init();
  items = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.t }));
  await items.preload();
  await items.insert({ id: 'a', s: 'x' }).isPersisted.promise;
});
after(() => db.close());

/** Asserts that fn throws or rejects with class Class and text text. */
async function fails(fn, Class, text) {
  let err;
  try { await fn(); } catch (e) { err = e; }
  assert.ok(err, 'should fail');
  assert.ok(err instanceof Class, `${err.name}: ${err.message}`);
  assert.equal(err.name, Class.name);
  if (text instanceof RegExp) assert.match(err.message, text); else assert.equal(err.message, text);
  assert.doesNotMatch(err.message, GO_PREFIX);
}

test('opening a file that is not a database', async () => {
  const path = join(dir, 'garbage.sqlite');
  writeFileSync(path, 'not a database '.repeat(400));
  const bad = new PowerSyncDatabase({ schema, database: { dbFilename: path } });
  await fails(() => bad.init(), Error, /^file is not a database: dbFilename names a file that is not a SQLite database/);
});

test('a schema the store refuses, at new Schema()', async () => {
  // A view name SQLite or PowerSync already uses: the store's rule (Go).
  await fails(() => new Schema({ ps_crud: new Table({ s: column.text }) }), Error,
    /^invalid schema: table "ps_crud": view name "ps_crud" is taken/);
  // Names SQLite compares without case: also the store's rule.
  await fails(() => new Schema({ u: new Table({ s: column.text }), U: new Table({ s: column.text }) }), Error,
    /^invalid schema: table "U": duplicate table: SQLite names ignore case/);
});

test('a database file in a directory that does not exist', async () => {
  // Every such open names the file and says the directory must exist, not
  // an internal lock file: a missing directory, one given as dbLocation,
  // and a path through a file.
  const missing = join(dir, 'no-such-dir');
  writeFileSync(join(dir, 'plain-file'), '');
  const cases = [
    [{ dbFilename: join(missing, 'x.sqlite') }, join(missing, 'x.sqlite'), missing],
    [{ dbFilename: 'x.sqlite', dbLocation: missing }, join(missing, 'x.sqlite'), missing],
    [{ dbFilename: join(dir, 'plain-file', 'x.sqlite') }, join(dir, 'plain-file', 'x.sqlite'), join(dir, 'plain-file')],
  ];
  for (const [database, file, parent] of cases) {
    const bad = new PowerSyncDatabase({ schema, database });
    await fails(() => bad.init(), Error,
      `cannot open the database file "${file}": there is no directory "${parent}"; ` +
      'dbFilename (joined to dbLocation when given) must name a file in an existing directory');
  }
});

test('SQL given the wrong number of arguments', async () => {
  await fails(() => db.getAll('SELECT ?, ?', [1]), Error,
    'the SQL has 2 parameter(s) but 1 argument(s) were given: pass one value per ? in the parameters array');
  await fails(() => db.execute('SELECT ?', []), Error, /^the SQL has 1 parameter\(s\) but 0 argument/);
});

test('a write in a read transaction', async () => {
  await fails(() => db.readTransaction((tx) => tx.execute("INSERT INTO t (id) VALUES ('w')")), Error,
    /^this statement writes: it cannot run in readTransaction/);
});

test('COMMIT inside writeTransaction', async () => {
  await fails(() => db.writeTransaction((tx) => tx.execute('COMMIT')), Error,
    /^transaction-control statements \(BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT, RELEASE\) are refused/);
});

test('collection operations get TanStack DB\'s classes and texts', async () => {
  await fails(() => items.insert({ id: 'a', s: 'y' }), DuplicateKeyError,
    'Cannot insert document with ID "a" because it already exists in the collection');
  await fails(() => items.update('zz', (d) => { d.s = 'q'; }), UpdateKeyNotFoundError,
    'The key "zz" was passed to update but an object for this key was not found in the collection');
  await fails(() => items.delete('zz'), DeleteKeyNotFoundError,
    "Collection.delete was called with key 'zz' but there is no item in the collection with this key");
  await fails(() => items.update('a', (d) => { d.id = 'b'; }), KeyUpdateNotAllowedError,
    'Updating the key of an item is not allowed. Original key: "a", Attempted new key: "b". Please delete the old item and create a new one if a key change is necessary.');
  await fails(() => createTransaction({}), MissingMutationFunctionError, 'mutationFn is required when creating a transaction');
});

test('PowerSyncTransactor given a collection of no PowerSync database', async () => {
  const local = createCollection(localOnlyCollectionOptions({ id: 'sel', getKey: (r) => r.id }));
  const tx = createTransaction({
    mutationFn: ({ transaction }) => new PowerSyncTransactor({ database: db }).applyTransaction(transaction),
  });
  tx.mutate(() => local.insert({ id: 'q' }));
  // @tanstack/powersync-db-collection throws a plain Error with this text.
  await fails(() => tx.isPersisted.promise, Error, 'Collection is not a PowerSync collection.');
});

test('a query limit that is not a non-negative integer', async () => {
  // The builder refuses it with a TypeError naming the argument (js/live-query.js),
  // before the engine's own range check, which stays as a backstop.
  await fails(async () => {
    const q = createLiveQueryCollection((b) => b.from({ t: items }).orderBy(({ t }) => t.s).limit(1.5));
    await q.preload();
  }, TypeError, /^limit: want a non-negative integer, got 1\.5$/);
});

test('a sync service that cannot be reached: downloadError without Go prefixes', async (t) => {
  const other = new PowerSyncDatabase({ schema, database: { dbFilename: ':memory:' } });
  t.after(() => other.close());
  await other.connect({
    fetchCredentials: async () => ({ endpoint: 'http://127.0.0.1:1', token: 'x' }),
    uploadData: async () => {},
  });
  const e = await waitFor(() => other.currentStatus.dataFlowStatus.downloadError, 'a downloadError');
  assert.match(e.message, /fetch POST http:\/\/127\.0\.0\.1:1\/sync\/stream: fetch failed/);
  assert.doesNotMatch(e.message, GO_PREFIX);
});
