package psync

import (
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

func todosCollection(t *testing.T, db *store.DB) *collection.Collection {
	t.Helper()
	table, _ := listsSchema().Table("todos")
	c, err := collection.NewRuntime().CreateCollection(powersync.CollectionOptions(db, table, powersync.Options{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Cleanup)
	if err := c.Preload(bg); err != nil {
		t.Fatal(err)
	}
	return c
}

func field(c *collection.Collection, key, name string) any {
	r, ok := c.Get(key)
	if !ok {
		return nil
	}
	return r[name]
}

// Collections follow sync with no call from the app: synced inserts,
// updates and deletes show, an optimistic write stays visible until the
// server's state arrives, and a write the backend did not keep reverts.
func TestCollectionsFollowSync(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	seed(t, srv, put("todos", "t1", `{"description":"Milk","completed":0}`))
	a, b := openDB(t, listsSchema()), openDB(t, listsSchema())
	ca, cb := todosCollection(t, a), todosCollection(t, b)
	connA := srv.connector()
	connect(t, a, srv.testServer, connA, ConnectOptions{})
	connect(t, b, srv.testServer, srv.connector(), ConnectOptions{})

	testutil.Eventually(t, "both collections show the seeded row", 5*time.Second, func() bool {
		return field(ca, "t1", "description") == "Milk" && field(cb, "t1", "description") == "Milk"
	})

	// An insert in A's collection reaches B's collection through the server.
	tx, err := ca.Insert([]collection.Row{{"id": "t2", "description": "Eggs", "completed": int64(0)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(bg); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "B shows A's insert", 5*time.Second, func() bool { return field(cb, "t2", "description") == "Eggs" })

	// The backend updates and deletes; both collections follow.
	seed(t, srv, syncserver.Entry{Op: "PATCH", Type: "todos", ID: "t1", Data: []byte(`{"completed":1}`)},
		syncserver.Entry{Op: "DELETE", Type: "todos", ID: "t2"})
	testutil.Eventually(t, "server update and delete shown", 5*time.Second, func() bool {
		_, has := cb.Get("t2")
		_, hasA := ca.Get("t2")
		return field(ca, "t1", "completed") == int64(1) && field(cb, "t1", "completed") == int64(1) && !has && !hasA
	})

	// A write the backend does not keep: optimistic at once, persisted,
	// then reverted to the server's value when its write checkpoint lands.
	connA.drop.Store(true)
	tx, err = ca.Update([]string{"t1"}, nil, func(draft collection.Row) { draft["description"] = "Oat milk" })
	if err != nil {
		t.Fatal(err)
	}
	if got := field(ca, "t1", "description"); got != "Oat milk" {
		t.Fatalf("optimistic value %v", got)
	}
	if err := tx.Wait(bg); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "A reverts to the server's value", 5*time.Second, func() bool { return field(ca, "t1", "description") == "Milk" })
	if got := field(cb, "t1", "description"); got != "Milk" {
		t.Fatalf("B shows %v", got)
	}
}
