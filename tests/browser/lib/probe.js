// Page helpers for tests that drive the probe module (SQLite over pagevfs
// with the OPFS glue) in Chromium.
export const PROBE_PAGE = '/tests/browser/pages/probe.html';

/** Opens the probe page, boots the module and opens database name. */
export async function openProbe(context, baseURL, name) {
  const page = await context.newPage();
  await page.goto(baseURL + PROBE_PAGE);
  await page.waitForFunction(() => window.pageReady);
  const boot = await page.evaluate(() => window.boot());
  const open = await page.evaluate((n) => window.openDB(n), name);
  return { page, marks: { ...boot, ...open } };
}

/** Runs SQL in the page; resolves to the changed row count. */
export function exec(page, sql, ...args) {
  return page.evaluate(([sql, args]) => db.exec(sql, ...args), [sql, args]);
}

/** Runs a query in the page; resolves to rows (arrays of values). */
export async function query(page, sql) {
  return JSON.parse(await page.evaluate((sql) => db.query(sql), sql));
}

/** Resolves when every commit so far is durable in OPFS. */
export function durable(page) {
  return page.evaluate(() => db.durable());
}
