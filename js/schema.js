// PowerSync's client schema in plain JS: Schema, Table and column, checked
// at construction and serialized to the JSON form the Go store reads.

import { loaded, module, check } from './loader.js';

/** The SQLite column types of a PowerSync table. */
export const ColumnType = Object.freeze({ TEXT: 'TEXT', INTEGER: 'INTEGER', REAL: 'REAL' });

/** Column types to use in a Table's column map: `{ name: column.text }`. */
export const column = Object.freeze({
  text: Object.freeze({ type: ColumnType.TEXT }),
  integer: Object.freeze({ type: ColumnType.INTEGER }),
  real: Object.freeze({ type: ColumnType.REAL }),
});

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_COLUMNS = 1999;
const TABLE_OPTIONS = new Set(['indexes', 'localOnly', 'insertOnly', 'viewName', 'trackMetadata', 'trackPrevious', 'ignoreEmptyUpdates']);

function checkIdentifier(kind, name) {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw new Error(`Invalid ${kind} name ${JSON.stringify(name)}: use letters, digits and _, not starting with a digit`);
  }
}

/** One column of a table: a name and a ColumnType. */
export class Column {
  constructor({ name, type }) {
    checkIdentifier('column', name);
    if (!Object.values(ColumnType).includes(type)) throw new Error(`Invalid type ${JSON.stringify(type)} for column "${name}"`);
    this.name = name;
    this.type = type;
  }
  toJSON() { return { name: this.name, type: this.type }; }
}

/** One column of an index; `ascending` false sorts it descending. */
export class IndexedColumn {
  constructor({ name, ascending = true }) {
    this.name = name;
    this.ascending = ascending;
  }
}

/** A named index over some columns of a table. */
export class Index {
  constructor({ name, columns }) {
    checkIdentifier('index', name);
    this.name = name;
    this.columns = columns;
  }
}

/**
 * A PowerSync table: `new Table({ name: column.text }, { indexes, localOnly, ... })`.
 * The `id` column is implicit (TEXT primary key). The table's name is the
 * key it has in the Schema.
 */
export class Table {
  /**
   * @param {Record<string, {type: string}>} columns
   * @param {object} [options] indexes, localOnly, insertOnly, viewName, trackMetadata, trackPrevious, ignoreEmptyUpdates
   */
  constructor(columns, options = {}) {
    let name;
    // PowerSync's older form: new Table({ name, columns: [new Column(...)], indexes: [new Index(...)], ...options }).
    if (columns !== null && typeof columns === 'object' && Array.isArray(columns.columns)) {
      ({ columns, options, name } = fromClassic(columns, options));
    }
    if (columns === null || typeof columns !== 'object' || Array.isArray(columns)) {
      throw new TypeError('Table: columns must be an object mapping column names to column types');
    }
    if (options === null || typeof options !== 'object') throw new TypeError('Table: options must be an object');
    for (const key of Object.keys(options)) {
      if (!TABLE_OPTIONS.has(key)) throw new TypeError(`Table: unknown option "${key}"`);
    }
    const names = Object.keys(columns);
    if (names.length > MAX_COLUMNS) throw new Error(`Table has ${names.length} columns; at most ${MAX_COLUMNS} are allowed`);
    this.columns = names.map((name) => {
      if (name === 'id') throw new Error('An id column is automatically added, custom id columns are not supported');
      return new Column({ name, type: columns[name]?.type });
    });
    const {
      indexes = {}, localOnly = false, insertOnly = false, viewName, trackMetadata = false,
      trackPrevious = false, ignoreEmptyUpdates = false,
    } = options;
    for (const [k, v] of Object.entries({ localOnly, insertOnly, trackMetadata, ignoreEmptyUpdates })) {
      if (typeof v !== 'boolean') throw new TypeError(`Table: option ${k} must be a boolean`);
    }
    if (viewName !== undefined) checkIdentifier('view', viewName);
    if (localOnly && (trackMetadata || trackPrevious)) {
      throw new Error('Table: localOnly tables cannot track metadata or previous values');
    }
    this.indexes = Object.entries(indexes).map(([name, cols]) => {
      if (!Array.isArray(cols) || cols.length === 0) throw new TypeError(`Table: index "${name}" must list its columns`);
      return new Index({
        name,
        columns: cols.map((c) => {
          if (typeof c !== 'string') throw new TypeError(`Table: index "${name}" columns must be strings`);
          const desc = c.startsWith('-');
          const colName = desc ? c.slice(1) : c;
          if (colName !== 'id' && !names.includes(colName)) throw new Error(`Table: index "${name}" names unknown column "${colName}"`);
          return new IndexedColumn({ name: colName, ascending: !desc });
        }),
      });
    });
    this.localOnly = localOnly;
    this.insertOnly = insertOnly;
    this.trackMetadata = trackMetadata;
    this.ignoreEmptyUpdates = ignoreEmptyUpdates;
    this.trackPrevious = checkTrackPrevious(trackPrevious, names);
    this._viewName = viewName;
    /** Set by the Schema the table is placed in. */
    this.name = undefined;
    if (name !== undefined) {
      checkIdentifier('table', name);
      this.name = name;
    }
    this._options = options;
  }

  /** A copy of this table named name (for a Schema built from a list). */
  copyWithName(name) {
    const t = new Table(this.columnMap, this._options);
    checkIdentifier('table', name);
    t.name = name;
    return t;
  }

  /** Checks the table; the constructor already has, so this only throws for a table without a name. */
  validate() {
    if (this.name === undefined) throw new Error('Table: the table has no name; place it in a Schema');
  }

  /** A local-only table, PowerSync's older form: `Table.createLocalOnly({ name, columns })`. */
  static createLocalOnly(options) {
    return new Table({ ...options, localOnly: true, insertOnly: false });
  }

  /** An insert-only table, PowerSync's older form: `Table.createInsertOnly({ name, columns })`. */
  static createInsertOnly(options) {
    return new Table({ ...options, localOnly: false, insertOnly: true });
  }

  /** table under another name, PowerSync's older form. */
  static createTable(name, table) {
    return table.copyWithName(name);
  }

  /** The viewName option, or undefined. */
  get viewNameOverride() { return this._viewName; }

  /** The SQLite table that holds the rows (JSON in its data column). */
  get internalName() { return this.localOnly ? `ps_data_local__${this.name}` : `ps_data__${this.name}`; }

  /** Whether the names are valid SQL identifiers: always, once named (the constructor checks them). */
  get validName() { return this.name !== undefined; }

  /** The SQL name users query: viewName, else the table's name. */
  get viewName() { return this._viewName ?? this.name; }

  /** The column map form: `{ name: { type } }`. */
  get columnMap() { return Object.fromEntries(this.columns.map((c) => [c.name, { type: c.type }])); }

  /** PowerSync's serialized table, as the Go store reads it. */
  toJSON() {
    const tp = this.trackPrevious;
    return {
      name: this.name,
      view_name: this.viewName,
      columns: this.columns.map((c) => c.toJSON()),
      indexes: this.indexes.map((i) => ({
        name: i.name,
        columns: i.columns.map((c) => ({ name: c.name, ascending: c.ascending, type: this.columns.find((x) => x.name === c.name)?.type ?? ColumnType.TEXT })),
      })),
      local_only: this.localOnly,
      insert_only: this.insertOnly,
      include_old: tp === false ? false : (tp === true || !tp.columns ? true : tp.columns),
      include_old_only_when_changed: typeof tp === 'object' && !!tp.onlyWhenChanged,
      include_metadata: this.trackMetadata,
      ignore_empty_update: this.ignoreEmptyUpdates,
    };
  }
}

// fromClassic turns PowerSync's older table options into the column map
// and options of the current form.
function fromClassic(classic, options) {
  if (options !== undefined && Object.keys(options).length > 0) {
    throw new TypeError('Table: with { name, columns: [...] }, give the options in that object');
  }
  const { name, columns, indexes = [], ...rest } = classic;
  if (typeof name !== 'string') throw new TypeError('Table: name must be a string');
  const map = {};
  for (const c of columns) {
    if (c === null || typeof c !== 'object' || typeof c.name !== 'string') throw new TypeError('Table: columns must be Columns ({ name, type })');
    map[c.name] = { type: c.type ?? ColumnType.TEXT };
  }
  if (!Array.isArray(indexes)) throw new TypeError('Table: indexes must be an array of Index');
  const shorthand = {};
  for (const i of indexes) {
    shorthand[i.name] = (i.columns ?? []).map((c) => (c.ascending === false ? '-' : '') + c.name);
  }
  return { columns: map, options: { ...rest, indexes: shorthand }, name };
}

function checkTrackPrevious(tp, names) {
  if (typeof tp === 'boolean') return tp;
  if (tp === null || typeof tp !== 'object') throw new TypeError('Table: trackPrevious must be a boolean or { columns?, onlyWhenChanged? }');
  for (const key of Object.keys(tp)) {
    if (key !== 'columns' && key !== 'onlyWhenChanged') throw new TypeError(`Table: unknown trackPrevious option "${key}"`);
  }
  if (tp.columns !== undefined) {
    if (!Array.isArray(tp.columns)) throw new TypeError('Table: trackPrevious.columns must be an array');
    for (const c of tp.columns) if (!names.includes(c)) throw new Error(`Table: trackPrevious names unknown column "${c}"`);
  }
  return { columns: tp.columns, onlyWhenChanged: !!tp.onlyWhenChanged };
}

/** A PowerSync schema: `new Schema({ todos: new Table({...}) })`. */
export class Schema {
  /** @param {Record<string, Table> | Table[]} tables by name, or (PowerSync's older form) a list of named tables */
  constructor(tables) {
    if (Array.isArray(tables)) {
      const byName = {};
      for (const t of tables) {
        if (!(t instanceof Table)) throw new TypeError('Schema: every table must be a Table');
        if (t.name === undefined) throw new Error('Schema: a table in a list needs a name (new Table({ name, columns })); or pass an object of tables by name');
        if (Object.hasOwn(byName, t.name)) throw new Error(`Schema: two tables are named "${t.name}"`);
        byName[t.name] = t;
      }
      tables = byName;
    }
    if (tables === null || typeof tables !== 'object') {
      throw new TypeError('Schema: tables must be an object mapping table names to Tables');
    }
    const views = new Set();
    for (const [name, table] of Object.entries(tables)) {
      checkIdentifier('table', name);
      if (!(table instanceof Table)) throw new TypeError(`Schema: "${name}" is not a Table`);
      if (table.name !== undefined && table.name !== name) throw new Error(`Schema: table "${table.name}" cannot also be named "${name}"`);
      table.name = name;
      if (views.has(table.viewName)) throw new Error(`Schema: two tables use the view name "${table.viewName}"`);
      views.add(table.viewName);
    }
    /** The tables by name, as given. */
    this.props = tables;
    /** The tables as a list. */
    this.tables = Object.values(tables);
    // The store's own rules (names SQLite compares without case, names
    // PowerSync or SQLite reserve, ...) have their home in Go: once init()
    // has loaded the module they run here, so a bad schema throws at
    // construction; a schema built before init() meets them at open.
    if (loaded()) check(module().validateSchema(JSON.stringify(this.toJSON())));
  }

  /** Checks every table; the constructor already has. */
  validate() {
    for (const t of this.tables) t.validate();
  }

  /** PowerSync's serialized schema, as the Go store reads it. */
  toJSON() { return { tables: this.tables.map((t) => t.toJSON()) }; }
}
