// What each JS value becomes on its way to SQLite: the one place in JS that
// decides it, for SQL parameters and for collection items alike. The table
// is in index.d.ts ("Values"). Every value either arrives exactly or is
// refused with a TypeError that names the argument; nothing is silently
// changed (JSON.stringify alone would turn NaN into null and drop symbols).

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The form in which a bigint crosses to Go (syscall/js cannot read a bigint). */
function int64(v, arg) {
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new TypeError(`${arg}: the bigint ${v} does not fit SQLite's 64-bit INTEGER`);
  }
  return Number.isSafeInteger(Number(v)) ? Number(v) : new BigInt64Array([v]);
}

function refuse(arg, v, why) {
  const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
  throw new TypeError(`${arg}: ${why ?? `SQLite cannot store a ${kind}`}`);
}

/**
 * A scalar for SQLite, or a TypeError naming arg: null and undefined as
 * NULL; booleans as 1/0; numbers as they are (whole ones INTEGER, -0 as 0,
 * ±Infinity REAL); NaN refused (SQLite would store NULL); bigints in the
 * 64-bit range as INTEGER, others refused; strings unless they hold a lone
 * surrogate (SQLite text is UTF-8, which cannot hold one); Uint8Array,
 * other typed arrays, DataView and ArrayBuffer as BLOB (their bytes); Date
 * as ISO 8601 text. Anything else (objects, arrays, symbols, functions) is
 * refused. @internal
 */
export function sqlValue(v, arg) {
  switch (typeof v) {
    case 'undefined':
      return null;
    case 'boolean':
      return v;
    case 'number':
      if (Number.isNaN(v)) refuse(arg, v, 'NaN cannot be stored (SQLite would store NULL)');
      return v;
    case 'bigint':
      return int64(v, arg);
    case 'string':
      if (!v.isWellFormed()) refuse(arg, v, 'the string holds a lone surrogate, which SQLite text (UTF-8) cannot store');
      return v;
    case 'object':
      if (v === null || v instanceof Uint8Array) return v;
      if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      if (v instanceof ArrayBuffer) return new Uint8Array(v);
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) refuse(arg, v, 'an invalid Date cannot be stored');
        return v.toISOString();
      }
      return refuse(arg, v);
    default:
      return refuse(arg, v);
  }
}

/** SQL parameters checked and converted (see sqlValue). @internal */
export function sqlParams(params) {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw new TypeError(`params: want an array, got ${typeof params}`);
  let out = params;
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    const c = sqlValue(v, `params[${i}]`);
    if (c !== v) {
      if (out === params) out = params.slice();
      out[i] = c;
    }
  }
  return out;
}

/**
 * One field of a collection item for the trip to Go, checked as sqlValue
 * checks a parameter, except that objects and arrays pass: the table's
 * schema decides about them in Go, or the application's serializer before.
 * Returns the value and whether it must travel beside the JSON text
 * (bytes, bigints beyond 2^53). @internal
 */
export function fieldValue(v, arg) {
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer) && !(v instanceof Date)) {
    return v;
  }
  const c = sqlValue(v, arg);
  // JSON.stringify would write ±Infinity as null: it travels beside the text.
  return typeof c === 'number' && !Number.isFinite(c) ? new Float64Array([c]) : c;
}

/**
 * A value of a local-only (or localStorage) item, at any depth, converted
 * by the same table as an SQL parameter or a PowerSync item's field (see
 * sqlValue, fieldValue), so that it comes back as the table says or is
 * refused with a TypeError naming its place (`insert: items[0].n`): plain
 * objects and arrays are kept and walked; NaN, lone surrogates, bigints
 * beyond 64 bits, Map, Set, other class instances, symbols, functions and
 * circular references are refused; an undefined field is left out and an
 * undefined array element is null, as in JSON. Returns v itself when
 * nothing changed; sets flags.side when a value must travel beside the
 * JSON text (isSideValue), and flags.at to the first one's [place, value].
 * @internal
 */
export function localValue(v, arg, flags, parents = new Set()) {
  if (v === undefined) return v;
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date) {
    const c = fieldValue(v, arg);
    if (isSideValue(c)) {
      flags.side = true;
      flags.at ??= [arg, c]; // the first, for a store that takes JSON only
    }
    return c;
  }
  const array = Array.isArray(v);
  const proto = Object.getPrototypeOf(v);
  if (!array && proto !== Object.prototype && proto !== null) {
    refuse(arg, v, `a ${proto?.constructor?.name ?? 'object'} cannot be stored (plain objects, arrays and the values of the table in index.d.ts can)`);
  }
  if (parents.has(v)) refuse(arg, v, 'a circular reference cannot be stored');
  parents.add(v);
  let out = v;
  const keys = array ? v.keys() : Object.keys(v);
  for (const k of keys) {
    const x = v[k];
    const c = localValue(x, array ? `${arg}[${k}]` : `${arg}.${k}`, flags, parents);
    if (c !== x || (array && x === undefined)) {
      if (out === v) out = array ? v.slice() : { ...v };
      out[k] = array && c === undefined ? null : c;
    }
  }
  parents.delete(v);
  return out;
}

/** Whether a converted field value must travel beside the JSON text. @internal */
export function isSideValue(v) {
  return v instanceof Uint8Array || v instanceof BigInt64Array || v instanceof Float64Array;
}

// Side values travel beside the JSON text as {"$blob": i} markers. User
// data may hold objects that look like one, so when side values travel
// (a blobs array, maybe empty, goes with the text) every object key of the
// form "$…$blob" is written with one "$" more and the reader drops it;
// without a blobs array nothing is escaped and no object is a marker. The
// rule is bridge/json.go's (blobKey); encode and reviveWith are its JS
// halves.
const BLOB_KEY = /^\$+blob$/;
// isBlobKey is BLOB_KEY.test, cheaper for the common key ("$" is 36).
const isBlobKey = (k) => k.charCodeAt(0) === 36 && BLOB_KEY.test(k);

/** o with every "$…$blob" key given one "$" more, or o when it has none. */
function escapeKeys(o) {
  let hit = false;
  for (const k in o) {
    if (isBlobKey(k)) {
      hit = true;
      break;
    }
  }
  if (!hit) return o;
  const out = {};
  for (const k of Object.keys(o)) out[isBlobKey(k) ? `$${k}` : k] = o[k];
  return out;
}

/**
 * JSON text for the trip to Go, and the side values (Uint8Array,
 * BigInt64Array, Float64Array of ±Infinity) that travel beside it as
 * {"$blob": i} markers, user keys escaped as above. The replacer is
 * costly, so values without side values skip it. @internal
 */
export function encode(value, hasSide) {
  if (!hasSide) return [JSON.stringify(value), undefined];
  let side;
  let escaped = false;
  const text = JSON.stringify(value, function (k, v) {
    const raw = this[k];
    if (isSideValue(raw)) {
      side ??= [];
      side.push(raw);
      return { $blob: side.length - 1 };
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const e = escapeKeys(v);
      escaped ||= e !== v;
      return e;
    }
    return v;
  });
  return [text, side ?? (escaped ? [] : undefined)];
}

/**
 * The place, below v, of the first value JSON cannot hold (a bigint inside
 * an object field, a cycle): a list of keys and indexes, or null. For the error of
 * a failed encode, so that it names the field, insert's and validateData's
 * alike; only the failure pays for the walk. @internal
 */
export function unencodable(v, path = [], parents = new Set()) {
  if (typeof v === 'bigint') return path;
  if (v === null || typeof v !== 'object' || isSideValue(v)) return null;
  if (parents.has(v)) return path; // a cycle
  parents.add(v);
  for (const k of Object.keys(v)) {
    const at = unencodable(v[k], [...path, Array.isArray(v) ? Number(k) : k], parents);
    if (at) return at;
  }
  parents.delete(v);
  return null;
}

/** A path from unencodable as text: `items[0].name.a`. @internal */
export function pathText(path) {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * JSON.parse of text from Go that came with a blobs array: markers become
 * their side values, escaped user keys lose their added "$". @internal
 */
export function reviveWith(text, blobs) {
  const escaped = text.includes('"$$');
  return JSON.parse(text, (_, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    if (Object.hasOwn(v, '$blob')) return blobs[v.$blob]; // never user data here
    if (!escaped) return v;
    let keys;
    for (const k in v) if (isBlobKey(k)) (keys ??= []).push(k);
    if (!keys) return v;
    // Shortest first: "$$blob" becomes "$blob" before "$$$blob" becomes "$$blob".
    keys.sort((a, b) => a.length - b.length);
    for (const k of keys) {
      v[k.slice(1)] = v[k];
      delete v[k];
    }
    return v;
  });
}

/** JSON.stringify of user JSON (metadata), a TypeError naming arg if it cannot be. @internal */
export function userJSON(v, arg) {
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw new TypeError(`${arg}: ${e.message}`);
  }
  if (text === undefined) throw new TypeError(`${arg}: JSON cannot hold a ${typeof v}`);
  return text;
}

// ---------- JSON for the application ----------
//
// The rule for integers beyond ±(2^53-1) in what we hand the application
// (CrudEntry.opData, previousValues, getAll/watch rows): they are bigints,
// exact (the values table in index.d.ts). JSON.stringify throws on a
// bigint, so whatever we give the application that it would send as JSON
// (CrudEntry.toJSON, and so CrudBatch and CrudTransaction, whose crud
// entries stringify through it) writes them with every digit through
// JSON.rawJSON where the runtime has it (Chrome 114+, Node 21+), and as
// the nearest Number where it does not (Node 20): what PowerSync's own
// opData, a JSON.parse of the queue's text, would hold. Rows from getAll
// and watch stay plain objects holding bigints, as wa-sqlite's do under
// @powersync/web: JSON.stringify of such a row needs a replacer.

const rawJSON = typeof JSON.rawJSON === 'function' ? JSON.rawJSON : null;

/**
 * v with every bigint, at any depth of plain objects and arrays, in a form
 * JSON.stringify writes (see the rule above). v itself when it has none.
 * @internal
 */
export function jsonSafe(v) {
  if (typeof v === 'bigint') return rawJSON ? rawJSON(String(v)) : Number(v);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof Date) return v;
  let out = v;
  const keys = Object.keys(v);
  for (const k of keys) {
    const c = jsonSafe(v[k]);
    if (c !== v[k]) {
      if (out === v) out = Array.isArray(v) ? v.slice() : { ...v };
      out[k] = c;
    }
  }
  return out;
}

/**
 * JSON.parse of queue text (ps_crud.data) with integers beyond 2^53 as
 * bigints where the runtime gives the reviver the source text (as it does
 * with JSON.rawJSON), so that CrudEntry.fromRow agrees with the entries of
 * getNextCrudTransaction; elsewhere the nearest Number, as JSON.parse
 * gives. @internal
 */
export function parseExact(text) {
  if (!rawJSON) return JSON.parse(text);
  return JSON.parse(text, (_, v, ctx) =>
    typeof v === 'number' && !Number.isSafeInteger(v) && ctx?.source && /^-?\d+$/.test(ctx.source) ? BigInt(ctx.source) : v);
}

/** A text equal values share, bigints kept exact (hashCode). @internal */
export function exactText(v) {
  return JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? { $bigint: String(x) } : x));
}
