package query

import (
	"github.com/localfirst/gopowersync/collection"
)

// IR is the intermediate representation of a query, as TanStack DB's
// QueryIR: plain data that Query's builder methods fill in (or that a
// caller builds directly, as the JS bridge does from JSON) and that
// NewLiveQuery compiles.
type IR struct {
	From     Source
	Joins    []Join
	Where    []collection.Expr // and-ed
	GroupBy  []collection.Expr
	Having   []collection.Expr // and-ed; may use aggregates
	Select   []SelectItem      // nil: the source row (or, with joins, the row of every alias)
	OrderBy  []Ordering
	Limit    *int // nil: no limit
	Offset   int
	Distinct bool
	FindOne  bool
}

// Source is a collection or a sub-query read under an alias.
type Source struct {
	Alias      string
	Collection *collection.Collection
	Query      *IR
}

// JoinType is the kind of a join, as TanStack DB names them.
type JoinType string

// The join types. Join without a type is a left join, as in TanStack DB.
const (
	JoinInner JoinType = "inner"
	JoinLeft  JoinType = "left"
	JoinRight JoinType = "right"
	JoinFull  JoinType = "full"
)

// Join joins a source on an equality (On must be collection.Eq of an
// expression over the sources so far and one over the joined source).
type Join struct {
	Source Source
	Type   JoinType
	On     collection.Expr
}

// SelectItem is one field of a select: Expr (a scalar expression or an
// aggregate) or Nested (a nested object) under Name, or, with Spread set
// and no Name, every field of the row of that alias.
type SelectItem struct {
	Name   string
	Expr   collection.Expr
	Nested []SelectItem
	Spread string
}

// Direction is an ordering's direction.
type Direction string

// The directions.
const (
	Asc  Direction = "asc"
	Desc Direction = "desc"
)

// Nulls says where null values sort.
type Nulls string

// The null placements; NullsFirst is the default in both directions.
const (
	NullsFirst Nulls = "first"
	NullsLast  Nulls = "last"
)

// StringSort says how strings compare.
type StringSort string

// The string orderings. StringSortLocale (the default, as TanStack DB's
// localeCompare under the root collation) compares base letters, then
// accents, then case, lower before upper (docs/API.md, "String order",
// says where it differs from localeCompare); StringSortLexical compares
// bytes.
const (
	StringSortLocale  StringSort = "locale"
	StringSortLexical StringSort = "lexical"
)

// Ordering is one key of an orderBy.
type Ordering struct {
	Expr       collection.Expr
	Direction  Direction  // "" is Asc
	Nulls      Nulls      // "" is NullsFirst
	StringSort StringSort // "" is StringSortLocale
}

// Ref refers to a field of the row of alias; more names go into nested
// objects.
func Ref(alias string, path ...string) collection.Ref {
	return collection.Ref{Path: append([]string{alias}, path...)}
}

// Count counts the rows of a group where e is not null.
func Count(e collection.Expr) collection.Func { return agg("count", e) }

// Sum adds e over a group, null and undefined as 0 (0 for a group of
// nulls), as TanStack DB 0.9.2 does.
func Sum(e collection.Expr) collection.Func { return agg("sum", e) }

// Avg is Sum over the number of rows of the group, rows where e is null
// included, as TanStack DB 0.9.2 does: the average of 5 and null is 2.5.
func Avg(e collection.Expr) collection.Func { return agg("avg", e) }

// Min is the smallest e of a group that is not null, undefined, 0, false
// or "" (TanStack DB 0.9.2 passes over falsy values: the min of 0 and 5 is
// 5); 0 when there is no other value ("" when every value is "").
func Min(e collection.Expr) collection.Func { return agg("min", e) }

// Max is the largest e of a group, with Min's rules: the max of -3 and
// null is -3.
func Max(e collection.Expr) collection.Func { return agg("max", e) }

func agg(name string, e collection.Expr) collection.Func {
	return collection.Func{Name: name, Args: []collection.Expr{e}}
}

// isAggregate reports whether name is an aggregate function.
func isAggregate(name string) bool {
	switch name {
	case "count", "sum", "avg", "min", "max":
		return true
	}
	return false
}

// Query builds an IR. Its methods return a modified copy, so a Query can
// be shared and extended.
type Query struct{ ir IR }

// From starts a query over c under alias.
func From(alias string, c *collection.Collection) Query {
	return Query{IR{From: Source{Alias: alias, Collection: c}}}
}

// FromQuery starts a query over the result of sub under alias.
func FromQuery(alias string, sub Query) Query {
	return Query{IR{From: sub.As(alias)}}
}

// FromIR returns a Query for ir.
func FromIR(ir IR) Query { return Query{ir} }

// IR returns the query's intermediate representation.
func (q Query) IR() IR { return q.ir.clone() }

// clone copies the slices of q, so that a builder call never changes the
// query it was called on.
func (q IR) clone() IR {
	q.Joins = append([]Join(nil), q.Joins...)
	q.Where = append([]collection.Expr(nil), q.Where...)
	q.GroupBy = append([]collection.Expr(nil), q.GroupBy...)
	q.Having = append([]collection.Expr(nil), q.Having...)
	if q.Select != nil {
		q.Select = append([]SelectItem(nil), q.Select...)
	}
	q.OrderBy = append([]Ordering(nil), q.OrderBy...)
	return q
}

func (q Query) clone() Query { return Query{q.ir.clone()} }

// Join adds a join of typ (JoinLeft when "") with src on on.
func (q Query) Join(src Source, on collection.Expr, typ JoinType) Query {
	q = q.clone()
	if typ == "" {
		typ = JoinLeft
	}
	q.ir.Joins = append(q.ir.Joins, Join{Source: src, Type: typ, On: on})
	return q
}

// InnerJoin, LeftJoin, RightJoin and FullJoin are Join with that type.
func (q Query) InnerJoin(src Source, on collection.Expr) Query { return q.Join(src, on, JoinInner) }

// LeftJoin is Join with JoinLeft.
func (q Query) LeftJoin(src Source, on collection.Expr) Query { return q.Join(src, on, JoinLeft) }

// RightJoin is Join with JoinRight.
func (q Query) RightJoin(src Source, on collection.Expr) Query { return q.Join(src, on, JoinRight) }

// FullJoin is Join with JoinFull.
func (q Query) FullJoin(src Source, on collection.Expr) Query { return q.Join(src, on, JoinFull) }

// Where adds a condition; several are and-ed.
func (q Query) Where(e collection.Expr) Query {
	q = q.clone()
	q.ir.Where = append(q.ir.Where, e)
	return q
}

// Select sets the fields of the result.
func (q Query) Select(items ...SelectItem) Query {
	q = q.clone()
	q.ir.Select = append([]SelectItem{}, items...)
	return q
}

// Field is a select item: name = e.
func Field(name string, e collection.Expr) SelectItem { return SelectItem{Name: name, Expr: e} }

// Object is a select item holding a nested object.
func Object(name string, items ...SelectItem) SelectItem {
	return SelectItem{Name: name, Nested: items}
}

// Spread is a select item copying every field of alias's row.
func Spread(alias string) SelectItem { return SelectItem{Spread: alias} }

// GroupBy adds grouping expressions.
func (q Query) GroupBy(es ...collection.Expr) Query {
	q = q.clone()
	q.ir.GroupBy = append(q.ir.GroupBy, es...)
	return q
}

// Having adds a condition on groups; several are and-ed.
func (q Query) Having(e collection.Expr) Query {
	q = q.clone()
	q.ir.Having = append(q.ir.Having, e)
	return q
}

// OrderBy adds a sort key with dir (Asc when ""), nulls first.
func (q Query) OrderBy(e collection.Expr, dir Direction) Query {
	return q.OrderByWith(Ordering{Expr: e, Direction: dir})
}

// OrderByWith adds a sort key with all its options.
func (q Query) OrderByWith(o Ordering) Query {
	q = q.clone()
	q.ir.OrderBy = append(q.ir.OrderBy, o)
	return q
}

// Limit keeps at most n rows.
func (q Query) Limit(n int) Query {
	q = q.clone()
	q.ir.Limit = &n
	return q
}

// Offset skips the first n rows.
func (q Query) Offset(n int) Query {
	q = q.clone()
	q.ir.Offset = n
	return q
}

// Distinct keeps one row per distinct selected value.
func (q Query) Distinct() Query {
	q = q.clone()
	q.ir.Distinct = true
	return q
}

// FindOne makes the query a single-result query (TanStack DB's findOne): at
// most one row, LiveQuery.One returns it.
func (q Query) FindOne() Query {
	q = q.clone()
	q.ir.FindOne = true
	return q
}

// As names q's result for use as a source of another query.
func (q Query) As(alias string) Source {
	ir := q.ir.clone()
	return Source{Alias: alias, Query: &ir}
}

// Coll is a collection source under alias.
func Coll(alias string, c *collection.Collection) Source {
	return Source{Alias: alias, Collection: c}
}
