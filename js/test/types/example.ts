// A small typed app against the package's declarations, imported by the
// package's own name so that package.json's exports and types are checked
// too. `make test` type-checks it (tsc -p js/test/types); it is never run.
// Each @ts-expect-error line must fail to type-check: if a declaration
// loosens, tsc reports the directive as unused.
import {
  Schema, Table, column, PowerSyncDatabase, createCollection, powerSyncCollectionOptions,
  localOnlyCollectionOptions, localStorageCollectionOptions, createTransaction, createOptimisticAction, PowerSyncTransactor,
  type Collection, type QueryResult,
} from 'gopowersync';

const schema = new Schema({
  todos: new Table({ title: column.text, done: column.integer, weight: column.real }, { indexes: { by_title: ['title'] } }),
  lists: new Table({ name: column.text }),
});

// schema.types gives each table's row type, as PowerSync's does.
type Todo = typeof schema.types.todos;
type List = (typeof schema)['types']['lists'];
const sample: Todo = { id: 't1', title: 'write', done: 0, weight: null };
// @ts-expect-error a TEXT column is a string
const wrongTitle: Todo = { id: 't1', title: 1, done: 0, weight: null };
// @ts-expect-error the id is part of every row
const noId: List = { name: 'x' };

async function main(): Promise<void> {
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: 'app.sqlite' } });
  await db.init();
  const disposeStatus: () => void = db.registerListener({ statusUpdated: (o) => { const c: boolean | undefined = o.connected; void c; } });

  // A table without a schema gives the collection the table's row type.
  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }));
  await todos.preload();
  const first: Todo | undefined = todos.get('t1');
  const title: string | null | undefined = first?.title;
  todos.insert(sample);
  // Columns are nullable: insert() may leave them out (as the README's example does).
  todos.insert({ id: 't4', title: 'only a title' });
  // @ts-expect-error the id is required on insert
  todos.insert({ title: 'no id' });
  // @ts-expect-error a TEXT column is a string on insert too
  todos.insert({ id: 't5', title: 5 });
  // @ts-expect-error an unknown column
  todos.insert({ id: 't2', title: 'x', done: 0, weight: 1, colour: 'red' });
  todos.update('t1', (draft) => { draft.done = 1; });
  const meta: string = todos.utils.getMeta().tableName;
  const ready: boolean = todos.isReady();
  const dispose: () => void = todos.onFirstReady(() => {});
  todos.on('status:change', (e) => { const was: string = e.previousStatus; void was; });
  const readyEvent = await todos.waitFor('status:ready', 1000);
  const nowReady: 'ready' = readyEvent.status;
  // @ts-expect-error not an event a collection emits
  todos.on('status:unknown', () => {});
  const keys: string[] = todos.currentStateAsChanges({ limit: 10 }).map((c) => c.key);
  const titles: (string | null)[] = todos.map((t) => t.title);
  todos.on('index:added', (e) => { const p: string[] | null = e.index.path; void p; });
  todos.on('truncate', (e) => { const t: 'truncate' = e.type; void t; });
  const removed: boolean = todos.removeIndex('byTitle');
  todos.on('loadingSubset:change', (e) => { const t: 'start' | 'end' = e.loadingSubsetTransition; const now: boolean = todos.isLoadingSubset || e.isLoadingSubset; void t; void now; });
  const checked: string | null = todos.validateData({ id: 't9', title: 'x' }, 'insert').title;

  // UI state beside the synced collections.
  const selection = createCollection(localOnlyCollectionOptions<{ id: string; todoId: string }>({
    getKey: (s) => s.id,
    initialData: [{ id: 'current', todoId: 't1' }],
  }));
  selection.utils.acceptMutations(createTransaction({ mutationFn: async () => {} }));
  // @ts-expect-error local-only collections have no PowerSync meta
  selection.utils.getMeta();
  const uiKey: string = selection.getKeyFromItem({ id: 'a', todoId: 'b' });
  const prefs = createCollection(localStorageCollectionOptions<{ name: string; value: string }>({
    storageKey: 'prefs',
    getKey: (p) => p.name,
  }));
  const bytes: number = prefs.utils.getStorageSize();
  // @ts-expect-error storageKey is required
  localStorageCollectionOptions<{ name: string }>({ getKey: (p) => p.name });

  // A transaction over two collections, persisted by the PowerSync transactor.
  const tx = createTransaction({
    autoCommit: false,
    mutationFn: async ({ transaction }) => { await new PowerSyncTransactor({ database: db }).applyTransaction(transaction); },
  });
  tx.mutate(() => { todos.insert({ id: 't3', title: 'y', done: 0, weight: 2.5 }); });
  await tx.commit();
  const state: 'pending' | 'persisting' | 'completed' | 'failed' = tx.state;

  const addTodo = createOptimisticAction<{ title: string }>({
    onMutate: ({ title }) => { todos.insert({ id: title, title, done: 0, weight: null }); },
    mutationFn: async (_vars, { transaction }) => { await new PowerSyncTransactor({ database: db }).applyTransaction(transaction); },
  });
  await addTodo({ title: 'z' }).isPersisted.promise;
  // @ts-expect-error variables have the action's type
  addTodo({ name: 'z' });

  const result: QueryResult<Todo> = await db.execute('SELECT * FROM todos');
  const rows: Todo[] = await db.getAll<Todo>('SELECT * FROM todos');
  const watchedTitles = db.query({ sql: 'SELECT title FROM todos', mapper: (r) => String(r.title) }).watch({ throttleMs: 50 });
  const firstTitle: string | undefined = watchedTitles.state.data[0];
  watchedTitles.registerListener({ onData: (titles) => { const n: number = titles.length; void n; } });
  await watchedTitles.close();
  const typed: Collection<Todo> = todos;
  void [firstTitle, nowReady, wrongTitle, noId, title, meta, ready, dispose, keys, titles, uiKey, bytes, state, result, rows, typed];
}

void main;

// Live queries (js/live-query.js).
import { createLiveQueryCollection, eq, gt, count, type LiveQueryCollection } from 'gopowersync';
export function liveQueries(todos: Collection<Todo>) {
  const open: LiveQueryCollection<{ title: string | null }> = createLiveQueryCollection((q) => q.from({ todo: todos })
    .where(({ todo }) => eq(todo.done, 0))
    .select(({ todo }) => ({ title: todo.title }))
    .orderBy(({ todo }) => todo.weight, { direction: 'desc', nulls: 'last' }).limit(10));
  const counts = createLiveQueryCollection({ query: (q) => q.from({ o: open }).groupBy(({ o }) => o.title)
    .select(({ o }) => ({ title: o.title, n: count(o.title) })).having(({ o }) => gt(count(o.title), 1)), gcTime: 0 });
  // @ts-expect-error the query is a function of the builder
  createLiveQueryCollection({ query: 'SELECT 1' });
  return [open.toArray, counts.size];
}

// PowerSync's connectors are typed with AbstractPowerSyncDatabase.
import { AbstractPowerSyncDatabase } from '../../index.js';
export const connector = {
  async fetchCredentials() { return { endpoint: 'http://localhost:8181', token: 't' }; },
  async uploadData(database: AbstractPowerSyncDatabase): Promise<void> {
    const tx = await database.getNextCrudTransaction();
    await tx?.complete();
  },
};

// PowerSync's Transaction, lockTimeout, web flags and onChange options.
export async function powerSyncSurface(): Promise<string> {
  const db = new PowerSyncDatabase({
    schema, database: { dbFilename: 'x.db' }, flags: { enableMultiTabs: true, useWebWorker: true },
  });
  // @ts-expect-error not a flag of @powersync/web
  new PowerSyncDatabase({ schema, database: { dbFilename: 'x.db' }, flags: { multiTab: true } });
  const done: string = await db.writeTransaction(async (tx) => {
    await tx.execute('DELETE FROM lists');
    await tx.commit();
    return 'done';
  }, 5000);
  await db.readTransaction(async (tx) => { await tx.rollback(); }, 1000);
  // @ts-expect-error writeLock's context is not a transaction
  await db.writeLock(async (ctx) => { await ctx.commit(); });
  // @ts-expect-error lockTimeout is a number of ms
  await db.writeTransaction(async () => {}, '5s');
  const dispose: () => void = db.onChange({ onChange: () => {} }, { tables: ['todos'], rawTableNames: false, throttleMs: 50 });
  dispose();
  return done;
}

// Live query results inferred from the query (TanStack DB's docs' code).
import { queryOnce } from 'gopowersync';
export async function inferredQueries(todos: Collection<Todo>, lists: Collection<List>) {
  const users = await queryOnce((q) => q.from({ user: todos }));
  const ids: string[] = users.map((u) => u.id);
  const one = await queryOnce((q) => q.from({ todo: todos }).where(({ todo }) => eq(todo.id, 't1')).findOne());
  const oneTitle: string | null | undefined = one?.title;
  // @ts-expect-error findOne gives one row or undefined, not an array
  one.map((t) => t);
  const viaConfig: Todo[] = await queryOnce({ query: (q) => q.from({ todo: todos }) });

  const all = createLiveQueryCollection((q) => q.from({ todo: todos }));
  const allRows: Todo[] = all.toArray;
  const picked = createLiveQueryCollection({
    query: (q) => q.from({ todo: todos }).where(({ todo }) => eq(todo.done, 0))
      .select(({ todo }) => ({ id: todo.id, title: todo.title, n: count(todo.id), meta: { w: todo.weight } })),
    getKey: (row) => row.id,
  });
  const p = picked.toArray[0];
  const shaped: { id: string; title: string | null; n: number; meta: { w: number | null } } = p;
  // @ts-expect-error a select gives only the fields it names
  p.done;
  // @ts-expect-error getKey takes the result's row
  createLiveQueryCollection({ query: (q) => q.from({ todo: todos }), getKey: (row: { name: string }) => row.name });
  const spread = createLiveQueryCollection((q) => q.from({ todo: todos })
    .join({ list: lists }, ({ todo, list }) => eq(todo.title, list.id))
    .select(({ todo, list }) => ({ ...todo, listName: list.name })));
  const sp = spread.toArray[0];
  const spreadTyped: { title: string | null; listName: string | null | undefined } = sp;
  const joined = createLiveQueryCollection((q) => q.from({ todo: todos }).leftJoin({ list: lists }, ({ todo, list }) => eq(todo.title, list.id)));
  const j = joined.toArray[0];
  const jt: { todo: Todo; list: List | undefined } = j;
  return [ids, oneTitle, viaConfig, allRows, shaped, spreadTyped, jt];
}
