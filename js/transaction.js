// Transactions: createTransaction, the Transaction objects that insert,
// update and delete return, and PowerSyncTransactor.

import { module, call, check, revive, asError } from './loader.js';
import { userJSON } from './values.js';

const TX_OPTIONS = new Set(['id', 'autoCommit', 'mutationFn', 'metadata']);

// One JS object per Go transaction id while JS holds it; the Go side
// forgets a transaction once its JS object is collected.
const wrappers = new Map(); // id -> WeakRef<Transaction>
const released = new FinalizationRegistry((id) => {
  if (!wrappers.get(id)?.deref()) {
    wrappers.delete(id);
    module().txRelease(id);
  }
});

// Collections by id, so that mutations can name theirs. @internal
export const collections = new Map(); // id -> WeakRef<Collection>

/**
 * Resolves once the direct mutations of database's PowerSync collections
 * (an insert's own transaction, persisted by the engine, never by user
 * code) that are persisting have settled: what database.close() waits
 * for. Transactions of createTransaction are not waited for: their
 * mutationFn is the application's and might never settle. @internal
 */
export async function settlePersisting(database) {
  const persisting = [];
  for (const ref of wrappers.values()) {
    const tx = ref.deref();
    if (tx && tx._db === database && tx.state === 'persisting') persisting.push(tx.isPersisted.promise);
  }
  await Promise.allSettled(persisting);
}

/**
 * The Transaction object for a Go transaction id. database, given by a
 * direct mutation of a PowerSync collection, marks a transaction made for
 * that mutation (not an ambient one that existed before). @internal
 */
export function transactionFor(id, database) {
  const existing = wrappers.get(id)?.deref();
  if (existing) return existing;
  const tx = new Transaction(id);
  tx._db = database;
  wrappers.set(id, new WeakRef(tx));
  released.register(tx, id);
  return tx;
}

/**
 * A group of mutations applied optimistically at once and persisted by a
 * mutation function. Its states: 'pending' -> 'persisting' ->
 * 'completed' | 'failed'.
 */
export class Transaction {
  /** @internal use createTransaction */
  constructor(id) {
    this._id = id;
    this._persisted = null;
    this._info = null;
    this._failure = undefined;
  }

  // _about fetches the fixed facts once, on first use: most transactions
  // (one per insert) are never asked.
  _about() {
    this._info ??= revive(check(module().txInfo(this._id)));
    return this._info;
  }

  /** The transaction's id. */
  get id() { return this._about().id; }
  /** Whether mutate() commits on return. */
  get autoCommit() { return this._about().autoCommit; }
  /** When the transaction was created. */
  get createdAt() { return new Date(this._about().createdAt); }
  /** The metadata given to createTransaction. */
  get metadata() { return this._about().metadata ?? {}; }

  /** 'pending' | 'persisting' | 'completed' | 'failed' */
  get state() {
    return check(module().txState(this._id));
  }

  /** The transaction's mutations, in the order their keys were first mutated. */
  get mutations() {
    return revive(check(module().txMutations(this._id))).map((m) => {
      const { collectionId, createdAt, updatedAt, ...rest } = m;
      return {
        ...rest,
        collection: collections.get(collectionId)?.deref(),
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
        // As given: null stays null; none given is undefined. Metadata is
        // JSON (the queue holds JSON.stringify's text), and this is that
        // text parsed: a Date in it reads back as its ISO string.
        metadata: 'metadata' in m ? m.metadata : undefined,
      };
    });
  }

  /**
   * Runs callback with this transaction ambient: the inserts, updates and
   * deletes it makes join this transaction. With autoCommit, commits after.
   */
  mutate(callback) {
    if (typeof callback !== 'function') throw new TypeError('mutate: callback must be a function');
    check(module().txMutate(this._id, callback));
    return this;
  }

  /** Persists the transaction; rejects with mutationFn's error after rolling back. */
  async commit() {
    await call(module().txCommit, this._id);
    return this;
  }

  /** Fails the transaction and removes its optimistic state. */
  rollback() {
    check(module().txRollback(this._id));
    return this;
  }

  /**
   * Settles when the transaction is completed (resolves with it) or failed
   * (rejects with the cause, always an Error). `.promise`, `.isPending()`.
   * One object, whose answers agree with `state` and `error` whenever read:
   * isPending() is false exactly when state is 'completed' or 'failed'.
   */
  get isPersisted() {
    if (!this._persisted) {
      const tx = this;
      let promise;
      const state = this.state;
      if (state === 'completed') promise = Promise.resolve(this);
      else if (state === 'failed') promise = Promise.reject(this._cause());
      else {
        promise = call(module().txWait, this._id).then(() => this, (e) => { throw this._cause(e); });
      }
      // An unobserved failure is reported through commit() or the state;
      // it must not end a Node process as an unhandled rejection.
      promise.catch(() => {});
      this._persisted = {
        promise,
        isPending() {
          const s = tx.state;
          return s !== 'completed' && s !== 'failed';
        },
      };
    }
    return this._persisted;
  }

  /**
   * Once the transaction failed, `{ message, error }` with the cause (the
   * error isPersisted rejects with); undefined before, or when it completed.
   */
  get error() {
    if (this.state !== 'failed') return undefined;
    const error = this._cause();
    return { message: error.message, error };
  }

  // _cause is the one JS object that stands for the failure, however it
  // was first asked for (the rejection of txWait, or txError).
  _cause(rejected) {
    this._failure ??= asError(rejected === undefined ? check(module().txError(this._id))?.[0] : rejected);
    return this._failure;
  }
}

/**
 * Creates a transaction: `createTransaction({ autoCommit, mutationFn, id, metadata })`.
 * mutationFn({ transaction }) persists it; without one, throws
 * MissingMutationFunctionError.
 */
export function createTransaction(config) {
  if (config === null || typeof config !== 'object') throw new TypeError('createTransaction: config must be an object');
  for (const key of Object.keys(config)) {
    if (!TX_OPTIONS.has(key)) throw new TypeError(`createTransaction: unknown option "${key}"`);
  }
  const { id, autoCommit, mutationFn, metadata } = config;
  if (id !== undefined && typeof id !== 'string') throw new TypeError('createTransaction: id must be a string');
  if (autoCommit !== undefined && typeof autoCommit !== 'boolean') throw new TypeError('createTransaction: autoCommit must be a boolean');
  if (mutationFn !== undefined && typeof mutationFn !== 'function') throw new TypeError('createTransaction: mutationFn must be a function');
  const fn = mutationFn && ((txId) => mutationFn({ transaction: transactionFor(txId) }));
  const txId = check(module().createTransaction(id, autoCommit, fn, metadata === undefined ? undefined : userJSON(metadata, 'createTransaction: metadata')));
  return transactionFor(txId);
}

/**
 * The transaction whose mutate() callback is running (the one an insert,
 * update or delete would join), or undefined.
 */
export function getActiveTransaction() {
  const id = check(module().activeTransaction());
  return id === undefined ? undefined : transactionFor(id);
}

/**
 * Writes TanStack DB transactions to a PowerSync database: all mutations
 * of a transaction in one SQLite write transaction (one upload-queue
 * transaction id), resolved once durable and mirrored by the collections.
 */
export class PowerSyncTransactor {
  /** @param {{ database: import('./database.js').PowerSyncDatabase }} options */
  constructor(options) {
    if (!options || typeof options !== 'object' || !options.database || typeof options.database.init !== 'function') {
      throw new TypeError('PowerSyncTransactor: options.database must be a PowerSyncDatabase');
    }
    this.database = options.database;
  }

  /** Persists transaction's mutations; see the class comment. */
  async applyTransaction(transaction) {
    if (!(transaction instanceof Transaction)) throw new TypeError('applyTransaction: transaction must be a Transaction');
    const h = await this.database._h();
    await call(module().applyTransaction, h, transaction._id);
  }
}
