package query

import "strings"

// The query errors carry TanStack DB's class names (Name) and default
// messages (Error), so that JS callers see the classes they know. Every
// one is a *Error; test for a kind with errors.As and Name, or with the
// sentinel-like constructors' types below.

// Error is a query builder or compilation error.
type Error struct {
	name string
	msg  string
}

// Error returns TanStack DB's message.
func (e *Error) Error() string { return e.msg }

// Name returns TanStack DB's class name, such as "LimitOffsetRequireOrderByError".
func (e *Error) Name() string { return e.name }

// Is matches errors of the same name, so errors.Is(err, ErrHavingRequiresGroupBy) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.name == e.name
}

func newError(name, msg string) *Error { return &Error{name: name, msg: msg} }

// Sentinels for errors.Is; the errors returned carry their own details.
var (
	ErrLimitOffsetRequireOrderBy          = newError("LimitOffsetRequireOrderByError", "LIMIT and OFFSET require an ORDER BY clause to ensure deterministic results")
	ErrDistinctRequiresSelect             = newError("DistinctRequiresSelectError", "DISTINCT requires a SELECT clause.")
	ErrHavingRequiresGroupBy              = newError("HavingRequiresGroupByError", "HAVING clause requires GROUP BY clause")
	ErrJoinConditionMustBeEquality        = newError("JoinConditionMustBeEqualityError", "Join condition must be an equality expression")
	ErrQueryMustHaveFromClause            = newError("QueryMustHaveFromClauseError", "Query must have a from clause")
	ErrEmptyReferencePath                 = newError("EmptyReferencePathError", "Reference path cannot be empty")
	ErrAggregateNotSupported              = newError("AggregateNotSupportedError", "Aggregate expressions are not supported in this context. Use GROUP BY clause for aggregates.")
	ErrSetWindowRequiresOrderBy           = newError("SetWindowRequiresOrderByError", "setWindow() can only be called on collections with an ORDER BY clause. Add .orderBy() to your query to enable window movement.")
	ErrInvalidJoinConditionSourceMismatch = newError("InvalidJoinConditionSourceMismatchError", "Invalid join condition: expressions must reference source aliases")
)

// UnknownFunctionError is TanStack DB's error for a function it does not know.
func UnknownFunctionError(fn string) *Error {
	return newError("UnknownFunctionError", "Unknown function: "+fn)
}

// UnknownExpressionTypeError reports an expression node of an unknown kind.
func UnknownExpressionTypeError(typ string) *Error {
	return newError("UnknownExpressionTypeError", "Unknown expression type: "+typ)
}

// InvalidSourceError reports an alias bound to neither a collection nor a query.
func InvalidSourceError(alias string) *Error {
	return newError("InvalidSourceError", `Invalid source for live query: The value provided for alias "`+alias+
		`" is not a Collection or subquery. Live queries only accept Collection instances or subqueries. `+
		`Please ensure you're passing a valid Collection or QueryBuilder, not a plain array or other data type.`)
}

// UnsupportedJoinTypeError reports a join type other than inner, left, right, full.
func UnsupportedJoinTypeError(typ string) *Error {
	return newError("UnsupportedJoinTypeError", "Unsupported join type: "+typ)
}

// InvalidJoinConditionSameSourceError reports a join condition whose two sides read the same source.
func InvalidJoinConditionSameSourceError(alias string) *Error {
	return newError("InvalidJoinConditionSameSourceError", `Invalid join condition: both expressions refer to the same source "`+alias+`"`)
}

// InvalidJoinConditionLeftSourceError reports a join condition reading an alias not joined yet.
func InvalidJoinConditionLeftSourceError(alias string) *Error {
	return newError("InvalidJoinConditionLeftSourceError", `Invalid join condition: left expression refers to an unavailable source "`+alias+`"`)
}

// InvalidJoinConditionRightSourceError reports a join condition that does not read the joined source.
func InvalidJoinConditionRightSourceError(alias string) *Error {
	return newError("InvalidJoinConditionRightSourceError", `Invalid join condition: right expression does not refer to the joined source "`+alias+`"`)
}

// NonAggregateExpressionNotInGroupByError reports a selected field of a grouped query that is neither an aggregate nor grouped by.
func NonAggregateExpressionNotInGroupByError(alias string) *Error {
	return newError("NonAggregateExpressionNotInGroupByError", "Non-aggregate expression '"+alias+"' in SELECT must also appear in GROUP BY clause")
}

// UnsupportedAggregateFunctionError reports an unknown aggregate.
func UnsupportedAggregateFunctionError(fn string) *Error {
	return newError("UnsupportedAggregateFunctionError", "Unsupported aggregate function: "+fn)
}

// DuplicateAliasInSubqueryError reports an alias used both by a query and one of its sub-queries or sources.
func DuplicateAliasInSubqueryError(alias string, parent []string) *Error {
	return newError("DuplicateAliasInSubqueryError", `Subquery uses alias "`+alias+`" which is already used in the parent query. `+
		`Each alias must be unique across parent and subquery contexts. Parent query aliases: `+strings.Join(parent, ", ")+`. `+
		`Please rename "`+alias+`" in either the parent query or subquery to avoid conflicts.`)
}

// UnsafeAliasPathError reports a select name that could pollute JS prototypes.
func UnsafeAliasPathError(segment string) *Error {
	return newError("UnsafeAliasPathError", `Unsafe alias path segment "`+segment+`" is not allowed in .select(). `+
		`Aliases must not contain "__proto__", "prototype", or "constructor".`)
}

// InvalidQueryError reports a malformed query IR (from JSON, say) with
// what is wrong; it has no TanStack counterpart because TanStack's builder
// cannot produce such a query.
func InvalidQueryError(msg string) *Error { return newError("QueryCompilationError", msg) }
