// The reference stack behind the same window.app interface as
// tests/browser/pages/stack.html, so the browser benchmark runs the same
// workloads on both: @tanstack/db collections over @powersync/web with
// wa-sqlite's OPFSCoopSyncVFS in a dedicated worker (the faster storage in
// shared/reference/reference-stack.md).
import { PowerSyncDatabase, Schema, Table, column, WASQLiteOpenFactory, WASQLiteVFS } from '@powersync/web';
import { createCollection } from '@tanstack/db';
import { powerSyncCollectionOptions } from '@tanstack/powersync-db-collection';

const schema = new Schema({
  todos: new Table({ title: column.text, n: column.integer }),
});

window.app = {
  schema,
  // open(name): open the database, create and preload the collection; the
  // same marks as stack.html (init is 0: the SDK loads its module in db.init).
  async open(name) {
    const long = [];
    const t0 = performance.now();
    const observer = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => `${Math.round(e.duration)} at ${Math.round(e.startTime - t0)}`)));
    observer.observe({ type: 'longtask' });
    const db = new PowerSyncDatabase({
      schema,
      database: new WASQLiteOpenFactory({ dbFilename: name, vfs: WASQLiteVFS.OPFSCoopSyncVFS }),
    });
    await db.init();
    const t2 = performance.now();
    const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }));
    await todos.preload();
    const t3 = performance.now();
    Object.assign(window, { db, todos });
    await new Promise((r) => setTimeout(r, 100)); // entries arrive after their task
    observer.disconnect();
    return { init: 0, dbInit: t2 - t0, preload: t3 - t2, size: todos.size, long };
  },
  // fill(prefix, count): inserts count todos with SQL, 1,000 per statement
  // (a recursive CTE: wa-sqlite here has no generate_series).
  async fill(prefix, count) {
    for (let b = 0; b < count; b += 1000) {
      await db.execute(
        "WITH RECURSIVE s(value) AS (SELECT ? UNION ALL SELECT value + 1 FROM s WHERE value < ?) " +
          "INSERT INTO todos (id, title, n) SELECT printf(? || '-%06d', value), 'todo number ' || value, value FROM s",
        [b + 1, Math.min(b + 1000, count), prefix],
      );
    }
  },
  async integrity() {
    return (await db.get('PRAGMA integrity_check')).integrity_check;
  },
};
window.pageReady = true;
