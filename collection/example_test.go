package collection_test

import (
	"context"
	"fmt"

	"github.com/localfirst/gopowersync/collection"
)

// A local-only collection keeps what its handlers accept.
func Example() {
	rt := collection.NewRuntime()
	todos, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{
		ID: "todos",
		OnInsert: func(ctx context.Context, p collection.MutationParams) error {
			for _, m := range p.Transaction.Mutations() {
				fmt.Println("persist", m.Type, m.Key)
			}
			return nil
		},
	}))
	todos.SubscribeChanges(func(changes []collection.Change) {
		for _, ch := range changes {
			fmt.Println("change", ch.Type, ch.Key, ch.Value["title"])
		}
	}, collection.SubscribeOptions{})

	tx, err := todos.Insert([]collection.Row{{"id": "1", "title": "write docs"}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("visible at once:", todos.Has("1"))
	if err := tx.Wait(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(tx.State(), todos.Has("1"))
	// Output:
	// change insert 1 write docs
	// visible at once: true
	// persist insert 1
	// completed true
}

// Transactions group mutations of several collections and persist them
// together.
func ExampleTransaction_Mutate() {
	rt := collection.NewRuntime()
	a, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{ID: "a"}))
	b, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{ID: "b"}))
	tx, _ := rt.CreateTransaction(collection.TransactionConfig{
		AutoCommit: new(bool), // false: commit by hand
		MutationFn: func(ctx context.Context, p collection.TransactionParams) error {
			fmt.Println("persisting", len(p.Transaction.Mutations()), "mutations")
			if err := collection.AcceptMutations(p.Transaction, a); err != nil {
				return err
			}
			return collection.AcceptMutations(p.Transaction, b)
		},
	})
	_ = tx.Mutate(func() {
		_, _ = a.Insert([]collection.Row{{"id": "x"}}, nil)
		_, _ = b.Insert([]collection.Row{{"id": "y"}}, nil)
	})
	fmt.Println(tx.State(), a.Has("x"), b.Has("y"))
	fmt.Println(tx.Commit(context.Background()), tx.State(), a.Has("x"), b.Has("y"))
	// Output:
	// pending true true
	// persisting 2 mutations
	// <nil> completed true true
}

// An index keeps items in the order of one field, optimistic ones
// included; Groups reads them a group of equal values at a time.
func ExampleCollection_CreateIndex() {
	rt := collection.NewRuntime()
	todos, _ := rt.CreateCollection(collection.LocalOnly(collection.Config{ID: "todos"}))
	byPrio, err := todos.CreateIndex(nil, collection.IndexOptions{Path: []string{"prio"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := todos.Insert([]collection.Row{
		{"id": "a", "prio": int64(2)}, {"id": "b", "prio": int64(5)}, {"id": "c", "prio": int64(2)}, {"id": "d"},
	}, nil); err != nil {
		fmt.Println(err)
		return
	}
	// The highest two values first, without the nulls.
	es, _, _ := byPrio.Groups(collection.IndexCursor{}, true, false, 2)
	for _, e := range es {
		fmt.Println(e.Key, e.Value)
	}
	// Output:
	// b 5
	// a 2
	// c 2
}
