import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../index.js';

// Every exported error class, by its export name.
const classes = Object.entries(api).filter(([, v]) => typeof v === 'function' && (v === Error || v.prototype instanceof Error));

// TanStack DB 0.9's messages where they are fixed text: code matches on them.
const tanstack = {
  MissingMutationFunctionError: 'mutationFn is required when creating a transaction',
  TransactionNotPendingMutateError: 'You can no longer call .mutate() as the transaction is no longer pending',
  TransactionNotPendingCommitError: 'You can no longer call .commit() as the transaction is no longer pending',
  TransactionAlreadyCompletedRollbackError: 'You can no longer call .rollback() as the transaction is already completed',
  MissingUpdateArgumentError: 'The first argument to update is missing',
  NoKeysPassedToUpdateError: 'No keys were passed to update',
  NoKeysPassedToDeleteError: 'No keys were passed to delete',
  MissingInsertHandlerError: "Collection.insert called directly (not within an explicit transaction) but no 'onInsert' handler is configured.",
  MissingUpdateHandlerError: "Collection.update called directly (not within an explicit transaction) but no 'onUpdate' handler is configured.",
  MissingDeleteHandlerError: "Collection.delete called directly (not within an explicit transaction) but no 'onDelete' handler is configured.",
  SchemaMustBeSynchronousError: 'Schema validation must be synchronous',
};

test('every exported error class, constructed with no arguments, has its name and a default message', () => {
  assert.ok(classes.length >= 28, `found ${classes.length} error classes`);
  for (const [name, Class] of classes) {
    const e = new Class();
    assert.ok(e instanceof Error, name);
    assert.equal(e.name, name, `${name}.name`);
    assert.equal(typeof e.message, 'string', name);
    assert.ok(e.message.length >= 10, `${name} has no meaningful default message: ${JSON.stringify(e.message)}`);
    if (tanstack[name]) assert.equal(e.message, tanstack[name], `${name}.message`);
  }
});

test('a given message wins over the default, and the hierarchy is TanStack DB\'s', () => {
  assert.equal(new api.DuplicateKeyError('key "a" exists').message, 'key "a" exists');
  assert.ok(new api.MissingInsertHandlerError() instanceof api.MissingHandlerError);
  assert.ok(new api.SchemaMustBeSynchronousError() instanceof api.CollectionConfigurationError);
  assert.ok(new api.UndefinedKeyError() instanceof api.CollectionOperationError);
  const v = new api.SchemaValidationError();
  assert.equal(v.type, 'insert');
  assert.deepEqual(v.issues, []);
  assert.match(new api.SchemaValidationError('update', [{ message: 'bad' }]).message, /^Update validation failed: bad/);
});
