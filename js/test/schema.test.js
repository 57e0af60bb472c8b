import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Schema, Table, column, convertPowerSyncSchemaToSpecs } from '../index.js';

test('a schema serializes to PowerSync JSON with the implicit id left out', () => {
  const schema = new Schema({
    documents: new Table({ name: column.text, n: column.integer }, { indexes: { by_name: ['name', '-n'] }, trackPrevious: { columns: ['name'], onlyWhenChanged: true } }),
    local: new Table({ v: column.real }, { localOnly: true, viewName: 'local_view' }),
  });
  assert.equal(schema.props.documents.name, 'documents');
  assert.deepEqual(JSON.parse(JSON.stringify(schema)).tables, [
    {
      name: 'documents', view_name: 'documents',
      columns: [{ name: 'name', type: 'TEXT' }, { name: 'n', type: 'INTEGER' }],
      indexes: [{ name: 'by_name', columns: [{ name: 'name', ascending: true, type: 'TEXT' }, { name: 'n', ascending: false, type: 'INTEGER' }] }],
      local_only: false, insert_only: false, include_old: ['name'], include_old_only_when_changed: true,
      include_metadata: false, ignore_empty_update: false,
    },
    {
      name: 'local', view_name: 'local_view', columns: [{ name: 'v', type: 'REAL' }], indexes: [],
      local_only: true, insert_only: false, include_old: false, include_old_only_when_changed: false,
      include_metadata: false, ignore_empty_update: false,
    },
  ]);
});

test('names that are not identifiers are rejected at construction', () => {
  assert.throws(() => new Schema({ 'bad name': new Table({ a: column.text }) }), /Invalid table name/);
  assert.throws(() => new Table({ 'a"; DROP TABLE x; --': column.text }), /Invalid column name/);
  assert.throws(() => new Table({ a: column.text }, { viewName: 'v v' }), /Invalid view name/);
  assert.throws(() => new Table({ a: column.text }, { indexes: { 'i-1': ['a'] } }), /Invalid index name/);
});

test('an explicit id column, an unknown type, option or index column is an error', () => {
  assert.throws(() => new Table({ id: column.text }), /id column/);
  assert.throws(() => new Table({ a: { type: 'BLOB' } }), /Invalid type/);
  assert.throws(() => new Table({ a: column.text }, { bogus: true }), TypeError);
  assert.throws(() => new Table({ a: column.text }, { indexes: { i: ['b'] } }), /unknown column "b"/);
  assert.throws(() => new Table({ a: column.text }, { localOnly: true, trackMetadata: true }), /localOnly/);
  assert.throws(() => new Schema({ t: { columns: [] } }), TypeError);
});

test('generated Standard Schema validators check id and column types', async () => {
  await init();
  const specs = convertPowerSyncSchemaToSpecs(new Schema({ t: new Table({ s: column.text, i: column.integer }) }));
  const v = specs.t['~standard'];
  assert.equal(v.version, 1);
  assert.deepEqual(v.validate({ id: 'a', s: 'x', i: 1 }), { value: { id: 'a', s: 'x', i: 1 } });
  assert.deepEqual(v.validate({ id: 'a', s: null }), { value: { id: 'a', s: null } });
  const r = v.validate({ id: 1, s: 2, i: 'x' });
  assert.deepEqual(r.issues.map((i) => i.path), [['id'], ['s'], ['i']]);
  assert.match(r.issues[0].message, /id field must be a string/);
});

// Issue 10, trial finding 10: names the store refuses throw at new Schema()
// (once init() has loaded the module: the rule lives in Go, store.Schema.Validate),
// not at the later open.
test('names SQLite or PowerSync would refuse at open throw at construction', async () => {
  await init();
  const cases = [
    [{ t: new Table({ a: column.text }), T: new Table({ b: column.text }) }, /^invalid schema: table "T": duplicate table: SQLite names ignore case, so it is the same table as "t"$/],
    [{ t: new Table({ a: column.text }), u: new Table({ b: column.text }, { viewName: 'T' }) }, /duplicate view name "T": SQLite names ignore case/],
    [{ ps_crud: new Table({ a: column.text }) }, /^invalid schema: table "ps_crud": view name "ps_crud" is taken by PowerSync's or SQLite's own tables$/],
    [{ PS_Data__x: new Table({ a: column.text }) }, /is taken by PowerSync's or SQLite's own tables/],
    [{ sqlite_stat: new Table({ a: column.text }) }, /is taken by PowerSync's or SQLite's own tables/],
  ];
  for (const [tables, text] of cases) {
    assert.throws(() => new Schema(tables), (e) => {
      assert.equal(e.constructor, Error); // PowerSync's Schema/Table validate() throw plain Errors
      assert.match(e.message, text);
      assert.doesNotMatch(e.message, /^(store|bridge)[.:]/);
      return true;
    }, Object.keys(tables).join(','));
  }
  assert.ok(new Schema({ t: new Table({ a: column.text }), u: new Table({ T: column.text }) }));
});
