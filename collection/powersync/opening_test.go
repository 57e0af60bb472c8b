package powersync

import (
	"errors"
	"testing"

	"github.com/localfirst/gopowersync/collection"
)

// A collection made while its database opens takes mutations at once,
// shows them, and persists them once the database has opened.
func TestMutationsBeforeTheOpenPersistOnceItOpens(t *testing.T) {
	for _, mode := range []collection.SyncMode{collection.SyncEager, collection.SyncOnDemand} {
		t.Run(string(mode), func(t *testing.T) {
			open := NewOpening()
			c, err := collection.NewRuntime().CreateCollection(CollectionOptionsOpening(open, documents, Options{SyncMode: mode}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Cleanup)
			go func() { _ = c.Preload(ctx(t)) }()
			tx, err := c.Insert([]collection.Row{{"id": "d1", "name": "early"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := c.Get("d1"); !ok || got["name"] != "early" {
				t.Fatalf("before the open, Get(d1) = %v, %v; want the optimistic item", got, ok)
			}
			if s := c.Status(); s != collection.StatusLoading {
				t.Fatalf("status before the open = %s, want loading", s)
			}
			db := openDB(t)
			open.Open(db)
			if err := tx.Wait(ctx(t)); err != nil {
				t.Fatal(err)
			}
			if r := sqlRow(t, db, "documents", "d1"); r == nil || r["name"] != "early" {
				t.Fatalf("stored row = %v", r)
			}
			if got := ops(crud(t, db)); len(got) != 1 || got[0] != "PUT" {
				t.Fatalf("upload queue = %v, want one PUT", got)
			}
			if err := c.Preload(ctx(t)); err != nil {
				t.Fatal(err)
			}
			// On demand, a row shows once a subset wants it.
			if got, ok := c.Get("d1"); mode == collection.SyncEager && (!ok || got["name"] != "early") {
				t.Fatalf("after the open, Get(d1) = %v, %v", got, ok)
			}
		})
	}
}

// A failed open fails the transactions waiting for it with the open's
// error, rolls their optimistic state back and puts the collection in error.
func TestAFailedOpenFailsTheWaitingTransactions(t *testing.T) {
	open := NewOpening()
	c, err := collection.NewRuntime().CreateCollection(CollectionOptionsOpening(open, documents, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Cleanup)
	tx, err := c.Insert([]collection.Row{{"id": "d1", "name": "early"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cause := errors.New("disk gone")
	open.Fail(cause)
	if err := tx.Wait(ctx(t)); !errors.Is(err, cause) {
		t.Fatalf("tx.Wait = %v, want the open's error", err)
	}
	if c.Has("d1") {
		t.Fatal("the failed insert still shows")
	}
	eventually(t, "status error", func() bool { return c.Status() == collection.StatusError })
}
