package powersync

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// A database reread whole (another context's commits it missed; in the
// browser a tab that rereads the file) reaches the collection as a
// resync: it reloads its rows and emits the differences as changes, one
// insert, update or delete per row that differs, in one batch, and
// nothing for the rows that did not change.
func TestAResyncEmitsTheDifferences(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resync.db")
	open := func() *store.DB {
		db, err := store.Open(context.Background(), path, testSchema, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	db := open()
	exec(t, db, `INSERT INTO products (id, name, price, category) VALUES ('a', 'a', 1, 'x'), ('b', 'b', 2, 'x'), ('c', 'c', 3, 'x')`)
	c := newCollection(t, collection.NewRuntime(), db, products, Options{})
	var mu sync.Mutex
	var batches [][]collection.Change
	sub := c.SubscribeChanges(func(chs []collection.Change) {
		mu.Lock()
		batches = append(batches, slices.Clone(chs))
		mu.Unlock()
	}, collection.SubscribeOptions{IncludeInitialState: ptr(false)})
	defer sub.Unsubscribe()

	// Another connection to the file writes behind the collection's
	// tracker: its changes reach db only as a commit of unknown rows.
	other := open()
	exec(t, other, `UPDATE products SET price = 20 WHERE id = 'b'`)
	exec(t, other, `DELETE FROM products WHERE id = 'c'`)
	exec(t, other, `INSERT INTO products (id, name, price, category) VALUES ('d', 'd', 4, 'y')`)
	if err := db.ApplyRemote(ctx(t), func() ([]store.Remote, error) { return []store.Remote{{}}, nil }); err != nil {
		t.Fatal(err)
	}

	want(t, c, "a", "b", "d")
	if b, _ := c.Get("b"); fmt.Sprint(b["price"]) != "20" {
		t.Errorf("b's price is %v, want 20", b["price"])
	}
	mu.Lock()
	defer mu.Unlock()
	if len(batches) != 1 {
		t.Fatalf("%d change batches, want the resync's one: %v", len(batches), batches)
	}
	got := map[string]collection.ChangeType{}
	for _, ch := range batches[0] {
		got[ch.Key] = ch.Type
	}
	wantTypes := map[string]collection.ChangeType{"b": collection.ChangeUpdate, "c": collection.ChangeDelete, "d": collection.ChangeInsert}
	if fmt.Sprint(got) != fmt.Sprint(wantTypes) {
		t.Errorf("changes %v, want %v", got, wantTypes)
	}
}
