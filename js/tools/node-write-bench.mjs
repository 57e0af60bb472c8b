// A representative write load on a file database in Node, for comparing
// builds of the module side by side in one run (BENCHMARKS.md, "File
// databases in Node").
//
//   node js/tools/node-write-bench.mjs [--rounds 3] [name=DIR ...]
//
// Each name=DIR is a directory holding a build's gopowersync.wasm and
// wasm_exec.js (default: this checkout's dist/ as "ours"). Rounds run the
// builds in turn, each in a fresh process on a fresh file, and the table
// gives each workload's median per build and its ratio to the first build.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const N = 300; // writes of each kind

async function child(dir) {
  const { init, PowerSyncDatabase, Schema, Table, column, createCollection, powerSyncCollectionOptions } = await import('../index.js');
  await init({ wasmURL: dir.endsWith('/') ? dir : `${dir}/` });
  const where = mkdtempSync(join(tmpdir(), 'gopowersync-bench-'));
  const schema = new Schema({ todos: new Table({ title: column.text, done: column.integer, n: column.integer }) });
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: join(where, 'bench.db') } });
  await db.init();
  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }));
  await todos.preload();
  const out = {};
  // Wall time, and the process's CPU time (user + system), which the other
  // work of a busy machine disturbs less.
  const time = async (name, fn) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    out[name] = performance.now() - t0;
    out[`${name} (CPU)`] = (c.user + c.system) / 1000;
  };
  await time(`${N} db.execute INSERTs, one by one`, async () => {
    for (let i = 0; i < N; i++) await db.execute('INSERT INTO todos (id, title, done, n) VALUES (?, ?, 0, ?)', [`e${i}`, `title ${i}`, i]);
  });
  await time(`${N} collection inserts, each awaited`, async () => {
    for (let i = 0; i < N; i++) await todos.insert({ id: `c${i}`, title: `title ${i}`, done: 0, n: i }).isPersisted.promise;
  });
  await time(`${N} collection updates, each awaited`, async () => {
    for (let i = 0; i < N; i++) await todos.update(`c${i}`, (d) => { d.done = 1; }).isPersisted.promise;
  });
  await time(`${N} collection inserts at once`, async () => {
    await Promise.all(Array.from({ length: N }, (_, i) => todos.insert({ id: `b${i}`, title: `t ${i}`, done: 0, n: i }).isPersisted.promise));
  });
  await time('5000 rows in one writeTransaction', async () => {
    await db.writeTransaction(async (tx) => {
      for (let i = 0; i < 5000; i++) await tx.execute('INSERT INTO todos (id, title, done, n) VALUES (?, ?, 0, ?)', [`w${i}`, `title ${i}`, i]);
    });
  });
  await time('close', () => db.close());
  rmSync(where, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out));
}

function main(args) {
  let rounds = 3;
  const builds = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--rounds') rounds = Number(args[++i]);
    else {
      const eq = args[i].indexOf('=');
      if (eq < 1) throw new Error(`want name=DIR, got ${args[i]}`);
      builds.push([args[i].slice(0, eq), args[i].slice(eq + 1)]);
    }
  }
  if (builds.length === 0) builds.push(['ours', fileURLToPath(new URL('../../dist/', import.meta.url))]);
  const runs = new Map(builds.map(([name]) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, dir] of builds) {
      const p = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${name}: ${p.stderr}`);
      runs.get(name).push(JSON.parse(p.stdout));
    }
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  const names = builds.map(([n]) => n);
  const workloads = Object.keys(runs.get(names[0])[0]);
  const rows = [`| workload (ms, median of ${rounds}) | ${names.join(' | ')} | ${names.slice(1).map((n) => `${n}/${names[0]}`).join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|${names.slice(1).map(() => '---:').join('|')}|`];
  for (const w of workloads) {
    const m = names.map((n) => median(runs.get(n).map((run) => run[w])));
    rows.push(`| ${w} | ${m.map((x) => x.toFixed(0)).join(' | ')} | ${m.slice(1).map((x) => (x / m[0]).toFixed(2)).join(' | ')} |`);
  }
  console.log(rows.join('\n'));
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else main(process.argv.slice(2));
