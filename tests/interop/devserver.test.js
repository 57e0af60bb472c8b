// The official PowerSync client (@powersync/node) and our Go client (psync, via tests/interop/gosync)
// against our real dev sync server (./syncserver/cmd/sync-server), run as a child process.
//
// One server, one story, step by step (each step depends on the ones before):
//   1. the backend writes rows (POST /api/upload, as the backend) -> official clients A and B download them;
//   2. A's own writes (insert, update, delete through db.execute on the views) upload through the harness
//      connector and reach the server and B live (B does not reconnect), and B's reach A;
//   3. live following: the backend changes rows while A and B are connected; both see each change quickly;
//   4. the server restarts (SIGTERM, then again on the same port and database): A and B reconnect and
//      resume from their stored ops, and a write A made while the server was down reaches B;
//   5. compaction (POST /api/compact) while A and B are connected: later changes still sync, A reconnecting
//      after it verifies its checksums, and a fresh client C downloads the compacted buckets correctly;
//   6. our Go client on the same server gets the same rows as A, for every table, and its own writes
//      (insert, update, delete) reach A and B.
// Throughout, no official client reports a downloadError or uploadError, or logs a warning or error
// (checksum failures are logged as warnings), except for connection errors while the server is down.
//
// Every row is compared three ways: against the model of what the test (and the clients) wrote, between
// the official clients, and against the Go client.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  connectClient, waitFor, waitForRows, waitForFirstSync, waitForStatus, waitForUploadQueueEmpty, closeAll,
  Schema, Table, column
} from './harness.js'
import { buildCommands, startServer, backendUpload, openRecordedClient, mark, problemsSince, assertNoProblems, goSync } from './devserver.js'

/** How soon a change must reach a connected client ("within a second or two"). */
const LIVE_MS = 2_000

// lists and todos as in the protocol vectors, plus items with every column type, for exact value checks.
const COLUMNS = {
  lists: ['name'],
  todos: ['list_id', 'description', 'completed'],
  items: ['title', 'price', 'qty']
}
function schema () {
  return new Schema({
    lists: new Table({ name: column.text }),
    todos: new Table({ list_id: column.text, description: column.text, completed: column.integer }),
    items: new Table({ title: column.text, price: column.real, qty: column.integer })
  })
}
const TABLES = Object.keys(COLUMNS)

// ---- the model: what the server should hold, as the views show it ----

const model = Object.fromEntries(TABLES.map((t) => [t, new Map()]))

/** Applies upload entries to the model with the server's rules: PUT replaces, PATCH merges (creating), DELETE removes. */
function applyToModel (batch) {
  for (const { op, type, id, data } of batch) {
    const rows = model[type]
    if (op === 'DELETE') rows.delete(id)
    else if (op === 'PUT') rows.set(id, { ...data })
    else if (op === 'PATCH') rows.set(id, { ...rows.get(id), ...data })
    else throw new Error(`unknown op ${op}`)
  }
}

/** The model's rows of a table as `SELECT id, <columns> ... ORDER BY id` returns them (missing columns are null). */
function expected (table) {
  return [...model[table].entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, row]) => Object.fromEntries([['id', id], ...COLUMNS[table].map((c) => [c, row[c] ?? null])]))
}

const selectAll = (table) => `SELECT id, ${COLUMNS[table].join(', ')} FROM ${table} ORDER BY id`
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)

/** Every table of an official client's database. */
async function allRows (db) {
  const out = {}
  for (const t of TABLES) out[t] = await db.getAll(selectAll(t))
  return out
}

/** Waits until every table of `db` equals the model; returns how long it took. */
async function waitForModel (db, { timeoutMs, label = 'client' } = {}) {
  const started = Date.now()
  for (const t of TABLES) {
    await waitForRows(db, selectAll(t), [], (rows) => same(rows, expected(t)), { timeoutMs, message: `${label}'s ${t} to equal the model` })
  }
  return Date.now() - started
}

/** The backend writes (POST /api/upload), and the model follows. */
async function backendWrite (baseUrl, batch) {
  await backendUpload(baseUrl, batch)
  applyToModel(batch)
}

describe('official client and Go client against our dev sync server', () => {
  let tmp, bins, server
  const clients = []
  let a, b, connA, connB
  // Per client, the mark since which it must have reported no problem (reset after the server restart).
  const quiet = new Map()

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ps-devserver-'))
    bins = await buildCommands(tmp)
    server = await startServer(bins.server, join(tmp, 'server', 'sync.sqlite'))
  })

  after(async () => {
    try { await closeAll(...clients) } finally {
      try { await server?.stop() } finally { if (tmp) await rm(tmp, { recursive: true, force: true }) }
    }
  })

  it('1. rows the backend writes download to two official clients', async () => {
    await backendWrite(server.baseUrl, [
      { op: 'PUT', type: 'lists', id: 'l1', data: { name: 'Groceries' } },
      { op: 'PUT', type: 'lists', id: 'l2', data: { name: 'Work' } },
      { op: 'PUT', type: 'todos', id: 't1', data: { list_id: 'l1', description: 'Milk', completed: 0 } },
      { op: 'PUT', type: 'todos', id: 't2', data: { list_id: 'l1', description: 'Eggs', completed: 1 } },
      { op: 'PUT', type: 'todos', id: 't3', data: { list_id: 'l2', description: 'Mail "the" report,\nthen lunch', completed: 0 } },
      { op: 'PUT', type: 'items', id: 'i1', data: { title: 'çé 漢字 🎉', price: 1.5, qty: 3 } },
      { op: 'PUT', type: 'items', id: 'i2', data: { title: 'no price', qty: 9007199254740991 } },
      { op: 'PUT', type: 'items', id: 'i3', data: { title: 'tenth', price: 0.1, qty: -7 } }
    ])

    a = await openRecordedClient('a', schema())
    b = await openRecordedClient('b', schema())
    clients.push(a, b)
    quiet.set(a, mark(a)).set(b, mark(b))
    connA = await connectClient(a.db, server.baseUrl, 'alice')
    connB = await connectClient(b.db, server.baseUrl, 'bob')
    await waitForFirstSync(a.db)
    await waitForFirstSync(b.db)

    await waitForModel(a.db, { label: 'A' })
    await waitForModel(b.db, { label: 'B' })
    assert.deepEqual(await allRows(a.db), await allRows(b.db))
    // Spot checks of exact values, independent of the model.
    assert.deepEqual(await a.db.getAll('SELECT * FROM items ORDER BY id'), [
      { id: 'i1', title: 'çé 漢字 🎉', price: 1.5, qty: 3 },
      { id: 'i2', title: 'no price', price: null, qty: 9007199254740991 },
      { id: 'i3', title: 'tenth', price: 0.1, qty: -7 }
    ])
    // A downloaded the buckets our server makes by default: one per table.
    assert.deepEqual((await a.db.getAll('SELECT name FROM ps_buckets ORDER BY name')).map((r) => r.name), ['items[]', 'lists[]', 'todos[]'])
    const status = a.db.currentStatus
    assert.equal(status.connected, true)
    assert.equal(status.dataFlowStatus.downloadError, undefined)
    assert.deepEqual(server.streamOpens(await a.db.getClientId()), [0], 'A opened one stream, with no buckets yet')
    for (const c of [a, b]) assertNoProblems(c, quiet.get(c))
  })

  it('2. the official client\'s writes upload through the connector and reach the other client live', async () => {
    const idB = await b.db.getClientId()
    const streamsB = server.streamOpens(idB).length

    // A: insert, update and delete through its views, each its own transaction.
    await a.db.execute('INSERT INTO todos (id, list_id, description, completed) VALUES (?, ?, ?, ?)', ['t4', 'l2', 'Call Bob', 0])
    await a.db.execute('UPDATE todos SET completed = 1, description = ? WHERE id = ?', ['Milk (2 l)', 't1'])
    await a.db.execute('DELETE FROM todos WHERE id = ?', ['t2'])
    await a.db.execute('INSERT INTO items (id, title, price, qty) VALUES (?, ?, ?, ?)', ['i4', 'from A', 2.25, 1])
    applyToModel([
      { op: 'PUT', type: 'todos', id: 't4', data: { list_id: 'l2', description: 'Call Bob', completed: 0 } },
      { op: 'PATCH', type: 'todos', id: 't1', data: { completed: 1, description: 'Milk (2 l)' } },
      { op: 'DELETE', type: 'todos', id: 't2' },
      { op: 'PUT', type: 'items', id: 'i4', data: { title: 'from A', price: 2.25, qty: 1 } }
    ])
    await waitForUploadQueueEmpty(a.db)
    const latency = await waitForModel(b.db, { label: 'B', timeoutMs: 5_000 })
    await waitForModel(a.db, { label: 'A' })
    assert.deepEqual(connA.uploads.map((u) => u.status), [200, 200, 200, 200], JSON.stringify(connA.uploads))
    assert.deepEqual(connA.uploads.map((u) => u.batch.map((e) => `${e.op} ${e.type}/${e.id}`)),
      [['PUT todos/t4'], ['PATCH todos/t1'], ['DELETE todos/t2'], ['PUT items/i4']])

    // B writes back; A sees it.
    await b.db.writeTransaction(async (tx) => {
      await tx.execute('INSERT INTO lists (id, name) VALUES (?, ?)', ['l3', 'From B'])
      await tx.execute('UPDATE todos SET completed = 0 WHERE id = ?', ['t1'])
    })
    applyToModel([{ op: 'PUT', type: 'lists', id: 'l3', data: { name: 'From B' } }, { op: 'PATCH', type: 'todos', id: 't1', data: { completed: 0 } }])
    await waitForUploadQueueEmpty(b.db)
    await waitForModel(a.db, { label: 'A', timeoutMs: 5_000 })
    await waitForModel(b.db, { label: 'B' })
    assert.deepEqual(connB.uploads.map((u) => [u.status, u.batch.length]), [[200, 2]], 'one transaction, one batch')
    assert.equal(server.streamOpens(idB).length, streamsB, 'B received A\'s writes on the stream it had open')
    console.log(`A's writes reached B in ${latency} ms after A's queue emptied`)
    for (const c of [a, b]) assertNoProblems(c, quiet.get(c))
  })

  it('3. live following: the backend\'s changes reach connected clients within a couple of seconds', async () => {
    const changes = [
      [{ op: 'PUT', type: 'todos', id: 't5', data: { list_id: 'l1', description: 'Bread', completed: 0 } }],
      [{ op: 'PATCH', type: 'todos', id: 't5', data: { completed: 1 } }],
      [{ op: 'PATCH', type: 'items', id: 'i2', data: { price: 19.99 } }],
      [{ op: 'DELETE', type: 'todos', id: 't3' }, { op: 'PUT', type: 'lists', id: 'l2', data: { name: 'Office' } }]
    ]
    const latencies = []
    for (const batch of changes) {
      const started = Date.now()
      await backendWrite(server.baseUrl, batch)
      await Promise.all([waitForModel(a.db, { label: 'A', timeoutMs: LIVE_MS }), waitForModel(b.db, { label: 'B', timeoutMs: LIVE_MS })])
      latencies.push(Date.now() - started)
    }
    console.log(`backend change -> both clients: ${latencies.join(', ')} ms`)
    for (const c of [a, b]) assertNoProblems(c, quiet.get(c))
  })

  it('4. after a restart of the server the clients reconnect and resume', async () => {
    // Problems are expected while the server is down: they are checked below, then a new quiet period starts.
    const restartMarks = new Map([[a, mark(a)], [b, mark(b)]])
    const [idA, idB] = [await a.db.getClientId(), await b.db.getClientId()]
    const before = { a: server.streamOpens(idA).length, b: server.streamOpens(idB).length }
    const { port } = server

    const exit = await server.stop()
    assert.equal(exit.code, 0, `sync-server exit: ${JSON.stringify(exit)}`)
    await waitForStatus(a.db, (s) => !s.connected)
    // A writes while the server is down: its upload fails and is retried.
    await a.db.execute('INSERT INTO todos (id, list_id, description, completed) VALUES (?, ?, ?, ?)', ['t6', 'l3', 'Offline write', 0])
    applyToModel([{ op: 'PUT', type: 'todos', id: 't6', data: { list_id: 'l3', description: 'Offline write', completed: 0 } }])
    // Keep the server down until A has really met it gone: a failed upload and a failed reconnect.
    const failed = (kind) => a.statusErrors.slice(restartMarks.get(a).status).some((e) => e.kind === kind)
    await waitFor(() => failed('uploadError') && failed('downloadError'), { message: 'A to fail an upload and a reconnect' })

    const previousLog = server.log
    server = await startServer(bins.server, join(tmp, 'server', 'sync.sqlite'), { port })
    server.log.unshift(...previousLog)
    await waitForStatus(a.db, (s) => s.connected && s.dataFlowStatus.downloadError === undefined)
    await waitForStatus(b.db, (s) => s.connected && s.dataFlowStatus.downloadError === undefined)
    await waitForUploadQueueEmpty(a.db)
    await backendWrite(server.baseUrl, [{ op: 'PUT', type: 'lists', id: 'l4', data: { name: 'After restart' } }])
    await waitForModel(b.db, { label: 'B', timeoutMs: 5_000 })
    await waitForModel(a.db, { label: 'A', timeoutMs: 5_000 })

    // Each reconnected, resuming from its stored buckets (the request names them, so nothing is re-sent).
    for (const [name, id] of [['a', idA], ['b', idB]]) {
      const opens = server.streamOpens(id)
      assert.ok(opens.length > before[name], `${name} reconnected`)
      assert.ok(opens.slice(before[name]).every((n) => n === 3), `${name} resumed with its 3 buckets: ${opens}`)
    }
    // What went wrong meanwhile is the server being away, nothing else: no checksum or protocol problem.
    for (const c of [a, b]) {
      const { logged, status } = problemsSince(c, restartMarks.get(c))
      const unexpected = [...logged.map((r) => `${r.message} ${r.error ?? ''}`), ...status.map((s) => s.error)]
        .filter((text) => !/fetch failed|ECONNREFUSED|terminated|other side closed/.test(text) || /checksum/i.test(text))
      assert.deepEqual(unexpected, [], `${c.name}: unexpected problems during the restart`)
      console.log(`${c.name} during the restart: ${logged.length} log warnings/errors, ${status.length} status errors, all connection errors:`,
        [...new Set([...logged.map((r) => r.message), ...status.map((e) => `${e.kind}: ${e.error.split('\n')[0]}`)])])
    }
    for (const c of [a, b]) quiet.set(c, mark(c))
  })

  it('5. compaction while clients are connected keeps them correct', async () => {
    // B goes offline first: it will resume from ops that compaction has since moved or cleared.
    const idB = await b.db.getClientId()
    const opensB = server.streamOpens(idB).length
    await b.db.disconnect()
    // Superseded ops to compact: the same row written several times, a row created and deleted.
    for (let i = 1; i <= 5; i++) await backendWrite(server.baseUrl, [{ op: 'PATCH', type: 'items', id: 'i1', data: { qty: 3 + i } }])
    await backendWrite(server.baseUrl, [{ op: 'PUT', type: 'todos', id: 'tmp', data: { description: 'short-lived' } }])
    await backendWrite(server.baseUrl, [{ op: 'DELETE', type: 'todos', id: 'tmp' }])
    await waitForModel(a.db, { label: 'A' })

    const res = await fetch(`${server.baseUrl}/api/compact`, { method: 'POST' })
    const stats = await res.json()
    assert.equal(res.status, 200, JSON.stringify(stats))
    console.log('POST /api/compact:', JSON.stringify(stats))
    assert.ok(stats.ops_after < stats.ops_before, `compaction removed ops: ${JSON.stringify(stats)}`)

    // A change after compaction reaches the connected client.
    await backendWrite(server.baseUrl, [{ op: 'PATCH', type: 'items', id: 'i3', data: { title: 'after compaction' } }])
    await waitForModel(a.db, { label: 'A', timeoutMs: LIVE_MS })

    // B reconnects and resumes after compaction: it catches up, and its writes and the others' sync again.
    connB = await connectClient(b.db, server.baseUrl, 'bob')
    await waitFor(() => server.streamOpens(idB).length > opensB, { message: 'B to reconnect' })
    assert.deepEqual(server.streamOpens(idB).slice(opensB), [3], 'B resumed with its 3 buckets')
    await waitForModel(b.db, { label: 'B', timeoutMs: 5_000 })
    await b.db.execute('UPDATE items SET qty = qty + 1 WHERE id = ?', ['i1'])
    applyToModel([{ op: 'PATCH', type: 'items', id: 'i1', data: { qty: model.items.get('i1').qty + 1 } }])
    await waitForModel(a.db, { label: 'A', timeoutMs: 5_000 })
    await waitForModel(b.db, { label: 'B', timeoutMs: 5_000 })

    // A reconnects: it resumes against the compacted buckets, and their checksums must still add up.
    const idA = await a.db.getClientId()
    const opens = server.streamOpens(idA).length
    await a.db.disconnect()
    connA = await connectClient(a.db, server.baseUrl, 'alice')
    await waitFor(() => server.streamOpens(idA).length > opens, { message: 'A to reconnect' })
    await backendWrite(server.baseUrl, [{ op: 'PUT', type: 'lists', id: 'l5', data: { name: 'After reconnect' } }])
    await waitForModel(a.db, { label: 'A', timeoutMs: 5_000 })

    // A fresh client C downloads the compacted buckets from scratch.
    const c = await openRecordedClient('c', schema())
    clients.push(c)
    quiet.set(c, mark(c))
    await connectClient(c.db, server.baseUrl, 'carol')
    await waitForFirstSync(c.db)
    await waitForModel(c.db, { label: 'C' })
    assert.deepEqual(await allRows(c.db), await allRows(a.db))
    await waitForModel(b.db, { label: 'B' })
    for (const cl of clients) assertNoProblems(cl, quiet.get(cl))
  })

  it('6. our Go client gets the same rows as the official client, and its writes reach the official clients', async () => {
    const fromA = await allRows(a.db)
    const go = await goSync(bins.gosync, server.baseUrl, schema(), ['-user', 'dave', '-expect', TABLES.map((t) => `${t}=${model[t].size}`).join(',')])
    assert.deepEqual(go.warnings, [], 'Go client warnings')
    assert.equal(go.status.has_synced, true)
    assert.equal(go.status.download_error, undefined)
    for (const t of TABLES) {
      assert.deepEqual(go.tables[t], fromA[t], `Go client's ${t} equals the official client's`)
      assert.deepEqual(go.tables[t], expected(t), `Go client's ${t} equals the model`)
    }

    // The Go client writes (insert, update of a row the official client wrote, delete); A and B receive it live.
    const goWrite = await goSync(bins.gosync, server.baseUrl, schema(), [
      '-user', 'dave',
      '-insert', 'todos=' + JSON.stringify({ id: 'g1', list_id: 'l1', description: 'from Go', completed: 1 }),
      '-insert', 'items=' + JSON.stringify({ id: 'g2', title: 'Go ✓', price: 3.75, qty: 2 }),
      '-update', 'todos=' + JSON.stringify({ id: 't4', description: 'Call Bob (from Go)' }),
      '-delete', 'lists=l5'
    ])
    assert.deepEqual(goWrite.warnings, [])
    assert.equal(goWrite.uploads, 1, 'one transaction, one upload')
    applyToModel([
      { op: 'PUT', type: 'todos', id: 'g1', data: { list_id: 'l1', description: 'from Go', completed: 1 } },
      { op: 'PUT', type: 'items', id: 'g2', data: { title: 'Go ✓', price: 3.75, qty: 2 } },
      { op: 'PATCH', type: 'todos', id: 't4', data: { description: 'Call Bob (from Go)' } },
      { op: 'DELETE', type: 'lists', id: 'l5' }
    ])
    for (const t of TABLES) assert.deepEqual(goWrite.tables[t], expected(t), `Go client's ${t} after its write`)
    await waitForModel(a.db, { label: 'A', timeoutMs: LIVE_MS })
    await waitForModel(b.db, { label: 'B', timeoutMs: LIVE_MS })

    // A second, fresh Go client agrees with the official clients on the final state.
    const final = await goSync(bins.gosync, server.baseUrl, schema())
    const fromB = await allRows(b.db)
    for (const t of TABLES) assert.deepEqual(final.tables[t], fromB[t], `fresh Go client's ${t} equals B's`)
    for (const cl of clients) assertNoProblems(cl, quiet.get(cl))
  })
})
