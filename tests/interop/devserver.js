// Helpers for interop tests against our real dev sync server (./syncserver/cmd/sync-server) and our Go
// client (./tests/interop/gosync), both run as child processes.
//
//   const bins = await buildCommands(tmp)                 // go build, once per test file
//   const server = await startServer(bins.server, join(tmp, 'sync.sqlite'))
//   await backendUpload(server.baseUrl, [{ op: 'PUT', type: 'todos', id: 't1', data: {...} }])
//   const client = await openRecordedClient('a', schema) // an official client that records its problems
//   const go = await goSync(bins.gosync, server.baseUrl, schema, ['-user', 'u1'])
import assert from 'node:assert/strict'
import { spawn, execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { openClient, recordingLogger, waitFor, LogLevels } from './harness.js'

const execFileP = promisify(execFile)
export const REPO = resolve(import.meta.dirname, '../..')

/**
 * Builds the dev server and the Go client into dir with one `go build` (quick when the build cache is
 * warm, as after `go test ./...`). Returns the paths { server, gosync }.
 */
export async function buildCommands (dir) {
  await execFileP(process.env.GO || 'go', ['build', '-o', dir + '/', './syncserver/cmd/sync-server', './tests/interop/gosync'], { cwd: REPO })
  return { server: resolve(dir, 'sync-server'), gosync: resolve(dir, 'gosync') }
}

/**
 * Starts the dev server: bin -addr 127.0.0.1:<port, 0 = any free one> -db dbPath [-rules rulesPath].
 * Resolves once it has logged its address and answers GET /api/token. Its stderr lines are kept in
 * `log` (echoed to stderr with PS_INTEROP_LOG=1).
 */
export async function startServer (bin, dbPath, { port = 0, rules } = {}) {
  const args = ['-addr', `127.0.0.1:${port}`, '-db', dbPath]
  if (rules) args.push('-rules', rules)
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const killOnExit = () => child.kill('SIGKILL')
  process.on('exit', killOnExit)
  const log = []
  let pending = ''
  let exited = null
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop()
    for (const line of lines) {
      log.push(line)
      if (process.env.PS_INTEROP_LOG === '1') console.error(`[sync-server] ${line}`)
    }
  })
  const exitedP = new Promise((resolve) => child.on('exit', (code, signal) => {
    exited = { code, signal }
    process.off('exit', killOnExit)
    resolve(exited)
  }))
  const addr = await waitFor(() => {
    if (exited) throw new Error(`sync-server exited (${JSON.stringify(exited)}): ${log.join('\n')}`)
    return log.map((l) => /serving http:\/\/([\d.]+:\d+)\//.exec(l)?.[1]).find(Boolean)
  }, { timeoutMs: 30_000, message: 'sync-server to log its address' }).catch((err) => { child.kill('SIGKILL'); throw err })
  const baseUrl = `http://${addr}`
  await waitFor(async () => (await fetch(`${baseUrl}/api/token?user_id=probe`)).ok, { timeoutMs: 10_000, message: 'sync-server to answer' })
  return {
    baseUrl,
    port: Number(addr.split(':')[1]),
    log,
    /** The buckets= count of each "stream opened" log line of this client id: one per connection. */
    streamOpens (clientId) {
      return log.filter((l) => l.includes('stream opened') && l.includes(`client_id=${clientId}`))
        .map((l) => Number(/buckets=(\d+)/.exec(l)?.[1]))
    },
    /** SIGTERM, then waits for the process to end; resolves to { code, signal }. */
    async stop () {
      if (!exited) child.kill('SIGTERM')
      return exitedP
    }
  }
}

/** The backend's own write: POST /api/upload {batch} without a client id, as the dev server's docs describe. */
export async function backendUpload (baseUrl, batch) {
  const res = await fetch(`${baseUrl}/api/upload`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batch })
  })
  const text = await res.text()
  assert.equal(res.status, 200, `POST /api/upload: ${text}`)
}

/**
 * Opens an official client (openClient) with its own dbFilename (two @powersync/node clients in one
 * process that share a file name break) that records every downloadError and uploadError its status
 * shows in `statusErrors`, and every SDK log record in `logger.records`.
 */
export async function openRecordedClient (name, schema) {
  const client = await openClient({ schema, dbFilename: `${name}.sqlite`, logger: recordingLogger() })
  client.name = name
  client.statusErrors = []
  client.db.registerListener({
    statusChanged (s) {
      for (const kind of ['downloadError', 'uploadError']) {
        const err = s.dataFlowStatus?.[kind]
        if (err != null) client.statusErrors.push({ kind, at: Date.now(), error: String(err?.stack ?? err) })
      }
    }
  })
  return client
}

/** Where a client's records stand now, to look at what came after with problemsSince. */
export const mark = (client) => ({ log: client.logger.records.length, status: client.statusErrors.length })

/** Warnings and errors the client logged (checksum failures are warnings), and errors its status showed, since marks. */
export function problemsSince (client, marks = { log: 0, status: 0 }) {
  return {
    logged: client.logger.records.slice(marks.log).filter((r) => r.level >= LogLevels.warn),
    status: client.statusErrors.slice(marks.status)
  }
}

export function assertNoProblems (client, marks) {
  const { logged, status } = problemsSince(client, marks)
  assert.deepEqual(logged, [], `${client.name} logged warnings or errors`)
  assert.deepEqual(status, [], `${client.name}'s status showed errors`)
}

/**
 * Runs our Go client (gosync) against the server with the official client's schema (schema.toJSON())
 * and returns its JSON output: { client_id, tables: {name: rows ordered by id}, warnings, status, uploads }.
 */
export async function goSync (bin, baseUrl, schema, args = []) {
  const { stdout } = await execFileP(bin, ['-url', baseUrl, '-schema', JSON.stringify(schema.toJSON()), '-timeout', '30s', ...args],
    { maxBuffer: 64 << 20 }).catch((err) => { err.message += `\nstderr: ${err.stderr}`; throw err })
  return JSON.parse(stdout)
}
