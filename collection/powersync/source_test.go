package powersync

import (
	"errors"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// A row whose id is not text (a blob written straight into the data
// table) cannot be a collection key: it is reported as that row's
// deserialization error, and the rows read with it still load.
func TestARowWithANonTextIDIsReportedAndTheRestLoads(t *testing.T) {
	for _, mode := range []collection.SyncMode{collection.SyncEager, collection.SyncOnDemand} {
		t.Run(string(mode), func(t *testing.T) {
			db := openDB(t)
			exec(t, db, `INSERT INTO products (id, name, price, category) VALUES ('A', 'a', 1, 'x'), ('C', 'c', 3, 'x')`)
			exec(t, db, `INSERT INTO ps_data__products (id, data) VALUES (X'42', '{"name":"b","price":2,"category":"x"}')`)
			var mu sync.Mutex
			var rejected []*DeserializationError
			c := newCollection(t, collection.NewRuntime(), db, products, Options{
				SyncMode: mode,
				OnDeserializationError: func(e *DeserializationError) {
					mu.Lock()
					rejected = append(rejected, e)
					mu.Unlock()
				},
			})
			if mode == collection.SyncOnDemand {
				load(t, c, nil)
			}
			want(t, c, "A", "C")
			mu.Lock()
			defer mu.Unlock()
			if len(rejected) != 1 || rejected[0].Table != "products" {
				t.Fatalf("rejected %v, want the blob-keyed row", rejected)
			}
			if c.Status() != collection.StatusReady {
				t.Fatal(c.Status())
			}
		})
	}
}

// When unloading a subset cannot read which rows the remaining subsets
// keep, the collection goes to its error state with the cause instead of
// keeping rows it can no longer account for.
func TestAFailedUnloadPutsTheCollectionInItsErrorState(t *testing.T) {
	db, _, c := onDemand(t)
	unload := load(t, c, collection.Lt(f("price"), v(100)))
	load(t, c, expensiveElectronics)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	unload()
	if c.Status() != collection.StatusError {
		t.Fatalf("status %s, want error", c.Status())
	}
	_, err := c.Insert([]collection.Row{{"id": "Z"}}, nil)
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("insert: %v, want one caused by store.ErrClosed", err)
	}
}
