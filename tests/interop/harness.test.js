// Checks harness.js itself: tokenConnector/connectClient against a fake dev server that offers
// GET /api/token, POST /api/upload and a /sync/stream with one empty checkpoint.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { openClient, connectClient, waitForFirstSync, waitForStatus, waitForUploadQueueEmpty } from './harness.js'

async function startFakeDevServer ({ failUploads = 0 } = {}) {
  const seen = { tokens: [], uploads: [], streams: [] }
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const body = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url, 'http://127.0.0.1')
    const json = (status, value) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)) }
    if (req.method === 'GET' && url.pathname === '/api/token') {
      seen.tokens.push(url.searchParams.get('user_id'))
      return json(200, { token: `tok-${url.searchParams.get('user_id')}`, endpoint: `http://127.0.0.1:${server.address().port}` })
    }
    if (req.method === 'POST' && url.pathname === '/api/upload') {
      seen.uploads.push({ contentType: req.headers['content-type'], body: JSON.parse(body) })
      if (failUploads-- > 0) return json(500, { error: 'try again' })
      return json(200, {})
    }
    if (req.method === 'POST' && url.pathname === '/sync/stream') {
      seen.streams.push({ authorization: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      res.write('{"checkpoint":{"last_op_id":"0","buckets":[]}}\n{"checkpoint_complete":{"last_op_id":"0"}}\n')
      return
    }
    if (req.method === 'GET' && url.pathname === '/write-checkpoint2.json') return json(200, { data: { write_checkpoint: '1' } })
    res.writeHead(404).end()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    seen,
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve) })
  }
}

test('harness: credentials from /api/token, uploads to /api/upload with retry', async (t) => {
  const dev = await startFakeDevServer({ failUploads: 1 })
  const client = await openClient()
  t.after(async () => { await client.close(); await dev.close() })
  const { db } = client

  const connector = await connectClient(db, dev.baseUrl, 'u1')
  await waitForFirstSync(db)
  assert.deepEqual(dev.seen.tokens, ['u1'])
  assert.equal(dev.seen.streams[0].authorization, 'Token tok-u1')

  await db.writeTransaction(async (tx) => {
    await tx.execute("INSERT INTO lists (id, name) VALUES ('l9', 'Work')")
    await tx.execute("INSERT INTO todos (id, list_id, description, completed) VALUES ('t9', 'l9', 'Mail', 0)")
  })
  // The first upload gets a 500: the SDK reports uploadError and retries after retryDelayMs.
  await waitForUploadQueueEmpty(db)
  assert.equal(dev.seen.uploads.length, 2)
  assert.equal(connector.uploads[0].status, 500)
  assert.equal(connector.uploads[1].status, 200)
  const { batch } = dev.seen.uploads[1].body
  assert.equal(dev.seen.uploads[1].contentType, 'application/json')
  assert.deepEqual(batch.map(({ op, type, id }) => ({ op, type, id })),
    [{ op: 'PUT', type: 'lists', id: 'l9' }, { op: 'PUT', type: 'todos', id: 't9' }])
  assert.equal(batch[0].tx_id, batch[1].tx_id, 'one transaction, one batch')
  await waitForStatus(db, (s) => s.dataFlowStatus.uploadError === undefined && !s.dataFlowStatus.uploading)
})
