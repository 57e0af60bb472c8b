package query

import (
	"strconv"

	"github.com/localfirst/gopowersync/collection"
)

// graph is a compiled query: the inputs that source changes enter, and
// the top-K operator whose window orders the result (nil without
// orderBy).
type graph struct {
	inputs []*input
	top    *topK
	single string // the alias whose row is the result, when there is no select and no join
}

// input is where one collection source's changes enter.
type input struct {
	alias string
	coll  *collection.Collection
	feed  sink
	// pushdown is the part of the where that reads only this alias, over
	// the bare row (nil: none): what an on-demand source must load.
	pushdown collection.Expr
	// order is set when the whole query is a window over this source
	// (where, orderBy on its fields, limit): an on-demand source then
	// loads only the rows the window needs, by window.
	order  []collection.SubsetOrder
	window *topK
	// sortPath is set when the whole query is a window over this source
	// ordered first by its field at sortPath: a session may then feed the
	// window from an ordered index (lazy.go) instead of every row.
	sortPath []string
	top      *topK
	// keep is the query's where over a bare row of this source, for a
	// window read by scans (nil: every row).
	keep func(collection.Row) bool
}

// compile validates q and builds its dataflow ending in out.
func compile(q *IR, out sink) (*graph, error) {
	g := &graph{}
	top, single, err := g.build(q, out, map[string]bool{}, nil)
	if err != nil {
		return nil, err
	}
	g.top, g.single = top, single
	return g, nil
}

// Validate checks q as NewLiveQuery would, without running it.
func Validate(q Query) error {
	ir := q.ir.clone()
	_, err := compile(&ir, func([]delta) {})
	return err
}

func (g *graph) build(q *IR, out sink, used map[string]bool, parents []string) (*topK, string, error) {
	// Aliases: unique across the whole query tree.
	sources := append([]Source{q.From}, make([]Source, 0, len(q.Joins))...)
	for _, j := range q.Joins {
		sources = append(sources, j.Source)
	}
	if q.From.Alias == "" && q.From.Collection == nil && q.From.Query == nil {
		return nil, "", ErrQueryMustHaveFromClause
	}
	var mine []string
	for _, s := range sources {
		if s.Alias == "" || (s.Collection == nil) == (s.Query == nil) {
			return nil, "", InvalidSourceError(s.Alias)
		}
		if used[s.Alias] || s.Alias[0] == '$' {
			return nil, "", DuplicateAliasInSubqueryError(s.Alias, append(parents, mine...))
		}
		used[s.Alias] = true
		mine = append(mine, s.Alias)
	}
	// The clauses TanStack DB checks.
	grouped := len(q.GroupBy) > 0
	for _, it := range flatSelect(q.Select) {
		if it.Expr != nil && hasAggregate(it.Expr) {
			grouped = true
		}
	}
	if q.Distinct && q.Select == nil {
		return nil, "", ErrDistinctRequiresSelect
	}
	if len(q.Having) > 0 && len(q.GroupBy) == 0 {
		return nil, "", ErrHavingRequiresGroupBy
	}
	if (q.Limit != nil || q.Offset != 0) && len(q.OrderBy) == 0 {
		return nil, "", ErrLimitOffsetRequireOrderBy
	}
	if q.Limit != nil && *q.Limit < 0 || q.Offset < 0 {
		return nil, "", InvalidQueryError("limit and offset must not be negative")
	}
	for _, e := range q.Where {
		if err := checkExpr(e, false); err != nil {
			return nil, "", err
		}
	}
	for _, e := range q.GroupBy {
		if err := checkExpr(e, false); err != nil {
			return nil, "", err
		}
	}
	for _, e := range q.Having {
		if err := checkExpr(e, true); err != nil {
			return nil, "", err
		}
	}
	for _, o := range q.OrderBy {
		if err := checkExpr(o.Expr, grouped); err != nil {
			return nil, "", err
		}
		switch o.Direction {
		case "", Asc, Desc:
		default:
			return nil, "", InvalidQueryError("unknown orderBy direction " + strconv.Quote(string(o.Direction)))
		}
		switch o.Nulls {
		case "", NullsFirst, NullsLast:
		default:
			return nil, "", InvalidQueryError("unknown orderBy nulls " + strconv.Quote(string(o.Nulls)))
		}
		switch o.StringSort {
		case "", StringSortLocale, StringSortLexical:
		default:
			return nil, "", InvalidQueryError("unknown orderBy stringSort " + strconv.Quote(string(o.StringSort)))
		}
	}
	if err := checkSelect(q.Select, grouped); err != nil {
		return nil, "", err
	}

	// Build the tail, from the output backwards.
	next := out
	var top *topK
	if len(q.OrderBy) > 0 || q.FindOne {
		limit := -1
		if q.Limit != nil {
			limit = *q.Limit
		}
		if q.FindOne && (limit < 0 || limit > 1) {
			limit = 1
		}
		orderBy := q.OrderBy
		if grouped {
			orderBy = make([]Ordering, len(q.OrderBy))
			copy(orderBy, q.OrderBy)
		}
		top = newTopK(orderBy, q.Offset, limit, next)
		next = top.apply
	}
	if q.Distinct {
		next = newDistinct(next).apply
	}
	sel := q.Select
	if grouped {
		rw := newRewriter(q.GroupBy)
		var err error
		if sel, err = rw.selectItems(q.Select); err != nil {
			return nil, "", err
		}
		having := make([]collection.Expr, len(q.Having))
		for i, h := range q.Having {
			having[i] = rw.expr(h)
		}
		if top != nil {
			for i := range top.orderBy {
				top.orderBy[i].Expr = rw.expr(top.orderBy[i].Expr)
			}
		}
		if sel != nil {
			next = project(sel, next)
		}
		if len(having) > 0 {
			next = filter(collection.And(having...), next)
		}
		next = newReduce(q.GroupBy, rw.aggs, next).apply
	} else if sel != nil {
		next = project(sel, next)
	}
	if len(q.Where) > 0 {
		next = filter(collection.And(q.Where...), next)
	}

	// Joins, from the last to the first.
	feeds := make([]sink, len(sources))
	for i := len(q.Joins) - 1; i >= 0; i-- {
		j := q.Joins[i]
		switch j.Type {
		case JoinInner, JoinLeft, JoinRight, JoinFull:
		case "":
			j.Type = JoinLeft
		default:
			return nil, "", UnsupportedJoinTypeError(string(j.Type))
		}
		l, r, err := joinSides(j.On, mine[:i+1], j.Source.Alias)
		if err != nil {
			return nil, "", err
		}
		jn := newJoin(j.Type, l, r, i > 0, next)
		feeds[i+1] = jn.onRight
		next = jn.onLeft
	}
	feeds[0] = next

	// The sources: collections become inputs, sub-queries are built in.
	for i, s := range sources {
		if s.Collection != nil {
			in := &input{alias: s.Alias, coll: s.Collection, feed: feeds[i]}
			var complete bool
			in.pushdown, complete = g.pushdown(q, s.Alias, i)
			// A window needs an order to page by: a findOne without orderBy
			// has top-K (by key) but no window over its source.
			windowed := i == 0 && len(q.Joins) == 0 && !grouped && !q.Distinct && top != nil && top.limit >= 0 && len(q.OrderBy) > 0
			if windowed && complete {
				in.order, in.window = windowOrder(q.OrderBy, s.Alias), top
			}
			if windowed {
				if r, ok := norm(q.OrderBy[0].Expr).(collection.Ref); ok && len(r.Path) >= 2 && r.Path[0] == s.Alias {
					in.sortPath, in.top = r.Path[1:], top
					if len(q.Where) > 0 {
						where, alias := collection.And(q.Where...), s.Alias
						in.keep = func(r collection.Row) bool { return truth(where, Row{alias: r}) }
					}
				}
			}
			g.inputs = append(g.inputs, in)
			continue
		}
		alias, feed := s.Alias, feeds[i]
		var subSingle string
		sub := func(ds []delta) {
			out := make([]delta, len(ds))
			for k, d := range ds {
				out[k] = delta{key: d.key, row: Row{alias: resultOf(d.row, subSingle)}, mult: d.mult}
			}
			feed(out)
		}
		_, ss, err := g.build(s.Query, sub, used, append(parents, mine...))
		if err != nil {
			return nil, "", err
		}
		subSingle = ss
	}
	single := ""
	if q.Select == nil && len(q.Joins) == 0 && !grouped {
		single = q.From.Alias
	}
	return top, single, nil
}

// pushdown is the part of q's where that an on-demand source of alias
// (the from source or an inner-joined one; an outer join's missing rows
// would change the result) can load by: the conjuncts that read only
// alias, with the alias taken off their references.
// complete reports whether that is the whole where.
func (g *graph) pushdown(q *IR, alias string, i int) (where collection.Expr, complete bool) {
	if i > 0 && q.Joins[i-1].Type != JoinInner {
		return nil, false
	}
	for _, j := range q.Joins {
		if j.Type != JoinInner && i == 0 && (j.Type == JoinRight || j.Type == JoinFull) {
			return nil, false
		}
	}
	complete = true
	var parts []collection.Expr
	var conj func(e collection.Expr)
	conj = func(e collection.Expr) {
		if f, ok := norm(e).(collection.Func); ok && f.Name == "and" {
			for _, a := range f.Args {
				conj(a)
			}
			return
		}
		as := aliasesOf(e)
		if len(as) == 1 && as[alias] {
			if s, ok := strip(e, alias); ok {
				parts = append(parts, s)
				return
			}
		}
		complete = false
	}
	for _, e := range q.Where {
		conj(e)
	}
	switch len(parts) {
	case 0:
		return nil, complete
	case 1:
		return parts[0], complete
	}
	return collection.And(parts...), complete
}

// windowOrder turns an orderBy over fields of alias into a subset's
// order, or nil when a key is anything else.
func windowOrder(orderBy []Ordering, alias string) []collection.SubsetOrder {
	out := make([]collection.SubsetOrder, len(orderBy))
	for i, o := range orderBy {
		r, ok := norm(o.Expr).(collection.Ref)
		if !ok || len(r.Path) != 2 || r.Path[0] != alias {
			return nil
		}
		out[i] = collection.SubsetOrder{Field: r.Path[1], Desc: o.Direction == Desc, NullsLast: o.Nulls == NullsLast,
			Lexical: o.StringSort == StringSortLexical}
	}
	return out
}

// strip rewrites e's references to alias.x into x; it fails on a
// reference to the whole row.
func strip(e collection.Expr, alias string) (collection.Expr, bool) {
	switch x := norm(e).(type) {
	case collection.Ref:
		if len(x.Path) < 2 {
			return nil, false
		}
		return collection.Ref{Path: x.Path[1:]}, true
	case collection.Func:
		args := make([]collection.Expr, len(x.Args))
		for i, a := range x.Args {
			s, ok := strip(a, alias)
			if !ok {
				return nil, false
			}
			args[i] = s
		}
		return collection.Func{Name: x.Name, Args: args}, true
	default:
		return x, true
	}
}

// joinSides orients a join condition: the left side reads the sources
// joined so far, the right side the joined source only.
func joinSides(on collection.Expr, avail []string, joined string) (collection.Expr, collection.Expr, error) {
	f, ok := norm(on).(collection.Func)
	if !ok || f.Name != "eq" || len(f.Args) != 2 {
		return nil, nil, ErrJoinConditionMustBeEquality
	}
	a, b := f.Args[0], f.Args[1]
	for _, e := range []collection.Expr{a, b} {
		if err := checkExpr(e, false); err != nil {
			return nil, nil, err
		}
	}
	as, bs := aliasesOf(a), aliasesOf(b)
	if len(as) == 0 || len(bs) == 0 {
		return nil, nil, ErrInvalidJoinConditionSourceMismatch
	}
	only := func(s map[string]bool, alias string) bool { return len(s) == 1 && s[alias] }
	within := func(s map[string]bool) (string, bool) {
		for k := range s {
			found := false
			for _, x := range avail {
				found = found || x == k
			}
			if !found {
				return k, false
			}
		}
		return "", true
	}
	switch {
	case only(as, joined) && only(bs, joined):
		return nil, nil, InvalidJoinConditionSameSourceError(joined)
	case only(bs, joined):
		if bad, ok := within(as); !ok {
			return nil, nil, InvalidJoinConditionLeftSourceError(bad)
		}
		return a, b, nil
	case only(as, joined):
		if bad, ok := within(bs); !ok {
			return nil, nil, InvalidJoinConditionLeftSourceError(bad)
		}
		return b, a, nil
	}
	return nil, nil, InvalidJoinConditionRightSourceError(joined)
}

// flatSelect lists the items of a select and of its nested objects.
func flatSelect(items []SelectItem) []SelectItem {
	var out []SelectItem
	for _, it := range items {
		out = append(out, it)
		out = append(out, flatSelect(it.Nested)...)
	}
	return out
}

func checkSelect(items []SelectItem, grouped bool) error {
	for _, it := range items {
		switch {
		case it.Spread != "":
			if it.Name != "" || it.Expr != nil || it.Nested != nil {
				return InvalidQueryError("a spread select item has no name or expression")
			}
			if grouped {
				return NonAggregateExpressionNotInGroupByError("..." + it.Spread)
			}
		case it.Name == "":
			return InvalidQueryError("a select item needs a name")
		case unsafeName(it.Name):
			return UnsafeAliasPathError(it.Name)
		case it.Nested != nil:
			if it.Expr != nil {
				return InvalidQueryError("select item " + strconv.Quote(it.Name) + " has both an expression and a nested object")
			}
			if err := checkSelect(it.Nested, grouped); err != nil {
				return err
			}
		default:
			if err := checkExpr(it.Expr, grouped); err != nil {
				return err
			}
		}
	}
	return nil
}

// rewriter turns the expressions of a grouped query into reads of the
// reduce operator's output: a grouped expression becomes $group.i, an
// aggregate $agg.j (each distinct aggregate computed once).
type rewriter struct {
	groupBy map[string]int
	aggIdx  map[string]int
	aggs    []collection.Func
}

func newRewriter(groupBy []collection.Expr) *rewriter {
	rw := &rewriter{groupBy: map[string]int{}, aggIdx: map[string]int{}}
	for i, e := range groupBy {
		if _, ok := rw.groupBy[exprText(e)]; !ok {
			rw.groupBy[exprText(e)] = i
		}
	}
	return rw
}

func (rw *rewriter) expr(e collection.Expr) collection.Expr {
	e = norm(e)
	if i, ok := rw.groupBy[exprText(e)]; ok {
		return collection.Ref{Path: []string{groupKey, strconv.Itoa(i)}}
	}
	f, ok := e.(collection.Func)
	if !ok {
		return e
	}
	if isAggregate(f.Name) {
		t := exprText(f)
		j, ok := rw.aggIdx[t]
		if !ok {
			j = len(rw.aggs)
			rw.aggIdx[t] = j
			rw.aggs = append(rw.aggs, f)
		}
		return collection.Ref{Path: []string{aggKey, strconv.Itoa(j)}}
	}
	args := make([]collection.Expr, len(f.Args))
	for i, a := range f.Args {
		args[i] = rw.expr(a)
	}
	return collection.Func{Name: f.Name, Args: args}
}

func (rw *rewriter) selectItems(items []SelectItem) ([]SelectItem, error) {
	if items == nil {
		return nil, nil
	}
	out := make([]SelectItem, len(items))
	for i, it := range items {
		out[i] = it
		if it.Nested != nil {
			n, err := rw.selectItems(it.Nested)
			if err != nil {
				return nil, err
			}
			out[i].Nested = n
			continue
		}
		out[i].Expr = rw.expr(it.Expr)
		for a := range aliasesOf(out[i].Expr) {
			if a != groupKey && a != aggKey {
				return nil, NonAggregateExpressionNotInGroupByError(it.Name)
			}
		}
	}
	return out, nil
}
