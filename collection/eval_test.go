package collection

import (
	"testing"

	"github.com/localfirst/gopowersync/internal/testutil"
)

func TestEvalFollowsSQLSemantics(t *testing.T) {
	r := Row{"name": "Widget", "price": int64(150), "ratio": 0.5, "cat": "electronics", "none": nil,
		"nested": map[string]any{"x": int64(1)}}
	f := Field
	v := Value
	cases := []struct {
		name string
		e    Expr
		want any
	}{
		{"eq", Eq(f("cat"), v("electronics")), true},
		{"eq int float", Eq(f("price"), v(150.0)), true},
		{"gt", Gt(f("price"), v(int64(100))), true},
		{"gte", Gte(f("price"), v(int64(150))), true},
		{"lt", Lt(f("ratio"), v(int64(1))), true},
		{"lte false", Lte(f("price"), v(int64(149))), false},
		{"null comparison is unknown", Eq(f("none"), v(int64(1))), nil},
		{"and false wins over unknown", And(Eq(f("none"), v(1)), v(false)), false},
		{"and with unknown is unknown", And(Eq(f("none"), v(1)), v(true)), nil},
		{"or true wins over unknown", Or(Eq(f("none"), v(1)), v(true)), true},
		{"not unknown is unknown", Not(Eq(f("none"), v(1))), nil},
		{"not", Not(Eq(f("cat"), v("x"))), true},
		{"isNull", IsNull(f("none")), true},
		{"isUndefined of a missing field", IsUndefined(f("missing")), true},
		{"in", InArray(f("price"), v([]any{int64(1), int64(150)})), true},
		{"in miss", InArray(f("cat"), v([]any{"a"})), false},
		{"like", Like(f("name"), v("Wid%")), true},
		{"like is case-sensitive", Like(f("name"), v("wid%")), false},
		{"like underscore", Like(f("name"), v("W_dget")), true},
		{"ilike", ILike(f("name"), v("%DGET")), true},
		{"upper", Upper(f("name")), "WIDGET"},
		{"lower", Lower(f("name")), "widget"},
		{"length", Length(f("name")), int64(6)},
		{"length of a list", Length(v([]any{int64(1), "x"})), int64(2)},
		{"concat", Concat(f("name"), v("-"), f("none"), f("price")), "Widget-150"},
		{"add ints", Add(f("price"), v(int64(1))), int64(151)},
		{"add floats", Add(f("ratio"), v(int64(1))), 1.5},
		{"add reads null as 0", Add(f("none"), v(int64(1))), int64(1)},
		{"add of two nulls is 0", Add(f("none"), f("none")), int64(0)},
		{"subtract reads null as 0", Func{Name: "subtract", Args: []Expr{f("none"), v(int64(2))}}, int64(-2)},
		{"multiply reads null as 0", Func{Name: "multiply", Args: []Expr{f("price"), f("none")}}, int64(0)},
		{"divide by null is null", Func{Name: "divide", Args: []Expr{f("price"), f("none")}}, nil},
		{"divide null by a number is 0", Func{Name: "divide", Args: []Expr{f("none"), v(int64(2))}}, int64(0)},
		{"divide with a fraction is a float", Func{Name: "divide", Args: []Expr{v(int64(7)), v(int64(2))}}, 3.5},
		{"in a non-list is false", InArray(f("price"), v(int64(150))), false},
		{"in null is false", InArray(f("price"), f("none")), false},
		{"unknown in a non-list is unknown", InArray(f("none"), v("x")), nil},
		{"coalesce", Coalesce(f("none"), f("cat")), "electronics"},
		{"nested path", Eq(Ref{Path: []string{"nested", "x"}}, v(int64(1))), true},
		{"text sorts after numbers", Gt(v("a"), v(int64(9))), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.e, r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

// TestEvalTellsUndefinedFromNull: as TanStack DB 0.9.2 evaluates them
// (checked in its evaluators.ts and by running it in Node), a field the
// row does not have is undefined, not null: isNull is false and
// isUndefined true for it, length of either is 0, upper and lower return
// it as it is, and every other function treats it as null (unknown).
func TestEvalTellsUndefinedFromNull(t *testing.T) {
	r := Row{"none": nil, "n": int64(2), "obj": map[string]any{"nil": nil}, "s": "x"}
	f, v := Field, Value
	path := func(p ...string) Ref { return Ref{Path: p} }
	cases := []struct {
		name string
		e    Expr
		want any
	}{
		{"isNull of null", IsNull(f("none")), true},
		{"isNull of undefined", IsNull(f("missing")), false},
		{"isUndefined of null", IsUndefined(f("none")), false},
		{"isUndefined of undefined", IsUndefined(f("missing")), true},
		{"not isNull of undefined", Not(IsNull(f("missing"))), true},
		{"isUndefined past a missing object", IsUndefined(path("gone", "x")), true},
		{"isUndefined into text", IsUndefined(path("s", "x")), true},
		{"a step that meets null is null", IsNull(path("none", "x")), true},
		{"a missing key of an object", IsUndefined(path("obj", "x")), true},
		{"a null key of an object", IsNull(path("obj", "nil")), true},
		{"length of null", Length(f("none")), int64(0)},
		{"length of undefined", Length(f("missing")), int64(0)},
		{"length of a number", Length(f("n")), int64(0)},
		{"upper of null", Upper(f("none")), nil},
		{"upper of a number", Upper(f("n")), int64(2)},
		{"isUndefined of upper of undefined", IsUndefined(Upper(f("missing"))), true},
		{"isNull of upper of null", IsNull(Lower(f("none"))), true},
		{"eq with undefined is unknown", Eq(f("missing"), v(int64(1))), nil},
		{"gt with undefined is unknown", Gt(f("missing"), v(int64(1))), nil},
		{"in with undefined is unknown", InArray(f("missing"), v([]any{int64(1)})), nil},
		{"like with undefined is unknown", Like(f("missing"), v("%")), nil},
		{"not undefined is unknown", Not(f("missing")), nil},
		{"and with undefined is unknown", And(f("missing"), v(true)), nil},
		{"or with undefined and true", Or(f("missing"), v(true)), true},
		{"coalesce skips undefined", Coalesce(f("missing"), f("n")), int64(2)},
		{"coalesce of nothing known is null", IsNull(Coalesce(f("missing"), f("none"))), true},
		{"concat reads undefined as empty", Concat(f("missing"), v("-")), "-"},
		{"add reads undefined as 0", Add(f("missing"), v(int64(1))), int64(1)},
		{"in undefined is false", InArray(v(int64(1)), f("missing")), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Eval(tc.e, r)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %#v, want %#v", got, tc.want)
			}
		})
	}
	if v, defined, err := Evaluate(Upper(f("missing")), r); err != nil || defined || v != nil {
		t.Errorf("Evaluate(upper(missing)) = %v, %v, %v; want nil, undefined", v, defined, err)
	}
	if v, defined, err := Evaluate(f("none"), r); err != nil || !defined || v != nil {
		t.Errorf("Evaluate(none) = %v, %v, %v; want nil, defined", v, defined, err)
	}
	if v, defined, err := Evaluate(Coalesce(f("missing")), r); err != nil || !defined || v != nil {
		t.Errorf("Evaluate(coalesce(missing)) = %v, %v, %v; want null, defined", v, defined, err)
	}
}

func TestEvalRejectsUnknownFunctionsAndWrongArity(t *testing.T) {
	_, err := Eval(Func{Name: "regexp", Args: []Expr{Value("x")}}, nil)
	testutil.WantErr[*UnknownFunctionError](t, err)
	_, err = Eval(Func{Name: "eq", Args: []Expr{Value("x")}}, nil)
	testutil.WantErr[*ExpressionError](t, err)
}

func TestMatchesTreatsUnknownAsNoMatch(t *testing.T) {
	ok, err := Matches(Eq(Field("none"), Value(1)), Row{})
	if err != nil || ok {
		t.Fatalf("%v %v", ok, err)
	}
	ok, err = Matches(nil, Row{})
	if err != nil || !ok {
		t.Fatal("nil filter must match")
	}
}
