// The parts of TanStack DB's collection surface beyond the basics:
// readiness, changes of the current state, iteration helpers,
// createOptimisticAction and local-only collections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  init, createCollection, powerSyncCollectionOptions, localOnlyCollectionOptions, createTransaction,
  createOptimisticAction, PowerSyncTransactor, OnMutateMustBeSynchronousError, DuplicateKeyError,
  SchemaValidationError, TransactionError, getActiveTransaction, Schema, Table, column, localStorageCollectionOptions,
} from '../index.js';
import { openDatabase, waitFor } from './helpers.js';

test('isReady and onFirstReady follow the collection to ready without starting sync', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name) VALUES ('a', 'x')");
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', startSync: false }));
  assert.equal(documents.isReady(), false);
  const calls = [];
  documents.onFirstReady(() => calls.push('first'));
  const cancel = documents.onFirstReady(() => calls.push('cancelled'));
  cancel();
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(documents.status, 'idle', 'onFirstReady must not start sync');
  assert.deepEqual(calls, []);
  await documents.preload();
  assert.equal(documents.isReady(), true);
  await waitFor(() => calls.length === 1, 'the onFirstReady callback');
  assert.deepEqual(calls, ['first']);
  // Once ready, a new callback runs at once.
  documents.onFirstReady(() => calls.push('late'));
  assert.deepEqual(calls, ['first', 'late']);
});

test('currentStateAsChanges, forEach and map see the items in key order', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  await documents.insert([{ id: 'b', name: 'B' }, { id: 'a', name: 'A' }, { id: 'c', name: 'C' }]).isPersisted.promise;
  const changes = documents.currentStateAsChanges();
  assert.deepEqual(changes.map((c) => [c.type, c.key, c.value.name]), [['insert', 'a', 'A'], ['insert', 'b', 'B'], ['insert', 'c', 'C']]);
  assert.deepEqual(documents.currentStateAsChanges({ limit: 2 }).map((c) => c.key), ['a', 'b']);
  assert.throws(() => documents.currentStateAsChanges({ where: {} }), /query builder/);
  const seen = [];
  documents.forEach((v, k, i) => seen.push(`${i}:${k}:${v.name}`));
  assert.deepEqual(seen, ['0:a:A', '1:b:B', '2:c:C']);
  assert.deepEqual(documents.map((v) => v.name), ['A', 'B', 'C']);
  assert.equal(documents.getKeyFromItem({ id: 'z' }), 'z');
});

test('createOptimisticAction applies onMutate at once and persists with mutationFn(variables)', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  const seen = [];
  const addDocument = createOptimisticAction({
    onMutate: ({ id, name }) => { documents.insert({ id, name }); },
    mutationFn: async (variables, { transaction }) => {
      seen.push([variables.id, transaction.mutations.length]);
      await new PowerSyncTransactor({ database: db }).applyTransaction(transaction);
    },
  });
  const tx = addDocument({ id: 'd1', name: 'first' });
  assert.equal(documents.get('d1').name, 'first', 'applied optimistically at once');
  await tx.isPersisted.promise;
  assert.deepEqual(seen, [['d1', 1]]);
  assert.equal((await db.get("SELECT name FROM documents WHERE id = 'd1'")).name, 'first');

  const asyncAction = createOptimisticAction({ onMutate: async () => {}, mutationFn: async () => {} });
  assert.throws(() => asyncAction({}), (e) => e instanceof OnMutateMustBeSynchronousError && e instanceof TransactionError);
  assert.throws(() => createOptimisticAction({ mutationFn: async () => {} }), TypeError);
});

test('a local-only collection holds UI state, ready at once, beside synced collections', async () => {
  await init();
  const ui = createCollection(localOnlyCollectionOptions({
    id: 'ui',
    getKey: (item) => item.key,
    initialData: [{ key: 'filter', value: { done: false, tags: ['a'] } }],
  }));
  assert.equal(ui.id, 'ui');
  assert.equal(ui.isReady(), true);
  assert.deepEqual(ui.get('filter'), { key: 'filter', value: { done: false, tags: ['a'] } });
  const tx = ui.insert({ key: 'selected', value: 'd1', bytes: new Uint8Array([1, 2]) });
  await tx.isPersisted.promise;
  assert.equal(tx.state, 'completed');
  assert.deepEqual(ui.get('selected').bytes, new Uint8Array([1, 2]));
  await ui.update('filter', (d) => { d.value.done = true; }).isPersisted.promise;
  assert.equal(ui.get('filter').value.done, true);
  await ui.delete('selected').isPersisted.promise;
  assert.deepEqual([...ui.keys()], ['filter']);
  assert.throws(() => ui.insert({ key: 'filter' }), DuplicateKeyError);
  assert.throws(() => localOnlyCollectionOptions({}), /getKey/);
});

test('local-only handlers run before a mutation is kept, and a failing one rolls it back', async () => {
  await init();
  const persisted = [];
  let fail = false;
  const drafts = createCollection(localOnlyCollectionOptions({
    getKey: (d) => d.id,
    onInsert: async ({ transaction, collection }) => {
      if (fail) throw new Error('refused');
      persisted.push(transaction.mutations.map((m) => m.key));
      assert.equal(collection, drafts);
    },
  }));
  await drafts.insert({ id: 'x' }).isPersisted.promise;
  assert.deepEqual(persisted, [['x']]);
  fail = true;
  const tx = drafts.insert({ id: 'y' });
  await assert.rejects(tx.isPersisted.promise, /refused/);
  assert.equal(drafts.has('y'), false);
  assert.equal(drafts.has('x'), true);
});

test('a transaction spans a synced and a local-only collection; acceptMutations keeps the local part', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  const selection = createCollection(localOnlyCollectionOptions({ getKey: (s) => s.id }));
  await documents.preload();
  const tx = createTransaction({
    autoCommit: false,
    mutationFn: async ({ transaction }) => {
      // PowerSyncTransactor takes only PowerSync collections' mutations (as
      // TanStack's does): the synced part is written here by hand.
      for (const m of transaction.mutations) {
        if (m.collection === documents) await db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', [m.key, m.modified.name]);
      }
      selection.utils.acceptMutations(transaction);
    },
  });
  tx.mutate(() => {
    documents.insert({ id: 'd1', name: 'new' });
    selection.insert({ id: 'current', documentId: 'd1' });
  });
  assert.equal(selection.get('current').documentId, 'd1');
  await tx.commit();
  assert.equal(tx.state, 'completed');
  assert.equal(selection.get('current').documentId, 'd1', 'kept after commit');
  assert.equal((await db.get("SELECT name FROM documents WHERE id = 'd1'")).name, 'new');
  await waitFor(() => documents.get('d1')?.name === 'new', 'the synced row');
  // PowerSyncTransactor refuses a transaction with local-only mutations, naming why.
  const mixed = createTransaction({
    autoCommit: false,
    mutationFn: async ({ transaction }) => { await new PowerSyncTransactor({ database: db }).applyTransaction(transaction); },
  });
  mixed.mutate(() => { documents.insert({ id: 'd2' }); selection.insert({ id: 'other' }); });
  await assert.rejects(mixed.commit(), /not a PowerSync collection/);
  assert.equal(documents.has('d2'), false);
  // Without acceptMutations, the local mutation is gone once the transaction is done.
  const tx2 = createTransaction({ autoCommit: false, mutationFn: async () => {} });
  tx2.mutate(() => selection.insert({ id: 'dropped' }));
  assert.equal(selection.has('dropped'), true);
  await tx2.commit();
  assert.equal(selection.has('dropped'), false);
});

test('a local-only schema validates inserts; getKey must return a string', async () => {
  await init();
  const positive = {
    '~standard': {
      version: 1, vendor: 'test',
      validate: (v) => (v.n > 0 ? { value: v } : { issues: [{ message: 'n must be positive', path: ['n'] }] }),
    },
  };
  const c = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, schema: positive }));
  assert.throws(() => c.insert({ id: 'a', n: 0 }), SchemaValidationError);
  c.insert({ id: 'a', n: 1 });
  assert.equal(c.size, 1);
  const numeric = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.n }));
  assert.throws(() => numeric.insert({ n: 1 }), /string/);
});

test('executeRaw keeps column order and same-named columns; executeBatch is all or nothing', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name, n) VALUES ('a', 'x', 1), ('b', 'y', 2)");
  assert.deepEqual(await db.executeRaw('SELECT n, id, name AS id FROM documents ORDER BY id'), [[1, 'a', 'x'], [2, 'b', 'y']]);
  assert.deepEqual(await db.writeTransaction((tx) => tx.executeRaw("SELECT 'z' AS \"2\", 'y' AS \"1\"")), [['z', 'y']]);

  // rowsAffected is SQLite's count, which leaves out rows a view's INSTEAD OF trigger writes.
  const r = await db.executeBatch('INSERT INTO documents (id, n) VALUES (?, ?)', [['c', 3], ['d', 4]]);
  assert.equal(typeof r.rowsAffected, 'number');
  assert.equal((await db.get('SELECT count(*) AS c FROM documents')).c, 4);
  // The second statement fails (duplicate id): the first is rolled back too.
  await assert.rejects(db.executeBatch('INSERT INTO documents (id, n) VALUES (?, ?)', [['e', 5], ['a', 6]]));
  assert.equal(await db.getOptional("SELECT id FROM documents WHERE id = 'e'"), null);
  await assert.rejects(db.executeBatch('SELECT 1', [1]), TypeError);
});

test("watch takes PowerSync's handler argument; waitForStatus resolves on the first status that matches", async () => {
  const db = await openDatabase();
  const results = [];
  const dispose = db.watch('SELECT count(*) AS c FROM documents', [], { onResult: (r) => results.push(r.rows._array[0].c) }, { tables: ['documents'] });
  await waitFor(() => results.length === 1, 'the first result');
  await db.execute("INSERT INTO documents (id) VALUES ('w')");
  await waitFor(() => results.at(-1) === 1, 'the result after an insert');
  dispose();

  await db.waitForStatus((s) => s.connected === false); // true now: resolves at once
  const aborted = new AbortController();
  const waiting = db.waitForStatus((s) => s.connected === true, aborted.signal);
  aborted.abort();
  await waiting;
  await assert.rejects(db.waitForStatus(), TypeError);
});

test('getActiveTransaction is the transaction whose mutate() is running', async () => {
  await init();
  const ui = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id }));
  const tx = createTransaction({ autoCommit: false, mutationFn: async () => {} });
  assert.equal(getActiveTransaction(), undefined);
  let inside;
  tx.mutate(() => {
    inside = getActiveTransaction();
    ui.insert({ id: 'a' });
  });
  assert.equal(inside, tx);
  assert.equal(getActiveTransaction(), undefined);
  tx.rollback();
});

test('updateSchema adds columns and tables, keeps every row, and refuses a non-Schema', async () => {
  const db = await openDatabase(':memory:', new Schema({ notes: new Table({ body: column.text }) }));
  await db.execute("INSERT INTO notes (id, body) VALUES ('n1', 'kept')");
  const next = new Schema({
    notes: new Table({ body: column.text, pinned: column.integer }),
    tags: new Table({ label: column.text }),
  });
  await db.updateSchema(next);
  assert.equal(db.schema, next);
  await db.execute("INSERT INTO notes (id, body, pinned) VALUES ('n2', 'new', 1)");
  await db.execute("INSERT INTO tags (id, label) VALUES ('t1', 'x')");
  assert.deepEqual(await db.getAll('SELECT id, body, pinned FROM notes ORDER BY id'), [
    { id: 'n1', body: 'kept', pinned: null }, { id: 'n2', body: 'new', pinned: 1 },
  ]);
  // A collection made after the update sees the new column.
  const notes = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'notes' }));
  await notes.preload();
  assert.equal(notes.get('n2').pinned, 1);
  await assert.rejects(db.updateSchema({ tables: [] }), TypeError);
});

// A storage and its 'storage' events, shared by two "tabs" as a browser
// shares localStorage between tabs of an origin.
function sharedStorage() {
  const items = new Map();
  const tabs = [];
  const storage = {
    getItem: (k) => (items.has(k) ? items.get(k) : null),
    setItem: (k, v) => { items.set(k, v); },
    removeItem: (k) => { items.delete(k); },
  };
  return {
    storage,
    items,
    tab() { const t = new EventTarget(); tabs.push(t); return t; },
    // What the browser does after a tab writes: every other tab hears of it.
    announce(from, key) {
      for (const t of tabs) if (t !== from) t.dispatchEvent(Object.assign(new Event('storage'), { key, storageArea: storage }));
    },
  };
}

test('a localStorage collection persists writes in TanStack DB layout and follows another tab', async () => {
  await init();
  const shared = sharedStorage();
  const tabA = shared.tab();
  const tabB = shared.tab();
  const open = (id, events) => createCollection(localStorageCollectionOptions({
    id, storageKey: 'prefs', storage: shared.storage, storageEventApi: events, getKey: (p) => p.name,
  }));
  const a = open('prefs-a', tabA);
  await a.insert({ name: 'theme', value: 'dark' }).isPersisted.promise;
  const stored = JSON.parse(shared.items.get('prefs'));
  assert.deepEqual(Object.keys(stored), ['s:theme']);
  assert.deepEqual(stored['s:theme'].data, { name: 'theme', value: 'dark' });
  assert.equal(typeof stored['s:theme'].versionKey, 'string');
  assert.ok(a.utils.getStorageSize() > 0);

  // A second tab (or a reload) starts with what is stored.
  const b = open('prefs-b', tabB);
  assert.deepEqual(b.get('theme'), { name: 'theme', value: 'dark' });

  // Writes in one tab reach the other through the storage event.
  await a.update('theme', (d) => { d.value = 'light'; }).isPersisted.promise;
  await a.insert({ name: 'lang', value: 'fr' }).isPersisted.promise;
  shared.announce(tabA, 'prefs');
  assert.equal(b.get('theme').value, 'light');
  assert.equal(b.get('lang').value, 'fr');
  await b.delete('lang').isPersisted.promise;
  shared.announce(tabB, 'prefs');
  assert.equal(a.has('lang'), false);
  assert.deepEqual(Object.keys(JSON.parse(shared.items.get('prefs'))), ['s:theme']);

  a.utils.clearStorage();
  assert.equal(shared.items.has('prefs'), false);
  assert.equal(a.utils.getStorageSize(), 0);
});

test('a write the storage refuses fails its transaction and is not shown', async () => {
  await init();
  let full = false;
  const items = new Map();
  const storage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => { if (full) throw new Error('QuotaExceededError'); items.set(k, v); },
    removeItem: (k) => { items.delete(k); },
  };
  const c = createCollection(localStorageCollectionOptions({ storageKey: 'drafts', storage, storageEventApi: new EventTarget(), getKey: (d) => d.id }));
  await c.insert({ id: 'a' }).isPersisted.promise;
  full = true;
  const tx = c.insert({ id: 'b' });
  await assert.rejects(tx.isPersisted.promise, /QuotaExceeded/);
  assert.equal(c.has('b'), false);
  assert.deepEqual(Object.keys(JSON.parse(items.get('drafts'))), ['s:a']);
  assert.throws(() => localStorageCollectionOptions({ getKey: (d) => d.id }), /storageKey/);
});

test('in a manual transaction, acceptMutations stores a localStorage collection\'s part', async () => {
  await init();
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, v), removeItem: (k) => items.delete(k) };
  const c = createCollection(localStorageCollectionOptions({ storageKey: 'sel', storage, storageEventApi: new EventTarget(), getKey: (d) => d.id }));
  const tx = createTransaction({ autoCommit: false, mutationFn: async ({ transaction }) => { c.utils.acceptMutations(transaction); } });
  tx.mutate(() => c.insert({ id: 'x', on: true }));
  await tx.commit();
  assert.equal(c.get('x').on, true);
  assert.deepEqual(JSON.parse(items.get('sel'))['s:x'].data, { id: 'x', on: true });
});

test('collection events: status:change and status:<status>, in order; once, off and waitFor', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', startSync: false }));
  const seen = [];
  documents.on('status:change', (e) => {
    assert.equal(e.collection, documents);
    seen.push(`${e.previousStatus}>${e.status}`);
  });
  const readyOnce = [];
  documents.once('status:ready', (e) => readyOnce.push(e.type));
  const removed = documents.on('status:loading', () => seen.push('removed handler ran'));
  removed();
  const ready = documents.waitFor('status:ready', 5000);
  await documents.preload();
  assert.equal((await ready).status, 'ready');
  await documents.cleanup();
  await documents.preload(); // cleaned-up > loading > ready again: `once` stays quiet
  await waitFor(() => seen.length === 5, () => `five transitions, got ${seen}`);
  assert.deepEqual(seen, ['idle>loading', 'loading>ready', 'ready>cleaned-up', 'cleaned-up>loading', 'loading>ready']);
  assert.deepEqual(readyOnce, ['status:ready']);
  await assert.rejects(documents.waitFor('status:error', 20), /no status:error event within 20 ms/);
  assert.throws(() => documents.on('change', () => {}), /unsupported event/);
});

test("PowerSync's older schema form builds the same schema, and works as a database's", async () => {
  const { Column, Index, IndexedColumn, ColumnType } = await import('../index.js');
  const classic = new Schema([
    new Table({
      name: 'todos',
      columns: [new Column({ name: 'title', type: ColumnType.TEXT }), new Column({ name: 'n', type: ColumnType.INTEGER })],
      indexes: [new Index({ name: 'by_title', columns: [new IndexedColumn({ name: 'title', ascending: false })] })],
      trackMetadata: true,
    }),
    Table.createLocalOnly({ name: 'drafts', columns: [new Column({ name: 'body', type: ColumnType.TEXT })] }),
  ]);
  const current = new Schema({
    todos: new Table({ title: column.text, n: column.integer }, { indexes: { by_title: ['-title'] }, trackMetadata: true }),
    drafts: new Table({ body: column.text }, { localOnly: true }),
  });
  assert.deepEqual(classic.toJSON(), current.toJSON());
  assert.equal(classic.props.todos.name, 'todos');
  assert.equal(classic.props.todos.internalName, 'ps_data__todos');
  assert.equal(classic.props.drafts.internalName, 'ps_data_local__drafts');
  assert.equal(classic.props.todos.validName, true);
  assert.equal(new Table({ a: column.text }, { viewName: 'v' }).viewNameOverride, 'v');
  classic.validate();
  assert.equal(Table.createTable('other', classic.props.drafts).name, 'other');
  assert.throws(() => new Schema([new Table({ body: column.text })]), /needs a name/);
  // A table may have columns named "name" and "columns" in the current form.
  assert.deepEqual(new Table({ name: column.text, columns: column.text }).columns.map((c) => c.name), ['name', 'columns']);

  const db = await openDatabase(':memory:', classic);
  await db.execute("INSERT INTO todos (id, title, n) VALUES ('t', 'x', 1)");
  assert.equal((await db.get('SELECT title FROM todos')).title, 'x');
});

test("watchWithCallback, watchWithAsyncGenerator, onChangeWithCallback and onChangeWithAsyncGenerator are PowerSync's names for the two forms", async () => {
  const db = await openDatabase();
  const results = [];
  const dispose = db.watchWithCallback('SELECT count(*) AS c FROM documents', [], { onResult: (r) => results.push(r.rows._array[0].c) });
  const changes = [];
  const stop = db.onChangeWithCallback({ onChange: (e) => changes.push(e.changedTables) }, { tables: ['documents'] });
  const abort = new AbortController();
  const iter = db.watchWithAsyncGenerator('SELECT count(*) AS c FROM documents', [], { signal: abort.signal })[Symbol.asyncIterator]();
  assert.equal((await iter.next()).value.rows._array[0].c, 0);
  const events = db.onChangeWithAsyncGenerator({ tables: ['documents'], signal: abort.signal })[Symbol.asyncIterator]();
  await waitFor(() => results.length === 1, 'the first result');
  await db.execute("INSERT INTO documents (id) VALUES ('a')");
  await waitFor(() => results.at(-1) === 1 && changes.length > 0, 'the insert seen by both callbacks');
  assert.equal((await iter.next()).value.rows._array[0].c, 1);
  assert.deepEqual((await events.next()).value.changedTables, ['documents']);
  dispose();
  stop();
  abort.abort();
  assert.throws(() => db.watchWithCallback('SELECT 1', [], {}), TypeError);
  assert.throws(() => db.onChangeWithAsyncGenerator({ onChange: () => {} }), TypeError);
});

test('getCrudTransactions walks the upload queue a transaction at a time, completing none', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id) VALUES ('a')");
  await db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO documents (id) VALUES ('b')");
    await tx.execute("INSERT INTO documents (id) VALUES ('c')");
  });
  await db.execute("INSERT INTO documents (id) VALUES ('d')");
  const seen = [];
  let second;
  for await (const tx of db.getCrudTransactions()) {
    seen.push(tx.crud.map((e) => e.id));
    if (seen.length === 2) second = tx;
  }
  assert.deepEqual(seen, [['a'], ['b', 'c'], ['d']]);
  assert.equal((await db.getUploadQueueStats()).count, 4, 'walking completes nothing');
  await second.complete();
  assert.deepEqual((await db.getNextCrudTransaction()).crud.map((e) => e.id), ['d']);
});

test('createPacedMutations: every change shows at once; debounce persists the burst in one transaction', async () => {
  const db = await openDatabase();
  const documents = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await documents.preload();
  await documents.insert({ id: 'doc', content: '' }).isPersisted.promise;
  const { createPacedMutations, debounceStrategy } = await import('../index.js');
  let commits = 0;
  const type = createPacedMutations({
    onMutate: (text) => { documents.update('doc', (d) => { d.content = text; }); },
    mutationFn: async ({ transaction }) => {
      commits++;
      await new PowerSyncTransactor({ database: db }).applyTransaction(transaction);
    },
    strategy: debounceStrategy({ wait: 40 }),
  });
  const txs = ['h', 'he', 'hel', 'hell', 'hello'].map((t) => {
    const tx = type(t);
    assert.equal(documents.get('doc').content, t, 'shown at once');
    return tx;
  });
  assert.equal(new Set(txs).size, 1, 'one transaction gathers the burst');
  await txs[0].isPersisted.promise;
  assert.equal(commits, 1);
  assert.equal((await db.get("SELECT content FROM documents WHERE id = 'doc'")).content, 'hello');
  // The next burst starts a new transaction.
  assert.notEqual(type('hello!'), txs[0]);
});

test('throttleStrategy persists at the start and the end of a window; queueStrategy one transaction per call, in order', async () => {
  await init();
  const { createPacedMutations, throttleStrategy, queueStrategy } = await import('../index.js');
  const ui = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: [{ id: 'n', v: 0 }] }));
  const persisted = [];
  const mutationFn = async ({ transaction }) => {
    persisted.push(transaction.mutations.map((m) => m.modified.v));
    ui.utils.acceptMutations(transaction);
  };
  const set = createPacedMutations({ onMutate: (v) => ui.update('n', (d) => { d.v = v; }), mutationFn, strategy: throttleStrategy({ wait: 40 }) });
  const first = set(1); // leading: commits at once
  const second = set(2);
  const third = set(3); // joins the trailing transaction
  assert.notEqual(first, second);
  assert.equal(second, third);
  await first.isPersisted.promise;
  await third.isPersisted.promise;
  assert.deepEqual(persisted, [[1], [3]]);
  assert.equal(ui.get('n').v, 3);

  persisted.length = 0;
  const order = [];
  const queued = createPacedMutations({
    onMutate: (v) => ui.update('n', (d) => { d.v = v; }),
    mutationFn: async (p) => { order.push(p.transaction.mutations[0].modified.v); await new Promise((r) => setTimeout(r, 5)); ui.utils.acceptMutations(p.transaction); },
    strategy: queueStrategy(),
  });
  const qs = [10, 11, 12].map((v) => queued(v));
  assert.equal(new Set(qs).size, 3);
  await qs[2].isPersisted.promise;
  assert.deepEqual(order, [10, 11, 12]);
  assert.throws(() => createPacedMutations({ onMutate() {}, mutationFn: async () => {} }), TypeError);
});

test("query().watch() keeps a result current with PowerSync's state and listeners", async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name, n) VALUES ('a', 'x', 1)");
  const watched = db.query({ sql: 'SELECT id, n FROM documents WHERE n >= ? ORDER BY id', parameters: [1], mapper: (r) => `${r.id}:${r.n}` })
    .watch({ comparator: { checkEquality: (a, b) => JSON.stringify(a) === JSON.stringify(b) } });
  assert.equal(watched.state.isLoading, true);
  assert.deepEqual(watched.state.data, []);
  const data = [];
  const states = [];
  watched.registerListener({ onData: (d) => data.push(d), onStateChange: (s) => states.push(s.isLoading) });
  await waitFor(() => data.length === 1, 'the first result');
  assert.deepEqual(data[0], ['a:1']);
  assert.equal(watched.state.isLoading, false);
  assert.equal(watched.state.isFetching, false);
  assert.ok(watched.state.lastUpdated instanceof Date);
  await db.execute("INSERT INTO documents (id, n) VALUES ('b', 2)");
  await waitFor(() => data.length === 2, 'the result after an insert');
  assert.deepEqual(data[1], ['a:1', 'b:2']);
  // A write that leaves the result as it was: the comparator keeps onData quiet.
  await db.execute("INSERT INTO documents (id, n) VALUES ('c', 0)");
  await db.execute("INSERT INTO documents (id, n) VALUES ('d', 3)");
  await waitFor(() => data.length === 3, 'the result after the second change');
  assert.deepEqual(data[2], ['a:1', 'b:2', 'd:3']);
  let closed = false;
  watched.registerListener({ closed: () => { closed = true; } });
  await watched.close();
  assert.equal(closed, true);
  assert.equal(watched.closed, true);
  await db.execute("INSERT INTO documents (id, n) VALUES ('e', 4)");
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(data.length, 3, 'nothing after close');

  const failing = db.query({ sql: 'SELECT * FROM nowhere' }).watch();
  const errors = [];
  failing.registerListener({ onError: (e) => errors.push(e) });
  await waitFor(() => errors.length === 1, 'the error');
  assert.match(failing.state.error.message, /nowhere/);
  await failing.close();
  assert.throws(() => db.query({}), TypeError);
});

test('query().differentialWatch() reports added, updated, removed and unchanged rows, keeping unchanged objects', async () => {
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name) VALUES ('a', 'x'), ('b', 'y')");
  const watched = db.query({ sql: 'SELECT id, name FROM documents ORDER BY id' }).differentialWatch();
  const diffs = [];
  watched.registerListener({ onDiff: (d) => diffs.push(d) });
  await waitFor(() => diffs.length === 1, 'the first result');
  assert.deepEqual(diffs[0].added.map((r) => r.id), ['a', 'b']);
  const firstB = watched.state.data[1];
  await db.writeTransaction(async (tx) => {
    await tx.execute("UPDATE documents SET name = 'z' WHERE id = 'a'");
    await tx.execute("DELETE FROM documents WHERE id = 'c'");
    await tx.execute("INSERT INTO documents (id, name) VALUES ('c', 'w')");
  });
  await waitFor(() => diffs.length === 2, 'the second result');
  const d = diffs[1];
  assert.deepEqual(d.added.map((r) => r.id), ['c']);
  assert.deepEqual(d.updated.map((u) => [u.previous.name, u.current.name]), [['x', 'z']]);
  assert.deepEqual(d.unchanged.map((r) => r.id), ['b']);
  assert.equal(watched.state.data[1], firstB, 'an unchanged row keeps its object');
  await db.execute("DELETE FROM documents WHERE id = 'b'");
  await waitFor(() => diffs.length === 3, 'the third result');
  assert.deepEqual(diffs[2].removed.map((r) => r.id), ['b']);
  assert.deepEqual(watched.state.data.map((r) => r.id), ['a', 'c']);
  await watched.close();
});

test("CrudEntry.fromRow reads ps_crud rows as the queue hands them out; equals and hashCode compare entries", async () => {
  const { CrudEntry } = await import('../index.js');
  const db = await openDatabase();
  await db.execute("INSERT INTO documents (id, name) VALUES ('a', 'x')");
  await db.execute("UPDATE documents SET name = 'y' WHERE id = 'a'");
  const fromRows = (await db.getAll('SELECT id, data, tx_id FROM ps_crud ORDER BY id')).map((r) => CrudEntry.fromRow(r));
  const handed = (await db.getCrudBatch()).crud;
  assert.equal(fromRows.length, 2);
  fromRows.forEach((e, i) => {
    assert.ok(e.equals(handed[i]), `entry ${i}: ${e.hashCode()} vs ${handed[i].hashCode()}`);
    assert.deepEqual(e.toJSON(), handed[i].toJSON());
  });
  assert.equal(fromRows[0].equals(handed[1]), false);
  assert.deepEqual(fromRows[1].toComparisonArray().slice(2, 6), ['PATCH', 'documents', 'a', { name: 'y' }]);
});
