// Fault 1 of issue 10: every value JS can hold either round-trips exactly
// or is refused with a TypeError naming the argument and the type. The
// table these tests check is in index.d.ts ("Values").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCollection, powerSyncCollectionOptions } from '../index.js';
import { openDatabase } from './helpers.js';

const exact = [
  ['integer', 42, 'integer'],
  ['negative integer', -7, 'integer'],
  ['largest safe integer', Number.MAX_SAFE_INTEGER, 'integer'],
  ['fraction', 0.1, 'real'],
  ['whole number beyond 2^53 as a float', 2 ** 60, 'real'],
  ['tiny', 5e-324, 'real'],
  ['Infinity', Infinity, 'real'],
  ['-Infinity', -Infinity, 'real'],
  ['bigint in the safe range', 5n, 'integer', 5],
  ['bigint beyond 2^53', 9007199254740993n, 'integer'],
  ['largest int64', 2n ** 63n - 1n, 'integer'],
  ['smallest int64', -(2n ** 63n), 'integer'],
  ['empty string', '', 'text'],
  ['text with every kind of character', 'a"\\\n\t\u0000é🙂\u2028<>&', 'text'],
  ['bytes', new Uint8Array([0, 1, 255]), 'blob'],
  ['empty bytes', new Uint8Array(0), 'blob'],
  ['ArrayBuffer', new Uint8Array([7, 8]).buffer, 'blob', new Uint8Array([7, 8])],
  ['another typed array', new Uint16Array([1]), 'blob', new Uint8Array([1, 0])],
  ['true', true, 'integer', 1],
  ['false', false, 'integer', 0],
  ['null', null, 'null'],
  ['undefined', undefined, 'null', null],
  ['-0 (as wa-sqlite binds it)', -0, 'integer', 0],
  ['Date', new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), 'text', '2026-01-02T03:04:05.006Z'],
];

const refused = [
  ['NaN', NaN, /params\[1\].*NaN/],
  ['bigint above int64', 2n ** 63n, /params\[1\].*bigint.*64-bit/],
  ['bigint below int64', -(2n ** 63n) - 1n, /params\[1\].*bigint.*64-bit/],
  ['lone surrogate', 'a\uD800b', /params\[1\].*lone surrogate/],
  ['object', { a: 1 }, /params\[1\].*Object/],
  ['array', [1], /params\[1\].*array/],
  ['symbol', Symbol('s'), /params\[1\].*symbol/],
  ['function', () => 1, /params\[1\].*function/],
  ['invalid Date', new Date(NaN), /params\[1\].*Date/],
];

test('SQL parameters: each JS value comes back exactly, as its documented SQLite type', async () => {
  const db = await openDatabase();
  await db.execute('CREATE TABLE vals (k TEXT PRIMARY KEY, v)');
  for (const [what, v, type, back = v] of exact) {
    await db.execute('INSERT OR REPLACE INTO vals VALUES (?, ?)', [what, v]);
    const row = await db.get('SELECT v, typeof(v) AS t FROM vals WHERE k = ?', [what]);
    assert.equal(row.t, type, what);
    assert.deepEqual(row.v, back, what);
    if (typeof back === 'number') assert.ok(Object.is(row.v, back), `${what}: ${row.v}`);
    // The same value as a parameter of a query finds the row.
    if (back !== null && !(back instanceof Uint8Array)) {
      assert.equal((await db.getOptional('SELECT k FROM vals WHERE v = ? AND k = ?', [v, what]))?.k, what, `${what} as a WHERE parameter`);
    }
  }
});

test('SQL parameters: what SQLite cannot hold exactly is a TypeError naming the argument; nothing runs', async () => {
  const db = await openDatabase();
  for (const [what, v, message] of refused) {
    await assert.rejects(db.execute('INSERT INTO documents (id, name) VALUES (?, ?)', ['x', v]), (e) => e instanceof TypeError && message.test(e.message), what);
    await assert.rejects(db.writeTransaction((tx) => tx.execute('SELECT ?, ?', ['x', v])), TypeError, `${what} in a transaction`);
    assert.throws(() => db.watch('SELECT ?, ?', ['x', v]), TypeError, `${what} in watch`);
  }
  assert.equal((await db.getAll('SELECT * FROM documents')).length, 0);
});

test('results: integers beyond 2^53 come back as bigint, in rows, collections and subscriptions', async () => {
  const db = await openDatabase();
  assert.deepEqual(await db.get('SELECT 9007199254740993 AS a, 9007199254740991 AS b, -9223372036854775808 AS c, 1e999 AS d'),
    { a: 9007199254740993n, b: 9007199254740991, c: -(2n ** 63n), d: Infinity });
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await docs.preload();
  const seen = [];
  docs.subscribeChanges((changes) => seen.push(...changes));
  await db.execute('INSERT INTO documents (id, n, score) VALUES (?, ?, ?)', ['big', 2n ** 62n, -Infinity]);
  assert.equal(docs.get('big').n, 2n ** 62n);
  assert.equal(docs.get('big').score, -Infinity);
  assert.equal(seen.at(-1).value.n, 2n ** 62n);
});

test('collection items: values round-trip through SQLite and the upload queue, or are refused naming the field', async () => {
  const db = await openDatabase();
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await docs.preload();
  await docs.insert({ id: 'a', name: 'é🙂<&>', n: 2n ** 60n, score: 0.1 }).isPersisted.promise;
  assert.deepEqual(await db.get('SELECT name, n, typeof(n) AS t, score FROM documents WHERE id = ?', ['a']),
    { name: 'é🙂<&>', n: 2n ** 60n, t: 'integer', score: 0.1 });
  assert.equal(docs.get('a').n, 2n ** 60n);
  const queued = JSON.parse((await db.get('SELECT data FROM ps_crud')).data);
  assert.equal(queued.data.name, 'é🙂<&>');
  await docs.update('a', (d) => { d.n = 5n; }).isPersisted.promise;
  assert.equal((await db.get('SELECT n FROM documents WHERE id = ?', ['a'])).n, 5);
  for (const [field, v, message] of [
    ['n', NaN, /insert: item\.n.*NaN/],
    ['n', 2n ** 64n, /insert: item\.n.*64-bit/],
    ['name', 'a\uD800', /insert: item\.name.*lone surrogate/],
    ['name', Symbol('x'), /insert: item\.name.*symbol/],
    ['name', () => 1, /insert: item\.name.*function/],
  ]) {
    assert.throws(() => docs.insert({ id: 'bad', [field]: v }), (e) => e instanceof TypeError && message.test(e.message), `${field} = ${String(v)}`);
  }
  assert.throws(() => docs.update('a', (d) => { d.score = NaN; }), (e) => e instanceof TypeError && /update: draft\.score/.test(e.message));
  assert.throws(() => docs.insert({ id: 'm' }, { metadata: { n: 1n } }), (e) => e instanceof TypeError && /metadata/.test(e.message));
  assert.equal(docs.has('bad'), false);
});

test('no Go panic text reaches JS: an internal error is an Error without a Go stack', async () => {
  const { module } = await import('../loader.js');
  // A bigint straight at the bridge, past the JS checks.
  const db = await openDatabase();
  const h = await db._h();
  const err = await new Promise((resolve) => {
    const r = h.execute('SELECT ?', [1n], (ok, v) => resolve(ok ? null : v));
    if (r instanceof Error) resolve(r);
  });
  assert.ok(err instanceof Error);
  assert.doesNotMatch(err.message, /goroutine|\.go:\d+|panic/);
  assert.equal(typeof module, 'function');
});

test('an object that an application schema puts in a TEXT column is stored as JSON.stringify wrote it', async () => {
  const db = await openDatabase();
  const anything = { '~standard': { version: 1, vendor: 'test', validate: (v) => ({ value: v }) } };
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents', schema: anything }));
  await docs.preload();
  const content = { z: 1, a: '<&>', list: [1e21, 0.1, 'é'], nested: { y: null, b: true } };
  await docs.insert({ id: 'o', content }).isPersisted.promise;
  assert.equal((await db.get('SELECT content FROM documents WHERE id = ?', ['o'])).content, JSON.stringify(content));
  // Without a schema of its own, the table's rule refuses it.
  const plain = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await plain.preload();
  assert.throws(() => plain.insert({ id: 'p', content }), (e) => e.name === 'SchemaValidationError');
});

// Found by a new user: a collection stored Infinity as null (JSON.stringify's
// text), and SQLite's 9.0e+999 for it in ps_crud stopped every upload after it.
test('±Infinity round-trips through a collection, and the upload queue stays readable', async () => {
  const db = await openDatabase();
  const docs = createCollection(powerSyncCollectionOptions({ database: db, tableName: 'documents' }));
  await docs.preload();
  await docs.insert({ id: 'inf', score: Infinity }).isPersisted.promise;
  await docs.insert({ id: '-inf', score: -Infinity }).isPersisted.promise;
  await db.execute('INSERT INTO documents (id, score) VALUES (?, ?)', ['sql', Infinity]);
  await docs.insert({ id: 'next', score: 1 }).isPersisted.promise;
  assert.deepEqual(await db.getAll('SELECT id, score FROM documents ORDER BY id'),
    [{ id: '-inf', score: -Infinity }, { id: 'inf', score: Infinity }, { id: 'next', score: 1 }, { id: 'sql', score: Infinity }]);
  assert.equal(docs.get('inf').score, Infinity);
  assert.equal(docs.get('-inf').score, -Infinity);
  const batch = await db.getCrudBatch(10);
  assert.deepEqual(batch.crud.map((e) => [e.id, e.opData.score]), [['inf', Infinity], ['-inf', -Infinity], ['sql', Infinity], ['next', 1]]);
  let tx = await db.getNextCrudTransaction();
  for (let i = 0; tx && i < 10; i++) {
    await tx.complete();
    tx = await db.getNextCrudTransaction();
  }
  assert.equal(tx, null, 'every entry can be uploaded and completed');
});

test('user objects shaped like the bridge\'s side-value marker ({ $blob: n }) round-trip unchanged on every path', async () => {
  const { init, localOnlyCollectionOptions, localStorageCollectionOptions, createLiveQueryCollection, createTransaction } = await import('../index.js');
  await init();
  const looks = [
    { $blob: 0 },
    { $blob: 5, other: 1 },
    { $$blob: 'x', $blob: { $blob: 1 }, $$$blob: [{ $blob: 0 }] },
  ];
  const items = (bytes) => looks.map((m, i) => ({ id: `i${i}`, m, ...(bytes ? { bytes: new Uint8Array([i, 9]) } : {}) }));
  const stores = new Map();
  const storage = { getItem: (k) => stores.get(k) ?? null, setItem: (k, v) => stores.set(k, v), removeItem: (k) => stores.delete(k) };
  for (const bytes of [false, true]) {
    const local = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: items(bytes) }));
    assert.deepEqual(local.toArray, items(bytes), 'initialData');
    const other = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id }));
    await other.insert(items(bytes)).isPersisted.promise;
    assert.deepEqual(other.toArray, items(bytes), 'insert');
    await other.update('i0', (d) => { d.m = { $blob: 1, $$blob: 2 }; }).isPersisted.promise;
    assert.deepEqual(other.get('i0').m, { $blob: 1, $$blob: 2 }, 'update');
    const lq = createLiveQueryCollection((q) => q.from({ x: local }).select(({ x }) => ({ id: x.id, m: x.m, bytes: x.bytes })));
    await lq.preload();
    assert.deepEqual(lq.toArray.map(({ id, m }) => ({ id, m })), looks.map((m, i) => ({ id: `i${i}`, m })), 'live query');
    const ls = createCollection(localStorageCollectionOptions({ storageKey: `k${bytes}`, storage, storageEventApi: { addEventListener() {}, removeEventListener() {} }, getKey: (x) => x.id }));
    await ls.insert(items(false)).isPersisted.promise;
    assert.deepEqual(ls.toArray, items(false), 'localStorage');
    const tx = createTransaction({ autoCommit: false, mutationFn: async () => {}, metadata: { $blob: 0, n: { $$blob: 1 } } });
    tx.mutate(() => other.insert({ id: `meta${bytes}`, bytes: new Uint8Array([1]) }, { metadata: { $blob: 0 } }));
    assert.deepEqual(tx.metadata, { $blob: 0, n: { $$blob: 1 } }, 'transaction metadata');
    assert.deepEqual(tx.mutations[0].metadata, { $blob: 0 }, 'mutation metadata');
    await tx.rollback();
  }
  const db = await openDatabase();
  const docs = createCollection(powerSyncCollectionOptions({ database: db, table: db.schema.props.documents }));
  await docs.preload();
  await docs.insert({ id: 'd1', name: '{"$blob":0}', content: 'x' }).isPersisted.promise;
  assert.equal(docs.get('d1').name, '{"$blob":0}');
  const rows = await db.getAll('SELECT name AS "$blob", name AS "$$blob", x\'01\' AS b FROM documents');
  assert.deepEqual(rows, [{ $blob: '{"$blob":0}', $$blob: '{"$blob":0}', b: new Uint8Array([1]) }]);
});

test('local-only items follow the values table: each value comes back as it says, or a TypeError names the field', async () => {
  const { init, localOnlyCollectionOptions } = await import('../index.js');
  await init();
  const big = 2n ** 60n;
  const item = {
    id: 'a', inf: Infinity, ninf: -Infinity, negZero: -0, big, small: 5n, bytes: new Uint16Array([1]), when: new Date(0),
    nested: { list: [1, undefined, { deep: -Infinity, b: big }], s: 'ok', n: null }, gone: undefined,
  };
  const want = {
    id: 'a', inf: Infinity, ninf: -Infinity, negZero: 0, big, small: 5, bytes: new Uint8Array([1, 0]), when: '1970-01-01T00:00:00.000Z',
    nested: { list: [1, null, { deep: -Infinity, b: big }], s: 'ok', n: null },
  };
  const c = createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: [item] }));
  assert.deepEqual(c.get('a'), want, 'initialData');
  await c.insert({ ...item, id: 'b' }).isPersisted.promise;
  assert.deepEqual(c.get('b'), { ...want, id: 'b' }, 'insert');
  const refused = [
    [{ n: NaN }, /insert: items\[1\]\.n: NaN/],
    [{ n: { deep: ['\ud800'] } }, /insert: items\[1\]\.n\.deep\[0\]: .*lone surrogate/],
    [{ n: 2n ** 70n }, /insert: items\[1\]\.n: .*64-bit/],
    [{ n: new Map([[1, 2]]) }, /insert: items\[1\]\.n: a Map cannot be stored/],
    [{ n: [new Set()] }, /insert: items\[1\]\.n\[0\]: a Set cannot be stored/],
    [{ n: () => 1 }, /insert: items\[1\]\.n: SQLite cannot store a function/],
    [{ n: Symbol('s') }, /insert: items\[1\]\.n: SQLite cannot store a symbol/],
  ];
  for (const [extra, re] of refused) {
    assert.throws(() => c.insert([{ id: 'ok' }, { id: 'x', ...extra }]), (e) => e instanceof TypeError && re.test(e.message), String(re));
    assert.equal(c.has('ok'), false, 'nothing of a refused insert is kept');
  }
  const cyclic = { id: 'x' };
  cyclic.self = cyclic;
  assert.throws(() => c.insert(cyclic), /insert: item\.self: a circular reference/);
  assert.throws(() => createCollection(localOnlyCollectionOptions({ getKey: (x) => x.id, initialData: [{ id: 'x', n: { b: 2n ** 64n } }] })),
    (e) => e instanceof TypeError && /^initialData\[0\]\.n\.b: /.test(e.message));
  assert.throws(() => c.update('a', (d) => { d.nested.s = NaN; }), (e) => e instanceof TypeError && /update: draft\.nested\.s: NaN/.test(e.message));
  assert.deepEqual(c.get('a'), want, 'a refused update changes nothing');
  // localStorage with its default parser keeps JSON text: what JSON cannot
  // hold is refused at the call, naming the field, not lost on the next load.
  const { localStorageCollectionOptions } = await import('../index.js');
  const stored = new Map();
  const storage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v), removeItem: (k) => stored.delete(k) };
  const ls = createCollection(localStorageCollectionOptions({ storageKey: 'v', storage, storageEventApi: { addEventListener() {}, removeEventListener() {} }, getKey: (x) => x.id }));
  for (const [v, what] of [[2n ** 60n, 'the bigint'], [-Infinity, '-Infinity'], [new Uint8Array([1]), 'bytes']]) {
    assert.throws(() => ls.insert({ id: 'x', deep: [{ v }] }), (e) => e instanceof TypeError && e.message.startsWith(`insert: item.deep[0].v: localStorage keeps JSON, which cannot hold ${what}`));
  }
  await ls.insert({ id: 'y', n: 5n, when: new Date(0) }).isPersisted.promise;
  assert.deepEqual(JSON.parse(stored.get('v'))['s:y'].data, { id: 'y', n: 5, when: '1970-01-01T00:00:00.000Z' });
});
