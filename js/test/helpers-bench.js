// The schema of bench.mjs (helpers.js imports node:test, which a plain script must not).
import { Schema, Table, column } from '../index.js';

export function appSchema() {
  return new Schema({
    documents: new Table({ name: column.text, content: column.text, n: column.integer, score: column.real }, { indexes: { by_name: ['name'] } }),
  });
}
