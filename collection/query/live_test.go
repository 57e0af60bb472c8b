package query_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

func todos(t *testing.T, rows ...collection.Row) (*collection.Runtime, *source) {
	t.Helper()
	rt := collection.NewRuntime()
	s := newSource(t, rt, "todos", "")
	var chs []collection.Change
	for _, r := range rows {
		chs = append(chs, collection.Change{Type: collection.ChangeInsert, Value: r})
	}
	if len(chs) > 0 {
		if err := s.p.Apply(chs); err != nil {
			t.Fatal(err)
		}
	}
	return rt, s
}

func keysOf(lq *query.LiveQuery) []string { return lq.Keys() }

func wantKeys(t *testing.T, lq *query.LiveQuery, want ...string) {
	t.Helper()
	got := keysOf(lq)
	if len(got) != len(want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("keys %v, want %v", got, want)
		}
	}
}

func TestAnOptimisticInsertShowsBeforeMutateReturnsAndARollbackDropsIt(t *testing.T) {
	rt, s := todos(t, collection.Row{"id": "1", "done": false})
	lq, err := query.NewLiveQuery(query.From("todo", s.c).Where(collection.Eq(ref("todo", "done"), val(false))), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var events []collection.Change
	lq.SubscribeChanges(func(chs []collection.Change) { events = append(events, chs...) }, collection.SubscribeOptions{})
	no := false
	tx, _ := rt.CreateTransaction(collection.TransactionConfig{AutoCommit: &no,
		MutationFn: func(context.Context, collection.TransactionParams) error { return nil }})
	if err := tx.Mutate(func() {
		if _, err := s.c.Insert([]collection.Row{{"id": "2", "done": false}}, nil); err != nil {
			t.Fatal(err)
		}
		if !lq.Has("2") || len(events) != 1 || events[0].Type != collection.ChangeInsert {
			t.Fatalf("inside Mutate: has=%v events=%v", lq.Has("2"), events)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if lq.Has("2") || len(events) != 2 || events[1].Type != collection.ChangeDelete {
		t.Fatalf("after rollback: has=%v events=%v", lq.Has("2"), events)
	}
}

func TestNullsFollowThreeValuedLogicAndSortFirst(t *testing.T) {
	_, s := todos(t,
		collection.Row{"id": "1", "n": int64(1)},
		collection.Row{"id": "2", "n": nil},
		collection.Row{"id": "3", "n": int64(3)},
	)
	mk := func(q query.Query) *query.LiveQuery {
		lq, err := query.NewLiveQuery(q, query.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return lq
	}
	from := query.From("t", s.c)
	// eq with null is unknown: nothing matches, even the null row.
	wantKeys(t, mk(from.Where(collection.Eq(ref("t", "n"), val(nil)))))
	// not(unknown) is unknown: the null row stays out.
	wantKeys(t, mk(from.Where(collection.Not(collection.Eq(ref("t", "n"), val(int64(1)))))), "3")
	wantKeys(t, mk(from.Where(collection.IsNull(ref("t", "n")))), "2")
	// or(unknown, true) is true.
	wantKeys(t, mk(from.Where(collection.Or(collection.Gt(ref("t", "n"), val(int64(2))), collection.IsNull(ref("t", "n"))))), "2", "3")
	// Nulls sort first in both directions by default.
	wantKeys(t, mk(from.OrderBy(ref("t", "n"), query.Asc)), "2", "1", "3")
	wantKeys(t, mk(from.OrderBy(ref("t", "n"), query.Desc)), "2", "3", "1")
	wantKeys(t, mk(from.OrderByWith(query.Ordering{Expr: ref("t", "n"), Direction: query.Desc, Nulls: query.NullsLast})), "3", "1", "2")
}

func TestStringsSortAsLocaleCompareUnlessLexical(t *testing.T) {
	_, s := todos(t,
		collection.Row{"id": "1", "s": "b"},
		collection.Row{"id": "2", "s": "B"},
		collection.Row{"id": "3", "s": "a"},
		collection.Row{"id": "4", "s": "C"},
	)
	lq, _ := query.NewLiveQuery(query.From("t", s.c).OrderBy(ref("t", "s"), query.Asc), query.Options{})
	wantKeys(t, lq, "3", "1", "2", "4") // a b B C, as "a".localeCompare orders them
	lex, _ := query.NewLiveQuery(query.From("t", s.c).OrderByWith(query.Ordering{Expr: ref("t", "s"), StringSort: query.StringSortLexical}), query.Options{})
	wantKeys(t, lex, "2", "4", "3", "1") // B C a b
}

func TestAJoinWithANullKeyMatchesNothing(t *testing.T) {
	rt, s := todos(t, collection.Row{"id": "t1", "user": nil}, collection.Row{"id": "t2", "user": "u1"})
	users := newSource(t, rt, "users", "")
	if err := users.p.Apply([]collection.Change{{Type: collection.ChangeInsert, Value: collection.Row{"id": "u1"}}}); err != nil {
		t.Fatal(err)
	}
	lq, err := query.NewLiveQuery(query.From("t", s.c).Join(query.Coll("u", users.c), collection.Eq(ref("t", "user"), ref("u", "id")), query.JoinLeft), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantKeys(t, lq, `[s"t1",u]`, `[s"t2",s"u1"]`)
	row, _ := lq.Get(`[s"t2",s"u1"]`)
	if row["u"].(collection.Row)["id"] != "u1" || row["t"].(collection.Row)["id"] != "t2" {
		t.Fatalf("joined row %v", row)
	}
}

func TestCleanupLeavesTheSourcesAndAReadRestartsTheQuery(t *testing.T) {
	_, s := todos(t, collection.Row{"id": "1"})
	lq, _ := query.NewLiveQuery(query.From("t", s.c), query.Options{})
	if s.c.SubscriberCount() != 1 {
		t.Fatalf("source subscribers %d, want 1", s.c.SubscriberCount())
	}
	lq.Cleanup()
	if s.c.SubscriberCount() != 0 || lq.Status() != collection.StatusCleanedUp {
		t.Fatalf("after cleanup: source subscribers %d, status %s", s.c.SubscriberCount(), lq.Status())
	}
	rows, err := lq.ToArrayWhenReady(context.Background())
	if err != nil || len(rows) != 1 {
		t.Fatalf("restarted: %v %v", rows, err)
	}
}

func TestAQueryWaitsForItsSourcesToBeReady(t *testing.T) {
	rt := collection.NewRuntime()
	var p *collection.SyncParams
	c, _ := rt.CreateCollection(collection.Config{ID: "slow", Sync: collection.SyncConfig{Sync: func(sp *collection.SyncParams) collection.SyncHandle {
		p = sp
		return collection.SyncHandle{}
	}}})
	lq, _ := query.NewLiveQuery(query.From("s", c), query.Options{})
	if lq.Status() != collection.StatusLoading {
		t.Fatalf("status %s, want loading", lq.Status())
	}
	if err := p.Apply([]collection.Change{{Type: collection.ChangeInsert, Value: collection.Row{"id": "x"}}}); err != nil {
		t.Fatal(err)
	}
	p.MarkReady()
	if err := lq.Preload(context.Background()); err != nil || !lq.Has("x") {
		t.Fatalf("preload %v, has %v", err, lq.Has("x"))
	}
}

func TestQueryErrorsCarryTanStackNamesAndMessages(t *testing.T) {
	_, s := todos(t)
	from := query.From("t", s.c)
	cases := []struct {
		q       query.Query
		name    string
		message string
	}{
		{from.Limit(1), "LimitOffsetRequireOrderByError", "LIMIT and OFFSET require an ORDER BY clause to ensure deterministic results"},
		{from.Offset(1), "LimitOffsetRequireOrderByError", "LIMIT and OFFSET require an ORDER BY clause to ensure deterministic results"},
		{from.Distinct(), "DistinctRequiresSelectError", "DISTINCT requires a SELECT clause."},
		{from.Having(collection.Gt(query.Count(ref("t", "id")), val(int64(1)))), "HavingRequiresGroupByError", "HAVING clause requires GROUP BY clause"},
		{from.InnerJoin(query.Coll("u", s.c), collection.Gt(ref("t", "id"), ref("u", "id"))), "JoinConditionMustBeEqualityError", "Join condition must be an equality expression"},
		{from.Where(collection.Func{Name: "sqrt", Args: []collection.Expr{ref("t", "n")}}), "UnknownFunctionError", "Unknown function: sqrt"},
		{from.Where(collection.Gt(query.Count(ref("t", "id")), val(int64(1)))), "AggregateNotSupportedError", "Aggregate expressions are not supported in this context. Use GROUP BY clause for aggregates."},
		{from.GroupBy(ref("t", "g")).Select(query.Field("n", ref("t", "n")), query.Field("c", query.Count(ref("t", "id")))), "NonAggregateExpressionNotInGroupByError", "Non-aggregate expression 'n' in SELECT must also appear in GROUP BY clause"},
		{from.InnerJoin(query.Coll("t", s.c), collection.Eq(ref("t", "id"), ref("t", "id"))), "DuplicateAliasInSubqueryError", ""},
		{from.InnerJoin(query.Coll("u", s.c), collection.Eq(ref("u", "id"), ref("u", "x"))), "InvalidJoinConditionSameSourceError", `Invalid join condition: both expressions refer to the same source "u"`},
		{from.InnerJoin(query.Coll("u", s.c), collection.Eq(ref("v", "id"), ref("u", "x"))), "InvalidJoinConditionLeftSourceError", `Invalid join condition: left expression refers to an unavailable source "v"`},
		{from.Select(query.Field("__proto__", ref("t", "id"))), "UnsafeAliasPathError", ""},
		{query.FromIR(query.IR{}), "QueryMustHaveFromClauseError", "Query must have a from clause"},
	}
	for _, c := range cases {
		_, err := query.NewLiveQuery(c.q, query.Options{Runtime: s.c.Runtime()})
		var qe *query.Error
		if !errors.As(err, &qe) || qe.Name() != c.name || (c.message != "" && qe.Error() != c.message) {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
	if err := query.Validate(from.Limit(1)); !errors.Is(err, query.ErrLimitOffsetRequireOrderBy) {
		t.Errorf("errors.Is: %v", err)
	}
}

// TestALeftJoinWithoutARightRowSelectsNoKeyFromIt: TanStack DB selects
// undefined from the missing side of an outer join (a field, the alias,
// a nested object's field); the result leaves those keys out, while a
// right row's null column stays a null value.
func TestALeftJoinWithoutARightRowSelectsNoKeyFromIt(t *testing.T) {
	rt, ts := todos(t, collection.Row{"id": "t1", "owner": "u1"}, collection.Row{"id": "t2", "owner": "u9"})
	us := newSource(t, rt, "users", "")
	if err := us.p.Apply([]collection.Change{{Type: collection.ChangeInsert, Value: collection.Row{"id": "u1", "name": nil}}}); err != nil {
		t.Fatal(err)
	}
	q := query.From("t", ts.c).LeftJoin(query.Coll("u", us.c), collection.Eq(ref("t", "owner"), ref("u", "id"))).
		Select(query.Field("id", ref("t", "id")), query.Field("name", ref("u", "name")), query.Field("user", query.Ref("u")),
			query.Object("nested", query.Field("name", ref("u", "name"))))
	lq, err := query.NewLiveQuery(q, query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	missing, ok := lq.Get(`[s"t2",u]`)
	if !ok {
		t.Fatalf("no row for t2: %v", lq.Keys())
	}
	for _, k := range []string{"name", "user"} {
		if v, has := missing[k]; has {
			t.Errorf("t2 without a user: %s = %v, want no key", k, v)
		}
	}
	if n, _ := missing["nested"].(collection.Row); n == nil || len(n) != 0 {
		t.Errorf("t2 without a user: nested = %v, want an empty object", missing["nested"])
	}
	found, _ := lq.Get(`[s"t1",s"u1"]`)
	if v, has := found["name"]; !has || v != nil {
		t.Errorf("t1: name = %v (present %v), want a null value", v, has)
	}
}

// TestALeftJoinsMissingSideIsUndefinedNotNull: as TanStack DB 0.9.2 runs
// them in Node, on the missing side of a left join isNull is false,
// isUndefined true and length 0, upper stays undefined (no key), and a
// where on isUndefined keeps exactly the rows without a right row; a right
// row's NULL column is null, not undefined.
func TestALeftJoinsMissingSideIsUndefinedNotNull(t *testing.T) {
	rt, ts := todos(t, collection.Row{"id": "t1", "owner": "u1"}, collection.Row{"id": "t2", "owner": "u9"})
	us := newSource(t, rt, "users", "")
	if err := us.p.Apply([]collection.Change{{Type: collection.ChangeInsert, Value: collection.Row{"id": "u1", "name": nil}}}); err != nil {
		t.Fatal(err)
	}
	u := func(f string) collection.Ref { return ref("u", f) }
	joined := func() query.Query {
		return query.From("t", ts.c).LeftJoin(query.Coll("u", us.c), collection.Eq(ref("t", "owner"), u("id")))
	}
	lq, err := query.NewLiveQuery(joined().Select(query.Field("null", collection.IsNull(u("name"))),
		query.Field("undef", collection.IsUndefined(u("name"))), query.Field("len", collection.Length(u("name"))),
		query.Field("up", collection.Upper(u("name")))), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		`[s"t1",s"u1"]`: `{"len":0,"null":true,"undef":false,"up":null}`,
		`[s"t2",u]`:     `{"len":0,"null":false,"undef":true}`,
	}
	for k, w := range want {
		row, ok := lq.Get(k)
		if got := query.CanonKey(row); !ok || got != query.CanonKey(mustJSON(t, w)) {
			t.Errorf("%s = %v, want %s", k, row, w)
		}
	}
	for _, tc := range []struct {
		where collection.Expr
		key   string
	}{{collection.IsUndefined(u("name")), `[s"t2",u]`}, {collection.IsNull(u("name")), `[s"t1",s"u1"]`}} {
		lq, err := query.NewLiveQuery(joined().Where(tc.where), query.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if keys := lq.Keys(); len(keys) != 1 || keys[0] != tc.key {
			t.Errorf("where %v: %v, want [%s]", tc.where, keys, tc.key)
		}
	}
}

func mustJSON(t *testing.T, s string) collection.Row {
	t.Helper()
	var r collection.Row
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		t.Fatal(err)
	}
	return r // numbers as float64: canon compares them by value
}

// TestJoinKeysKeepEveryPair: a joined row's key is unambiguous whatever
// the ids hold (",", brackets, quotes, "undefined", ""), in inner, outer
// and nested joins and over a sub-query source, so no pair is lost to a
// collision as with TanStack DB's `[${left},${right}]`.
func TestJoinKeysKeepEveryPair(t *testing.T) {
	odd := []string{"x,y", "x", "", "undefined", "[a", "a]", `"q"`, "y"}
	var rows []collection.Row
	for _, id := range odd {
		rows = append(rows, collection.Row{"id": id, "k": "K"})
	}
	rows = append(rows, collection.Row{"id": "lone", "k": "L"})
	rt, ts := todos(t, rows...)
	us := newSource(t, rt, "users", "")
	vs := newSource(t, rt, "v", "")
	for _, s := range []*source{us, vs} {
		var chs []collection.Change
		for _, id := range odd {
			chs = append(chs, collection.Change{Type: collection.ChangeInsert, Value: collection.Row{"id": id, "k": "K"}})
		}
		chs = append(chs, collection.Change{Type: collection.ChangeInsert, Value: collection.Row{"id": "undefined,lone", "k": "M"}})
		if err := s.p.Apply(chs); err != nil {
			t.Fatal(err)
		}
	}
	n := len(odd)
	on := func(a, b string) collection.Expr { return collection.Eq(ref(a, "k"), ref(b, "k")) }
	for _, tc := range []struct {
		name string
		q    query.Query
		want int
	}{
		{"inner", query.From("t", ts.c).Join(query.Coll("u", us.c), on("t", "u"), query.JoinInner), n * n},
		{"full", query.From("t", ts.c).Join(query.Coll("u", us.c), on("t", "u"), query.JoinFull), n*n + 2},
		{"nested", query.From("t", ts.c).Join(query.Coll("u", us.c), on("t", "u"), query.JoinInner).
			Join(query.Coll("v", vs.c), on("u", "v"), query.JoinFull), n*n*n + 1},
		{"sub-query source", query.From("t", ts.c).Join(query.From("u", us.c).As("s"), on("t", "s"), query.JoinLeft), n*n + 1},
	} {
		lq, err := query.NewLiveQuery(tc.q, query.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(lq.Keys()); got != tc.want {
			t.Errorf("%s: %d rows, want %d", tc.name, got, tc.want)
		}
	}
	lq, _ := query.NewLiveQuery(query.From("t", ts.c).Join(query.Coll("u", us.c), on("t", "u"), query.JoinFull).
		Join(query.Coll("v", vs.c), on("u", "v"), query.JoinLeft), query.Options{})
	if _, ok := lq.Get(`[[s"x,y",s"undefined"],s""]`); !ok {
		t.Errorf("no nested key [[s\"x,y\",s\"undefined\"],s\"\"]: %v", lq.Keys()[:3])
	}
	if _, ok := lq.Get(`[[s"lone",u],u]`); !ok {
		t.Errorf("no key for the unmatched todo")
	}
}

// TestAggregatesAndArithmeticReadNullsAsTanStackDB: the values are what
// TanStack DB 0.9.2 answers for the same rows and query (run in Node over a
// local-only collection): sum reads null and undefined as 0, avg divides by
// every row, min and max pass over 0, null and undefined and answer 0 when
// nothing else is left, add reads null as 0, and in against a value that is
// not a list is false.
func TestAggregatesAndArithmeticReadNullsAsTanStackDB(t *testing.T) {
	_, s := todos(t,
		collection.Row{"id": "1", "g": "a", "n": nil}, collection.Row{"id": "2", "g": "a", "n": int64(5)},
		collection.Row{"id": "3", "g": "b", "n": nil}, collection.Row{"id": "4", "g": "b", "n": nil},
		collection.Row{"id": "5", "g": "c", "n": int64(0)}, collection.Row{"id": "6", "g": "c", "n": int64(5)},
		collection.Row{"id": "7", "g": "d", "n": int64(-3)}, collection.Row{"id": "8", "g": "d", "n": int64(0)},
		collection.Row{"id": "9", "g": "e", "n": int64(4)}, collection.Row{"id": "10", "g": "e"},
		collection.Row{"id": "13", "g": "h", "n": true}, collection.Row{"id": "14", "g": "h", "n": int64(2)})
	n := ref("t", "n")
	lq, err := query.NewLiveQuery(query.From("t", s.c).GroupBy(ref("t", "g")).Select(query.Field("g", ref("t", "g")),
		query.Field("s", query.Sum(n)), query.Field("a", query.Avg(n)), query.Field("mn", query.Min(n)),
		query.Field("mx", query.Max(n)), query.Field("c", query.Count(n))), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // TanStack DB 0.9.2's output
		"a": `{"g":"a","s":5,"a":2.5,"mn":5,"mx":5,"c":1}`,
		"b": `{"g":"b","s":0,"a":0,"mn":0,"mx":0,"c":0}`,
		"c": `{"g":"c","s":5,"a":2.5,"mn":5,"mx":5,"c":2}`,
		"d": `{"g":"d","s":-3,"a":-1.5,"mn":-3,"mx":-3,"c":2}`,
		"e": `{"g":"e","s":4,"a":2,"mn":4,"mx":4,"c":1}`,
		"h": `{"g":"h","s":3,"a":1.5,"mn":1,"mx":2,"c":2}`,
	}
	got := lq.Entries()
	if len(got) != len(want) {
		t.Fatalf("%d groups, want %d: %v", len(got), len(want), got)
	}
	for _, e := range got {
		g, _ := e.Value["g"].(string)
		if query.CanonKey(e.Value) != query.CanonKey(mustJSON(t, want[g])) {
			t.Errorf("group %s = %v, want %s", g, e.Value, want[g])
		}
	}

	lq, err = query.NewLiveQuery(query.From("t", s.c).Where(collection.Eq(ref("t", "id"), val("1"))).Select(
		query.Field("p", collection.Add(n, val(int64(1)))), query.Field("undef", collection.Add(ref("t", "missing"), val(int64(2)))),
		query.Field("inScalar", collection.InArray(ref("t", "id"), val("1"))), query.Field("inNull", collection.InArray(ref("t", "g"), n)),
		query.Field("nullIn", collection.InArray(n, val(int64(5))))), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rows := lq.Entries(); len(rows) != 1 || query.CanonKey(rows[0].Value) != query.CanonKey(mustJSON(t, `{"p":1,"undef":2,"inScalar":false,"inNull":false,"nullIn":null}`)) {
		t.Fatalf("got %v", rows)
	}
}
