// The expressions of TanStack DB's query builder (eq, gt, count, ...) and
// the references a callback reads (row.field), as the query IR's JSON
// carries them. The builder (live-query.js) and a collection's
// subscribeChanges where option (collection.js) both build them here.

const PATH = Symbol('path');
/** The key prefix a spread source takes in a select's object. @internal */
export const SPREAD = '__spread__:';

/** A function applied to expressions: eq(a, b), upper(s), ... */
export class Func {
  constructor(name, args) { this.type = 'func'; this.name = name; this.args = args; }
}

/** An aggregate over a group: count(x), sum(x), ... */
export class Aggregate {
  constructor(name, args) { this.type = 'agg'; this.name = name; this.args = args; }
}

// ref returns the proxy a callback sees for a source (or one of its
// fields): reading a property goes one level deeper, spreading it in a
// select copies the source's fields.
export function ref(path) {
  return new Proxy({}, {
    get(_, prop) {
      if (prop === PATH) return path;
      if (typeof prop === 'symbol' || prop === 'then' || prop === 'toJSON') return undefined;
      return ref([...path, prop]);
    },
    ownKeys() { return [SPREAD + path.join('.')]; },
    getOwnPropertyDescriptor(_, key) {
      if (key === SPREAD + path.join('.')) return { value: path, enumerable: true, configurable: true, writable: false };
      return undefined;
    },
    has(_, prop) { return prop === PATH; },
  });
}

export function isRef(v) {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && Array.isArray(v[PATH]);
}

// toExpr turns a callback's value into an IR expression.
export function toExpr(v) {
  if (isRef(v)) return { type: 'ref', path: v[PATH] };
  if (v instanceof Func || v instanceof Aggregate) return v;
  if (v instanceof Date) return { type: 'val', value: v.toISOString() };
  return { type: 'val', value: irValue(v) };
}

// irValue is a constant as the IR's JSON carries it: a bigint in the safe
// range as a number, a larger one in 64 bits as {"$int64": "decimal"} (JSON
// numbers beyond 2^53 would arrive as floats), in arrays too.
function irValue(v) {
  if (v === undefined) return null;
  if (typeof v === 'bigint') {
    if (v < -(2n ** 63n) || v > 2n ** 63n - 1n) throw new TypeError(`query: the bigint ${v} does not fit SQLite's 64-bit INTEGER`);
    return Number.isSafeInteger(Number(v)) ? Number(v) : { $int64: v.toString() };
  }
  if (Array.isArray(v)) return v.map(irValue);
  return v;
}

/**
 * whereJSON compiles subscribeChanges' where option, a callback over the
 * row ((row) => eq(row.done, 0)), into its expression's JSON; undefined
 * stays undefined.
 */
export function whereJSON(where) {
  if (where === undefined) return undefined;
  if (typeof where !== 'function') throw new TypeError('subscribeChanges: where must be a function of the row, as (row) => eq(row.field, value)');
  return JSON.stringify(toExpr(where(ref([]))));
}

const fn = (name) => (...args) => new Func(name, args.map(toExpr));
const agg = (name) => (arg) => new Aggregate(name, [toExpr(arg)]);

/** a = b (SQL: null if either is null). */
export const eq = fn('eq');
/** a > b. */
export const gt = fn('gt');
/** a >= b. */
export const gte = fn('gte');
/** a < b. */
export const lt = fn('lt');
/** a <= b. */
export const lte = fn('lte');
/** True when every argument is (three-valued). */
export const and = fn('and');
/** True when some argument is (three-valued). */
export const or = fn('or');
/** Negation; not(null) is null. */
export const not = fn('not');
/** True when the value is null (not when it is undefined: a missing field, or the missing side of an outer join). */
export const isNull = fn('isNull');
/** True when the value is undefined: a field the row does not have, or the missing side of an outer join (not null). */
export const isUndefined = fn('isUndefined');
/** True when value equals one of the array's elements. */
export const inArray = (value, array) => new Func('in', [toExpr(value), isRef(array) ? toExpr(array) : { type: 'val', value: irValue(array) }]);
/** SQL LIKE with % and _ wildcards, case-sensitive. */
export const like = fn('like');
/** LIKE ignoring case. */
export const ilike = fn('ilike');
/** Upper-cases a string; other values pass unchanged. */
export const upper = fn('upper');
/** Lower-cases a string; other values pass unchanged. */
export const lower = fn('lower');
/** The length of a string (or array); 0 for anything else, null and undefined included. */
export const length = fn('length');
/** Joins the arguments as text. */
export const concat = fn('concat');
/** The first argument that is not null. */
export const coalesce = fn('coalesce');
/** a + b. */
export const add = fn('add');
/** a - b. */
export const subtract = fn('subtract');
/** a * b. */
export const multiply = fn('multiply');
/** a / b (null when b is 0). */
export const divide = fn('divide');
/** The number of rows of the group where the value is not null. */
export const count = agg('count');
/** The sum over the group, nulls ignored. */
export const sum = agg('sum');
/** The average over the group, nulls ignored. */
export const avg = agg('avg');
/** The smallest value of the group. */
export const min = agg('min');
/** The largest value of the group. */
export const max = agg('max');
