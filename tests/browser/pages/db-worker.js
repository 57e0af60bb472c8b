// A dedicated worker that opens a database with the public package, as the
// stack page does in a tab (same schema, same globals: db, todos, app), so
// that tests can drive it with Playwright's worker.evaluate beside tabs on
// the same database. Posts 'ready' once the package is loaded.
import * as gp from '/js/index.js';
import { integrity } from './app-common.js';

const schema = new gp.Schema({
  todos: new gp.Table({ title: gp.column.text, n: gp.column.integer }),
});

self.gp = gp;
self.app = {
  /** Opens database name (options: more of its options.database) and preloads the collection. */
  async open(name, database = {}) {
    await gp.init();
    const db = new gp.PowerSyncDatabase({ schema, database: { ...database, dbFilename: name } });
    await db.init();
    const todos = gp.createCollection(gp.powerSyncCollectionOptions({ database: db, table: schema.props.todos }));
    await todos.preload();
    Object.assign(self, { db, todos });
    return todos.size;
  },
  integrity: () => integrity(self.db),
};
postMessage('ready');
