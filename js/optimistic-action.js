// createOptimisticAction: a named, reusable optimistic mutation, as
// TanStack DB's.

import { createTransaction } from './transaction.js';
import { OnMutateMustBeSynchronousError } from './errors.js';

/**
 * Returns `action(variables)`: each call creates a transaction (options
 * other than onMutate and mutationFn go to createTransaction), applies
 * onMutate(variables) inside it optimistically, and persists it with
 * mutationFn(variables, { transaction }). onMutate must be synchronous
 * (OnMutateMustBeSynchronousError). The call returns the transaction;
 * await its isPersisted.promise.
 */
export function createOptimisticAction(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('createOptimisticAction: options must be an object');
  const { onMutate, mutationFn, ...config } = options;
  if (typeof onMutate !== 'function') throw new TypeError('createOptimisticAction: onMutate must be a function');
  if (typeof mutationFn !== 'function') throw new TypeError('createOptimisticAction: mutationFn must be a function');
  return (variables) => {
    const transaction = createTransaction({ ...config, mutationFn: (params) => mutationFn(variables, params) });
    transaction.mutate(() => {
      const result = onMutate(variables);
      if (typeof result?.then === 'function') throw new OnMutateMustBeSynchronousError();
    });
    return transaction;
  };
}
