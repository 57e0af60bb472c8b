package powersync

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// liveHeap returns the bytes of the heap still reachable after a full
// collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func benchDB(b *testing.B) *store.DB {
	b.Helper()
	db, err := store.Open(context.Background(), ":memory:", testSchema, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	return db
}

func benchCollection(b *testing.B, rt *collection.Runtime, db *store.DB, opts Options) *collection.Collection {
	b.Helper()
	c, err := rt.CreateCollection(CollectionOptions(db, documents, opts))
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Preload(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkInsert10kInOneTransaction measures 10,000 collection inserts in
// one transaction, from the first insert until the transaction is persisted
// (written to SQLite and the upload queue, and shown by the collection).
func BenchmarkInsert10kInOneTransaction(b *testing.B) {
	const n = 10_000
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "row-" + strconv.Itoa(i)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := benchDB(b)
		rt := collection.NewRuntime()
		c := benchCollection(b, rt, db, Options{})
		tr := NewTransactor(db)
		tx, _ := rt.CreateTransaction(collection.TransactionConfig{AutoCommit: ptr(false), MutationFn: func(ctx context.Context, p collection.TransactionParams) error {
			return tr.ApplyTransaction(ctx, p.Transaction)
		}})
		b.StartTimer()
		var err error
		_ = tx.Mutate(func() {
			for j := 0; j < n && err == nil; j++ {
				_, err = c.Insert([]collection.Row{{"id": ids[j], "name": "document", "n": int64(j), "score": 0.5}}, nil)
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if c.Size() != n {
			b.Fatalf("size %d", c.Size())
		}
		c.Cleanup()
		_ = db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkInitialLoad100k measures a collection's initial load of 100,000
// rows (from creation until ready).
func BenchmarkInitialLoad100k(b *testing.B) {
	const n = 100_000
	db := benchDB(b)
	err := db.WriteTx(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < n; i++ {
			if _, err := tx.Execute(context.Background(),
				`INSERT INTO ps_data__documents (id, data) VALUES (?, json_object('name', ?, 'n', ?, 'score', 0.5))`,
				"row-"+strconv.Itoa(100_000+i), "document", i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var held uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := liveHeap()
		c := benchCollection(b, collection.NewRuntime(), db, Options{})
		b.StopTimer()
		if c.Size() != n {
			b.Fatalf("size %d", c.Size())
		}
		held = liveHeap() - before
		c.Cleanup()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
	// What a loaded row costs the garbage collector: in wasm its mark phase
	// runs in one go, so this bounds how long a collection pauses the page.
	b.ReportMetric(float64(held)/n, "heap-B/row")
}

// BenchmarkUpdateLatency measures single-row updates of a 1,000-row
// collection: the time from Update until a subscriber receives the change,
// and until the transaction is persisted. Each op is 1,000 updates; the
// median and 99th percentile are reported.
func BenchmarkUpdateLatency(b *testing.B) {
	const rows, updates = 1000, 1000
	db := benchDB(b)
	err := db.WriteTx(context.Background(), func(tx *store.Tx) error {
		for i := 0; i < rows; i++ {
			if _, err := tx.Execute(context.Background(), `INSERT INTO documents (id, n) VALUES (?, 0)`, "row-"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	c := benchCollection(b, collection.NewRuntime(), db, Options{})
	var start time.Time
	var toCallback time.Duration
	c.SubscribeChanges(func(chs []collection.Change) {
		if toCallback == 0 {
			toCallback = time.Since(start)
		}
	}, collection.SubscribeOptions{IncludeInitialState: ptr(false)})
	var cb, persisted []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < updates; j++ {
			key := "row-" + strconv.Itoa(j%rows)
			toCallback = 0
			start = time.Now()
			tx, err := c.Update([]string{key}, nil, func(d collection.Row) { d["n"] = int64(i*updates + j + 1) })
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.Wait(context.Background()); err != nil {
				b.Fatal(err)
			}
			persisted = append(persisted, time.Since(start))
			cb = append(cb, toCallback)
		}
	}
	b.StopTimer()
	report := func(name string, d []time.Duration) {
		slices.Sort(d)
		b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), name+"-p50-ns")
		b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), name+"-p99-ns")
	}
	report("callback", cb)
	report("persisted", persisted)
}

// BenchmarkInsert10kOptimistic measures what a 10,000-row insert() costs
// before it returns (the optimistic state and the change events, as the
// page's insert waits for them), without its persistence, which runs
// afterwards. The rows are fresh maps, as the bridge decodes them.
func BenchmarkInsert10kOptimistic(b *testing.B) {
	const n = 10_000
	db := benchDB(b)
	c := benchCollection(b, collection.NewRuntime(), db, Options{})
	var got int
	sub := c.SubscribeChanges(func(chs []collection.Change) { got += len(chs) }, collection.SubscribeOptions{IncludeInitialState: ptr(false)})
	defer sub.Unsubscribe()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		rows := make([]collection.Row, n)
		for j := range rows {
			rows[j] = collection.Row{"id": "r" + strconv.Itoa(i) + "-" + strconv.Itoa(j), "name": "a document with a typical name", "n": int64(j)}
		}
		got = 0
		b.StartTimer()
		tx, err := c.Insert(rows, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got != n {
			b.Fatalf("subscriber got %d changes, want %d", got, n)
		}
		if err := tx.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
