// options.database as @powersync/node users write it: dbLocation is the
// directory of dbFilename; keys we do not know are a TypeError naming them.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PowerSyncDatabase } from '../index.js';
import { appSchema, tempDir } from './helpers.js';

test('dbLocation is the directory of dbFilename, as in @powersync/node', async () => {
  const dir = join(tempDir(), 'nested');
  mkdirSync(dir);
  const name = `located-${process.pid}.sqlite`;
  after(() => rmSync(name, { force: true })); // where a build that ignores dbLocation puts it
  const db = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: name, dbLocation: dir } });
  await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['d1', 'kept']);
  await db.close();
  assert.ok(existsSync(join(dir, name)), 'the file is in dbLocation');
  assert.ok(!existsSync(name), 'no file in the working directory');
  assert.equal(db.dbFilename, name, 'dbFilename stays as given');

  const again = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: name, dbLocation: `${dir}/` } });
  try {
    assert.deepEqual(await again.getAll('SELECT name FROM documents'), [{ name: 'kept' }]);
  } finally {
    await again.close();
  }
});

test('unknown or malformed database options are a TypeError naming them', () => {
  const open = (database) => new PowerSyncDatabase({ schema: appSchema(), database });
  assert.throws(() => open({ dbFilename: 'x.sqlite', dbLocaton: '/tmp' }), (e) => e instanceof TypeError && /"dbLocaton"/.test(e.message));
  assert.throws(() => open({ dbFilename: 'x.sqlite', flags: {}, debugMode: true }), (e) => e instanceof TypeError && /"flags"/.test(e.message) && /"debugMode"/.test(e.message));
  assert.throws(() => open({ dbFilename: 'x.sqlite', dbLocation: 7 }), (e) => e instanceof TypeError && /dbLocation/.test(e.message));
  assert.throws(() => open({ dbFilename: 'x.sqlite', dbLocation: '' }), (e) => e instanceof TypeError && /dbLocation/.test(e.message));
});
