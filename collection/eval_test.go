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
		{"isNull of a missing field", IsUndefined(f("missing")), true},
		{"in", InArray(f("price"), v([]any{int64(1), int64(150)})), true},
		{"in miss", InArray(f("cat"), v([]any{"a"})), false},
		{"like", Like(f("name"), v("Wid%")), true},
		{"like is case-sensitive", Like(f("name"), v("wid%")), false},
		{"like underscore", Like(f("name"), v("W_dget")), true},
		{"ilike", ILike(f("name"), v("%DGET")), true},
		{"upper", Upper(f("name")), "WIDGET"},
		{"lower", Lower(f("name")), "widget"},
		{"length", Length(f("name")), int64(6)},
		{"concat", Concat(f("name"), v("-"), f("none"), f("price")), "Widget-150"},
		{"add ints", Add(f("price"), v(int64(1))), int64(151)},
		{"add floats", Add(f("ratio"), v(int64(1))), 1.5},
		{"add null", Add(f("none"), v(int64(1))), nil},
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
