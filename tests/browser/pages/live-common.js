// Live-query workloads shared by the stack page (ours) and the reference
// page (TanStack DB), run with each stack's own createLiveQueryCollection
// and functions (lq), over window.todos: the same code on both.

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** A where + orderBy + limit 50 query over todos, built with lq's functions. */
const top50 = (lq, todos) => (q) => q.from({ t: todos }).where(({ t }) => lq.gt(t.n, 10)).orderBy(({ t }) => t.n, 'desc').limit(50);

/** ms from createLiveQueryCollection to its first result (50 rows). */
export async function firstResult(lq) {
  const t0 = performance.now();
  const c = lq.createLiveQueryCollection({ query: top50(lq, window.todos), gcTime: 0 });
  const rows = await c.toArrayWhenReady();
  const ms = performance.now() - t0;
  if (rows.length !== 50) throw new Error(`first result: ${rows.length} rows, want 50`);
  await c.cleanup();
  return ms;
}

/**
 * p50 and p99 (ms) from todos.update to the live query's change callback,
 * for updates that move a row into the window (300 after 50 warm-up).
 */
export async function updateToCallback(lq) {
  const todos = window.todos;
  const c = lq.createLiveQueryCollection({ query: top50(lq, todos), gcTime: 0 });
  await c.toArrayWhenReady();
  let changed;
  const sub = c.subscribeChanges(() => changed?.());
  const ms = [];
  const ids = [...todos.keys()].slice(0, 400);
  for (let i = 0; i < 350; i++) {
    const seen = new Promise((r) => (changed = r));
    const t0 = performance.now();
    todos.update(ids[i], (d) => { d.n = 1_000_000 + i; });
    await seen;
    if (i >= 50) ms.push(performance.now() - t0);
  }
  sub.unsubscribe();
  await c.cleanup();
  return { p50: pct(ms, 50), p99: pct(ms, 99) };
}

/**
 * ms to the first result of a join of todos with itself (on n modulo
 * nothing: equal n) grouped by title with a count, over the 10,000 rows
 * of the current database.
 */
export async function joinGroupCount(lq) {
  const todos = window.todos;
  const t0 = performance.now();
  const c = lq.createLiveQueryCollection({
    query: (q) => q.from({ a: todos }).join({ b: todos }, ({ a, b }) => lq.eq(a.n, b.n), 'inner')
      .groupBy(({ a }) => a.title).select(({ a, b }) => ({ title: a.title, n: lq.count(b.id) })),
    gcTime: 0,
  });
  const rows = await c.toArrayWhenReady();
  const ms = performance.now() - t0;
  await c.cleanup();
  return { ms, groups: rows.length };
}
