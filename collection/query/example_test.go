package query_test

import (
	"context"
	"fmt"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

// A live query follows its source change by change, optimistic state
// included.
func Example() {
	rt := collection.NewRuntime()
	todos, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{ID: "todos"}))
	for _, t := range []collection.Row{
		{"id": "1", "title": "write docs", "done": false, "prio": int64(2)},
		{"id": "2", "title": "ship", "done": true, "prio": int64(1)},
		{"id": "3", "title": "test", "done": false, "prio": int64(3)},
	} {
		tx, _ := todos.Insert([]collection.Row{t}, nil)
		_ = tx.Wait(context.Background())
	}

	open, err := query.NewLiveQuery(query.From("todo", todos).
		Where(collection.Eq(query.Ref("todo", "done"), collection.Value(false))).
		Select(query.Field("title", query.Ref("todo", "title"))).
		OrderBy(query.Ref("todo", "prio"), query.Desc), query.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(open.Values())

	initial := true
	open.SubscribeChanges(func(chs []collection.Change) {
		for _, ch := range chs {
			fmt.Println(ch.Type, ch.Key)
		}
	}, collection.SubscribeOptions{IncludeInitialState: &initial})
	tx, _ := todos.Update([]string{"3"}, nil, func(d collection.Row) { d["done"] = true })
	fmt.Println("before the update persists:", open.Values())
	_ = tx.Wait(context.Background())
	// Output:
	// [map[title:test] map[title:write docs]]
	// insert 1
	// insert 3
	// delete 3
	// before the update persists: [map[title:write docs]]
}

// Aggregates over groups, with TanStack DB's errors for what SQL forbids.
func ExampleQuery_GroupBy() {
	rt := collection.NewRuntime()
	todos, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{ID: "todos"}))
	tx, _ := todos.Insert([]collection.Row{
		{"id": "1", "owner": "ann"}, {"id": "2", "owner": "bob"}, {"id": "3", "owner": "ann"},
	}, nil)
	_ = tx.Wait(context.Background())

	q := query.From("t", todos).GroupBy(query.Ref("t", "owner")).
		Select(query.Field("owner", query.Ref("t", "owner")), query.Field("n", query.Count(query.Ref("t", "id")))).
		OrderBy(query.Ref("t", "owner"), query.Asc)
	counts, _ := query.NewLiveQuery(q, query.Options{})
	fmt.Println(counts.Values())

	_, err := query.NewLiveQuery(query.From("t", todos).Limit(10), query.Options{})
	fmt.Println(err)
	// Output:
	// [map[n:2 owner:ann] map[n:1 owner:bob]]
	// LIMIT and OFFSET require an ORDER BY clause to ensure deterministic results
}
