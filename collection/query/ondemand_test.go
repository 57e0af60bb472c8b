package query_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/collection/query"
	"github.com/localfirst/gopowersync/store"
)

// onDemandProducts opens a database with 10 products (p0..p9, price
// 10*i, electronics when i is even) and an on-demand collection over them.
func onDemandProducts(t *testing.T) (*store.DB, *collection.Collection) {
	t.Helper()
	ctx := context.Background()
	products := store.Table{Name: "products", Columns: []store.Column{{Name: "price", Type: store.Integer}, {Name: "category", Type: store.Text}}}
	db, err := store.Open(ctx, ":memory:", store.Schema{Tables: []store.Table{products}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	for i := 0; i < 10; i++ {
		cat := "clothing"
		if i%2 == 0 {
			cat = "electronics"
		}
		if _, err := db.Execute(ctx, `INSERT INTO products (id, price, category) VALUES (?, ?, ?)`, "p"+string(rune('0'+i)), i*10, cat); err != nil {
			t.Fatal(err)
		}
	}
	rt := collection.NewRuntime()
	c, err := rt.CreateCollection(powersync.CollectionOptions(db, products, powersync.Options{SyncMode: collection.SyncOnDemand}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Cleanup)
	if err := c.Preload(ctx); err != nil {
		t.Fatal(err)
	}
	return db, c
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestAWindowOverAnOnDemandSourceLoadsOnlyItsRowsAndMoreAsItMoves(t *testing.T) {
	db, products := onDemandProducts(t)
	ctx := context.Background()
	lq, err := query.NewLiveQuery(query.From("p", products).
		Where(collection.Eq(ref("p", "category"), val("electronics"))).
		OrderBy(ref("p", "price"), query.Desc).Limit(2), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := lq.Preload(ctx); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, lq, "p8", "p6")
	if got := products.Keys(); !slices.Equal(got, []string{"p6", "p8"}) {
		t.Fatalf("source loaded %v, want only the window's rows", got)
	}
	// A row of the window leaves SQLite: the window loads the next one.
	if _, err := db.Execute(ctx, `DELETE FROM products WHERE id = 'p8'`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the window refilled", func() bool { return slices.Equal(lq.Keys(), []string{"p6", "p4"}) })
	// Moving the window loads what it now needs.
	if err := lq.SetWindow(1, 3); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the moved window", func() bool { return slices.Equal(lq.Keys(), []string{"p4", "p2", "p0"}) })
	if products.Has("p1") || products.Has("p3") {
		t.Fatalf("rows outside every subset were loaded: %v", products.Keys())
	}
	// A matching row written in SQLite enters the window where it sorts.
	if _, err := db.Execute(ctx, `INSERT INTO products (id, price, category) VALUES ('px', 45, 'electronics')`); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the inserted row", func() bool { return slices.Equal(lq.Keys(), []string{"px", "p4", "p2"}) })
	lq.Cleanup()
	eventually(t, "the subsets released", func() bool { return products.Size() == 0 })
}

func TestSetWindowNeedsAnOrder(t *testing.T) {
	_, s := todos(t, collection.Row{"id": "1"})
	lq, _ := query.NewLiveQuery(query.From("t", s.c), query.Options{})
	if err := lq.SetWindow(0, 1); err == nil || err.Error() != query.ErrSetWindowRequiresOrderBy.Error() {
		t.Fatalf("got %v", err)
	}
}
