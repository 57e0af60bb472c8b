package collection

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/internal/jsstring"
)

// Matches evaluates e over row as a filter: true only when e is true (an
// unknown result, from null operands, does not match), as SQL's WHERE does.
// A nil e matches every row.
func Matches(e Expr, row Row) (bool, error) {
	if e == nil {
		return true, nil
	}
	v, err := Eval(e, row)
	if err != nil {
		return false, err
	}
	return truthy(v), nil
}

// Eval evaluates e over row with SQL's three-valued logic: comparisons with
// null are null (unknown), and/or/not treat null as unknown. A value that
// is undefined in TanStack DB (a field the row does not have, such as any
// field of an outer join's missing side) reads as nil here; Evaluate tells
// it apart.
func Eval(e Expr, row Row) (any, error) {
	v, err := eval(e, row)
	if _, ok := v.(undefined); ok {
		return nil, err
	}
	return v, err
}

// Evaluate is Eval that also reports whether the value is defined: defined
// is false where TanStack DB 0.9.2 evaluates to undefined, not null, as a
// reference to a field the row does not have (or into a value that is not
// an object), and upper or lower of such a value; v is then nil. A select
// leaves such a field out, so that JS reads undefined. Every function
// treats undefined as it treats null (unknown), except isNull, which is
// true only for null, and isUndefined, true only for undefined.
func Evaluate(e Expr, row Row) (v any, defined bool, err error) {
	v, err = eval(e, row)
	if _, ok := v.(undefined); ok {
		return nil, false, err
	}
	return v, true, err
}

// undefined is the value of a reference that reads nothing, JS's
// undefined, inside the evaluator; Eval and Evaluate never return it.
type undefined struct{}

// unknown reports whether v is null or undefined: an unknown operand in
// three-valued logic.
func unknown(v any) bool {
	if v == nil {
		return true
	}
	_, ok := v.(undefined)
	return ok
}

func eval(e Expr, row Row) (any, error) {
	switch x := e.(type) {
	case Ref:
		return lookupDefined(row, x.Path), nil
	case *Ref:
		return lookupDefined(row, x.Path), nil
	case Val:
		return x.Value, nil
	case *Val:
		return x.Value, nil
	case Func:
		return evalFunc(&x, row)
	case *Func:
		return evalFunc(x, row)
	case nil:
		return nil, &ExpressionError{Function: "?", Message: "missing expression"}
	default:
		return nil, &ExpressionError{Function: "?", Message: "unknown expression node"}
	}
}

// lookup reads path, nil when anything on it is missing.
func lookup(row Row, path []string) any {
	var cur any = row
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// lookupDefined reads path as TanStack DB's reference does: undefined for
// a missing key or a step into a value that is not an object, but null
// when a step meets null.
func lookupDefined(row Row, path []string) any {
	var cur any = row
	for _, p := range path {
		if cur == nil {
			return nil
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return undefined{}
		}
		if cur, ok = m[p]; !ok {
			return undefined{}
		}
	}
	return cur
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case nil:
		return false
	default:
		f, ok := toNumber(v)
		return ok && f != 0
	}
}

func arity(f *Func, n int) error {
	if len(f.Args) != n {
		return &ExpressionError{Function: f.Name, Message: "expects " + strconv.Itoa(n) + " arguments, got " + strconv.Itoa(len(f.Args))}
	}
	return nil
}

func evalFunc(f *Func, row Row) (any, error) {
	switch f.Name {
	case "and", "or":
		if len(f.Args) == 0 {
			return nil, &ExpressionError{Function: f.Name, Message: "expects arguments"}
		}
		decisive := f.Name == "or" // the value that settles the result
		sawUnknown := false
		for _, a := range f.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			if unknown(v) {
				sawUnknown = true
				continue
			}
			if truthy(v) == decisive {
				return decisive, nil
			}
		}
		if sawUnknown {
			return nil, nil
		}
		return !decisive, nil
	case "coalesce": // the first known value; null when there is none
		for _, a := range f.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			if !unknown(v) {
				return v, nil
			}
		}
		return nil, nil
	case "concat":
		var b strings.Builder
		for _, a := range f.Args {
			v, err := eval(a, row)
			if err != nil {
				return nil, err
			}
			b.WriteString(textOf(v))
		}
		return b.String(), nil
	}
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		v, err := eval(a, row)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	switch f.Name {
	case "eq", "gt", "gte", "lt", "lte":
		if err := arity(f, 2); err != nil {
			return nil, err
		}
		if unknown(args[0]) || unknown(args[1]) {
			return nil, nil
		}
		c, comparable := compareValues(args[0], args[1])
		switch f.Name {
		case "eq":
			return comparable && c == 0, nil
		case "gt":
			return comparable && c > 0, nil
		case "gte":
			return comparable && c >= 0, nil
		case "lt":
			return comparable && c < 0, nil
		default:
			return comparable && c <= 0, nil
		}
	case "not":
		if err := arity(f, 1); err != nil {
			return nil, err
		}
		if unknown(args[0]) {
			return nil, nil
		}
		return !truthy(args[0]), nil
	case "isNull": // null only: a missing field is undefined, as in TanStack DB
		if err := arity(f, 1); err != nil {
			return nil, err
		}
		return args[0] == nil, nil
	case "isUndefined":
		if err := arity(f, 1); err != nil {
			return nil, err
		}
		_, ok := args[0].(undefined)
		return ok, nil
	case "in":
		if err := arity(f, 2); err != nil {
			return nil, err
		}
		// As TanStack DB 0.9.2: an unknown value is unknown whatever the
		// list; a second argument that is not a list (null, undefined, a
		// scalar, an object) holds nothing, so the answer is false.
		if unknown(args[0]) {
			return nil, nil
		}
		list, ok := args[1].([]any)
		if !ok {
			return false, nil
		}
		for _, v := range list {
			if c, ok := compareValues(args[0], v); ok && c == 0 {
				return true, nil
			}
		}
		return false, nil
	case "like", "ilike":
		if err := arity(f, 2); err != nil {
			return nil, err
		}
		if unknown(args[0]) || unknown(args[1]) {
			return nil, nil
		}
		s, p := textOf(args[0]), textOf(args[1])
		if f.Name == "ilike" {
			s, p = jsstring.Lower(s), jsstring.Lower(p)
		}
		return likeMatch(s, p), nil
	case "upper", "lower":
		if err := arity(f, 1); err != nil {
			return nil, err
		}
		// As TanStack DB: text changes case; anything else, null and
		// undefined included, is returned as it is.
		s, ok := args[0].(string)
		if !ok {
			return args[0], nil
		}
		if f.Name == "upper" {
			return jsstring.Upper(s), nil
		}
		return jsstring.Lower(s), nil
	case "length":
		if err := arity(f, 1); err != nil {
			return nil, err
		}
		// As TanStack DB: the UTF-16 code units of text (JS's length) or
		// the elements of a list, and 0 for anything else, null and
		// undefined included.
		switch x := args[0].(type) {
		case string:
			return int64(jsstring.Length(x)), nil
		case []any:
			return int64(len(x)), nil
		}
		return int64(0), nil
	case "add", "subtract", "multiply", "divide":
		if err := arity(f, 2); err != nil {
			return nil, err
		}
		return arith(f.Name, args[0], args[1])
	}
	return nil, &UnknownFunctionError{Function: f.Name}
}

// arith computes as TanStack DB 0.9.2 does: a null or undefined operand
// counts as 0 (so add(null, 2) is 2, not SQL's null), and division by zero
// is null. Integers stay integers where the result is whole; a quotient
// with a fraction is a float, as JavaScript's division gives.
func arith(op string, a, b any) (any, error) {
	if unknown(a) {
		a = int64(0)
	}
	if unknown(b) {
		b = int64(0)
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		switch op {
		case "add":
			return ai + bi, nil
		case "subtract":
			return ai - bi, nil
		case "multiply":
			return ai * bi, nil
		default:
			if bi == 0 {
				return nil, nil
			}
			if ai%bi != 0 {
				return float64(ai) / float64(bi), nil
			}
			return ai / bi, nil
		}
	}
	af, ok1 := toNumber(a)
	bf, ok2 := toNumber(b)
	if !ok1 || !ok2 {
		return nil, &ExpressionError{Function: op, Message: "expects numbers"}
	}
	switch op {
	case "add":
		return af + bf, nil
	case "subtract":
		return af - bf, nil
	case "multiply":
		return af * bf, nil
	default:
		if bf == 0 {
			return nil, nil
		}
		return af / bf, nil
	}
}

// textOf renders a value as SQL text does; null is "".
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "1"
		}
		return "0"
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return ""
	}
}

// typeRank orders values of different kinds as SQLite does: numbers, then
// text, then blobs.
func typeRank(v any) int {
	switch v.(type) {
	case string, time.Time:
		return 2
	case []byte:
		return 3
	default:
		if _, ok := toNumber(v); ok {
			return 1
		}
		if _, ok := v.(bool); ok {
			return 1
		}
		return 4
	}
}

// compareValues orders two non-null values; ok is false when they cannot
// be compared (containers).
func compareValues(a, b any) (int, bool) {
	ra, rb := typeRank(a), typeRank(b)
	if ra == 4 || rb == 4 {
		return 0, valuesEqual(a, b) // only equality makes sense
	}
	if ra != rb {
		if ra < rb {
			return -1, true
		}
		return 1, true
	}
	switch ra {
	case 1:
		if ai, ok := a.(int64); ok {
			if bi, ok := b.(int64); ok {
				return cmp3(ai < bi, ai > bi), true
			}
		}
		af, bf := numberOf(a), numberOf(b)
		return cmp3(af < bf, af > bf), true
	case 2:
		at, aok := a.(time.Time)
		bt, bok := b.(time.Time)
		if aok && bok {
			return cmp3(at.Before(bt), at.After(bt)), true
		}
		as, bs := textOf(a), textOf(b)
		return strings.Compare(as, bs), true
	default:
		return strings.Compare(string(a.([]byte)), string(b.([]byte))), true
	}
}

func numberOf(v any) float64 {
	if b, ok := v.(bool); ok {
		if b {
			return 1
		}
		return 0
	}
	f, _ := toNumber(v)
	return f
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// likeMatch matches s against a LIKE pattern: % is any run, _ any one
// character.
func likeMatch(s, p string) bool {
	// Iterative wildcard matching with backtracking to the last %.
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			pr, pw := utf8.DecodeRuneInString(p[pi:])
			switch pr {
			case '%':
				starP, starS = pi, si
				pi += pw
				continue
			case '_':
				_, sw := utf8.DecodeRuneInString(s[si:])
				si += sw
				pi += pw
				continue
			default:
				sr, sw := utf8.DecodeRuneInString(s[si:])
				if sr == pr {
					si += sw
					pi += pw
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, sw := utf8.DecodeRuneInString(s[starS:])
		starS += sw
		si = starS
		pi = starP + 1
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

// Compare orders two non-null values as Eval's lt and gt do: numbers (and
// booleans as 0 and 1), then text, then blobs. ok is false for values that
// have no order (containers); then c is 0 when they are equal.
func Compare(a, b any) (c int, ok bool) { return compareValues(a, b) }
