package powersync

import (
	"strconv"
	"strings"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/jsstring"
)

// CompileError reports an expression that cannot be pushed down to SQLite.
type CompileError struct{ Reason string }

// Error describes the failure.
func (e *CompileError) Error() string { return "powersync: compile where: " + e.Reason }

// Name returns "CompileError".
func (e *CompileError) Name() string { return "CompileError" }

// CompileWhere turns a filter expression into a SQLite WHERE clause over
// the view's columns and its parameters. It supports eq, gt, gte, lt, lte,
// and, or, not, isNull, isUndefined, in, like, ilike, upper, lower,
// length, concat, add, subtract, multiply and coalesce; anything else,
// nested paths and comparisons with null are errors. Arithmetic reads NULL
// as 0 (IFNULL(a, 0) + IFNULL(b, 0)) and in against a constant that is not
// a list is false (NULL for a NULL value), as collection.Eval and TanStack
// DB 0.9.2 answer. like is case-sensitive (compiled to
// GLOB, as collection.Eval evaluates it), ilike ignores case.
//
// A column of the view is never undefined (a row the view shows has every
// column, NULL read as null): isNull is IS NULL and isUndefined is false.
// upper, lower and length call the store's powersync_js_upper,
// powersync_js_lower and powersync_js_length, which run collection.Eval's
// code: JavaScript's full case mapping (straße → STRASSE) and UTF-16 length
// (👍 is 2); other values than text pass through upper and lower, and their
// length is 0. ilike lowers both sides the same way.
func CompileWhere(e collection.Expr) (string, []any, error) {
	c := &sqlCompiler{}
	if err := c.expr(e); err != nil {
		return "", nil, err
	}
	return c.b.String(), c.params, nil
}

type sqlCompiler struct {
	b      strings.Builder
	params []any
}

func (c *sqlCompiler) expr(e collection.Expr) error {
	switch x := e.(type) {
	case collection.Ref:
		return c.ref(x.Path)
	case *collection.Ref:
		return c.ref(x.Path)
	case collection.Val:
		c.val(x.Value)
		return nil
	case *collection.Val:
		c.val(x.Value)
		return nil
	case collection.Func:
		return c.fn(&x)
	case *collection.Func:
		return c.fn(x)
	}
	return &CompileError{Reason: "unknown expression node"}
}

func (c *sqlCompiler) ref(path []string) error {
	if len(path) != 1 {
		return &CompileError{Reason: "only top-level columns can be pushed down, not " + strconv.Quote(strings.Join(path, "."))}
	}
	c.b.WriteString(quoteIdent(path[0]))
	return nil
}

func (c *sqlCompiler) val(v any) {
	if v == nil {
		c.b.WriteString("NULL")
		return
	}
	c.b.WriteByte('?')
	c.params = append(c.params, v)
}

func isNullVal(e collection.Expr) bool {
	switch x := e.(type) {
	case collection.Val:
		return x.Value == nil
	case *collection.Val:
		return x.Value == nil
	}
	return false
}

func funcOf(e collection.Expr) (*collection.Func, bool) {
	switch x := e.(type) {
	case collection.Func:
		return &x, true
	case *collection.Func:
		return x, true
	}
	return nil, false
}

var comparisons = map[string]string{"eq": " = ", "gt": " > ", "gte": " >= ", "lt": " < ", "lte": " <= "}

// jsFuncs maps upper, lower and length to the store's SQLite functions
// that run collection.Eval's own Go code (internal/jsstring): JavaScript's
// full case mapping and UTF-16 length, where SQLite's UPPER and LOWER change
// ASCII letters only and its LENGTH counts runes.
var jsFuncs = map[string]string{"upper": "powersync_js_upper", "lower": "powersync_js_lower", "length": "powersync_js_length"}

func (c *sqlCompiler) fn(f *collection.Func) error {
	arity := func(n int) error {
		if len(f.Args) != n {
			return &CompileError{Reason: f.Name + " expects " + strconv.Itoa(n) + " arguments, got " + strconv.Itoa(len(f.Args))}
		}
		return nil
	}
	if op, ok := comparisons[f.Name]; ok {
		if err := arity(2); err != nil {
			return err
		}
		if isNullVal(f.Args[0]) || isNullVal(f.Args[1]) {
			return &CompileError{Reason: f.Name + " with null is never true; use isNull"}
		}
		return c.infix(op, f.Args)
	}
	if fn, ok := jsFuncs[f.Name]; ok {
		if err := arity(1); err != nil {
			return err
		}
		c.b.WriteString(fn + "(")
		if err := c.expr(f.Args[0]); err != nil {
			return err
		}
		c.b.WriteByte(')')
		return nil
	}
	switch f.Name {
	case "and", "or":
		if len(f.Args) == 0 {
			return &CompileError{Reason: f.Name + " expects arguments"}
		}
		return c.infix(" "+strings.ToUpper(f.Name)+" ", f.Args)
	case "not":
		if err := arity(1); err != nil {
			return err
		}
		if inner, ok := funcOf(f.Args[0]); ok && inner.Name == "isNull" && len(inner.Args) == 1 {
			c.b.WriteByte('(')
			if err := c.expr(inner.Args[0]); err != nil {
				return err
			}
			c.b.WriteString(" IS NOT NULL)")
			return nil
		}
		c.b.WriteString("NOT (")
		if err := c.expr(f.Args[0]); err != nil {
			return err
		}
		c.b.WriteByte(')')
		return nil
	case "isUndefined":
		if err := arity(1); err != nil {
			return err
		}
		c.b.WriteString("(0)") // a column is never undefined
		return nil
	case "isNull":
		if err := arity(1); err != nil {
			return err
		}
		c.b.WriteByte('(')
		if err := c.expr(f.Args[0]); err != nil {
			return err
		}
		c.b.WriteString(" IS NULL)")
		return nil
	case "in":
		if err := arity(2); err != nil {
			return err
		}
		var list []any
		isVal := true
		switch x := f.Args[1].(type) {
		case collection.Val:
			list, _ = x.Value.([]any)
		case *collection.Val:
			list, _ = x.Value.([]any)
		default:
			isVal = false
		}
		if !isVal {
			return &CompileError{Reason: "in expects a list value"}
		}
		if len(list) == 0 {
			// Not a list, or an empty one: nothing is in it, so false, but
			// an unknown value stays unknown (SQLite's NULL IN () is 0).
			c.b.WriteString("(CASE WHEN (")
			if err := c.expr(f.Args[0]); err != nil {
				return err
			}
			c.b.WriteString(") IS NULL THEN NULL ELSE 0 END)")
			return nil
		}
		c.b.WriteByte('(')
		if err := c.expr(f.Args[0]); err != nil {
			return err
		}
		c.b.WriteString(" IN (")
		for i, v := range list {
			if i > 0 {
				c.b.WriteString(", ")
			}
			c.val(v)
		}
		c.b.WriteString("))")
		return nil
	case "like", "ilike":
		if err := arity(2); err != nil {
			return err
		}
		pat, ok := likePattern(f.Args[1])
		if !ok {
			return &CompileError{Reason: f.Name + " expects a constant text pattern"}
		}
		c.b.WriteByte('(')
		if f.Name == "ilike" {
			c.b.WriteString(jsFuncs["lower"] + "(")
			if err := c.expr(f.Args[0]); err != nil {
				return err
			}
			c.b.WriteString(") GLOB ?)")
			c.params = append(c.params, likeToGlob(jsstring.Lower(pat)))
			return nil
		}
		if err := c.expr(f.Args[0]); err != nil {
			return err
		}
		c.b.WriteString(" GLOB ?)")
		c.params = append(c.params, likeToGlob(pat))
		return nil
	case "concat", "coalesce":
		if len(f.Args) == 0 {
			return &CompileError{Reason: f.Name + " expects arguments"}
		}
		c.b.WriteString(strings.ToUpper(f.Name))
		c.b.WriteByte('(')
		for i, a := range f.Args {
			if i > 0 {
				c.b.WriteString(", ")
			}
			if err := c.expr(a); err != nil {
				return err
			}
		}
		c.b.WriteByte(')')
		return nil
	case "add", "subtract", "multiply":
		if err := arity(2); err != nil {
			return err
		}
		// As collection.Eval: null counts as 0, not SQL's null in, null out.
		op := map[string]string{"add": " + ", "subtract": " - ", "multiply": " * "}[f.Name]
		c.b.WriteByte('(')
		for i, a := range f.Args {
			if i > 0 {
				c.b.WriteString(op)
			}
			c.b.WriteString("IFNULL(")
			if err := c.expr(a); err != nil {
				return err
			}
			c.b.WriteString(", 0)")
		}
		c.b.WriteByte(')')
		return nil
	}
	return &collection.UnknownFunctionError{Function: f.Name}
}

// infix writes (a op b op c), each operand in parentheses when it is a
// function, so precedence never depends on SQLite's.
func (c *sqlCompiler) infix(op string, args []collection.Expr) error {
	c.b.WriteByte('(')
	for i, a := range args {
		if i > 0 {
			c.b.WriteString(op)
		}
		if err := c.expr(a); err != nil {
			return err
		}
	}
	c.b.WriteByte(')')
	return nil
}

func likePattern(e collection.Expr) (string, bool) {
	switch x := e.(type) {
	case collection.Val:
		s, ok := x.Value.(string)
		return s, ok
	case *collection.Val:
		s, ok := x.Value.(string)
		return s, ok
	}
	return "", false
}

// likeToGlob translates a LIKE pattern (% and _) to a GLOB pattern, whose
// matching is case-sensitive, escaping GLOB's own wildcards.
func likeToGlob(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '%':
			b.WriteByte('*')
		case '_':
			b.WriteByte('?')
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
