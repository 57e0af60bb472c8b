// The official client's side of initial-sync.js: in a fresh Node process,
// opens a fresh @powersync/node database, connects it to the dev sync
// server, waits for the first complete sync, checks that every row arrived,
// and prints one JSON line (the fields of gosync-bench):
//
//   {"client":"official","ms":…,"rows":…,"opsPerSec":…,"peakHeapMB":…,"rssBeforeMB":…,"peakRssMB":…}
//
// ms runs from connect() to waitForFirstSync() resolving (the token fetch
// included, opening the database not). peakHeapMB is the highest V8 heap
// in use on the main thread (process.memoryUsage().heapUsed, sampled every
// 5 ms; the SDK's SQLite worker thread has a heap of its own, not counted);
// peakRssMB is the process's high-water resident set (VmHWM, every thread
// and native allocation), rssBeforeMB its resident set just before connect.
// It exits non-zero when the sync fails or the table does not hold the rows.
//
//   node tests/interop/bench/official-client.js http://127.0.0.1:8181 100000
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { openClient, connectClient, waitForFirstSync, recordingLogger, LogLevels, Schema, Table, column } from '../harness.js'

const [base = 'http://127.0.0.1:8181', wantArg = '100000'] = process.argv.slice(2)
const want = Number(wantArg)

/** The table initial-sync.js seeds; gosync-bench declares the same. */
const schema = new Schema({
  todos: new Table({
    list_id: column.text,
    description: column.text,
    completed: column.integer,
    created_at: column.text,
    priority: column.integer
  })
})

/** A kB field of /proc/self/status, in MB (0 when absent). */
function procStatusMB (field) {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))
  return m ? Number(m[1]) / 1e3 : 0
}

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits

const logger = recordingLogger({ minLevel: LogLevels.warn })
const client = await openClient({ schema, logger })
try {
  const rssBefore = procStatusMB('VmRSS')
  let peakHeap = process.memoryUsage().heapUsed
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed) }, 5)
  const t0 = performance.now()
  await connectClient(client.db, base, 'bench')
  await waitForFirstSync(client.db, { timeoutMs: 300_000 })
  const ms = performance.now() - t0
  clearInterval(sampler)
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
  await client.db.disconnect()
  const [{ n }] = await client.db.getAll('SELECT count(*) AS n FROM todos')
  if (n !== want) throw new Error(`the client holds ${n} rows after its first sync, want ${want}`)
  for (const r of logger.records) console.error(`official client log (level ${r.level}): ${r.message}${r.error ? ' ' + r.error : ''}`)
  console.log(JSON.stringify({
    client: 'official',
    ms: round(ms, 1),
    rows: n,
    opsPerSec: Math.round(n / (ms / 1000)),
    peakHeapMB: round(peakHeap / 1e6, 1),
    rssBeforeMB: round(rssBefore, 1),
    peakRssMB: round(procStatusMB('VmHWM'), 1)
  }))
} finally {
  await client.close()
}
