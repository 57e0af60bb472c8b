package query_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

// benchSources fills items with n rows (and users with n/100) through
// synced writes.
func benchSources(b *testing.B, n int) (items, users *source) {
	return benchSourcesIndexed(b, n, "", nil)
}

// benchSourcesIndexed is benchSources with items' AutoIndex setting and,
// when index is set, an index made on items before the rows arrive.
func benchSourcesIndexed(b *testing.B, n int, auto collection.AutoIndex, index func(c *collection.Collection)) (items, users *source) {
	rt := collection.NewRuntime()
	items, users = newSource(b, rt, "items", auto), newSource(b, rt, "users", "")
	if index != nil {
		index(items.c)
	}
	var us, is []collection.Change
	for i := 0; i < n/100; i++ {
		us = append(us, collection.Change{Type: collection.ChangeInsert, Value: collection.Row{"id": "u" + strconv.Itoa(i), "name": "user " + strconv.Itoa(i)}})
	}
	for i := 0; i < n; i++ {
		is = append(is, collection.Change{Type: collection.ChangeInsert, Value: collection.Row{
			"id": "i" + strconv.Itoa(i), "n": int64(i * 7919 % n), "user": "u" + strconv.Itoa(i%(n/100)), "done": i%3 == 0}})
	}
	if err := users.p.Apply(us); err != nil {
		b.Fatal(err)
	}
	if err := items.p.Apply(is); err != nil {
		b.Fatal(err)
	}
	return items, users
}

// BenchmarkOneChange measures one synced update of one row flowing into a
// live query over n rows: the cost must not grow with n.
func BenchmarkOneChange(b *testing.B) {
	shapes := []struct {
		name  string
		build func(items, users *source) query.Query
	}{
		{"where+orderBy+limit50", func(items, _ *source) query.Query {
			return query.From("i", items.c).Where(collection.Eq(ref("i", "done"), val(false))).
				OrderBy(ref("i", "n"), query.Desc).Limit(50)
		}},
		{"join+orderBy+limit50", func(items, users *source) query.Query {
			return query.From("i", items.c).InnerJoin(query.Coll("u", users.c), collection.Eq(ref("i", "user"), ref("u", "id"))).
				Select(query.Field("id", ref("i", "id")), query.Field("n", ref("i", "n")), query.Field("who", ref("u", "name"))).
				OrderBy(ref("i", "n"), query.Desc).Limit(50)
		}},
		{"groupBy count", func(items, _ *source) query.Query {
			return query.From("i", items.c).GroupBy(ref("i", "user")).
				Select(query.Field("user", ref("i", "user")), query.Field("c", query.Count(ref("i", "id"))), query.Field("max", query.Max(ref("i", "n"))))
		}},
	}
	for _, sh := range shapes {
		for _, n := range []int{1_000, 10_000, 100_000} {
			b.Run(fmt.Sprintf("%s/rows=%d", sh.name, n), func(b *testing.B) {
				items, users := benchSources(b, n)
				lq, err := query.NewLiveQuery(sh.build(items, users), query.Options{})
				if err != nil {
					b.Fatal(err)
				}
				calls := 0
				lq.SubscribeChanges(func([]collection.Change) { calls++ }, collection.SubscribeOptions{})
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k := (i * 104729) % n
					row := collection.Row{"id": "i" + strconv.Itoa(k), "n": int64((i * 31) % (2 * n)), "user": "u" + strconv.Itoa(k%(n/100)), "done": i%2 == 0}
					if err := items.p.Apply([]collection.Change{{Type: collection.ChangeUpdate, Value: row}}); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				lq.Cleanup()
			})
		}
	}
}

// BenchmarkFirstResult measures creating a where+orderBy+limit 50 live
// query over n rows up to its first result: without an index on the order
// key (one pass over the rows, collection.First), with an index there
// already (made by CreateIndex or an earlier window, kept up to date as
// rows arrived: the window is read lazily from it), and creating that
// index first (what the first windowed query paid before it scanned).
func BenchmarkFirstResult(b *testing.B) {
	q := func(items *source) query.Query {
		return query.From("i", items.c).Where(collection.Eq(ref("i", "done"), val(false))).OrderBy(ref("i", "n"), query.Desc).Limit(50)
	}
	first := func(b *testing.B, items *source) {
		lq, err := query.NewLiveQuery(q(items), query.Options{})
		if err != nil || lq.Size() != 50 {
			b.Fatal(err, lq.Size())
		}
		lq.Cleanup()
	}
	index := func(b *testing.B, items *source) {
		query.IndexOrder(q(items)) // the index the window reads (its order is the locale's)
		if len(items.c.Indexes()) != 1 {
			b.Fatal("no index")
		}
	}
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d/index=none", n), func(b *testing.B) {
			// AutoIndexOff: every query passes over the rows (eager would
			// have the first one make an index in the background).
			items, _ := benchSourcesIndexed(b, n, collection.AutoIndexOff, nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				first(b, items)
			}
			if len(items.c.Indexes()) != 0 {
				b.Fatal("a first result created an index")
			}
		})
		b.Run(fmt.Sprintf("rows=%d/index=created-first", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				items, _ := benchSources(b, n)
				b.StartTimer()
				index(b, items)
				first(b, items)
			}
		})
		b.Run(fmt.Sprintf("rows=%d/index=kept", n), func(b *testing.B) {
			items, _ := benchSources(b, n)
			index(b, items)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				first(b, items)
			}
		})
	}
}

// BenchmarkSyncLoad measures a sync load of n rows into a collection
// without an index and with the ordered index a windowed query uses: what
// keeping the index costs as rows arrive.
func BenchmarkSyncLoad(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, indexed := range []bool{false, true} {
			b.Run(fmt.Sprintf("rows=%d/indexed=%v", n, indexed), func(b *testing.B) {
				var index func(*collection.Collection)
				if indexed {
					index = func(c *collection.Collection) {
						if _, err := c.CreateIndex(nil, collection.IndexOptions{Path: []string{"n"}}); err != nil {
							b.Fatal(err)
						}
					}
				}
				for i := 0; i < b.N; i++ {
					benchSourcesIndexed(b, n, "", index)
				}
			})
		}
	}
}
