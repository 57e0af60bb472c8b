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
