// Fault 9 of issue 10: two Node processes on one database file. The second
// opener gets DatabaseLockedError at open, before it can write or read
// stale pages; once the first closes (or dies), the file opens again with
// everything the first committed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { init, PowerSyncDatabase, DatabaseLockedError } from '../index.js';
import { appSchema, tempDir } from './helpers.js';

const holder = new URL('./fixtures/hold-database.mjs', import.meta.url).pathname;

/** Starts a process holding file; resolves once it reports, with its handle. */
function hold(file) {
  const child = spawn(process.execPath, [holder, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  after(() => { if (child.exitCode === null) child.kill(); }); // a failed test must not hang the run
  return { child, next, exited };
}

async function open(file) {
  const db = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  await db.init();
  return db;
}

test('a second process opening the same file gets DatabaseLockedError, and the file is whole afterwards', async () => {
  await init();
  const file = join(tempDir(), 'shared.db');
  const first = hold(file);
  assert.deepEqual(await first.next(), { ready: true });

  // This process, and a third one, are refused at open.
  await assert.rejects(open(file), (e) => e instanceof DatabaseLockedError && e.name === 'DatabaseLockedError' && e.message.includes('shared.db'));
  const third = hold(file);
  assert.equal((await third.next()).error, 'DatabaseLockedError');
  await third.exited;

  first.child.stdin.write('close\n');
  assert.deepEqual(await first.next(), { closed: true });
  await first.exited;
  assert.equal(existsSync(`${file}.lock`), false, 'close() released the lock');

  const db = await open(file);
  try {
    assert.deepEqual(await db.getAll('SELECT name FROM documents'), [{ name: 'from the other process' }]);
    // Within one process, a second database object on the file is refused too.
    await assert.rejects(open(file), DatabaseLockedError);
  } finally {
    await db.close();
  }
});

test('the lock of a process that died is taken over', async () => {
  await init();
  const file = join(tempDir(), 'crashed.db');
  const first = hold(file);
  assert.deepEqual(await first.next(), { ready: true });
  first.child.kill('SIGKILL');
  await first.exited;
  assert.equal(existsSync(`${file}.lock`), true, 'a killed process leaves its lock');
  // Its acknowledged write is in the write-ahead log, not yet in the file:
  // the next opener recovers it from there.
  assert.equal(existsSync(`${file}-wal`), true, 'a killed process leaves its write-ahead log');
  const db = await open(file);
  try {
    assert.equal((await db.getAll('SELECT name FROM documents')).length, 1);
    assert.deepEqual(await db.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
  } finally {
    await db.close();
  }
});
