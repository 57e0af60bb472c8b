// The README's "Using it" example runs as written (in Node, with its
// database file in a temporary directory), and does what its comments say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './helpers.js';

test("the README's example runs, and its comments hold", async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Using it'), readme.indexOf('## Sync'));
  const code = section.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(code?.includes("'./js/index.js'"), 'the example imports the package');
  const dir = tempDir();
  const body = code
    .replace("'./js/index.js'", JSON.stringify(new URL('../index.js', import.meta.url).href))
    .replace("'app.sqlite'", JSON.stringify(join(dir, 'app.sqlite')));
  // The checks run in the example's own scope, after it.
  const checks = `
globalThis.__readme = {
  size: todos.size,
  lists: lists.toArray.map((l) => l.name),
  milk: todos.toArray.find((t) => t.description === 'milk'),
  state: tx.state,
  queue: queue.crud.map((e) => \`\${e.transactionId} \${e.table}\`),
  listId,
};
await db.close();
`;
  const file = join(dir, 'example.mjs');
  writeFileSync(file, `${body}\n${checks}`);
  await import(pathToFileURL(file).href);
  const r = globalThis.__readme;
  assert.equal(r.size, 2);
  assert.deepEqual(r.lists, ['Groceries']);
  assert.equal(r.milk.list_id, r.listId);
  assert.equal(r.state, 'completed');
  // What the README's last comment says the queue holds.
  assert.deepEqual(r.queue, ['1 todos', '2 lists', '2 todos']);
  assert.ok(code.includes("// ['1 todos', '2 lists', '2 todos']"), 'the README states the queue the test checks');
});
