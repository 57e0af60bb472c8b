package collection

// Expr is an expression over an item: the seed of the live-query IR, used
// for on-demand subsets and subscription filters. It is one of Ref, Val
// or Func.
type Expr interface{ isExpr() }

// Ref reads a field of the item; a longer Path reads into nested maps.
type Ref struct{ Path []string }

// Val is a constant.
type Val struct{ Value any }

// Func applies a function, named as in TanStack DB's IR ("eq", "gt", "gte",
// "lt", "lte", "and", "or", "not", "isNull", "isUndefined", "in", "like",
// "ilike", "upper", "lower", "length", "concat", "add", "subtract",
// "multiply", "divide", "coalesce"), to its arguments.
type Func struct {
	Name string
	Args []Expr
}

func (Ref) isExpr()  {}
func (Val) isExpr()  {}
func (Func) isExpr() {}

// Field returns a Ref to a top-level field.
func Field(name string) Ref { return Ref{Path: []string{name}} }

// Value returns a constant.
func Value(v any) Val { return Val{Value: v} }

func fn(name string, args ...Expr) Func { return Func{Name: name, Args: args} }

// Eq is a = b.
func Eq(a, b Expr) Func { return fn("eq", a, b) }

// Gt is a > b.
func Gt(a, b Expr) Func { return fn("gt", a, b) }

// Gte is a >= b.
func Gte(a, b Expr) Func { return fn("gte", a, b) }

// Lt is a < b.
func Lt(a, b Expr) Func { return fn("lt", a, b) }

// Lte is a <= b.
func Lte(a, b Expr) Func { return fn("lte", a, b) }

// And is true when every argument is.
func And(args ...Expr) Func { return fn("and", args...) }

// Or is true when some argument is.
func Or(args ...Expr) Func { return fn("or", args...) }

// Not negates its argument (unknown stays unknown).
func Not(a Expr) Func { return fn("not", a) }

// IsNull is true when a is null, and false when it is undefined (a field
// the item does not have, or any field of an outer join's missing side),
// as in TanStack DB.
func IsNull(a Expr) Func { return fn("isNull", a) }

// IsUndefined is true when a is undefined: a field the item does not have
// (JSON drops a JS undefined, so an item has no other kind), or any field
// of an outer join's missing side. A null field is not undefined.
func IsUndefined(a Expr) Func { return fn("isUndefined", a) }

// InArray is true when a equals one of the values of list (a Val holding a
// []any). As in TanStack DB 0.9.2 it is unknown (nil) when a is null or
// undefined, and false when list is not a list (null, a scalar).
func InArray(a, list Expr) Func { return fn("in", a, list) }

// Like matches a against a pattern with % and _ wildcards, case-sensitively.
func Like(a, pattern Expr) Func { return fn("like", a, pattern) }

// ILike is Like ignoring case.
func ILike(a, pattern Expr) Func { return fn("ilike", a, pattern) }

// Upper upper-cases a string; any other value is returned as it is.
func Upper(a Expr) Func { return fn("upper", a) }

// Lower lower-cases a string; any other value is returned as it is.
func Lower(a Expr) Func { return fn("lower", a) }

// Length is the number of characters (code points) of a string or of
// elements of a list, and 0 for anything else, null and undefined
// included, as in TanStack DB.
func Length(a Expr) Func { return fn("length", a) }

// Concat joins its arguments as text; null counts as empty.
func Concat(args ...Expr) Func { return fn("concat", args...) }

// Add is a + b, reading null and undefined as 0 as TanStack DB 0.9.2
// does: Add(null, 2) is 2.
func Add(a, b Expr) Func { return fn("add", a, b) }

// Coalesce is its first non-null argument.
func Coalesce(args ...Expr) Func { return fn("coalesce", args...) }
