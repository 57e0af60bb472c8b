// The official client (@powersync/node) and our Go client against our dev sync server run with sync
// rules (-rules): a bucket per user, a shared bucket, and a priority-1 bucket.
//   1. each user's official client downloads its own todos and the shared rows, in the buckets the rules
//      name (user_todos["alice"]), and reports the priority-1 bucket synced on its own;
//   2. the backend moves a todo from one user to another while both are connected: it leaves one client
//      (a REMOVE) and appears in the other (a PUT), live;
//   3. a client writes a todo owned by someone else: it reaches that user, and is reverted on the writer,
//      whose buckets do not have it (as with a PowerSync service);
//   4. our Go client as each user gets the same rows as that user's official client, for every table.
// No client reports a download or upload error, or logs a warning or error.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectClient, waitForRows, waitForFirstSync, waitForUploadQueueEmpty, closeAll, Schema, Table, column } from './harness.js'
import { buildCommands, startServer, backendUpload, openRecordedClient, mark, assertNoProblems, goSync } from './devserver.js'

const RULES = `
bucket_definitions:
  config:
    priority: 1
    data:
      - SELECT * FROM settings
  global:
    data:
      - SELECT * FROM lists
  user_todos:
    parameters: SELECT request.user_id() AS user_id
    data:
      - SELECT * FROM todos WHERE owner = bucket.user_id
`
const COLUMNS = { settings: ['value'], lists: ['name'], todos: ['list_id', 'description', 'owner'] }
const TABLES = Object.keys(COLUMNS)
function schema () {
  return new Schema({
    settings: new Table({ value: column.text }),
    lists: new Table({ name: column.text }),
    todos: new Table({ list_id: column.text, description: column.text, owner: column.text })
  })
}

// The server's rows (PUT replaces, PATCH merges, DELETE removes); each user sees the todos it owns.
const model = Object.fromEntries(TABLES.map((t) => [t, new Map()]))
function applyToModel (batch) {
  for (const { op, type, id, data } of batch) {
    if (op === 'DELETE') model[type].delete(id)
    else model[type].set(id, { ...(op === 'PATCH' ? model[type].get(id) : {}), ...data })
  }
}
function expected (user, table) {
  return [...model[table].entries()]
    .filter(([, row]) => table !== 'todos' || row.owner === user)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([id, row]) => Object.fromEntries([['id', id], ...COLUMNS[table].map((c) => [c, row[c] ?? null])]))
}
const selectAll = (table) => `SELECT id, ${COLUMNS[table].join(', ')} FROM ${table} ORDER BY id`
async function waitForUser (db, user, opts = {}) {
  for (const t of TABLES) {
    await waitForRows(db, selectAll(t), [], (rows) => JSON.stringify(rows) === JSON.stringify(expected(user, t)),
      { message: `${user}'s ${t} to equal the model`, ...opts })
  }
}
async function allRows (db) {
  const out = {}
  for (const t of TABLES) out[t] = await db.getAll(selectAll(t))
  return out
}

describe('official client and Go client against our dev sync server with sync rules', () => {
  let tmp, bins, server, alice, bob
  const marks = new Map()

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ps-devserver-rules-'))
    bins = await buildCommands(tmp)
    await writeFile(join(tmp, 'rules.yaml'), RULES)
    server = await startServer(bins.server, join(tmp, 'sync.sqlite'), { rules: join(tmp, 'rules.yaml') })
  })

  after(async () => {
    try { await closeAll(alice, bob) } finally {
      try { await server?.stop() } finally { if (tmp) await rm(tmp, { recursive: true, force: true }) }
    }
  })

  const write = async (batch) => { await backendUpload(server.baseUrl, batch); applyToModel(batch) }

  it('1. each user downloads its own buckets, and the priority-1 bucket reports synced on its own', async () => {
    await write([
      { op: 'PUT', type: 'settings', id: 's1', data: { value: 'dark' } },
      { op: 'PUT', type: 'lists', id: 'l1', data: { name: 'Shared' } },
      { op: 'PUT', type: 'todos', id: 'ta1', data: { list_id: 'l1', description: 'Alice 1', owner: 'alice' } },
      { op: 'PUT', type: 'todos', id: 'ta2', data: { list_id: 'l1', description: 'Alice 2', owner: 'alice' } },
      { op: 'PUT', type: 'todos', id: 'tb1', data: { list_id: 'l1', description: 'Bob 1', owner: 'bob' } },
      { op: 'PUT', type: 'todos', id: 'tn', data: { list_id: 'l1', description: 'Nobody' } }
    ])
    alice = await openRecordedClient('alice', schema())
    bob = await openRecordedClient('bob', schema())
    for (const c of [alice, bob]) marks.set(c, mark(c))
    await connectClient(alice.db, server.baseUrl, 'alice')
    await connectClient(bob.db, server.baseUrl, 'bob')

    // The SDK's waitForFirstSync({priority}) resolves on abort instead of rejecting: check afterwards.
    await alice.db.waitForFirstSync({ priority: 1, signal: AbortSignal.timeout(15_000) })
    assert.equal(alice.db.currentStatus.statusForPriority(1).hasSynced, true, JSON.stringify(alice.db.currentStatus.toJSON()))
    await waitForFirstSync(alice.db)
    await waitForFirstSync(bob.db)
    await waitForUser(alice.db, 'alice')
    await waitForUser(bob.db, 'bob')
    assert.deepEqual((await alice.db.getAll('SELECT name FROM ps_buckets ORDER BY name')).map((r) => r.name),
      ['config[]', 'global[]', 'user_todos["alice"]'])
    assert.deepEqual((await alice.db.getAll('SELECT id FROM todos ORDER BY id')).map((r) => r.id), ['ta1', 'ta2'])
    assert.deepEqual((await bob.db.getAll('SELECT id FROM todos ORDER BY id')).map((r) => r.id), ['tb1'])
    for (const c of [alice, bob]) assertNoProblems(c, marks.get(c))
  })

  it('2. a todo the backend moves from alice to bob leaves alice and reaches bob, live', async () => {
    await write([{ op: 'PATCH', type: 'todos', id: 'ta2', data: { owner: 'bob', description: 'Now Bob\'s' } }])
    await waitForUser(alice.db, 'alice', { timeoutMs: 2_000 })
    await waitForUser(bob.db, 'bob', { timeoutMs: 2_000 })
    assert.deepEqual((await bob.db.getAll('SELECT id FROM todos ORDER BY id')).map((r) => r.id), ['ta2', 'tb1'])
    await write([{ op: 'DELETE', type: 'todos', id: 'tb1' }, { op: 'PATCH', type: 'settings', id: 's1', data: { value: 'light' } }])
    await waitForUser(alice.db, 'alice', { timeoutMs: 2_000 })
    await waitForUser(bob.db, 'bob', { timeoutMs: 2_000 })
    for (const c of [alice, bob]) assertNoProblems(c, marks.get(c))
  })

  it('3. a todo alice writes for bob reaches bob, and is reverted on alice', async () => {
    await alice.db.writeTransaction(async (tx) => {
      await tx.execute('INSERT INTO todos (id, list_id, description, owner) VALUES (?, ?, ?, ?)', ['ta3', 'l1', 'For Bob, from Alice', 'bob'])
      await tx.execute('INSERT INTO todos (id, list_id, description, owner) VALUES (?, ?, ?, ?)', ['ta4', 'l1', 'Alice keeps this', 'alice'])
    })
    applyToModel([
      { op: 'PUT', type: 'todos', id: 'ta3', data: { list_id: 'l1', description: 'For Bob, from Alice', owner: 'bob' } },
      { op: 'PUT', type: 'todos', id: 'ta4', data: { list_id: 'l1', description: 'Alice keeps this', owner: 'alice' } }
    ])
    await waitForUploadQueueEmpty(alice.db)
    await waitForUser(bob.db, 'bob', { timeoutMs: 5_000 })
    await waitForUser(alice.db, 'alice', { timeoutMs: 5_000 })
    assert.deepEqual((await alice.db.getAll('SELECT id FROM todos ORDER BY id')).map((r) => r.id), ['ta1', 'ta4'])
    for (const c of [alice, bob]) assertNoProblems(c, marks.get(c))
  })

  it('4. our Go client as each user gets the same rows as that user\'s official client', async () => {
    for (const c of [alice, bob]) {
      const user = c.name
      const go = await goSync(bins.gosync, server.baseUrl, schema(), ['-user', user, '-expect', `todos=${expected(user, 'todos').length}`])
      assert.deepEqual(go.warnings, [])
      const official = await allRows(c.db)
      for (const t of TABLES) {
        assert.deepEqual(go.tables[t], official[t], `Go client as ${user}: ${t} equals the official client's`)
        assert.deepEqual(go.tables[t], expected(user, t), `Go client as ${user}: ${t} equals the model`)
      }
    }
    for (const c of [alice, bob]) assertNoProblems(c, marks.get(c))
  })
})
