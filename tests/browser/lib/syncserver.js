// The dev sync server (./syncserver/cmd/sync-server) and our Go client
// (./tests/interop/gosync) as child processes of a browser test or
// benchmark, as tests/interop/devserver.js runs them for the Node tests
// (that file loads @powersync/node, which the browser tests do not install).
//
//   const bins = buildSyncCommands()                      // go build, once per file
//   const server = await startSyncServer(bins.server, dbPath, { rules })
//   await backendUpload(server.url, [{ op: 'PUT', type: 'todos', id: 't1', data: {...} }])
//   await server.kill()                                   // SIGKILL, as a crash
//   const again = await startSyncServer(bins.server, dbPath, { port: server.port, rules })
//   const truth = await goSync(bins.gosync, server.url, schemaJSON, ['-user', 'u1'])
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, REPO } from './build.js';

/**
 * Builds the dev server and gosync into tests/browser/.build/bin with one
 * `go build` (quick when Go's build cache is warm). Returns their paths.
 */
export function buildSyncCommands() {
  const dir = join(BUILD, 'bin');
  mkdirSync(dir, { recursive: true });
  execFileSync(process.env.GO || 'go', ['build', '-o', dir + '/', './syncserver/cmd/sync-server', './tests/interop/gosync'], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { server: join(dir, 'sync-server'), gosync: join(dir, 'gosync') };
}

/**
 * Starts the dev server on 127.0.0.1:port (0: a free one) with its data in
 * dbPath, and with the sync rules file rules if given. Resolves once it
 * answers GET /api/token to { url, port, log, kill(), stop() }. Its stderr
 * lines go to log (echoed with SYNC_SERVER_LOG=1). A port just freed by a
 * killed server may take a moment to bind again: it retries for 10 s.
 */
export async function startSyncServer(bin, dbPath, { port = 0, rules } = {}) {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      return await startOnce(bin, dbPath, port, rules);
    } catch (e) {
      if (!port || Date.now() > deadline || !/address already in use/.test(e.message)) throw e;
      await sleep(100);
    }
  }
}

async function startOnce(bin, dbPath, port, rules) {
  const args = ['-addr', `127.0.0.1:${port}`, '-db', dbPath];
  if (rules) args.push('-rules', rules);
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const log = [];
  let exited = null;
  const exitedP = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      process.off('exit', killOnExit);
      resolve(exited);
    }),
  );
  let pending = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      log.push(line);
      if (process.env.SYNC_SERVER_LOG === '1') console.error(`[sync-server] ${line}`);
    }
  });
  const addr = await until(() => {
    if (exited) throw new Error(`sync-server exited (${JSON.stringify(exited)}): ${log.join('\n')}`);
    return log.map((l) => /serving http:\/\/([\d.]+:\d+)\//.exec(l)?.[1]).find(Boolean);
  }, 30000, 'sync-server to log its address').catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  const url = `http://${addr}`;
  await until(async () => (await fetch(`${url}/api/token?user_id=probe`).catch(() => null))?.ok, 10000, 'sync-server to answer');
  return {
    url,
    port: Number(addr.split(':')[1]),
    log,
    /** How many sync streams the server has opened so far. */
    streamsOpened: () => log.filter((l) => l.includes('stream opened')).length,
    /** SIGKILLs the server, as a crash would; resolves once it is gone. */
    async kill() {
      if (!exited) child.kill('SIGKILL');
      return exitedP;
    },
    /** SIGTERM, then waits for the process to end. */
    async stop() {
      if (!exited) child.kill('SIGTERM');
      return exitedP;
    },
  };
}

/** The backend's own write: POST /api/upload { batch }, as the dev server's docs describe. */
export async function backendUpload(url, batch) {
  const res = await fetch(`${url}/api/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batch }),
  });
  if (!res.ok) throw new Error(`POST /api/upload: HTTP ${res.status}: ${await res.text()}`);
}

/**
 * Runs gosync against the server with a serialized schema (what
 * Schema.toJSON() gives) and resolves to its output: { client_id, tables:
 * { name: rows ordered by id }, warnings, status }. args add flags
 * (-user u1, -expect todos=3).
 */
export function goSync(bin, url, schemaJSON, args = []) {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-url', url, '-schema', schemaJSON, '-timeout', '60s', ...args], { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      if (err) {
        err.message += `\nstderr: ${stderr}`;
        reject(err);
        return;
      }
      resolve(JSON.parse(stdout));
    });
  });
}

/** Polls fn (sync or async) until it returns something truthy; fails after ms. */
export async function until(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (/exited/.test(e.message)) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(50);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
