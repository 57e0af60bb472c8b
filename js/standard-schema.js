// Standard Schema v1 (https://standardschema.dev) validators generated from
// PowerSync tables, and the helpers that run any Standard Schema validator.

import { Schema, Table } from './schema.js';
import { module, check } from './loader.js';
import { fieldValue, isSideValue, encode, unencodable, pathText } from './values.js';
import { SchemaValidationError, SchemaMustBeSynchronousError } from './errors.js';

/**
 * Returns a Standard Schema v1 validator for each table of schema: the
 * rules the collections apply when they have no schema of their own (`id`
 * a string; TEXT columns take strings, INTEGER and REAL numbers; every
 * column may be null or absent; no field that is not a column). The rules
 * live in the Go module; validate() runs them there, so it needs init().
 * @param {Schema} schema
 * @returns {Record<string, import('./index.js').StandardSchemaV1>}
 */
export function convertPowerSyncSchemaToSpecs(schema) {
  if (!(schema instanceof Schema)) throw new TypeError('convertPowerSyncSchemaToSpecs: schema must be a Schema');
  const text = JSON.stringify(schema);
  return Object.fromEntries(schema.tables.map((t) => [t.name, tableSpec(text, t)]));
}

/** The Standard Schema validator of one table of a schema (as JSON text). */
function tableSpec(schemaText, table) {
  if (!(table instanceof Table)) throw new TypeError('table must be a Table');
  let validator = null;
  return {
    '~standard': {
      version: 1,
      vendor: 'gopowersync',
      validate(value) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          return { issues: [{ message: 'item must be an object', path: [] }] };
        }
        validator ??= check(module().tableValidator(schemaText, table.name));
        const item = {};
        let side = false;
        for (const k of Object.keys(value)) {
          try {
            item[k] = fieldValue(value[k], k);
          } catch (e) {
            return { issues: [{ message: e.message, path: [k] }] };
          }
          side ||= isSideValue(item[k]);
        }
        let text;
        let blobs;
        try {
          [text, blobs] = encode(item, side);
        } catch (e) {
          // The field, as insert's TypeError names it (collection.js _encode).
          const path = unencodable(item) ?? [];
          return { issues: [{ message: path.length ? `${pathText(path)}: ${e.message}` : e.message, path }] };
        }
        const issues = check(validator(text, blobs));
        return issues === undefined ? { value } : { issues: JSON.parse(issues) };
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
