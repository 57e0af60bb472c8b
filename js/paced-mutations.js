// createPacedMutations and its strategies: optimistic changes applied at
// once, persisted at a pace (debounced, throttled or queued), as TanStack
// DB's. Typing into a field, for one: every keystroke shows, one write.

import { createTransaction } from './transaction.js';

/**
 * Returns `mutate(variables)`: applies onMutate(variables) at once, in the
 * transaction now gathering changes (a new one, autoCommit false, when
 * there is none), and lets strategy decide when that transaction commits
 * through mutationFn({ transaction }). Returns the transaction. With
 * queueStrategy each call is a transaction of its own, committed in turn.
 */
export function createPacedMutations(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('createPacedMutations: config must be an object');
  const { onMutate, mutationFn, strategy, ...txConfig } = config;
  if (typeof onMutate !== 'function') throw new TypeError('createPacedMutations: onMutate must be a function');
  if (typeof mutationFn !== 'function') throw new TypeError('createPacedMutations: mutationFn must be a function');
  if (typeof strategy?.execute !== 'function') throw new TypeError('createPacedMutations: strategy must come from debounceStrategy, throttleStrategy or queueStrategy');
  let gathering = null;
  const commit = (tx) => {
    // The outcome is the transaction's (isPersisted); a failure must not
    // surface as an unhandled rejection here.
    tx.commit().catch(() => {});
    return tx;
  };
  return (variables) => {
    if (!gathering || gathering.state !== 'pending') gathering = createTransaction({ ...txConfig, mutationFn, autoCommit: false });
    const tx = gathering;
    tx.mutate(() => { onMutate(variables); });
    if (strategy._type === 'queue') {
      gathering = null;
      strategy.execute(() => commit(tx));
    } else {
      strategy.execute(() => {
        if (gathering === tx) gathering = null;
        return tx.state === 'pending' ? commit(tx) : tx;
      });
    }
    return tx;
  };
}

function checkWait(what, options, required) {
  if (options === undefined && !required) return {};
  if (options === null || typeof options !== 'object') throw new TypeError(`${what}: options must be an object`);
  const { wait } = options;
  if ((required || wait !== undefined) && !(typeof wait === 'number' && wait >= 0)) throw new TypeError(`${what}: wait must be a number of milliseconds`);
  return options;
}

/**
 * Commits once calls stop for wait ms (trailing, the default), or at the
 * first call of a burst (leading).
 */
export function debounceStrategy(options) {
  const { wait, leading = false, trailing = true } = checkWait('debounceStrategy', options, true);
  let timer = null;
  let last = null;
  return {
    _type: 'debounce',
    options,
    execute(fn) {
      const burst = timer === null;
      clearTimeout(timer);
      if (leading && burst) fn();
      else last = fn;
      timer = setTimeout(() => {
        timer = null;
        const f = last;
        last = null;
        if (trailing && f) f();
      }, wait);
    },
    cleanup() {
      clearTimeout(timer);
      timer = null;
      last = null;
    },
  };
}

/**
 * Commits at most once per wait ms: at the first call (leading, default
 * true) and with the latest call when the window ends (trailing, default
 * true).
 */
export function throttleStrategy(options) {
  const { wait, leading = true, trailing = true } = checkWait('throttleStrategy', options, true);
  let timer = null;
  let last = null;
  const windowEnd = () => {
    timer = null;
    const f = last;
    last = null;
    if (trailing && f) {
      f();
      timer = setTimeout(windowEnd, wait);
    }
  };
  return {
    _type: 'throttle',
    options,
    execute(fn) {
      if (timer === null) {
        if (leading) fn();
        else last = fn;
        timer = setTimeout(windowEnd, wait);
      } else {
        last = fn;
      }
    },
    cleanup() {
      clearTimeout(timer);
      timer = null;
      last = null;
    },
  };
}

/**
 * Commits every call's transaction in turn, each once the previous one is
 * persisted (or failed), wait ms apart. maxSize drops calls beyond it;
 * addItemsTo and getItemsFrom ('front' | 'back', default back and front:
 * first in, first out) choose the order.
 */
export function queueStrategy(options) {
  const { wait = 0, maxSize, addItemsTo = 'back', getItemsFrom = 'front' } = checkWait('queueStrategy', options, false);
  const items = [];
  let running = false;
  let stopped = false;
  const run = async () => {
    running = true;
    while (items.length > 0 && !stopped) {
      const fn = getItemsFrom === 'back' ? items.pop() : items.shift();
      try {
        await fn().isPersisted.promise;
      } catch {
        // a failed transaction reports through its own isPersisted
      }
      if (wait > 0 && items.length > 0) await new Promise((r) => setTimeout(r, wait));
    }
    running = false;
  };
  return {
    _type: 'queue',
    options,
    execute(fn) {
      if (stopped || (maxSize !== undefined && items.length >= maxSize)) return;
      if (addItemsTo === 'front') items.unshift(fn);
      else items.push(fn);
      if (!running) run();
    },
    cleanup() {
      stopped = true;
      items.length = 0;
    },
  };
}
