// The reference stack syncing with our dev sync server, behind the same
// window.app as tests/browser/pages/sync.html (pages/sync-common.js): the
// SDK as an app would use it by default (the sync stream in its shared
// worker, the database in a dedicated worker on OPFSCoopSyncVFS), a
// TanStack DB collection over the synced table.
import { PowerSyncDatabase, Schema, Table, column, WASQLiteOpenFactory, WASQLiteVFS } from '@powersync/web';
import { createCollection } from '@tanstack/db';
import { powerSyncCollectionOptions } from '@tanstack/powersync-db-collection';
import { syncApp, todosColumns } from '../../pages/sync-common.js';

const schema = new Schema({ todos: new Table(todosColumns(column)) });

window.app = {
  ...syncApp(async (name) => {
    const t0 = performance.now();
    const db = new PowerSyncDatabase({
      schema,
      database: new WASQLiteOpenFactory({ dbFilename: name, vfs: WASQLiteVFS.OPFSCoopSyncVFS }),
    });
    await db.init();
    const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }));
    await todos.preload();
    Object.assign(window, { db, todos });
    return { open: performance.now() - t0, size: todos.size };
  }),
  wasmMemory: () => null,
};
window.pageReady = true;
