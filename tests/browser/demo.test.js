// The demo app (web-demo/) served by its own server with the dev sync server
// on the same origin, driven through its UI in headless Chromium: it loads
// without console errors, adds, edits, toggles, searches and deletes items,
// keeps them over a reload, works in a second tab alongside, syncs two clients
// (?client=1 and ?client=2, two databases) both ways, queues edits while
// switched offline and uploads them when back, and has no form that submits
// before it is ready or text that pushes Delete off-screen.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { withBrowser } from './lib/browser.js';
import { REPO } from './lib/build.js';

const BIN = join(REPO, '.cache/bin/demo-server');

before(() => {
  execFileSync('make', ['build'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('go', ['build', '-o', BIN, './web-demo/server'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
});

/**
 * Starts the demo server with a sync database of its own (in memory) for
 * the test t; resolves to its base URL. args add flags (-seed=false).
 */
async function startDemo(t, args = []) {
  const server = spawn(BIN, ['-addr', '127.0.0.1:0', '-root', REPO, '-db', ':memory:', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.after(() => server.kill());
  return new Promise((resolve, reject) => {
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
}

const sel = (id) => `[data-testid="${id}"]`;
const item = (page) => page.locator(sel('todo'));
const texts = (page) => page.locator(sel('todo-text')).allTextContents();
const textOf = (page, id) => page.textContent(sel(id));

/**
 * Opens the demo (client 1 unless told) in context and waits until it is
 * ready. errors collects console errors and uncaught exceptions.
 */
async function openDemo(context, base, { client, offline } = {}) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  if (offline) {
    // As if the switch had been turned off on an earlier visit.
    await page.addInitScript((key) => localStorage.setItem(key, '1'), `gopowersync-demo:client-${client ?? 1}:offline`);
  }
  await page.goto(base + (client ? `/?client=${client}` : '/'));
  await ready(page);
  return { page, errors };
}

const ready = (page) => page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });

async function add(page, description) {
  await page.fill(sel('new-todo'), description);
  await page.click(sel('add'));
}

/** Waits until page lists exactly want (in order), within ms. */
async function waitForTexts(page, want, ms = 5000) {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('[data-testid="todo-text"]')].map((e) => e.textContent)) === want,
    JSON.stringify(want), { timeout: ms },
  ).catch(async (e) => {
    throw new Error(`${e.message}\nwant ${JSON.stringify(want)}\ngot  ${JSON.stringify(await texts(page))}, sync ${await textOf(page, 'sync-status')}, error ${JSON.stringify(await textOf(page, 'error'))}`);
  });
}

const waitForText = (page, id, want, ms = 5000) => page.waitForFunction(
  ([s, want]) => document.querySelector(s)?.textContent === want, [sel(id), want], { timeout: ms },
).catch(async (e) => {
  throw new Error(`${e.message}: ${id} is ${JSON.stringify(await textOf(page, id))}, want ${JSON.stringify(want)}`);
});

test('demo: add, edit, toggle, search and delete through the UI; a reload shows the data; a second tab works alongside', async (t) => {
  const base = await startDemo(t, ['-seed=false']);
  await withBrowser(async ({ chrome }) => {
    // Offline, so that what the UI wrote stays in the upload queue to look at.
    const { page, errors } = await openDemo(chrome.context, base, { offline: true });
    assert.equal(await textOf(page, 'collection-status'), 'ready');
    assert.equal(await item(page).count(), 0);

    await add(page, 'buy milk');
    await add(page, 'write tests');
    await add(page, 'walk the dog');
    await waitForTexts(page, ['buy milk', 'write tests', 'walk the dog']);

    await page.locator(sel('todo-text'), { hasText: 'buy milk' }).dblclick();
    await page.fill(sel('edit'), 'buy oat milk');
    await page.press(sel('edit'), 'Enter');
    await waitForTexts(page, ['buy oat milk', 'write tests', 'walk the dog']);

    await item(page).filter({ hasText: 'write tests' }).locator(sel('toggle')).check();
    await page.waitForSelector('li.done:has-text("write tests")');

    await item(page).filter({ hasText: 'walk the dog' }).locator(sel('delete')).click();
    await waitForTexts(page, ['buy oat milk', 'write tests']);

    // An item edited down to nothing is deleted; Escape leaves it as it was.
    await add(page, 'scratch');
    await waitForTexts(page, ['buy oat milk', 'write tests', 'scratch']);
    await page.locator(sel('todo-text'), { hasText: 'scratch' }).dblclick();
    await page.fill(sel('edit'), '');
    await page.press(sel('edit'), 'Escape');
    await waitForTexts(page, ['buy oat milk', 'write tests', 'scratch']);
    await page.locator(sel('todo-text'), { hasText: 'scratch' }).dblclick();
    await page.fill(sel('edit'), '   ');
    await page.press(sel('edit'), 'Enter');
    await waitForTexts(page, ['buy oat milk', 'write tests']);

    await page.fill(sel('search'), 'OAT');
    await waitForTexts(page, ['buy oat milk']);
    // % and _ are what they are, not like's wildcards.
    await page.fill(sel('search'), '%');
    await waitForTexts(page, []);
    await page.fill(sel('search'), 'oat_milk');
    await waitForTexts(page, []);
    await page.fill(sel('search'), '');
    await waitForTexts(page, ['buy oat milk', 'write tests']);
    assert.equal(await textOf(page, 'open-count'), '1', 'the open count is a live query');

    // 4 PUTs, a PATCH for the edit, a PATCH for the toggle, 2 DELETEs: 8 changes to 4 items waiting for upload.
    await waitForText(page, 'queue-length', '8');
    assert.equal(await textOf(page, 'queue-items'), '4');
    assert.equal(await textOf(page, 'queue-changes-word'), 'changes');
    assert.equal(await textOf(page, 'row-count'), '2');
    assert.equal(await page.locator('li.pending').count(), 2, 'both items are marked as not uploaded');
    const ops = await page.evaluate(() => demo.db.getAll(`SELECT json_extract(data, '$.op') AS op FROM ps_crud ORDER BY id`));
    assert.deepEqual(ops.map((r) => r.op), ['PUT', 'PUT', 'PUT', 'PATCH', 'PATCH', 'DELETE', 'PUT', 'DELETE']);
    assert.equal(await page.isHidden(sel('error')), true);

    await page.reload();
    await ready(page);
    assert.deepEqual(await texts(page), ['buy oat milk', 'write tests']);
    assert.equal(await page.locator('li.done').count(), 1);
    assert.equal(await textOf(page, 'row-count'), '2');
    await waitForText(page, 'queue-length', '8');
    assert.deepEqual(errors, []);

    // A second tab on the same client: the same list, and each tab shows the other's edits.
    const second = await chrome.context.newPage();
    const secondErrors = [];
    second.on('pageerror', (e) => secondErrors.push(e.message));
    await second.goto(base + '/');
    await ready(second);
    assert.deepEqual(await texts(second), ['buy oat milk', 'write tests']);
    await add(second, 'from the second tab');
    await waitForTexts(second, ['buy oat milk', 'write tests', 'from the second tab']);
    await waitForText(second, 'queue-length', '9');
    assert.deepEqual(secondErrors, []);

    await page.bringToFront();
    await waitForTexts(page, ['buy oat milk', 'write tests', 'from the second tab']);
    await add(page, 'still works');
    await waitForTexts(page, ['buy oat milk', 'write tests', 'from the second tab', 'still works']);
    await waitForTexts(second, ['buy oat milk', 'write tests', 'from the second tab', 'still works']);
    await waitForText(page, 'queue-length', '10');
  });
});

test('demo: the form is off until the list is ready, so Enter before then submits nothing', async (t) => {
  const base = await startDemo(t);
  await withBrowser(async ({ chrome }) => {
    const page = await chrome.context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Hold the app's script back: the page is painted, the list is not ready.
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/web-demo/app.js', async (route) => { await held; await route.continue(); });
    // Module scripts hold DOMContentLoaded back: wait for the painted form instead.
    await page.goto(base + '/', { waitUntil: 'commit' });
    await page.waitForSelector(sel('new-todo'));

    assert.equal(await page.isDisabled(sel('new-todo')), true, 'the input is visibly off before the app is ready');
    assert.equal(await page.isDisabled(sel('add')), true);
    await page.click(sel('new-todo'), { force: true });
    await page.keyboard.type('typed too early');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    assert.equal(page.url(), base + '/', 'nothing was submitted');

    release();
    await ready(page);
    assert.equal(page.url(), base + '/');
    assert.equal(await page.isEnabled(sel('new-todo')), true);
    await page.fill(sel('new-todo'), 'on time');
    await page.press(sel('new-todo'), 'Enter');
    await page.waitForSelector(`${sel('todo-text')}:has-text("on time")`);
    assert.equal(page.url(), base + '/', 'Enter adds the item, and does not navigate');
    assert.deepEqual(errors, []);
  });
});

test('demo: a 300-character word wraps inside its card and Delete stays on screen', async (t) => {
  const base = await startDemo(t, ['-seed=false']);
  await withBrowser(async ({ chrome }) => {
    const { page, errors } = await openDemo(chrome.context, base, { offline: true });
    for (const width of [1000, 360]) {
      await page.setViewportSize({ width, height: 800 });
      if ((await item(page).count()) === 0) await add(page, 'w'.repeat(300));
      const li = item(page).first();
      await li.waitFor();
      const card = await li.boundingBox();
      const del = await li.locator(sel('delete')).boundingBox();
      assert.ok(card.x >= 0 && card.x + card.width <= width, `card ${JSON.stringify(card)} within ${width}px`);
      assert.ok(del.x >= card.x && del.x + del.width <= card.x + card.width, `Delete ${JSON.stringify(del)} inside its card ${JSON.stringify(card)}`);
      assert.ok(del.x + del.width <= width, `Delete within the ${width}px viewport`);
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'no horizontal scroll');
    }
    assert.deepEqual(errors, []);
  });
});

test('demo: loads connected with no console errors and shows the items the server was seeded with', async (t) => {
  const base = await startDemo(t);
  await withBrowser(async ({ chrome }) => {
    const { page, errors } = await openDemo(chrome.context, base);
    await waitForText(page, 'sync-status', 'connected', 10000);
    await waitForText(page, 'row-count', '2');
    // The list is a live query over the collection: it renders when the query
    // delivers its change, which may be a task after the collection's count.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="todo-text"]').length === 2, null, { timeout: 5000 });
    assert.equal((await texts(page)).length, 2);
    await page.waitForFunction(() => document.querySelector('[data-testid="last-synced"]').textContent !== 'never');
    assert.equal(await textOf(page, 'queue-length'), '0');
    assert.equal(await page.isHidden(sel('error')), true);
    assert.deepEqual(errors, []);
  });
});

test('demo: two clients converge: adds, edits, toggles and deletes in one appear in the other', async (t) => {
  const base = await startDemo(t, ['-seed=false']);
  await withBrowser(async ({ chrome }) => {
    const one = await openDemo(chrome.context, base, { client: 1 });
    const two = await openDemo(chrome.context, base, { client: 2 });
    for (const { page } of [one, two]) await waitForText(page, 'sync-status', 'connected', 10000);
    assert.equal(await textOf(two.page, 'client'), 'client 2');
    assert.equal(await two.page.getAttribute(sel('open-client'), 'href'), '/?client=1');

    // How long an add takes from one page to the other, timed in the pages (one clock).
    await one.page.evaluate(() => document.querySelector('[data-testid="add-form"]')
      .addEventListener('submit', () => { window.submittedAt = Date.now(); }, { once: true }));
    await two.page.evaluate(() => demo.todos.subscribeChanges((changes) => {
      if (changes.some((c) => c.value?.description === 'from one')) window.arrivedAt ??= Date.now();
    }));
    await add(one.page, 'from one');
    await waitForTexts(two.page, ['from one'], 3000);
    const latency = (await two.page.evaluate(() => window.arrivedAt)) - (await one.page.evaluate(() => window.submittedAt));
    t.diagnostic(`an add in client 1 reached client 2 in ${latency} ms`);

    await add(two.page, 'from two');
    await waitForTexts(one.page, ['from one', 'from two'], 3000);

    await one.page.locator(sel('todo-text'), { hasText: 'from two' }).dblclick();
    await one.page.fill(sel('edit'), 'from two, edited in one');
    await one.page.press(sel('edit'), 'Enter');
    await waitForTexts(two.page, ['from one', 'from two, edited in one'], 3000);

    await item(two.page).filter({ hasText: 'from one' }).locator(sel('toggle')).check();
    await one.page.waitForSelector('li.done:has-text("from one")', { timeout: 3000 });

    await item(one.page).filter({ hasText: 'from one' }).locator(sel('delete')).click();
    await waitForTexts(two.page, ['from two, edited in one'], 3000);

    for (const { page } of [one, two]) {
      await waitForText(page, 'queue-length', '0');
      assert.equal(await textOf(page, 'row-count'), '1');
      assert.equal(await page.locator('li.pending').count(), 0);
    }
    assert.deepEqual([...one.errors, ...two.errors], []);
  });
});

test('demo: switched offline, edits queue up and survive a reload; back online they upload and the other client catches up', async (t) => {
  const base = await startDemo(t, ['-seed=false']);
  await withBrowser(async ({ chrome }) => {
    const one = await openDemo(chrome.context, base, { client: 1 });
    const two = await openDemo(chrome.context, base, { client: 2 });
    for (const { page } of [one, two]) await waitForText(page, 'sync-status', 'connected', 10000);
    await add(one.page, 'shared');
    await waitForTexts(two.page, ['shared']);
    await waitForText(one.page, 'queue-length', '0');

    await one.page.check(sel('offline'));
    await waitForText(one.page, 'sync-status', 'offline');
    await add(one.page, 'offline 1');
    await waitForText(one.page, 'queue-length', '1');
    await add(one.page, 'offline 2');
    await waitForText(one.page, 'queue-length', '2');
    await item(one.page).filter({ hasText: 'shared' }).locator(sel('toggle')).check();
    await waitForText(one.page, 'queue-length', '3');
    // Meanwhile client 2 edits too.
    await add(two.page, 'from two meanwhile');

    await one.page.waitForTimeout(1500);
    await waitForTexts(two.page, ['shared', 'from two meanwhile']);
    assert.equal(await two.page.locator('li.done').count(), 0, 'nothing of the offline client arrived');
    await waitForTexts(one.page, ['shared', 'offline 1', 'offline 2']);

    // A reload while offline keeps the switch, the items and the queue.
    await one.page.reload();
    await ready(one.page);
    assert.equal(await one.page.isChecked(sel('offline')), true);
    assert.equal(await textOf(one.page, 'sync-status'), 'offline');
    await waitForTexts(one.page, ['shared', 'offline 1', 'offline 2']);
    await waitForText(one.page, 'queue-length', '3');

    await one.page.uncheck(sel('offline'));
    await waitForText(one.page, 'sync-status', 'connected', 10000);
    await waitForText(one.page, 'queue-length', '0');
    // In order of creation: the offline items were made before client 2's.
    await waitForTexts(two.page, ['shared', 'offline 1', 'offline 2', 'from two meanwhile']);
    await two.page.waitForSelector('li.done:has-text("shared")');
    await waitForTexts(one.page, await texts(two.page));
    assert.equal(await textOf(one.page, 'row-count'), '4');
    assert.equal(await textOf(two.page, 'row-count'), '4');
    assert.equal(await one.page.evaluate(() => localStorage.getItem('gopowersync-demo:client-1:offline')), null);
    assert.deepEqual([...one.errors, ...two.errors], []);
  });
});
