// Package query is TanStack DB's live queries in Go: a query builder whose
// intermediate representation (IR) is compiled into an incremental
// dataflow, and a LiveQuery that is itself a collection holding the
// query's result, kept up to date change by change.
//
// A query reads from collections (or other queries) under aliases:
//
//	q := query.From("todo", todos).
//		Where(collection.Eq(query.Ref("todo", "done"), collection.Value(false))).
//		OrderBy(query.Ref("todo", "created"), query.Desc).
//		Limit(50)
//	lq, err := query.NewLiveQuery(q, query.Options{})
//
// Expressions are collection.Expr values (Ref, Val, Func) with TanStack's
// function names; a Ref's path starts with the alias. Filters use SQL's
// three-valued logic: a comparison with null is unknown, and a row is kept
// only when its condition is true. The aggregates Count, Sum, Avg, Min and
// Max are Funcs that only select, having and orderBy of a grouped query
// accept.
//
// Every change of a source collection (an optimistic mutation, a rollback,
// a synced write: they are all changes) enters the dataflow as a delta and
// flows through filter, join, reduce, distinct and top-K operators, each of
// which keeps the state it needs to handle one change without looking at
// its whole input again. The resulting changes are written to the
// LiveQuery's collection in the same call, so an insert shows in a live
// query before Insert returns. ARCHITECTURE.md describes the design.
//
// Errors are typed, with TanStack DB's names and messages
// (LimitOffsetRequireOrderByError, JoinConditionMustBeEqualityError, ...).
package query
