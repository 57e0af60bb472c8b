// Many tabs, one database (issue 13), through the public package in headless
// Chromium: every tab opens the same OPFS database, sees the others' writes,
// and writes on the latest state. One browser for the whole file: each test
// opens its own database name in new pages of it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { launch, freshProfile } from './lib/browser.js';
import { REPO } from './lib/build.js';
import { serve } from './lib/server.js';

const PAGE = '/tests/browser/pages/stack.html';
let server;
let profile;
let chrome;

before(async () => {
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  server = await serve(REPO);
  profile = freshProfile();
  chrome = await launch(profile.dir);
});

after(async () => {
  await chrome?.close();
  profile?.remove();
  await server?.close();
});

/** Opens the stack page on database name in a new tab. */
async function openTab(name, options) {
  const page = await chrome.context.newPage();
  page.on('pageerror', (e) => console.log(`# pageerror: ${e.message}`));
  await page.goto(server.url + PAGE);
  await page.waitForFunction(() => window.pageReady);
  await page.evaluate(([name, options]) => app.open(name, options), [name, options]);
  return page;
}

/** The rows of todos in the tab's collection, sorted by id. */
const rowsOf = (page) => page.evaluate(() => todos.toArray.map((r) => ({ id: r.id, title: r.title, n: r.n })).sort((a, b) => (a.id < b.id ? -1 : 1)));

/** The tab's upload queue: [id, tx_id, data] in order. */
const crudOf = (page) => page.evaluate(async () => (await db.getAll('SELECT id, tx_id, data FROM ps_crud ORDER BY id')).map((r) => [r.id, r.tx_id, r.data]));

test('tabs: a second tab opens the database and each sees the other\'s writes', async () => {
  const a = await openTab('tabs-two.db');
  await a.evaluate(() => todos.insert({ id: 'a1', title: 'from a', n: 1 }).isPersisted.promise);
  const b = await openTab('tabs-two.db');
  assert.deepEqual(await rowsOf(b), [{ id: 'a1', title: 'from a', n: 1 }]);
  await b.evaluate(() => todos.insert({ id: 'b1', title: 'from b', n: 2 }).isPersisted.promise);
  await a.waitForFunction(() => todos.has('b1'));
  await a.evaluate(() => todos.update('b1', (d) => { d.title = 'edited in a'; }).isPersisted.promise);
  await b.waitForFunction(() => todos.get('b1')?.title === 'edited in a');
  assert.deepEqual(await rowsOf(a), await rowsOf(b));
  assert.deepEqual(await crudOf(a), await crudOf(b));
  assert.equal(await a.evaluate(() => app.integrity()), 'ok');
  await a.close();
  await b.close();
});
