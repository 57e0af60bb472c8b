// Issue 10, trial finding 9: a mutation on a collection in the 'error'
// status throws TanStack DB's CollectionInErrorStateError, also when what
// put it there was a failed database open; the open error is its cause.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  init, Schema, Table, column, PowerSyncDatabase, createCollection, powerSyncCollectionOptions, CollectionInErrorStateError,
} from '../index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const schema = new Schema({ t: new Table({ s: column.text }) });

function garbage(name) {
  const path = join(dir, name);
  writeFileSync(path, 'not a database '.repeat(400));
  return path;
}

function refusesEveryMutation(c) {
  assert.equal(c.status, 'error');
  for (const [op, run] of [
    ['insert', () => c.insert({ id: '2', s: 'b' })],
    ['update', () => c.update('1', (d) => { d.s = 'c'; })],
    ['delete', () => c.delete('1')],
  ]) {
    assert.throws(run, (e) => {
      assert.ok(e instanceof CollectionInErrorStateError, `${op}: ${e?.name}: ${e?.message}`);
      assert.equal(e.name, 'CollectionInErrorStateError');
      assert.match(e.message, new RegExp(`^Cannot perform ${op} on collection ".*" - collection is in error state`));
      assert.match(e.cause?.message ?? '', /file is not a database/, `${op}: the open error is the cause`);
      return true;
    });
  }
}

// First, while the module is not loaded yet (no init() awaited): the
// collection exists in JS only.
test('a collection made before init() of a database that fails to open refuses mutations with CollectionInErrorStateError', async () => {
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: garbage('a.sqlite') } });
  after(() => db.close());
  const c = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.t }));
  await assert.rejects(db.init(), /file is not a database/);
  await assert.rejects(c.preload());
  refusesEveryMutation(c);
});

test('a collection of a database whose open failed refuses mutations with CollectionInErrorStateError; what was issued before rejects', async () => {
  await init();
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: garbage('b.sqlite') } });
  after(() => db.close());
  const c = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.t }));
  const early = c.insert({ id: '1', s: 'a' });
  await assert.rejects(early.isPersisted.promise, /file is not a database/);
  await assert.rejects(db.init(), /file is not a database/);
  refusesEveryMutation(c);
});
