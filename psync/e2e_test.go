package psync

import (
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// tableRows reads a table's rows as the server's Rows returns them: id ->
// row with every column (nulls left out, as the server stores rows).
func tableRows(t testing.TB, db *store.DB, table string) map[string]map[string]any {
	t.Helper()
	rows, err := db.GetAll(bg, `SELECT id, data FROM "ps_data__`+table+`"`)
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]map[string]any, rows.Len())
	for _, r := range rows.Values {
		var m map[string]any
		if err := json.Unmarshal([]byte(r[1].(string)), &m); err != nil {
			t.Fatal(err)
		}
		m["id"] = r[0]
		out[r[0].(string)] = m
	}
	return out
}

func serverRows(t testing.TB, srv *devServer, table string) map[string]map[string]any {
	t.Helper()
	rows, err := srv.Rows(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	// Compare as JSON values: the server keeps numbers as json.Number.
	b, _ := json.Marshal(rows)
	out := map[string]map[string]any{}
	json.Unmarshal(b, &out)
	return out
}

// converged waits until the client's table equals the server's.
func converged(t testing.TB, db *store.DB, srv *devServer, table string, within time.Duration) {
	t.Helper()
	var got, want map[string]map[string]any
	deadline := time.Now().Add(within)
	for {
		got, want = tableRows(t, db, table), serverRows(t, srv, table)
		if reflect.DeepEqual(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not converge:\nclient %v\nserver %v", table, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func seed(t testing.TB, srv *devServer, entries ...syncserver.Entry) {
	t.Helper()
	if err := srv.Apply(bg, entries); err != nil {
		t.Fatal(err)
	}
}

func put(table, id, data string) syncserver.Entry {
	return syncserver.Entry{Op: "PUT", Type: table, ID: id, Data: json.RawMessage(data)}
}

func TestTwoClientsSyncThroughTheDevServer(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	seed(t, srv, put("lists", "l1", `{"name":"Groceries"}`))
	a, b := openDB(t, listsSchema()), openDB(t, listsSchema())
	ca := connect(t, a, srv.testServer, srv.connector(), ConnectOptions{})
	connect(t, b, srv.testServer, srv.connector(), ConnectOptions{})
	if err := ca.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	converged(t, a, srv, "lists", 5*time.Second)

	// A writes; the upload reaches the server, and B, in real time.
	if _, err := a.Execute(bg, `INSERT INTO todos(id, list_id, description, completed) VALUES('t1', 'l1', 'Milk', 0)`); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "the server has A's row", 5*time.Second, func() bool { return len(serverRows(t, srv, "todos")) == 1 })
	converged(t, b, srv, "todos", 5*time.Second)
	// B updates it; A sees the update.
	if _, err := b.Execute(bg, `UPDATE todos SET completed = 1 WHERE id = 't1'`); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "A sees B's update", 5*time.Second, func() bool {
		r, _ := a.GetOptional(bg, `SELECT completed FROM todos WHERE id = 't1'`)
		return r != nil && r["completed"] == int64(1)
	})
	converged(t, a, srv, "todos", 5*time.Second)
	// Both upload queues drained and the statuses are clean.
	for _, db := range []*store.DB{a, b} {
		testutil.Eventually(t, "queue drained", 5*time.Second, func() bool {
			n, _, _ := db.UploadQueueStats(bg)
			return n == 0
		})
	}
	if st := ca.Status(); !st.Connected || st.DataFlow.DownloadError != nil || st.DataFlow.UploadError != nil {
		t.Fatalf("status %+v", st)
	}
}

func TestARejectedWriteIsRevertedToTheServerState(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	seed(t, srv, put("todos", "t1", `{"list_id":"l1","description":"Milk","completed":0}`))
	db := openDB(t, listsSchema())
	conn := srv.connector()
	c := connect(t, db, srv.testServer, conn, ConnectOptions{})
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	conn.drop.Store(true) // the backend accepts the upload but keeps its own state
	if _, err := db.Execute(bg, `UPDATE todos SET description = 'Oat milk' WHERE id = 't1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(bg, `INSERT INTO todos(id, description) VALUES('t2', 'never stored')`); err != nil {
		t.Fatal(err)
	}
	// Optimistic state stays until the write checkpoint is acknowledged,
	// then the server's state comes back.
	testutil.Eventually(t, "reverted", 5*time.Second, func() bool {
		r, _ := db.GetOptional(bg, `SELECT description FROM todos WHERE id = 't1'`)
		return r != nil && r["description"] == "Milk"
	})
	converged(t, db, srv, "todos", 5*time.Second)
}

func TestServerChangesWaitWhileLocalChangesAreQueued(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	seed(t, srv, put("todos", "t1", `{"description":"v1","completed":0}`))
	db := openDB(t, listsSchema())
	conn := srv.connector()
	var mu sync.Mutex
	var uploadErrors []error
	c := connect(t, db, srv.testServer, conn, ConnectOptions{RetryDelay: 30 * time.Millisecond})
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	conn.failUploads.Store(3)
	stop := c.RegisterListener(func(s SyncStatus) {
		if s.DataFlow.UploadError != nil {
			mu.Lock()
			uploadErrors = append(uploadErrors, s.DataFlow.UploadError)
			mu.Unlock()
		}
	})
	defer stop()
	if _, err := db.Execute(bg, `UPDATE todos SET completed = 1 WHERE id = 't1'`); err != nil {
		t.Fatal(err)
	}
	// The backend changes another field meanwhile; the local write's
	// optimistic state must not be overwritten while it is queued.
	seed(t, srv, syncserver.Entry{Op: "PATCH", Type: "todos", ID: "t1", Data: json.RawMessage(`{"description":"v2"}`)})
	time.Sleep(50 * time.Millisecond) // give a wrong implementation the chance to apply
	if r, _ := db.Get(bg, `SELECT completed FROM todos WHERE id = 't1'`); r["completed"] != int64(1) {
		t.Fatalf("a download overwrote a queued local write: %v", r)
	}
	// Once the uploads go through, both changes show.
	testutil.Eventually(t, "merged state", 10*time.Second, func() bool {
		r, _ := db.Get(bg, `SELECT description, completed FROM todos WHERE id = 't1'`)
		return r["description"] == "v2" && r["completed"] == int64(1)
	})
	converged(t, db, srv, "todos", 5*time.Second)
	if conn.uploads.Load() != 1 {
		t.Fatalf("%d uploads completed, want exactly 1", conn.uploads.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(uploadErrors) == 0 {
		t.Fatal("the failed uploads never showed in SyncStatus.UploadError")
	}
	if st := c.Status(); st.DataFlow.UploadError != nil {
		t.Fatalf("upload error not cleared: %v", st.DataFlow.UploadError)
	}
}
