// What the stack page (stack.html, our package) and the reference page
// (tests/browser/reference, bundled with Vite) share, so the benchmark's
// workloads and measurements are the same code on both.

/**
 * Starts recording main-thread long tasks (over 50 ms). stop() resolves to
 * them as "duration at start", in ms since the call.
 */
export function watchLongTasks() {
  const long = [];
  const t0 = performance.now();
  const observer = new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => `${Math.round(e.duration)} at ${Math.round(e.startTime - t0)}`)));
  observer.observe({ type: 'longtask' });
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 100)); // entries arrive after their task
      observer.disconnect();
      return long;
    },
  };
}

/**
 * Inserts count todos with SQL, 1,000 per statement (a recursive CTE: the
 * reference's wa-sqlite has no generate_series).
 */
export async function fill(db, prefix, count) {
  for (let b = 0; b < count; b += 1000) {
    await db.execute(
      "WITH RECURSIVE s(value) AS (SELECT ? UNION ALL SELECT value + 1 FROM s WHERE value < ?) " +
        "INSERT INTO todos (id, title, n) SELECT printf(? || '-%06d', value), 'todo number ' || value, value FROM s",
      [b + 1, Math.min(b + 1000, count), prefix],
    );
  }
}

/** PRAGMA integrity_check's answer ('ok' when intact). */
export async function integrity(db) {
  return (await db.get('PRAGMA integrity_check')).integrity_check;
}
