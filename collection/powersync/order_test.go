package powersync

import (
	"fmt"
	"testing"

	"github.com/localfirst/gopowersync/collection"
)

// An update made by a change subscriber, in reaction to an update of a
// transaction T1, is newer than T1: SQLite and the collection must end
// with it, never with T1's value written after it.
func TestAnUpdateMadeInASubscriberIsPersistedAfterTheOneItReactsTo(t *testing.T) {
	for _, place := range places {
		t.Run(place, func(t *testing.T) {
			db := openAt(t, place)
			rt := collection.NewRuntime()
			c := newCollection(t, rt, db, documents, Options{})
			// Several rows, each a race the goroutines could win by chance.
			const n = 8
			var txs []*collection.Transaction
			sub := c.SubscribeChanges(func(chs []collection.Change) {
				for _, ch := range chs {
					if ch.Type != collection.ChangeUpdate || ch.Value["name"] != "edited" {
						continue
					}
					tx, err := c.Update([]string{ch.Key}, nil, func(d collection.Row) { d["name"] = "reacted" })
					if err != nil {
						t.Error(err)
						return
					}
					txs = append(txs, tx)
				}
			}, collection.SubscribeOptions{IncludeInitialState: ptr(false)})
			defer sub.Unsubscribe()
			for i := range n {
				key := fmt.Sprint("d", i)
				mustInsert(t, c, collection.Row{"id": key, "name": "new"})
				tx, err := c.Update([]string{key}, nil, func(d collection.Row) { d["name"] = "edited" })
				if err != nil {
					t.Fatal(err)
				}
				txs = append(txs, tx)
			}
			if len(txs) != 2*n {
				t.Fatalf("%d transactions, want %d: the subscriber did not react to each update", len(txs), 2*n)
			}
			for _, tx := range txs {
				if err := tx.Wait(ctx(t)); err != nil {
					t.Fatal(err)
				}
			}
			for i := range n {
				key := fmt.Sprint("d", i)
				if got := sqlRow(t, db, "documents", key)["name"]; got != "reacted" {
					t.Errorf("SQLite has %s.name %v, want the subscriber's newer reacted", key, got)
				}
				eventually(t, "the collection shows the last write of "+key, func() bool {
					v, _ := c.Get(key)
					return v["name"] == "reacted"
				})
			}
			var names []string
			for _, e := range crud(t, db) {
				if e.Op == "PATCH" {
					names = append(names, fmt.Sprint(e.ID, "=", e.OpData["name"]))
				}
			}
			for i := 0; i < len(names); i += 2 {
				key := fmt.Sprint("d", i/2)
				if want := fmt.Sprint("[", key, "=edited ", key, "=reacted]"); fmt.Sprint(names[i:i+2]) != want {
					t.Errorf("upload queue %v, want %s (commit order)", names[i:i+2], want)
				}
			}
		})
	}
}

// Transactions persist in the order they were committed, whatever the
// scheduling of the goroutines that run their MutationFn: a run of quick
// updates of one row ends with the last one in SQLite and the upload queue.
func TestQuickSuccessiveUpdatesPersistInCommitOrder(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, documents, Options{})
	mustInsert(t, c, collection.Row{"id": "d", "n": int64(0)})
	const n = 40
	txs := make([]*collection.Transaction, 0, n)
	for i := 1; i <= n; i++ {
		tx, err := c.Update([]string{"d"}, nil, func(d collection.Row) { d["n"] = int64(i) })
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	for _, tx := range txs {
		if err := tx.Wait(ctx(t)); err != nil {
			t.Fatal(err)
		}
	}
	if got := sqlRow(t, db, "documents", "d")["n"]; got != int64(n) {
		t.Errorf("SQLite has n = %v, want %d", got, n)
	}
	eventually(t, "the collection shows the last write", func() bool {
		v, _ := c.Get("d")
		return v["n"] == int64(n)
	})
	q := crud(t, db)[1:]
	for i, e := range q {
		if fmt.Sprint(e.OpData["n"]) != fmt.Sprint(i+1) {
			t.Fatalf("upload queue entry %d has n = %v, want %d (commit order)", i, e.OpData["n"], i+1)
		}
	}
}
