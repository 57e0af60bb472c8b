// localOnlyCollectionOptions: collections that live in memory only, for
// UI state beside the synced collections (a selection, a draft, a filter),
// in the same transactions as they are.

import { isStandardSchema } from './standard-schema.js';

/** Marks options made by localOnlyCollectionOptions. @internal */
export const IS_LOCAL_OPTIONS = Symbol('localOnlyCollectionOptions');

const OPTIONS = new Set(['id', 'getKey', 'schema', 'initialData', 'onInsert', 'onUpdate', 'onDelete']);

/**
 * Describes a local-only collection for createCollection, as TanStack
 * DB's localOnlyCollectionOptions: `{ getKey, id?, schema?, initialData?,
 * onInsert?, onUpdate?, onDelete? }`. It is ready at once and is never
 * collected. Direct inserts, updates and deletes become its state once
 * their handler (if any) resolves; inside createTransaction, mutationFn
 * calls `collection.utils.acceptMutations(transaction)` to keep them.
 * getKey must return a string; items hold JSON values and Uint8Array.
 */
export function localOnlyCollectionOptions(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('localOnlyCollectionOptions: config must be an object');
  for (const key of Object.keys(config)) {
    if (!OPTIONS.has(key)) throw new TypeError(`localOnlyCollectionOptions: unknown option "${key}"`);
  }
  const { id, getKey, schema, initialData, onInsert, onUpdate, onDelete } = config;
  if (typeof getKey !== 'function') throw new TypeError('localOnlyCollectionOptions: getKey must be a function (item) => key');
  if (id !== undefined && typeof id !== 'string') throw new TypeError('localOnlyCollectionOptions: id must be a string');
  if (schema !== undefined && !isStandardSchema(schema)) throw new TypeError('localOnlyCollectionOptions: schema must be a Standard Schema v1 validator');
  if (initialData !== undefined && !Array.isArray(initialData)) throw new TypeError('localOnlyCollectionOptions: initialData must be an array');
  for (const [k, v] of Object.entries({ onInsert, onUpdate, onDelete })) {
    if (v !== undefined && typeof v !== 'function') throw new TypeError(`localOnlyCollectionOptions: ${k} must be a function`);
  }
  return { [IS_LOCAL_OPTIONS]: true, id, getKey, schema, initialData, onInsert, onUpdate, onDelete };
}
