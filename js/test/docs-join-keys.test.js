// docs/API.md states the keys of a join's live query with an example: the
// example's keys are what a live query gives (trial16b finding 8: the text
// said [left,right] with undefined for a missing side, after the keys had
// become canonical texts, collection/query/join.go joinKey).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createCollection, localOnlyCollectionOptions, createLiveQueryCollection, eq, init } from '../index.js';

test("docs/API.md's join keys are the keys a join gives", async () => {
  await init();
  const api = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
  const t = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: [{ id: 'x', u: 'z' }, { id: 'y', u: 'none' }] }));
  const u = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: [{ id: 'z' }] }));
  const q = createLiveQueryCollection((q) => q.from({ t }).leftJoin({ u }, ({ t, u }) => eq(t.u, u.id)));
  await q.preload();
  const keys = [...q.keys()].sort();
  assert.deepEqual(keys, ['[s"x",s"z"]', '[s"y",u]']);
  for (const k of keys) assert.ok(api.includes(`\`${k}\``), `docs/API.md names the join key ${k}`);
  assert.ok(!api.includes('[left,right]'), 'docs/API.md no longer says [left,right]');
});
