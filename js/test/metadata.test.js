// Issue 10, trial finding 11: metadata is kept as the user gave it. The
// queue holds JSON.stringify's text; mutation.metadata reads that JSON
// back: null is null (not "none"), none is undefined, and a Date (JSON
// has none) reads back as the ISO string JSON.stringify wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions } from '../index.js';
import { openDatabase, waitFor } from './helpers.js';

test('metadata null reads back as null, none as undefined, a Date as JSON.stringify wrote it; the queue holds that text', async () => {
  const db = await openDatabase();
  const notes = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'notes' }));
  await notes.preload();
  const at = new Date(Date.UTC(2026, 10, 30, 10, 0, 0, 5));
  const cases = [
    ['none', 'n0', undefined, undefined, undefined],
    ['null', 'n1', { metadata: null }, null, 'null'],
    ['a Date inside', 'n2', { metadata: { at, n: 1 } }, { at: at.toISOString(), n: 1 }, JSON.stringify({ at, n: 1 })],
  ];
  for (const [what, id, config, want] of cases) {
    const tx = notes.insert({ id, body: 'x' }, config);
    assert.deepEqual(tx.mutations[0].metadata, want, `insert, ${what}`);
    await tx.isPersisted.promise;
    const del = notes.delete(id, config);
    assert.deepEqual(del.mutations[0].metadata, want, `delete, ${what}`);
    await del.isPersisted.promise;
  }
  const rows = await waitFor(async () => { const r = await db.getAll('SELECT data FROM ps_crud ORDER BY id'); return r.length === 6 && r; }, 'six queue entries');
  const queued = rows.map((r) => JSON.parse(r.data).metadata);
  assert.deepEqual(queued, cases.flatMap(([, , , , text]) => [text, text]));
});
