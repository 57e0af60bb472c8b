// Standard Schema v1 (https://standardschema.dev) validators generated from
// PowerSync tables, and the helpers that run any Standard Schema validator.

import { Schema, Table, ColumnType } from './schema.js';
import { SchemaValidationError, SchemaMustBeSynchronousError } from './errors.js';

/**
 * Returns a Standard Schema v1 validator for each table of schema:
 * `id` must be a string; TEXT columns take strings, INTEGER and REAL
 * numbers; every column may be null or absent.
 * @param {Schema} schema
 * @returns {Record<string, import('./index.js').StandardSchemaV1>}
 */
export function convertPowerSyncSchemaToSpecs(schema) {
  if (!(schema instanceof Schema)) throw new TypeError('convertPowerSyncSchemaToSpecs: schema must be a Schema');
  return Object.fromEntries(schema.tables.map((t) => [t.name, tableSpec(t)]));
}

/** The Standard Schema validator of one table. @internal */
export function tableSpec(table) {
  if (!(table instanceof Table)) throw new TypeError('table must be a Table');
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  return {
    '~standard': {
      version: 1,
      vendor: 'gopowersync',
      validate(value) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return { issues: [{ message: 'item must be an object', path: [] }] };
        }
        const issues = [];
        if (typeof value.id !== 'string') issues.push({ message: 'id field must be a string', path: ['id'] });
        for (const [name, type] of types) {
          const v = value[name];
          if (v === null || v === undefined) continue;
          if (type === ColumnType.TEXT ? typeof v !== 'string' : typeof v !== 'number') {
            issues.push({ message: `${name} must be a ${type === ColumnType.TEXT ? 'string' : 'number'}, got ${typeof v}`, path: [name] });
          }
        }
        return issues.length ? { issues } : { value };
      },
    },
  };
}

/** True for a Standard Schema v1 validator. @internal */
export function isStandardSchema(s) {
  return s !== null && typeof s === 'object' && typeof s['~standard']?.validate === 'function';
}

/** Runs a Standard Schema synchronously: the output value, or throws SchemaValidationError. @internal */
export function validateWith(schema, value, type) {
  const result = schema['~standard'].validate(value);
  if (result && typeof result.then === 'function') throw new SchemaMustBeSynchronousError();
  if (result.issues) {
    throw new SchemaValidationError(type, result.issues.map((i) => ({
      message: i.message,
      path: (i.path ?? []).map((p) => (p !== null && typeof p === 'object' ? p.key : p)),
    })));
  }
  return result.value;
}
