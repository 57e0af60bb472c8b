package powersync

import (
	"errors"
	"reflect"
	"sort"
	"testing"

	c "github.com/localfirst/gopowersync/collection"
)

func TestCompileWhereProducesSQLAndParams(t *testing.T) {
	f, v := c.Field, c.Value
	cases := []struct {
		name   string
		e      c.Expr
		sql    string
		params []any
	}{
		{"eq", c.Eq(f("name"), v("x")), `("name" = ?)`, []any{"x"}},
		{"gt", c.Gt(f("n"), v(1)), `("n" > ?)`, []any{1}},
		{"gte", c.Gte(f("n"), v(1)), `("n" >= ?)`, []any{1}},
		{"lt", c.Lt(f("n"), v(1)), `("n" < ?)`, []any{1}},
		{"lte", c.Lte(f("n"), v(1)), `("n" <= ?)`, []any{1}},
		{"and of two", c.And(c.Eq(f("a"), v(1)), c.Eq(f("b"), v(2))), `(("a" = ?) AND ("b" = ?))`, []any{1, 2}},
		{"and of three", c.And(c.Eq(f("a"), v(1)), c.Eq(f("b"), v(2)), c.Eq(f("c"), v(3))), `(("a" = ?) AND ("b" = ?) AND ("c" = ?))`, []any{1, 2, 3}},
		{"or", c.Or(c.Eq(f("a"), v(1)), c.Lt(f("b"), v(2))), `(("a" = ?) OR ("b" < ?))`, []any{1, 2}},
		{"is null", c.IsNull(f("a")), `("a" IS NULL)`, nil},
		{"is not null", c.Not(c.IsNull(f("a"))), `("a" IS NOT NULL)`, nil},
		{"not", c.Not(c.Eq(f("a"), v(1))), `NOT (("a" = ?))`, []any{1}},
		{"in", c.InArray(f("a"), v([]any{1, 2})), `("a" IN (?, ?))`, []any{1, 2}},
		{"like", c.Like(f("a"), v("a%b_[c]*")), `("a" GLOB ?)`, []any{"a*b?[[]c][*]"}},
		{"ilike", c.ILike(f("a"), v("AB%")), `(powersync_js_lower("a") GLOB ?)`, []any{"ab*"}},
		{"quoted name", c.Eq(f(`col"name`), v(1)), `("col""name" = ?)`, []any{1}},
		{"upper", c.Eq(c.Upper(f("a")), v("X")), `(powersync_js_upper("a") = ?)`, []any{"X"}},
		{"lower", c.Eq(c.Lower(f("a")), v("x")), `(powersync_js_lower("a") = ?)`, []any{"x"}},
		{"length", c.Gt(c.Length(f("a")), v(3)), `(powersync_js_length("a") > ?)`, []any{3}},
		{"length of a parameter", c.Eq(c.Length(c.Concat(f("a"), v("-"))), v(3)),
			`(powersync_js_length(CONCAT("a", ?)) = ?)`, []any{"-", 3}},
		{"is undefined: never, a column is null or a value", c.IsUndefined(f("a")), `(0)`, nil},
		{"not is undefined", c.Not(c.IsUndefined(f("a"))), `NOT ((0))`, nil},
		{"concat", c.Eq(c.Concat(f("a"), v("-"), f("b")), v("x-y")), `(CONCAT("a", ?, "b") = ?)`, []any{"-", "x-y"}},
		{"add reads null as 0", c.Gt(c.Add(f("a"), v(1)), v(2)), `((IFNULL("a", 0) + IFNULL(?, 0)) > ?)`, []any{1, 2}},
		{"subtract", c.Gt(c.Func{Name: "subtract", Args: []c.Expr{f("a"), f("b")}}, v(2)), `((IFNULL("a", 0) - IFNULL("b", 0)) > ?)`, []any{2}},
		{"in a non-list is false unless the value is null", c.InArray(f("a"), v(3)), `(CASE WHEN ("a") IS NULL THEN NULL ELSE 0 END)`, nil},
		{"coalesce", c.Eq(c.Coalesce(f("a"), f("b")), v(1)), `(COALESCE("a", "b") = ?)`, []any{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sql, params, err := CompileWhere(tc.e)
			if err != nil {
				t.Fatal(err)
			}
			if sql != tc.sql || !reflect.DeepEqual(params, tc.params) {
				t.Fatalf("got %s %v, want %s %v", sql, params, tc.sql, tc.params)
			}
		})
	}
}

func TestCompileWhereRefusesWhatItCannotPushDown(t *testing.T) {
	var ce *CompileError
	var ue *c.UnknownFunctionError
	cases := []struct {
		name string
		e    c.Expr
		want any
	}{
		{"null comparison", c.Eq(c.Field("a"), c.Value(nil)), &ce},
		{"nested path", c.Eq(c.Ref{Path: []string{"a", "b"}}, c.Value(1)), &ce},
		{"wrong arity", c.Func{Name: "upper", Args: []c.Expr{c.Field("a"), c.Field("b")}}, &ce},
		{"unknown operator", c.Func{Name: "regexp", Args: []c.Expr{c.Field("a")}}, &ue},
	}
	for _, tc := range cases {
		_, _, err := CompileWhere(tc.e)
		if err == nil || !errors.As(err, tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestCompiledWhereSelectsWhatEvalMatches runs compiled wheres on a real
// SQLite view and compares the rows selected with collection.Match over
// the same rows: null in arithmetic counts as 0 and in against a non-list
// is false, also under not, where SQL's null and false part ways.
func TestCompiledWhereSelectsWhatEvalMatches(t *testing.T) {
	db := openDB(t)
	rows := []c.Row{
		{"id": "1", "n": int64(2), "score": 1.5, "name": "a"},
		{"id": "2", "n": nil, "score": 2.0, "name": "b"},
		{"id": "3", "n": int64(-1), "score": nil, "name": nil},
		{"id": "4", "n": nil, "score": nil, "name": "d"},
		{"id": "5", "n": int64(0), "score": 0.5, "name": "e"},
	}
	for _, r := range rows {
		exec(t, db, `INSERT INTO documents (id, n, score, name) VALUES (?, ?, ?, ?)`, r["id"], r["n"], r["score"], r["name"])
	}
	f, v := c.Field, c.Value
	sub := func(a, b c.Expr) c.Expr { return c.Func{Name: "subtract", Args: []c.Expr{a, b}} }
	mul := func(a, b c.Expr) c.Expr { return c.Func{Name: "multiply", Args: []c.Expr{a, b}} }
	for _, e := range []c.Expr{
		c.Eq(c.Add(f("n"), v(int64(1))), v(int64(1))),
		c.Gt(c.Add(f("n"), f("score")), v(int64(1))),
		c.Eq(c.Add(f("n"), f("score")), v(int64(0))),
		c.Lt(sub(f("score"), f("n")), v(int64(1))),
		c.Eq(mul(f("n"), f("score")), v(int64(0))),
		c.InArray(f("name"), v("a")),
		c.Not(c.InArray(f("name"), v("a"))),
		c.Not(c.InArray(f("name"), v([]any{}))),
		c.Not(c.InArray(f("n"), v([]any{int64(2), int64(0)}))),
	} {
		sql, params, err := CompileWhere(e)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.GetAll(ctx(t), `SELECT id FROM documents WHERE `+sql, params...)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for i := 0; i < res.Len(); i++ {
			got = append(got, res.Values[i][0].(string))
		}
		for _, r := range rows {
			ok, err := c.Matches(e, r)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				want = append(want, r["id"].(string))
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: SQLite selects %v, Eval %v", sql, got, want)
		}
	}
}
