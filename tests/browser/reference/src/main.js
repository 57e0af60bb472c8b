// The reference stack behind the same window.app interface as
// tests/browser/pages/stack.html, so the browser benchmark runs the same
// workloads on both: @tanstack/db collections over @powersync/web with
// wa-sqlite's OPFSCoopSyncVFS in a dedicated worker (the faster of
// @powersync/web's OPFS storages in our measurements).
import { PowerSyncDatabase, Schema, Table, column, WASQLiteOpenFactory, WASQLiteVFS } from '@powersync/web';
import { BTreeIndex, createCollection, createLiveQueryCollection, eq, gt, count } from '@tanstack/db';
import { powerSyncCollectionOptions } from '@tanstack/powersync-db-collection';
import { fill, integrity, watchLongTasks } from '../../pages/app-common.js';
import * as live from '../../pages/live-common.js';

const schema = new Schema({
  todos: new Table({ title: column.text, n: column.integer }),
});

window.app = {
  schema,
  // open(name): open the database, create and preload the collection; the
  // same marks as stack.html (init is 0: the SDK loads its module in db.init).
  async open(name) {
    const watch = watchLongTasks();
    const t0 = performance.now();
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
    return { init: 0, dbInit: t2 - t0, preload: t3 - t2, size: todos.size, long: await watch.stop() };
  },
  fill: (prefix, count) => fill(window.db, prefix, count),
  integrity: () => integrity(window.db),
  // Its wasm memory is in its database worker: the benchmark counts it in the renderer's PSS.
  wasmMemory: () => null,
  // live(name): a live-query workload of live-common.js with TanStack DB's functions.
  live: (name) => live[name]({ createLiveQueryCollection, eq, gt, count }),
  // index(): an index on n, as an app would create for its orderBy.
  index: () => { window.todos.createIndex((row) => row.n, { indexType: BTreeIndex }); },
};
window.pageReady = true;
