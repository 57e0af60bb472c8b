// The texts of the errors a JS user meets on common paths: they speak the
// JS API (PowerSync's and TanStack DB's names), not the Go engine's
// wrapping chains (store: ..., powersync: ..., UploadData, Complete).

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  init, PowerSyncDatabase, Schema, Table, column, DatabaseClosedError, createCollection, powerSyncCollectionOptions,
} from '../index.js';
import { tempDir, waitFor } from './helpers.js';

const REPO = resolve(import.meta.dirname, '../..');
const dir = tempDir();
const serverBin = join(dir, 'sync-server');

before(async () => {
  await promisify(execFile)(process.env.GO || 'go', ['build', '-o', serverBin, './syncserver/cmd/sync-server'], { cwd: REPO });
  await init();
});

const schema = () => new Schema({ todos: new Table({ description: column.text, done: column.integer }) });

/** A text a JS user should never see: Go package prefixes and Go names. */
const GO_SPEAK = /\b(store|powersync|bridge):|UploadData|Complete on/;

test('db.get on no rows rejects with PowerSync\'s text alone', async () => {
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  try {
    await assert.rejects(db.get('SELECT * FROM todos WHERE id = ?', ['none']), (e) => {
      assert.equal(e.message, 'Result set is empty');
      return true;
    });
  } finally {
    await db.close();
  }
});

test('every call on a closed database rejects with DatabaseClosedError and one text', async () => {
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: join(dir, 'closed.sqlite') } });
  await db.init();
  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: db.schema.props.todos }));
  await todos.preload();
  let held;
  await db.readTransaction(async (tx) => { held = tx; });
  await db.close();
  const calls = {
    get: () => db.get('SELECT 1'),
    getAll: () => db.getAll('SELECT 1'),
    execute: () => db.execute('INSERT INTO todos (id) VALUES (?)', ['a']),
    writeTransaction: () => db.writeTransaction(async () => {}),
    getUploadQueueStats: () => db.getUploadQueueStats(),
    'collection insert': () => todos.insert({ id: 'c1', description: 'x', done: 0 }).isPersisted.promise,
  };
  const texts = new Set();
  for (const [name, call] of Object.entries(calls)) {
    let err;
    try { await call(); } catch (e) { err = e; }
    assert.ok(err, `${name} should reject`);
    assert.ok(err instanceof DatabaseClosedError, `${name}: ${err.name}: ${err.message}`);
    assert.equal(err.name, 'DatabaseClosedError', name);
    assert.doesNotMatch(err.message, GO_SPEAK, name);
    texts.add(err.message);
  }
  assert.deepEqual([...texts], ['PowerSyncDatabase: the database is closed (close() was called)']);
  assert.ok(held);
});

test('uploadData that does not complete its transaction reports it in the JS API\'s words', async (t) => {
  const child = spawn(serverBin, ['-addr', '127.0.0.1:0', '-db', join(dir, 'server.sqlite')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { log += chunk; });
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  t.after(async () => { await db.close(); child.kill(); });
  const base = await waitFor(() => /serving (http:\/\/[\d.]+:\d+)\//.exec(log)?.[1], () => `the dev server's address; it logged: ${log}`, 20000);
  await db.connect({
    async fetchCredentials() { return (await fetch(`${base}/api/token`)).json(); },
    async uploadData(database) { await database.getNextCrudTransaction(); }, // forgets tx.complete()
  }, { retryDelayMs: 50, crudUploadThrottleMs: 10 });
  await db.execute('INSERT INTO todos (id, description) VALUES (?, ?)', ['u1', 'never completed']);
  const err = await waitFor(() => db.currentStatus.dataFlowStatus.uploadError, 'an upload error');
  assert.match(err.message, /uploadData returned without completing queue entry 1: call complete\(\) on the transaction or batch/);
  assert.doesNotMatch(err.message, GO_SPEAK);
});

test('a failed statement rejects with SQLite\'s text, whatever the call', async () => {
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  try {
    const calls = {
      execute: [() => db.execute('SELEC 1'), 'near "SELEC": syntax error'],
      getAll: [() => db.getAll('SELECT * FROM nope'), 'no such table: nope'],
      get: [() => db.get('SELECT * FROM nope'), 'no such table: nope'],
      'writeTransaction tx.execute': [() => db.writeTransaction((tx) => tx.execute('INSERT INTO nope VALUES (1)')), 'no such table: nope'],
      'readTransaction tx.getAll': [() => db.readTransaction((tx) => tx.getAll('SELEC 1')), 'near "SELEC": syntax error'],
    };
    for (const [name, [call, text]] of Object.entries(calls)) {
      await assert.rejects(call(), (e) => {
        assert.equal(e.message, text, name);
        return true;
      });
    }
  } finally {
    await db.close();
  }
});

test('a transaction used after its callback settled says so without Go prefixes', async () => {
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  try {
    let held;
    await db.writeTransaction(async (tx) => { held = tx; });
    await assert.rejects(held.execute('SELECT 1'), (e) => {
      assert.equal(e.message, 'the transaction is closed: its callback\'s promise has settled (use tx only inside the callback)');
      return true;
    });
  } finally {
    await db.close();
  }
});

test('a row the schema rejects gets the same SchemaValidationError text as in TanStack DB', async () => {
  const db = new PowerSyncDatabase({ schema: schema(), database: { dbFilename: ':memory:' } });
  try {
    const todos = createCollection(powerSyncCollectionOptions({ database: db, table: db.schema.props.todos }));
    await todos.preload();
    let err;
    try { todos.insert({ id: 'a', description: 'x', done: 'not a number' }); } catch (e) { err = e; }
    assert.ok(err, 'the insert throws');
    assert.equal(err.name, 'SchemaValidationError');
    assert.match(err.message, /^Insert validation failed: /);
    assert.doesNotMatch(err.message, /collection:|rejected by the schema/);
    assert.ok(err.issues.length > 0);
  } finally {
    await db.close();
  }
});
