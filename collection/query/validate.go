package query

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/collection"
)

// arities of the scalar functions: the exact number of arguments, or -1
// for one or more.
var arities = map[string]int{
	"eq": 2, "gt": 2, "gte": 2, "lt": 2, "lte": 2,
	"and": -1, "or": -1, "not": 1, "isNull": 1, "isUndefined": 1,
	"in": 2, "like": 2, "ilike": 2, "upper": 1, "lower": 1, "length": 1,
	"concat": -1, "coalesce": -1, "add": 2, "subtract": 2, "multiply": 2, "divide": 2,
}

// checkExpr checks e's functions, arities and references; aggregates are
// accepted only where aggOK (and not inside another aggregate).
func checkExpr(e collection.Expr, aggOK bool) error {
	switch x := e.(type) {
	case collection.Ref:
		if len(x.Path) == 0 {
			return ErrEmptyReferencePath
		}
		return nil
	case *collection.Ref:
		return checkExpr(*x, aggOK)
	case collection.Val:
		return nil
	case *collection.Val:
		return nil
	case collection.Func:
		if isAggregate(x.Name) {
			if !aggOK {
				return ErrAggregateNotSupported
			}
			if len(x.Args) != 1 {
				return InvalidQueryError(x.Name + "() takes one argument")
			}
			return checkExpr(x.Args[0], false)
		}
		n, ok := arities[x.Name]
		if !ok {
			return UnknownFunctionError(x.Name)
		}
		if (n < 0 && len(x.Args) == 0) || (n >= 0 && len(x.Args) != n) {
			return InvalidQueryError(x.Name + "() takes " + strconv.Itoa(n) + " arguments, not " + strconv.Itoa(len(x.Args)))
		}
		for _, a := range x.Args {
			if err := checkExpr(a, aggOK); err != nil {
				return err
			}
		}
		return nil
	case *collection.Func:
		return checkExpr(*x, aggOK)
	case nil:
		return InvalidQueryError("missing expression")
	}
	return UnknownExpressionTypeError(strings.TrimPrefix(typeName(e), "*"))
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// hasAggregate reports whether e contains an aggregate.
func hasAggregate(e collection.Expr) bool {
	found := false
	walk(e, func(x collection.Expr) {
		if f, ok := x.(collection.Func); ok && isAggregate(f.Name) {
			found = true
		}
	})
	return found
}

// walk calls fn for e and every expression inside it, pointer forms
// normalized to values.
func walk(e collection.Expr, fn func(collection.Expr)) {
	e = norm(e)
	fn(e)
	if f, ok := e.(collection.Func); ok {
		for _, a := range f.Args {
			walk(a, fn)
		}
	}
}

func norm(e collection.Expr) collection.Expr {
	switch x := e.(type) {
	case *collection.Ref:
		return *x
	case *collection.Val:
		return *x
	case *collection.Func:
		return *x
	}
	return e
}

// aliasesOf returns the aliases e reads.
func aliasesOf(e collection.Expr) map[string]bool {
	out := map[string]bool{}
	walk(e, func(x collection.Expr) {
		if r, ok := x.(collection.Ref); ok && len(r.Path) > 0 {
			out[r.Path[0]] = true
		}
	})
	return out
}

// exprText is a structural text of e, equal for equal expressions.
func exprText(e collection.Expr) string {
	var b strings.Builder
	var rec func(collection.Expr)
	rec = func(e collection.Expr) {
		switch x := norm(e).(type) {
		case collection.Ref:
			b.WriteString("ref(")
			b.WriteString(strconv.Quote(strings.Join(x.Path, "\x00")))
			b.WriteString(")")
		case collection.Val:
			b.Write(canon(nil, x.Value))
		case collection.Func:
			b.WriteString(x.Name)
			b.WriteString("(")
			for i, a := range x.Args {
				if i > 0 {
					b.WriteString(",")
				}
				rec(a)
			}
			b.WriteString(")")
		}
	}
	rec(e)
	return b.String()
}

// unsafeName reports select names that would pollute JS prototypes.
func unsafeName(name string) bool {
	return name == "__proto__" || name == "prototype" || name == "constructor"
}
