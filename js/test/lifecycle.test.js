// Fault 6 of issue 10: cleanup leaves the database as it found it; close()
// finishes what was already issued and never loses an acknowledged write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { init, PowerSyncDatabase, createCollection, powerSyncCollectionOptions } from '../index.js';
import { appSchema, openDatabase, tempDir } from './helpers.js';

const tempObjects = (db) => db.getAll("SELECT type, name FROM sqlite_temp_master ORDER BY name");

test('cleanup() of the last collection on the database leaves no temporary table or trigger', async () => {
  const db = await openDatabase();
  const before = await tempObjects(db);
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  const docs2 = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  const notes = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'notes' }));
  await Promise.all([docs.preload(), docs2.preload(), notes.preload()]);
  await docs.insert({ id: 'a', name: 'x' }).isPersisted.promise;
  assert.notDeepEqual(await tempObjects(db), before);
  await docs.cleanup();
  await db.execute("INSERT INTO documents (id, name) VALUES ('b', 'y')");
  assert.equal(docs2.get('b')?.name, 'y', 'the other collection of the table still tracks it');
  await docs2.cleanup();
  await notes.cleanup();
  assert.deepEqual(await tempObjects(db), before);
});

test('close() lets the work issued before it finish, then refuses new work with a clear error', async () => {
  await init();
  const file = join(tempDir(), 'close.db');
  const db = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  await db.init();
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await docs.preload();
  const insert = db.execute("INSERT INTO documents (id, name) VALUES ('sql', 'issued before close')");
  const tx = db.writeTransaction((t) => t.execute("INSERT INTO documents (id, name) VALUES ('tx', 'issued before close')"));
  const read = db.getAll('SELECT id FROM documents');
  const item = docs.insert({ id: 'item', name: 'issued before close' });
  const closing = db.close();
  await insert;
  await tx;
  await read;
  await item.isPersisted.promise;
  await closing;
  await assert.rejects(db.execute('SELECT 1'), /closed/);
  await assert.rejects(db.writeTransaction(async () => {}), /closed/);

  const again = new PowerSyncDatabase({ schema: appSchema(), database: { dbFilename: file } });
  await again.init();
  try {
    assert.deepEqual((await again.getAll('SELECT id FROM documents ORDER BY id')).map((r) => r.id), ['item', 'sql', 'tx']);
  } finally {
    await again.close();
  }
});
