package query

import (
	"math"
	"strconv"

	"github.com/localfirst/gopowersync/collection"
)

// ParseIR reads a query IR from its JSON form, as decoded into maps,
// slices and scalars (the form the JS builder sends):
//
//	{ from: source, joins?: [{ source, type, on: expr }],
//	  where?: [expr], groupBy?: [expr], having?: [expr],
//	  select?: [item], orderBy?: [{ expr, direction?, nulls?, stringSort? }],
//	  limit?: n, offset?: n, distinct?: bool, findOne?: bool }
//	source = { alias, collection: index } | { alias, query: ir }
//	item   = { name, expr } | { name, nested: [item] } | { spread: alias }
//	expr   = { type: "ref", path: [..] } | { type: "val", value }
//	       | { type: "func" | "agg", name, args: [expr] }
//
// collection resolves a source's index into a collection. A malformed IR
// is a *Error (QueryCompilationError, UnknownExpressionTypeError); the
// query's own rules are checked later, by NewLiveQuery.
func ParseIR(v any, coll func(i int) (*collection.Collection, error)) (IR, error) {
	p := irParser{coll: coll}
	ir := p.query(v, "query")
	return ir, p.err
}

// ParseExpr reads one expression in the JSON form of ParseIR's expr (a
// subscription's where, over the bare row). A malformed one is a *Error,
// as ParseIR's; one that is not a condition (an aggregate) fails with
// InvalidWhereExpressionError's kind of error from checkExpr.
func ParseExpr(v any) (collection.Expr, error) {
	p := irParser{}
	e := p.expr(v, "where")
	if p.err != nil {
		return nil, p.err
	}
	if err := checkExpr(e, false); err != nil {
		return nil, err
	}
	return e, nil
}

type irParser struct {
	coll func(int) (*collection.Collection, error)
	err  error
}

func (p *irParser) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *irParser) bad(where, what string) { p.fail(InvalidQueryError(where + ": " + what)) }

func (p *irParser) obj(v any, where string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		p.bad(where, "want an object")
	}
	return m
}

func (p *irParser) list(v any, where string) []any {
	if v == nil {
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		p.bad(where, "want an array")
	}
	return l
}

func (p *irParser) str(v any, where string) string {
	s, ok := v.(string)
	if !ok {
		p.bad(where, "want a string")
	}
	return s
}

func (p *irParser) int(v any, where string) int {
	var f float64
	switch x := v.(type) {
	case int64:
		return int(x)
	case float64:
		f = x
	default:
		p.bad(where, "want a number")
		return 0
	}
	if f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
		p.bad(where, "want a non-negative integer")
		return 0
	}
	return int(f)
}

func (p *irParser) query(v any, where string) IR {
	m := p.obj(v, where)
	var ir IR
	if m == nil {
		return ir
	}
	if m["from"] == nil {
		p.fail(ErrQueryMustHaveFromClause)
		return ir
	}
	ir.From = p.source(m["from"], where+".from")
	for i, j := range p.list(m["joins"], where+".joins") {
		at := where + ".joins[" + strconv.Itoa(i) + "]"
		jm := p.obj(j, at)
		if jm == nil {
			return ir
		}
		typ := JoinLeft
		if t, ok := jm["type"]; ok && t != nil {
			typ = JoinType(p.str(t, at+".type"))
		}
		ir.Joins = append(ir.Joins, Join{Source: p.source(jm["source"], at+".source"), Type: typ, On: p.expr(jm["on"], at+".on")})
	}
	ir.Where = p.exprs(m["where"], where+".where")
	ir.GroupBy = p.exprs(m["groupBy"], where+".groupBy")
	ir.Having = p.exprs(m["having"], where+".having")
	if s, ok := m["select"]; ok && s != nil {
		ir.Select = p.items(s, where+".select")
	}
	for i, o := range p.list(m["orderBy"], where+".orderBy") {
		at := where + ".orderBy[" + strconv.Itoa(i) + "]"
		om := p.obj(o, at)
		if om == nil {
			return ir
		}
		ord := Ordering{Expr: p.expr(om["expr"], at+".expr")}
		if d, ok := om["direction"].(string); ok {
			ord.Direction = Direction(d)
		}
		if n, ok := om["nulls"].(string); ok {
			ord.Nulls = Nulls(n)
		}
		if s, ok := om["stringSort"].(string); ok {
			ord.StringSort = StringSort(s)
		}
		ir.OrderBy = append(ir.OrderBy, ord)
	}
	if l, ok := m["limit"]; ok && l != nil {
		n := p.int(l, where+".limit")
		ir.Limit = &n
	}
	if o, ok := m["offset"]; ok && o != nil {
		ir.Offset = p.int(o, where+".offset")
	}
	ir.Distinct, _ = m["distinct"].(bool)
	ir.FindOne, _ = m["findOne"].(bool)
	return ir
}

func (p *irParser) source(v any, where string) Source {
	m := p.obj(v, where)
	if m == nil {
		return Source{}
	}
	s := Source{Alias: p.str(m["alias"], where+".alias")}
	switch {
	case m["collection"] != nil:
		c, err := p.coll(p.int(m["collection"], where+".collection"))
		if err != nil {
			p.fail(err)
		}
		s.Collection = c
	case m["query"] != nil:
		sub := p.query(m["query"], where+".query")
		s.Query = &sub
	default:
		p.fail(InvalidSourceError(s.Alias))
	}
	return s
}

func (p *irParser) exprs(v any, where string) []collection.Expr {
	var out []collection.Expr
	for i, e := range p.list(v, where) {
		out = append(out, p.expr(e, where+"["+strconv.Itoa(i)+"]"))
	}
	return out
}

func (p *irParser) expr(v any, where string) collection.Expr {
	m := p.obj(v, where)
	if m == nil {
		return collection.Val{}
	}
	typ, _ := m["type"].(string)
	switch typ {
	case "ref":
		var path []string
		for i, s := range p.list(m["path"], where+".path") {
			path = append(path, p.str(s, where+".path["+strconv.Itoa(i)+"]"))
		}
		if len(path) == 0 {
			p.fail(ErrEmptyReferencePath)
		}
		return collection.Ref{Path: path}
	case "val":
		return collection.Val{Value: p.value(m["value"], where+".value")}
	case "func", "agg":
		name := p.str(m["name"], where+".name")
		if typ == "agg" && !isAggregate(name) {
			p.fail(UnsupportedAggregateFunctionError(name))
		}
		return collection.Func{Name: name, Args: p.exprs(m["args"], where+".args")}
	}
	p.fail(UnknownExpressionTypeError(typ))
	return collection.Val{}
}

func (p *irParser) items(v any, where string) []SelectItem {
	out := []SelectItem{}
	for i, it := range p.list(v, where) {
		at := where + "[" + strconv.Itoa(i) + "]"
		m := p.obj(it, at)
		if m == nil {
			return out
		}
		if s, ok := m["spread"]; ok {
			out = append(out, SelectItem{Spread: p.str(s, at+".spread")})
			continue
		}
		item := SelectItem{Name: p.str(m["name"], at+".name")}
		if n, ok := m["nested"]; ok {
			item.Nested = p.items(n, at+".nested")
		} else {
			item.Expr = p.expr(m["expr"], at+".expr")
		}
		out = append(out, item)
	}
	return out
}

// value restores the {"$int64": "decimal"} markers JS puts for integers
// beyond 2^53 (a JSON number there would arrive as a float), in arrays too.
func (p *irParser) value(v any, where string) any {
	switch v := v.(type) {
	case map[string]any:
		if s, ok := v["$int64"].(string); ok && len(v) == 1 {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				p.fail(InvalidQueryError(where + ": bad $int64 " + strconv.Quote(s)))
			}
			return i
		}
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = p.value(x, where+"["+strconv.Itoa(i)+"]")
		}
		return out
	}
	return v
}
