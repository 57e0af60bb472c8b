// The demo app (web-demo/) served by its own server, driven through its UI in
// headless Chromium: it loads, adds, edits, toggles, searches and deletes
// todos, the data survives a reload, and a second tab is refused clearly.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { withBrowser } from './lib/browser.js';
import { REPO } from './lib/build.js';

let server;
let base;

before(async () => {
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  const bin = join(REPO, '.cache/bin/demo-server');
  execFileSync('go', ['build', '-o', bin, './web-demo/server'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  server = spawn(bin, ['-addr', '127.0.0.1:0', '-root', REPO, '-db', ':memory:', '-seed=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
  base = await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`demo server did not start: ${log}`)), 30000);
    server.stderr.on('data', (d) => {
      log += d;
      const m = /serving .* on (http:\/\/\S+?)\/?$/m.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', (code) => reject(new Error(`demo server exited (${code}): ${log}`)));
  });
});

after(() => server?.kill());

const item = (page) => page.locator('[data-testid="todo"]');
const texts = (page) => page.locator('[data-testid="todo-text"]').allTextContents();

async function openDemo(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + '/');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  return { page, errors };
}

async function add(page, description) {
  await page.fill('[data-testid="new-todo"]', description);
  await page.click('[data-testid="add"]');
}

test('demo: add, edit, toggle, search and delete through the UI; a reload shows the data', async () => {
  await withBrowser(async ({ chrome }) => {
    const { page, errors } = await openDemo(chrome.context);
    assert.equal(await page.textContent('[data-testid="collection-status"]'), 'ready');
    assert.equal(await item(page).count(), 0);

    await add(page, 'buy milk');
    await add(page, 'write tests');
    await add(page, 'walk the dog');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="todo"]').length === 3);
    assert.deepEqual(await texts(page), ['buy milk', 'write tests', 'walk the dog']);

    await page.locator('[data-testid="todo-text"]', { hasText: 'buy milk' }).dblclick();
    await page.fill('[data-testid="edit"]', 'buy oat milk');
    await page.press('[data-testid="edit"]', 'Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="todo-text"]')].some((e) => e.textContent === 'buy oat milk'));

    await item(page).filter({ hasText: 'write tests' }).locator('[data-testid="toggle"]').check();
    await page.waitForSelector('li.done:has-text("write tests")');

    await item(page).filter({ hasText: 'walk the dog' }).locator('[data-testid="delete"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="todo"]').length === 2);

    await page.fill('[data-testid="search"]', 'OAT');
    assert.deepEqual(await texts(page), ['buy oat milk']);
    await page.fill('[data-testid="search"]', '');

    // 3 PUTs, a PATCH for the edit, a PATCH for the toggle, a DELETE: 6 entries waiting for upload.
    await page.waitForFunction(() => document.querySelector('[data-testid="queue-length"]').textContent === '6');
    assert.equal(await page.textContent('[data-testid="row-count"]'), '2');
    const ops = await page.evaluate(() => demo.db.getAll(`SELECT json_extract(data, '$.op') AS op FROM ps_crud ORDER BY id`));
    assert.deepEqual(ops.map((r) => r.op), ['PUT', 'PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE']);
    assert.deepEqual(errors, []);
    assert.equal(await page.isHidden('[data-testid="error"]'), true);

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    assert.deepEqual(await texts(page), ['buy oat milk', 'write tests']);
    assert.equal(await page.locator('li.done').count(), 1);
    assert.equal(await page.textContent('[data-testid="row-count"]'), '2');
    assert.equal(await page.textContent('[data-testid="queue-length"]'), '6');

    // A second tab on the same database is refused with a clear message; the first keeps working.
    const second = await chrome.context.newPage();
    await second.goto(base + '/');
    await second.waitForSelector('[data-testid="error"]:not([hidden])', { timeout: 60000 });
    assert.match(await second.textContent('[data-testid="error"]'), /open in another tab/);
    await page.bringToFront();
    await add(page, 'still works');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="todo"]').length === 3).catch(async (e) => {
      throw new Error(`${e.message}; first tab shows ${await item(page).count()} todos, error ${JSON.stringify(await page.textContent('[data-testid="error"]'))}, page errors ${JSON.stringify(errors)}`);
    });
  });
});
