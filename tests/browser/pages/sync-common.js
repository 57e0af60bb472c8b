// What the sync page (sync.html, our package) and the reference's sync page
// (tests/browser/reference/sync.html, @powersync/web + TanStack DB, bundled
// with Vite) share: the table, a connector to the dev sync server, and
// window.app's sync methods, so the sync tests and the W7 benchmark drive
// both stacks with the same code. Each page supplies open(name), which sets
// window.db and window.todos.
import { integrity, watchLongTasks } from './app-common.js';

/** The synced table's columns (about 150 bytes of JSON a row with its id). */
export const COLUMNS = ['owner', 'description', 'completed', 'created_at', 'priority'];

/** The todos table's columns, given a PowerSync `column` (ours or the SDK's). */
export const todosColumns = (column) => ({
  owner: column.text,
  description: column.text,
  completed: column.integer,
  created_at: column.text,
  priority: column.integer,
});

/**
 * A connector to the dev sync server at base as user: a dev token from
 * /api/token, uploads to /api/upload in batches of up to 500 entries.
 * Counts what it uploaded in window.uploads (entries, batches).
 */
export function devConnector(base, user) {
  window.uploads ??= { entries: 0, batches: 0, failures: 0 };
  return {
    async fetchCredentials() {
      const r = await fetch(`${base}/api/token?user_id=${encodeURIComponent(user)}`);
      if (!r.ok) throw new Error(`GET /api/token: HTTP ${r.status}`);
      return r.json(); // { token, endpoint, expires_at }
    },
    async uploadData(database) {
      const batch = await database.getCrudBatch(500);
      if (!batch) return;
      let r;
      try {
        r = await fetch(`${base}/api/upload`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ batch: batch.crud.map((e) => e.toJSON()) }),
        });
      } catch (e) {
        window.uploads.failures++;
        throw e;
      }
      if (!r.ok) {
        window.uploads.failures++;
        throw new Error(`POST /api/upload: HTTP ${r.status}: ${await r.text()}`);
      }
      window.uploads.entries += batch.crud.length;
      window.uploads.batches++;
      await batch.complete();
    },
  };
}

/**
 * Connect options for both stacks: HTTP streaming (the SDK's default is a
 * WebSocket, which the dev server does not speak), retries after 300 ms.
 */
const CONNECT = { connectionMethod: 'http', retryDelayMs: 300 };

/** A row with the table's columns (null when absent), for comparisons. */
export const plain = (r) => Object.fromEntries([['id', r.id], ...COLUMNS.map((c) => [c, r[c] ?? null])]);
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The sync status as plain data (errors as their messages): what the tests
 * read from Node.
 */
export function statusOf(db) {
  const s = db.currentStatus;
  const df = s.dataFlowStatus ?? {};
  const p = s.downloadProgress;
  return {
    connected: s.connected,
    connecting: s.connecting,
    hasSynced: s.hasSynced,
    lastSyncedAt: s.lastSyncedAt ? s.lastSyncedAt.getTime() : null,
    downloading: !!df.downloading,
    uploading: !!df.uploading,
    downloadError: df.downloadError ? String(df.downloadError.message ?? df.downloadError) : null,
    uploadError: df.uploadError ? String(df.uploadError.message ?? df.uploadError) : null,
    progress: p ? { downloaded: p.downloadedOperations, total: p.totalOperations } : null,
  };
}

/**
 * window.app for a sync page: open(name) from the page, the rest here.
 * Every method reads window.db and window.todos, which open sets.
 */
export function syncApp(open) {
  return {
    open,
    /**
     * Connects to the dev server at base as user (CONNECT), uploading
     * without throttling unless options say otherwise. Records
     * every status in window.statusLog.
     */
    async connect(base, user, options = {}) {
      window.statusLog ??= [];
      window.disposeStatusLog ??= db.registerListener({ statusChanged: () => window.statusLog.push(statusOf(db)) });
      await db.connect(devConnector(base, user), { ...CONNECT, crudUploadThrottleMs: 0, ...options });
    },
    disconnect: () => db.disconnect(),
    status: () => statusOf(db),
    /** The collection's rows, by id. */
    rows: () => todos.toArray.map(plain).sort(byId),
    /** The table's rows read with SQL, by id. */
    sqlRows: async () => (await db.getAll(`SELECT id, ${COLUMNS.join(', ')} FROM todos ORDER BY id`)).map(plain),
    /** PRAGMA integrity_check's answer ('ok' when intact). */
    integrity: () => integrity(window.db),
    /** Entries in the upload queue. */
    queue: async () => (await db.get('SELECT count(*) AS n FROM ps_crud')).n,
    /** Inserts rows, one transaction each; resolves once all are persisted. */
    async insert(rows) {
      await Promise.all(rows.map((r) => todos.insert(r).isPersisted.promise));
    },
    /** Updates rows ({ id, ...changes }), one transaction each. */
    async update(changes) {
      await Promise.all(changes.map(({ id, ...c }) => todos.update(id, (d) => void Object.assign(d, c)).isPersisted.promise));
    },
    /** Deletes the rows with these ids, one transaction each. */
    async remove(ids) {
      await Promise.all(ids.map((id) => todos.delete(id).isPersisted.promise));
    },
    /**
     * W7: with the collection ready and empty, connects and measures, from
     * the call to connect: when waitForFirstSync resolved (hasSynced), when
     * the collection first showed n rows, and the main-thread tasks over
     * 50 ms meanwhile.
     */
    async initialSync(base, user, n) {
      const watch = watchLongTasks();
      const t0 = performance.now();
      let rowsAt;
      let sub;
      const shown = new Promise((resolve) => {
        const check = () => {
          if (rowsAt === undefined && todos.size >= n) {
            rowsAt = performance.now() - t0;
            resolve();
          }
        };
        sub = todos.subscribeChanges(check);
        check();
      });
      await db.connect(devConnector(base, user), CONNECT);
      await db.waitForFirstSync();
      const synced = performance.now() - t0;
      await shown;
      sub.unsubscribe();
      return { hasSynced: synced, rows: rowsAt, size: todos.size, long: await watch.stop() };
    },
  };
}
