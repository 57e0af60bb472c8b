// The official PowerSync Node client (@powersync/node) against a tiny in-test sync server that
// replays the constructed sample stream of protocol-vectors.md section 3 (real checksums).
// It also records what the client sends, so we know the real request shape.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { openClient, waitFor, waitForRows, waitForFirstSync, waitForStatus, FAST_SYNC_OPTIONS } from './harness.js'

// protocol-vectors.md section 3, verbatim.
const SAMPLE_STREAM = [
  String.raw`{"checkpoint":{"last_op_id":"3","buckets":[{"bucket":"global[]","checksum":455782866,"count":1,"priority":3,"subscriptions":[{"default":0}]},{"bucket":"user_todos[\"u1\"]","checksum":2060070672,"count":2,"priority":3,"subscriptions":[{"default":1}]}],"streams":[{"name":"global","is_default":true,"errors":[]},{"name":"user_todos","is_default":true,"errors":[]}]}}`,
  String.raw`{"data":{"bucket":"global[]","after":"0","next_after":"1","has_more":false,"data":[{"op_id":"1","op":"PUT","object_type":"lists","object_id":"l1","data":"{\"id\":\"l1\",\"name\":\"Groceries\"}","checksum":455782866,"subkey":"sk-lists-l1"}]}}`,
  String.raw`{"data":{"bucket":"user_todos[\"u1\"]","after":"0","next_after":"3","has_more":false,"data":[{"op_id":"2","op":"PUT","object_type":"todos","object_id":"t1","data":"{\"id\":\"t1\",\"list_id\":\"l1\",\"description\":\"Milk\",\"completed\":0}","checksum":3876969333,"subkey":"sk-todos-t1"},{"op_id":"3","op":"PUT","object_type":"todos","object_id":"t2","data":"{\"id\":\"t2\",\"list_id\":\"l1\",\"description\":\"Eggs\",\"completed\":0}","checksum":2478068635,"subkey":"sk-todos-t2"}]}}`,
  String.raw`{"checkpoint_complete":{"last_op_id":"3"}}`,
  String.raw`{"token_expires_in":3540}`,
  String.raw`{"checkpoint_diff":{"last_op_id":"5","updated_buckets":[{"bucket":"user_todos[\"u1\"]","checksum":1254449376,"count":4,"priority":3,"subscriptions":[{"default":1}]}],"removed_buckets":[]}}`,
  String.raw`{"data":{"bucket":"user_todos[\"u1\"]","after":"3","next_after":"5","has_more":false,"data":[{"op_id":"4","op":"PUT","object_type":"todos","object_id":"t1","data":"{\"id\":\"t1\",\"list_id\":\"l1\",\"description\":\"Milk\",\"completed\":1}","checksum":2781919308,"subkey":"sk-todos-t1"},{"op_id":"5","op":"REMOVE","object_type":"todos","object_id":"t2","checksum":707426692,"subkey":"sk-todos-t2"}]}}`,
  String.raw`{"checkpoint_complete":{"last_op_id":"5"}}`

]

// The full checkpoint 5, for a client that already has ops 1..5 (checksums from section 3).
const CHECKPOINT_5 = {
  last_op_id: '5',
  buckets: [
    { bucket: 'global[]', checksum: 455782866, count: 1, priority: 3, subscriptions: [{ default: 0 }] },
    { bucket: 'user_todos["u1"]', checksum: 1254449376, count: 4, priority: 3, subscriptions: [{ default: 1 }] }
  ],
  streams: [{ name: 'global', is_default: true, errors: [] }, { name: 'user_todos', is_default: true, errors: [] }]
}

/**
 * A fake sync service on 127.0.0.1 (random port). Every request is recorded (method, url,
 * headers, raw body). POST /sync/stream calls onStream({ res, body, index }); the response is
 * left open unless the handler ends it. GET /write-checkpoint2.json answers writeCheckpoint.
 */
async function startFakeService ({ onStream, writeCheckpoint = '7' }) {
  const requests = []
  const streams = new Set()
  let streamCount = 0
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const rawBody = Buffer.concat(chunks).toString('utf8')
    const rec = { method: req.method, url: req.url, headers: req.headers, rawBody }
    requests.push(rec)
    const { pathname } = new URL(req.url, 'http://127.0.0.1')
    try {
      if (req.method === 'POST' && pathname === '/sync/stream') {
        rec.body = JSON.parse(rawBody)
        streams.add(res)
        res.on('close', () => streams.delete(res))
        await onStream({ res, body: rec.body, index: streamCount++ })
      } else if (req.method === 'GET' && pathname === '/write-checkpoint2.json') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ data: { write_checkpoint: writeCheckpoint } }))
      } else {
        res.writeHead(404).end()
      }
    } catch (err) {
      res.destroy(err)
    }
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    requests,
    streamRequests: () => requests.filter((r) => r.method === 'POST' && r.url.startsWith('/sync/stream')),
    /** Ends every open /sync/stream response gracefully (the client then reconnects). */
    endStreams: () => { for (const res of streams) res.end() },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) })
  }
}

function writeLines (res, lines, { contentType = 'application/x-ndjson' } = {}) {
  if (!res.headersSent) {
    const headers = { 'x-accel-buffering': 'no' }
    if (contentType != null) headers['content-type'] = contentType
    res.writeHead(200, headers)
  }
  for (const line of lines) res.write((typeof line === 'string' ? line : JSON.stringify(line)) + '\n')
}

/** The sample stream without the ops the client already has (its request's buckets[].after). */
function sampleStreamAfter (requestBuckets) {
  const after = new Map(requestBuckets.map((b) => [b.name, BigInt(b.after)]))
  const out = []
  for (const line of SAMPLE_STREAM) {
    const parsed = JSON.parse(line)
    if (!parsed.data) { out.push(line); continue }
    const have = after.get(parsed.data.bucket) ?? -1n
    const ops = parsed.data.data.filter((op) => BigInt(op.op_id) > have)
    if (ops.length > 0) out.push(JSON.stringify({ data: { ...parsed.data, data: ops } }))
  }
  return out
}

/** A connector for the fake service: fixed token, uploads recorded and completed. */
function fakeConnector (endpoint) {
  const uploads = []
  return {
    uploads,
    async fetchCredentials () { return { endpoint, token: 'x' } },
    async uploadData (db) {
      for (let tx = await db.getNextCrudTransaction(); tx != null; tx = await db.getNextCrudTransaction()) {
        uploads.push(tx.crud.map((entry) => entry.toJSON()))
        await tx.complete()
      }
    }
  }
}

const EXPECTED_LISTS = [{ id: 'l1', name: 'Groceries' }]
const EXPECTED_TODOS = [{ id: 't1', list_id: 'l1', description: 'Milk', completed: 1 }]
const rowsEqual = (expected) => (rows) => JSON.stringify(rows) === JSON.stringify(expected)

test('official client syncs the sample stream and shows its request shape', async (t) => {
  const service = await startFakeService({
    onStream: ({ res, index, body }) => {
      if (index === 0) return writeLines(res, SAMPLE_STREAM)
      // On reconnect: the full checkpoint 5 again, now acknowledging write checkpoint 7.
      assert.ok(body.buckets.length > 0)
      writeLines(res, [{ checkpoint: { ...CHECKPOINT_5, write_checkpoint: '7' } }, { checkpoint_complete: { last_op_id: '5' } }])
    }
  })
  const client = await openClient()
  t.after(async () => { await client.close(); await service.close() })
  const { db } = client
  const connector = fakeConnector(service.baseUrl)

  await db.connect(connector, FAST_SYNC_OPTIONS)
  await waitForFirstSync(db)
  // Checkpoint 5 (t1 completed, t2 removed) follows checkpoint 3 on the same stream.
  await waitForRows(db, 'SELECT id, list_id, description, completed FROM todos ORDER BY id', [], rowsEqual(EXPECTED_TODOS))
  assert.deepEqual(await db.getAll('SELECT id, name FROM lists ORDER BY id'), EXPECTED_LISTS)
  const status = db.currentStatus
  assert.equal(status.downloadError, undefined)
  assert.equal(status.connected, true)
  assert.equal(status.hasSynced, true)
  assert.deepEqual(await db.getAll('SELECT name, last_op FROM ps_buckets ORDER BY name'),
    [{ name: 'global[]', last_op: 5 }, { name: 'user_todos["u1"]', last_op: 5 }])

  // The request the official client posts.
  const [first] = service.streamRequests()
  console.log('POST /sync/stream headers:', JSON.stringify(first.headers))
  console.log('POST /sync/stream body:', first.rawBody)
  assert.equal(first.headers.authorization, 'Token x')
  assert.equal(first.headers['content-type'], 'application/json')
  assert.equal(first.headers.accept, 'application/vnd.powersync.bson-stream;q=0.9,application/x-ndjson;q=0.8')
  assert.match(first.headers['x-user-agent'], /^powersync-js\/\S+ powersync-node node\//)
  const clientId = await db.getClientId()
  assert.deepEqual(first.body, {
    buckets: [],
    include_checksum: true,
    raw_data: true,
    binary_data: true,
    client_id: clientId,
    parameters: {},
    streams: { include_defaults: true, subscriptions: [] },
    app_metadata: {}
  })

  // A local write: uploaded through the connector, then a write checkpoint is requested.
  await db.execute("INSERT INTO todos (id, list_id, description, completed) VALUES ('t3', 'l1', 'Bread', 0)")
  assert.deepEqual((await db.getAll('SELECT id FROM todos ORDER BY id')).map((r) => r.id), ['t1', 't3'])
  const wc = await waitFor(() => service.requests.find((r) => r.url.startsWith('/write-checkpoint2.json')),
    { message: 'GET /write-checkpoint2.json' })
  console.log('GET', wc.url, 'headers:', JSON.stringify(wc.headers))
  console.log('upload batch (CrudEntry.toJSON):', JSON.stringify(connector.uploads))
  assert.equal(wc.url, `/write-checkpoint2.json?client_id=${clientId}`)
  assert.equal(wc.headers.authorization, 'Token x')
  assert.equal(connector.uploads.length, 1)
  assert.deepEqual(connector.uploads[0].map(({ op, type, id, data }) => ({ op, type, id, data })),
    [{ op: 'PUT', type: 'todos', id: 't3', data: { list_id: 'l1', description: 'Bread', completed: 0 } }])

  // End the stream: the client reconnects and asks for the buckets after op 5. The service's
  // checkpoint acknowledges write checkpoint 7 without t3, so the local t3 is reverted.
  service.endStreams()
  const second = await waitFor(() => service.streamRequests()[1], { message: 'a second /sync/stream request' })
  console.log('reconnect body:', second.rawBody)
  assert.deepEqual(second.body.buckets, [{ name: 'global[]', after: '5' }, { name: 'user_todos["u1"]', after: '5' }])
  await waitForRows(db, 'SELECT id, list_id, description, completed FROM todos ORDER BY id', [], rowsEqual(EXPECTED_TODOS))
  assert.equal(db.currentStatus.downloadError, undefined)
})

test('a checksum mismatch drops that bucket, closes the stream, and the client re-requests the rest', async (t) => {
  let release
  const released = new Promise((resolve) => { release = resolve })
  const service = await startFakeService({
    onStream: async ({ res, index, body }) => {
      if (index === 0) {
        // Checkpoint 3 with user_todos' checksum off by one.
        return writeLines(res, SAMPLE_STREAM.map((l) => l.replace('"checksum":2060070672', '"checksum":2060070673')))
      }
      await released
      writeLines(res, sampleStreamAfter(body.buckets))
    }
  })
  const client = await openClient()
  t.after(async () => { release(); await client.close(); await service.close() })
  const { db, logger } = client

  await db.connect(fakeConnector(service.baseUrl), FAST_SYNC_OPTIONS)
  const retry = await waitFor(() => service.streamRequests()[1], { message: 'a reconnect after the mismatch' })
  // Only the bucket that failed was deleted; global[] keeps op 1 and is asked for after it.
  assert.deepEqual(retry.body.buckets, [{ name: 'global[]', after: '1' }])
  assert.equal(logger.matching(/Checksums didn't match, failed for: user_todos\["u1"\]/).length, 1, JSON.stringify(logger.records))
  // Nothing of the failed checkpoint was applied, not even the bucket that matched.
  assert.deepEqual(await db.getAll('SELECT id FROM lists'), [])
  assert.deepEqual(await db.getAll('SELECT id FROM todos'), [])
  assert.equal(db.currentStatus.hasSynced, false)
  console.log('status after mismatch:', JSON.stringify(db.currentStatus.toJSON()), 'downloadError:', String(db.currentStatus.downloadError))

  release()
  await waitForFirstSync(db)
  await waitForRows(db, 'SELECT id, list_id, description, completed FROM todos ORDER BY id', [], rowsEqual(EXPECTED_TODOS))
  assert.deepEqual(await db.getAll('SELECT id, name FROM lists ORDER BY id'), EXPECTED_LISTS)
  await waitForStatus(db, (s) => s.connected && s.downloadError === undefined)
})

for (const contentType of ['text/plain', null]) {
  test(`a response with content type ${contentType ?? '(none)'} is read as NDJSON too`, async (t) => {
    const service = await startFakeService({ onStream: ({ res, index }) => { if (index === 0) writeLines(res, SAMPLE_STREAM, { contentType }) } })
    const client = await openClient()
    t.after(async () => { await client.close(); await service.close() })
    await client.db.connect(fakeConnector(service.baseUrl), FAST_SYNC_OPTIONS)
    await waitForFirstSync(client.db)
    await waitForRows(client.db, 'SELECT id, list_id, description, completed FROM todos ORDER BY id', [], rowsEqual(EXPECTED_TODOS))
    assert.equal(client.db.currentStatus.downloadError, undefined)
  })
}
