package powersync

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// items is a table with and without a schema index on category; the
// rows are the same.
func itemsTable(name string, indexed bool) store.Table {
	t := store.Table{Name: name, Columns: []store.Column{
		{Name: "category", Type: store.Text},
		{Name: "price", Type: store.Integer},
	}}
	if indexed {
		t.Indexes = []store.Index{{Name: "by_category", Columns: []store.IndexedColumn{{Name: "category", Ascending: true, Type: store.Text}}}}
	}
	return t
}

// openItems opens a database holding n rows in both tables: category
// c0..c99 in turn, price i.
func openItems(tb testing.TB, n int) *store.DB {
	tb.Helper()
	plain, indexed := itemsTable("items", false), itemsTable("items_ix", true)
	db, err := store.Open(context.Background(), ":memory:", store.Schema{Tables: []store.Table{plain, indexed}}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	for _, table := range []string{"items", "items_ix"} {
		_, err := db.Execute(context.Background(), `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ?)
			INSERT INTO `+table+` (id, category, price) SELECT printf('i%06d', i), 'c' || (i % 100), i FROM s`, n-1)
		if err != nil {
			tb.Fatal(err)
		}
	}
	return db
}

// TestOnDemandLoadsReadThroughSchemaIndexes checks that SQLite answers an
// on-demand load's where through the schema's index on the compared
// column: the view and the index read the column with the same
// expression, so the planner matches them.
func TestOnDemandLoadsReadThroughSchemaIndexes(t *testing.T) {
	db := openItems(t, 1000)
	where, params, err := CompileWhere(collection.Eq(f("category"), v("c7")))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"items", "items_ix"} {
		// The statements load and loadTop run.
		for _, tail := range []string{`true ORDER BY "id" LIMIT ?`, `"id" > ? ORDER BY "id" LIMIT ?`} {
			q := `EXPLAIN QUERY PLAN SELECT "id" FROM ` + quoteIdent(table) + ` WHERE (` + where + `) AND ` + tail
			args := append(append([]any(nil), params...), 100)
			if strings.Contains(tail, ">") {
				args = append(append([]any(nil), params...), "", 100)
			}
			rows, err := db.GetAll(context.Background(), q, args...)
			if err != nil {
				t.Fatal(err)
			}
			plan := fmt.Sprint(rows.Values)
			usesIndex := strings.Contains(plan, "ps_data__items_ix__by_category")
			if usesIndex != (table == "items_ix") {
				t.Errorf("%s, %s: plan %s", table, tail, plan)
			}
		}
	}
}

// BenchmarkOnDemandLoad measures loading, into an on-demand collection,
// the 1% of n rows whose category is one value, with and without a schema
// index on category.
func BenchmarkOnDemandLoad(b *testing.B) {
	const n = 100_000
	db := openItems(b, n)
	for _, table := range []string{"items", "items_ix"} {
		b.Run("table="+table, func(b *testing.B) {
			rt := collection.NewRuntime()
			c, err := rt.CreateCollection(CollectionOptions(db, itemsTable(table, table == "items_ix"), Options{SyncMode: collection.SyncOnDemand}))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Cleanup()
			if err := c.Preload(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				unload, err := c.LoadSubset(context.Background(), collection.Eq(f("category"), v(fmt.Sprint("c", i%100))))
				if err != nil {
					b.Fatal(err)
				}
				if c.Size() != n/100 {
					b.Fatal(c.Size())
				}
				unload()
			}
		})
	}
}
