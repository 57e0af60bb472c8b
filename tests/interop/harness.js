// Helpers for driving the official PowerSync Node client (@powersync/node) in interop tests.
//
// Everything here talks only to 127.0.0.1 servers that a test starts itself. Waits poll a
// condition until a deadline; nothing asserts after a fixed sleep.
//
//   const client = await openClient({ schema: todoSchema() })
//   const connector = await connectClient(client.db, baseUrl, 'u1')
//   await waitForFirstSync(client.db)
//   await waitForRows(client.db, 'SELECT id FROM todos', [], (rows) => rows.length === 2)
//   await client.close()

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PowerSyncDatabase, Schema, Table, column, LogLevels } from '@powersync/node'

export { PowerSyncDatabase, Schema, Table, column, LogLevels }

export const DEFAULT_TIMEOUT_MS = 15_000

/** The schema of the protocol vectors: lists(name) and todos(list_id, description, completed). */
export function todoSchema () {
  return new Schema({
    lists: new Table({ name: column.text }),
    todos: new Table({ list_id: column.text, description: column.text, completed: column.integer })
  })
}

/**
 * A PowerSyncLogger that keeps every record (level, message, error text) in `records`, and
 * echoes them to stderr when `echo` is true or PS_INTEROP_LOG=1 is set.
 */
export function recordingLogger ({ echo = process.env.PS_INTEROP_LOG === '1', minLevel = LogLevels.debug } = {}) {
  const records = []
  return {
    records,
    log (record) {
      if (record.level < minLevel) return
      const entry = { level: record.level, message: record.message, error: record.error == null ? undefined : String(record.error?.stack ?? record.error) }
      records.push(entry)
      if (echo) console.error(`[powersync ${record.level}] ${record.message}${entry.error ? ' ' + entry.error : ''}`)
    },
    /** Records whose message (or error) matches `re`. */
    matching (re) {
      return records.filter((r) => re.test(r.message) || (r.error != null && re.test(r.error)))
    }
  }
}

/**
 * Opens an official client database in a fresh temp dir.
 * Returns { db, dir, logger, close() }; close() disconnects, closes and removes the dir (idempotent).
 */
export async function openClient ({ schema = todoSchema(), dbFilename = 'client.sqlite', logger = recordingLogger() } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ps-interop-'))
  const db = new PowerSyncDatabase({ schema, database: { dbFilename, dbLocation: dir }, logger })
  await db.init()
  let closed = false
  return {
    db,
    dir,
    logger,
    async close () {
      if (closed) return
      closed = true
      try {
        await db.disconnect()
      } finally {
        try { await db.close() } finally { await rm(dir, { recursive: true, force: true }) }
      }
    }
  }
}

/**
 * A PowerSyncBackendConnector for our dev server:
 * - fetchCredentials: GET <base>/api/token?user_id=ID  ->  { token, endpoint }
 * - uploadData: for each transaction from getNextCrudTransaction(),
 *   POST <base>/api/upload with {"batch":[entry.toJSON(), ...]}, then complete().
 *   A non-2xx answer throws (the SDK then retries after retryDelayMs).
 * `uploads` records every batch sent (with its HTTP status), `credentialFetches` counts token fetches.
 */
export function tokenConnector (baseUrl, userId) {
  const base = baseUrl.replace(/\/+$/, '')
  const connector = {
    uploads: [],
    credentialFetches: 0,
    async fetchCredentials () {
      connector.credentialFetches++
      const res = await fetch(`${base}/api/token?user_id=${encodeURIComponent(userId)}`)
      if (!res.ok) throw new Error(`GET /api/token: HTTP ${res.status}: ${await res.text()}`)
      const { token, endpoint } = await res.json()
      if (!token || !endpoint) throw new Error('GET /api/token: response lacks token or endpoint')
      return { token, endpoint: endpoint.replace(/\/+$/, '') }
    },
    async uploadData (db) {
      for (;;) {
        const tx = await db.getNextCrudTransaction()
        if (tx == null) return
        const batch = tx.crud.map((entry) => entry.toJSON())
        const res = await fetch(`${base}/api/upload`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ batch })
        })
        const text = await res.text()
        connector.uploads.push({ batch, status: res.status, body: text })
        if (!res.ok) throw new Error(`POST /api/upload: HTTP ${res.status}: ${text}`)
        await tx.complete()
      }
    }
  }
  return connector
}

/** Fast retry and upload settings, so tests do not wait the SDK's 5 s / 1 s defaults. */
export const FAST_SYNC_OPTIONS = Object.freeze({ retryDelayMs: 200, crudUploadThrottleMs: 50 })

/**
 * Connects `db` to our dev server at `baseUrl` as `userId` with tokenConnector.
 * Returns the connector (its uploads / credentialFetches can be inspected).
 */
export async function connectClient (db, baseUrl, userId, options = {}) {
  const connector = tokenConnector(baseUrl, userId)
  await db.connect(connector, { ...FAST_SYNC_OPTIONS, ...options })
  return connector
}

/**
 * Polls `check` (sync or async) until it returns a truthy value, and returns that value.
 * Thrown errors count as "not yet". After `timeoutMs` it throws, with the last value or error.
 */
export async function waitFor (check, { timeoutMs = DEFAULT_TIMEOUT_MS, intervalMs = 25, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs
  let last
  let lastError
  for (;;) {
    try {
      last = await check()
      lastError = undefined
      if (last) return last
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      const detail = lastError ? `last error: ${lastError.stack ?? lastError}` : `last value: ${safeJson(last)}`
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}; ${detail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Waits until `predicate(rows)` holds for `db.getAll(sql, params)`; returns the rows. */
export async function waitForRows (db, sql, params, predicate, opts = {}) {
  let rows
  await waitFor(async () => { rows = await db.getAll(sql, params); return predicate(rows) },
    { message: `rows of ${sql} to match`, ...opts }).catch((err) => {
    err.message += `\n  rows: ${safeJson(rows)}`
    throw err
  })
  return rows
}

/** Waits until `predicate(db.currentStatus)` holds; returns the status. */
export async function waitForStatus (db, predicate, opts = {}) {
  return waitFor(() => predicate(db.currentStatus) && db.currentStatus,
    { message: 'sync status', ...opts }).catch((err) => {
    err.message += `\n  status: ${safeJson(db.currentStatus?.toJSON?.() ?? db.currentStatus)}`
    throw err
  })
}

/** The SDK's waitForFirstSync with a deadline (it has none of its own). */
export async function waitForFirstSync (db, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  // On abort the SDK's promise resolves (it does not reject), so check the outcome afterwards.
  const signal = AbortSignal.timeout(timeoutMs)
  try {
    await db.waitForFirstSync({ signal })
  } catch (err) {
    if (!signal.aborted) throw err
  }
  if (!db.currentStatus.hasSynced) {
    throw new Error(`${signal.aborted ? `timed out after ${timeoutMs} ms waiting for` : 'no'} first sync; status: ${safeJson(db.currentStatus?.toJSON?.())}`)
  }
}

/** Waits until ps_crud is empty (every local write uploaded and completed). */
export async function waitForUploadQueueEmpty (db, opts = {}) {
  return waitFor(async () => (await db.getUploadQueueStats()).count === 0, { message: 'empty upload queue', ...opts })
}

/** Closes every given client (see openClient), reporting the first failure after trying all. */
export async function closeAll (...clients) {
  const results = await Promise.allSettled(clients.filter(Boolean).map((c) => c.close()))
  const failed = results.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
}

function safeJson (value) {
  try { return JSON.stringify(value) } catch { return String(value) }
}
