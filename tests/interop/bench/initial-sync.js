// Initial sync of 100,000 rows through our dev sync server, natively: our Go
// client (package psync, gosync-bench/) beside the official @powersync/node
// client (official-client.js), on the same server in one run. Not a test: it
// prints figures (BENCHMARKS.md, "Initial sync, 100,000 rows, natively").
//
// It builds the dev server (syncserver/cmd/sync-server) and gosync-bench,
// starts the server once on a temp database, seeds ROWS rows through
// /api/upload, then runs the two clients alternately, each in a fresh process
// with a fresh database, RUNS times each. Every run must end with every row
// in its todos table, or the benchmark fails.
//
//   node tests/interop/bench/initial-sync.js [--rows 100000] [--runs 3]
//
// Needs Go, and the official client installed (npm ci --prefix tests/interop;
// run here when node_modules is missing).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const HERE = dirname(fileURLToPath(import.meta.url))
const INTEROP = resolve(HERE, '..')
const REPO = resolve(INTEROP, '../..')

const args = process.argv.slice(2)
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : def
}
const ROWS = opt('rows', 100_000)
const RUNS = opt('runs', 3)
const BATCH = 1000

/**
 * Row i of the table: 5 columns, about 150 bytes of JSON with the id the
 * server adds. The same rows as benchRow in psync/bench_test.go.
 */
function row (i) {
  const hex = (n, w) => n.toString(16).padStart(w, '0')
  const dec = (n, w) => String(n).padStart(w, '0')
  return {
    op: 'PUT',
    type: 'todos',
    id: `t${dec(i, 7)}`,
    data: {
      list_id: `${hex(i % 100, 8)}-7d1c-4b2a-9e5f-${hex(i % 100, 12)}`,
      description: `Buy item ${dec(i, 6)}`,
      completed: i % 2,
      created_at: `2026-11-${dec(1 + (i % 28), 2)}T${dec(i % 24, 2)}:${dec(i % 60, 2)}:00.000Z`,
      priority: i % 5
    }
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'initial-sync-bench-'))
let server
try {
  if (!existsSync(join(INTEROP, 'node_modules/@powersync/node'))) {
    execFileSync('npm', ['ci', '--prefix', INTEROP, '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  execFileSync('go', ['build', '-o', tmp + '/', './syncserver/cmd/sync-server', './tests/interop/bench/gosync-bench'],
    { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] })
  const goClient = join(tmp, 'gosync-bench')
  const { startServer } = await import('../devserver.js') // after npm ci: it loads @powersync/node
  server = await startServer(join(tmp, 'sync-server'), join(tmp, 'server.sqlite'))
  server.url = server.baseUrl
  const seedStart = performance.now()
  for (let lo = 0; lo < ROWS; lo += BATCH) {
    const batch = []
    for (let i = lo; i < Math.min(lo + BATCH, ROWS); i++) batch.push(row(i))
    const res = await fetch(`${server.url}/api/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batch })
    })
    if (!res.ok) throw new Error(`seeding: POST /api/upload: HTTP ${res.status}: ${await res.text()}`)
  }
  const rowBytes = JSON.stringify({ id: 't0000000', ...row(0).data }).length
  console.log(`seeded ${ROWS} rows (${rowBytes} bytes of JSON each with its id) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; server ${server.url}`)

  const clients = {
    ours: () => runJSON(goClient, ['-url', server.url, '-rows', String(ROWS)]),
    official: () => runJSON(process.execPath, [join(HERE, 'official-client.js'), server.url, String(ROWS)])
  }
  const results = { ours: [], official: [] }
  for (let r = 1; r <= RUNS; r++) {
    for (const [name, run] of Object.entries(clients)) {
      const m = await run()
      if (m.rows !== ROWS) throw new Error(`${name}, run ${r}: ${m.rows} rows synced, want ${ROWS}`)
      results[name].push(m)
      console.log(`run ${r} ${name.padEnd(8)} ${JSON.stringify(m)}`)
    }
  }
  printTable(results)
} finally {
  if (server) await server.stop()
  rmSync(tmp, { recursive: true, force: true })
}

/** Runs a client process; resolves to the JSON of its last stdout line, fails on a non-zero exit. */
function runJSON (cmd, argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => { out += c })
    child.stderr.on('data', (c) => { err += c })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (err.trim()) process.stderr.write(err)
      if (code !== 0) return reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code}`))
      const last = out.trim().split('\n').pop()
      try {
        resolve(JSON.parse(last))
      } catch {
        reject(new Error(`${cmd}: no JSON result in its output: ${out}`))
      }
    })
  })
}

function printTable (results) {
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b)
    return { med: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] }
  }
  const fmt = (xs, unit, digits = 0) => {
    const { med, min, max } = stats(xs)
    const f = (x) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    return `${f(med)}${unit ? ' ' + unit : ''} (${f(min)}-${f(max)})`
  }
  const cpu = cpus()
  const go = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim()
  const sdk = JSON.parse(readFileSync(join(INTEROP, 'node_modules/@powersync/node/package.json'), 'utf8')).version
  let commit = '?'
  try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim() } catch {}
  console.log(`\nInitial sync of ${ROWS.toLocaleString('en-US')} rows, ${RUNS} runs each, median (min-max); ` +
    `${cpu.length} cores (${cpu[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB; ${go}, Node ${process.versions.node}, @powersync/node ${sdk}; at ${commit}\n`)
  console.log('| client | time to hasSynced | ops/s | peak RSS | RSS before connect | peak heap |')
  console.log('|---|---|---|---|---|---|')
  const label = { ours: 'ours (Go, psync)', official: `official (@powersync/node ${sdk})` }
  for (const [name, ms] of Object.entries(results)) {
    const col = (k) => ms.map((m) => m[k])
    console.log(`| ${label[name]} | ${fmt(col('ms'), 'ms')} | ${fmt(col('opsPerSec'), '')} | ${fmt(col('peakRssMB'), 'MB')} | ${fmt(col('rssBeforeMB'), 'MB')} | ${fmt(col('peakHeapMB'), 'MB', 1)} |`)
  }
  console.log('\npeak heap: ours the Go heap, official the main thread\'s V8 heap (its SQLite worker thread not counted); peak RSS covers everything.')
}
