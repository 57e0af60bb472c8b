// The query builder's error classes, with TanStack DB's names, parents and
// default messages. The Go engine checks queries and reports these by
// name; the builder raises the few that concern JS values themselves.

import { TanStackDBError, registerErrorClasses } from './errors.js';

/** Base of the errors the query builder raises. */
export class QueryBuilderError extends TanStackDBError { constructor(m = 'Invalid query') { super(m); this.name = 'QueryBuilderError'; } }
/** Base of the errors raised while compiling a query. */
export class QueryCompilationError extends TanStackDBError { constructor(m = 'The query cannot be compiled') { super(m); this.name = 'QueryCompilationError'; } }
/** Base of the errors about a join. */
export class JoinError extends TanStackDBError { constructor(m = 'Invalid join') { super(m); this.name = 'JoinError'; } }
/** Base of the errors about groupBy and aggregates. */
export class GroupByError extends TanStackDBError { constructor(m = 'Invalid groupBy') { super(m); this.name = 'GroupByError'; } }

/** from() or join() was given more or fewer than one alias. */
export class OnlyOneSourceAllowedError extends QueryBuilderError { constructor(m = 'Only one source is allowed in the from clause') { super(m); this.name = 'OnlyOneSourceAllowedError'; } }
/** A source that is neither a collection nor a query. */
export class InvalidSourceError extends QueryBuilderError { constructor(m = 'Invalid source for live query: Live queries only accept Collection instances or subqueries.') { super(m); this.name = 'InvalidSourceError'; } }
/** A sub-query without from(). */
export class SubQueryMustHaveFromClauseError extends QueryBuilderError { constructor(m = 'A sub query passed to a from clause must have a from clause itself') { super(m); this.name = 'SubQueryMustHaveFromClauseError'; } }
/** A query without from(). */
export class QueryMustHaveFromClauseError extends QueryBuilderError { constructor(m = 'Query must have a from clause') { super(m); this.name = 'QueryMustHaveFromClauseError'; } }
/** A join condition other than eq(). */
export class JoinConditionMustBeEqualityError extends QueryBuilderError { constructor(m = 'Join condition must be an equality expression') { super(m); this.name = 'JoinConditionMustBeEqualityError'; } }
/** where() got a plain value (a JS comparison) instead of an expression. */
export class InvalidWhereExpressionError extends QueryBuilderError { constructor(m = 'Invalid where() expression: Expected a query expression') { super(m); this.name = 'InvalidWhereExpressionError'; } }

/** distinct() without select(). */
export class DistinctRequiresSelectError extends QueryCompilationError { constructor(m = 'DISTINCT requires a SELECT clause.') { super(m); this.name = 'DistinctRequiresSelectError'; } }
/** having() without groupBy(). */
export class HavingRequiresGroupByError extends QueryCompilationError { constructor(m = 'HAVING clause requires GROUP BY clause') { super(m); this.name = 'HavingRequiresGroupByError'; } }
/** limit() or offset() without orderBy(). */
export class LimitOffsetRequireOrderByError extends QueryCompilationError { constructor(m = 'LIMIT and OFFSET require an ORDER BY clause to ensure deterministic results') { super(m); this.name = 'LimitOffsetRequireOrderByError'; } }
/** A function the engine does not know. */
export class UnknownFunctionError extends QueryCompilationError { constructor(m = 'Unknown function') { super(m); this.name = 'UnknownFunctionError'; } }
/** An expression node of an unknown kind. */
export class UnknownExpressionTypeError extends QueryCompilationError { constructor(m = 'Unknown expression type') { super(m); this.name = 'UnknownExpressionTypeError'; } }
/** A reference without a path. */
export class EmptyReferencePathError extends QueryCompilationError { constructor(m = 'Reference path cannot be empty') { super(m); this.name = 'EmptyReferencePathError'; } }
/** An alias used twice in a query and its sub-queries. */
export class DuplicateAliasInSubqueryError extends QueryCompilationError { constructor(m = 'Subquery uses an alias which is already used in the parent query') { super(m); this.name = 'DuplicateAliasInSubqueryError'; } }
/** A select name that would pollute prototypes. */
export class UnsafeAliasPathError extends QueryCompilationError { constructor(m = 'Unsafe alias path segment is not allowed in .select()') { super(m); this.name = 'UnsafeAliasPathError'; } }
/** An aggregate where no group exists. */
export class AggregateNotSupportedError extends QueryCompilationError { constructor(m = 'Aggregate expressions are not supported in this context. Use GROUP BY clause for aggregates.') { super(m); this.name = 'AggregateNotSupportedError'; } }

/** setWindow() on a query without orderBy(). */
export class SetWindowRequiresOrderByError extends QueryCompilationError { constructor(m = 'setWindow() can only be called on collections with an ORDER BY clause. Add .orderBy() to your query to enable window movement.') { super(m); this.name = 'SetWindowRequiresOrderByError'; } }

/** A join type other than inner, left, right, full. */
export class UnsupportedJoinTypeError extends JoinError { constructor(m = 'Unsupported join type') { super(m); this.name = 'UnsupportedJoinTypeError'; } }
/** Both sides of a join condition read the same source. */
export class InvalidJoinConditionSameSourceError extends JoinError { constructor(m = 'Invalid join condition: both expressions refer to the same source') { super(m); this.name = 'InvalidJoinConditionSameSourceError'; } }
/** A join condition side reads no source. */
export class InvalidJoinConditionSourceMismatchError extends JoinError { constructor(m = 'Invalid join condition: expressions must reference source aliases') { super(m); this.name = 'InvalidJoinConditionSourceMismatchError'; } }
/** A join condition reads a source not joined yet. */
export class InvalidJoinConditionLeftSourceError extends JoinError { constructor(m = 'Invalid join condition: left expression refers to an unavailable source') { super(m); this.name = 'InvalidJoinConditionLeftSourceError'; } }
/** A join condition does not read the joined source. */
export class InvalidJoinConditionRightSourceError extends JoinError { constructor(m = 'Invalid join condition: right expression does not refer to the joined source') { super(m); this.name = 'InvalidJoinConditionRightSourceError'; } }

/** A selected field of a grouped query that is neither grouped nor aggregated. */
export class NonAggregateExpressionNotInGroupByError extends GroupByError { constructor(m = 'Non-aggregate expression in SELECT must also appear in GROUP BY clause') { super(m); this.name = 'NonAggregateExpressionNotInGroupByError'; } }
/** An aggregate the engine does not know. */
export class UnsupportedAggregateFunctionError extends GroupByError { constructor(m = 'Unsupported aggregate function') { super(m); this.name = 'UnsupportedAggregateFunctionError'; } }

registerErrorClasses({
  QueryBuilderError, QueryCompilationError, JoinError, GroupByError, OnlyOneSourceAllowedError, InvalidSourceError,
  SubQueryMustHaveFromClauseError, QueryMustHaveFromClauseError, JoinConditionMustBeEqualityError,
  InvalidWhereExpressionError, DistinctRequiresSelectError, HavingRequiresGroupByError, LimitOffsetRequireOrderByError,
  UnknownFunctionError, UnknownExpressionTypeError, EmptyReferencePathError, DuplicateAliasInSubqueryError,
  UnsafeAliasPathError, AggregateNotSupportedError, SetWindowRequiresOrderByError, UnsupportedJoinTypeError, InvalidJoinConditionSameSourceError,
  InvalidJoinConditionSourceMismatchError, InvalidJoinConditionLeftSourceError, InvalidJoinConditionRightSourceError,
  NonAggregateExpressionNotInGroupByError, UnsupportedAggregateFunctionError,
});
