package psync

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

const priorityRules = `bucket_definitions:
  urgent:
    priority: 0
    data:
      - SELECT * FROM lists
  rest:
    data:
      - SELECT * FROM todos
`

func TestPriorityZeroBucketsApplyBeforeTheRestAndDespiteLocalChanges(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{Rules: priorityRules})
	seed(t, srv, put("lists", "l1", `{"name":"first"}`), put("todos", "t1", `{"description":"a"}`))
	db := openDB(t, listsSchema())
	conn := srv.connector()
	conn.failUploads.Store(1 << 30) // local writes stay queued
	if _, err := db.Execute(bg, `INSERT INTO todos(id, description) VALUES('local', 'queued')`); err != nil {
		t.Fatal(err)
	}
	c := connect(t, db, srv.testServer, conn, ConnectOptions{})
	// Priority 0 applies with a local change waiting; the full checkpoint does not.
	if err := c.WaitForFirstSync(bg, 0); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "lists synced", 5*time.Second, func() bool {
		r, _ := db.GetOptional(bg, `SELECT name FROM lists WHERE id = 'l1'`)
		return r != nil
	})
	if r, _ := db.GetOptional(bg, `SELECT 1 FROM todos WHERE id = 't1'`); r != nil {
		t.Fatal("a priority-3 bucket was applied while a local change was queued")
	}
	st := c.Status()
	if st.HasSynced() || !st.StatusForPriority(0).HasSynced || st.StatusForPriority(3).HasSynced {
		t.Fatalf("status: %+v", st)
	}
	// Once the upload goes through, the rest follows.
	conn.failUploads.Store(0)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	converged(t, db, srv, "todos", 5*time.Second)
	converged(t, db, srv, "lists", 5*time.Second)
	if !c.Status().StatusForPriority(3).HasSynced {
		t.Fatal("priority 3 not synced after the full checkpoint")
	}
}

func TestDisconnectAndClearDeletesSyncedStateButKeepsTheClientID(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	seed(t, srv, put("lists", "l1", `{"name":"first"}`))
	db := openDB(t, listsSchema())
	id := db.ClientID()
	c := connect(t, db, srv.testServer, srv.connector(), ConnectOptions{})
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	if err := c.DisconnectAndClear(bg, ClearOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT * FROM lists`, `SELECT * FROM ps_buckets`, `SELECT * FROM ps_oplog`, `SELECT * FROM ps_sync_state`} {
		if rows := rowsOf(t, db, q); len(rows) != 0 {
			t.Errorf("%s: %v after DisconnectAndClear", q, rows)
		}
	}
	if db.ClientID() != id || c.Status().HasSynced() || c.Status().Connected {
		t.Fatalf("client id %s (was %s), status %+v", db.ClientID(), id, c.Status())
	}
	// Connecting again downloads everything again.
	if err := c.Connect(bg, srv.connector(), ConnectOptions{RetryDelay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	converged(t, db, srv, "lists", 5*time.Second)
}

func TestALargeCheckpointIsAppliedInSlicesInOneTransaction(t *testing.T) {
	const n = 5000
	srv := startDevServer(t, syncserver.Config{})
	batch := make([]syncserver.Entry, n)
	for i := range batch {
		batch[i] = put("todos", fmt.Sprintf("t%05d", i), fmt.Sprintf(`{"description":"row %d","completed":%d}`, i, i%2))
	}
	seed(t, srv, batch...)
	db := openDB(t, listsSchema())
	var mu sync.Mutex
	yields, maxCommit, commits := 0, 0, 0
	stop, err := db.TrackRows("todos", func(ch []store.RowChange) {
		mu.Lock()
		defer mu.Unlock()
		commits++
		maxCommit = max(maxCommit, len(ch))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c, err := New(bg, db, &Options{HTTP: srv.Client, Yield: func() {
		mu.Lock()
		yields++
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Connect(bg, srv.connector(), ConnectOptions{RetryDelay: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(bg)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// Observers see the whole checkpoint in one commit, never half of it,
	// while the host got a chance to run between slices.
	if commits != 1 || maxCommit != n || yields < n/applySlice-1 {
		t.Fatalf("%d commits (largest %d rows), %d yields; want 1 commit of %d rows and at least %d yields", commits, maxCommit, yields, n, n/applySlice-1)
	}
	if p := c.Status().DataFlow.DownloadProgress; p != nil {
		t.Fatalf("progress still set after the sync: %+v", p)
	}
}

func TestStatusSurvivesAReopenAndProgressCountsOps(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{MaxOpsPerLine: 10})
	batch := make([]syncserver.Entry, 100)
	for i := range batch {
		batch[i] = put("todos", fmt.Sprintf("t%03d", i), `{"description":"x"}`)
	}
	seed(t, srv, batch...)
	db := openDB(t, listsSchema())
	var mu sync.Mutex
	var seen []int64
	c, err := New(bg, db, &Options{HTTP: srv.Client})
	if err != nil {
		t.Fatal(err)
	}
	c.RegisterListener(func(s SyncStatus) {
		if p := s.DataFlow.DownloadProgress; p != nil {
			d, total := p.UntilPriority(-1)
			mu.Lock()
			seen = append(seen, d)
			mu.Unlock()
			if total != 100 {
				t.Errorf("progress total %d, want 100", total)
			}
		}
	})
	if err := c.Connect(bg, srv.connector(), ConnectOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	c.Disconnect(bg)
	mu.Lock()
	if len(seen) < 10 || seen[len(seen)-1] != 100 {
		t.Errorf("progress steps %v, want 0..100 by tens", seen)
	}
	mu.Unlock()
	// A new client on the same database knows it has synced, offline.
	c2, err := New(bg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c2.Status().HasSynced() || time.Since(c2.Status().LastSyncedAt) > time.Minute {
		t.Fatalf("status after reopen: %+v", c2.Status())
	}
	if err := c2.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
}
