// The upload queue's entries, batches and transactions in PowerSync's shapes.

import { jsonSafe, parseExact, exactText } from './values.js';

/** Operation kinds of an upload queue entry. */
export const UpdateType = Object.freeze({ PUT: 'PUT', PATCH: 'PATCH', DELETE: 'DELETE' });

/** One local change waiting for upload, as PowerSync records it in ps_crud. */
export class CrudEntry {
  constructor(clientId, op, table, id, transactionId, opData, previousValues, metadata) {
    /** ps_crud.id: the entry's position in the queue. */
    this.clientId = clientId;
    /** 'PUT' | 'PATCH' | 'DELETE' */
    this.op = op;
    /** The table's name. */
    this.table = table;
    /** The row's id. */
    this.id = id;
    /** The local transaction that made the change. */
    this.transactionId = transactionId;
    /**
     * The written fields (undefined for DELETE). Integers beyond ±(2^53-1)
     * are bigints, exact; toJSON() writes them as JSON can (js/values.js).
     */
    this.opData = opData;
    /** The previous values, for tables with trackPrevious. */
    this.previousValues = previousValues;
    /** The metadata written with the change, for tables with trackMetadata. */
    this.metadata = metadata;
  }

  /** Builds an entry from its toJSON form. */
  static fromJSON(j) {
    return new CrudEntry(j.op_id, j.op, j.type, j.id, j.tx_id, j.data ?? undefined, j.old ?? undefined, j.metadata ?? undefined);
  }

  /**
   * Builds an entry from a row of ps_crud ({ id, data, tx_id }), as
   * `db.getAll('SELECT * FROM ps_crud')` returns them.
   */
  static fromRow(row) {
    const d = parseExact(row.data);
    return new CrudEntry(row.id, d.op, d.type, d.id, row.tx_id ?? undefined, d.data ?? undefined, d.old ?? undefined, d.metadata ?? undefined);
  }

  /** [transactionId, clientId, op, table, id, opData, previousValues, metadata]. */
  toComparisonArray() {
    return [this.transactionId, this.clientId, this.op, this.table, this.id, this.opData, this.previousValues, this.metadata];
  }

  /** Whether entry records the same change at the same place in the queue. */
  equals(entry) {
    return entry instanceof CrudEntry && this.hashCode() === entry.hashCode();
  }

  /** A text that equal entries share (bigints compared exactly). */
  hashCode() {
    return exactText(this.toComparisonArray());
  }

  /**
   * The wire form: { op_id, op, type, id, tx_id, data, old, metadata }, which
   * JSON.stringify always takes: a bigint in data or old is a JSON.rawJSON
   * of its digits where the runtime has it, else the nearest Number
   * (js/values.js, "JSON for the application").
   */
  toJSON() {
    return {
      op_id: this.clientId, op: this.op, type: this.table, id: this.id, tx_id: this.transactionId,
      data: jsonSafe(this.opData), old: jsonSafe(this.previousValues), metadata: this.metadata,
    };
  }
}

/** A run of upload queue entries; complete() removes exactly them. */
export class CrudBatch {
  constructor(crud, haveMore, complete) {
    this.crud = crud;
    this.haveMore = haveMore;
    /** Removes these entries from the upload queue. */
    this.complete = complete;
  }
}

/** The entries of one local transaction; complete() removes exactly them. */
export class CrudTransaction extends CrudBatch {
  constructor(crud, complete, transactionId) {
    super(crud, false, complete);
    this.transactionId = transactionId;
  }
}
