package psync

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
)

func sampleStream(t *testing.T) string {
	b, err := os.ReadFile("../internal/protocol/testdata/sample-stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func connect(t *testing.T, db *store.DB, srv testServer, conn Connector, opts ConnectOptions) *Client {
	t.Helper()
	c, err := New(bg, db, &Options{HTTP: srv.Client})
	if err != nil {
		t.Fatal(err)
	}
	if opts.RetryDelay == 0 {
		opts.RetryDelay = 20 * time.Millisecond
	}
	if opts.CrudUploadThrottle == 0 {
		opts.CrudUploadThrottle = -1
	}
	if err := c.Connect(bg, conn, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(bg) })
	return c
}

func rowsOf(t *testing.T, db *store.DB, sql string) []map[string]any {
	t.Helper()
	rows, err := db.GetAll(bg, sql)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]map[string]any, rows.Len())
	for i := range out {
		out[i] = rows.Map(i)
	}
	return out
}

func TestSampleStreamSyncsToTheTablesAndResumesFromStoredOps(t *testing.T) {
	stream := sampleStream(t)
	srv := newScriptServer(t, stream, "")
	db := openDB(t, listsSchema())
	c := connect(t, db, srv.testServer, staticConnector{endpoint: srv.URL, token: "t"}, ConnectOptions{Params: map[string]any{"a": 1}})

	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	// The sample's second checkpoint (op 5) must be applied too.
	testutil.Eventually(t, "checkpoint 5 applied", 5*time.Second, func() bool {
		r, _ := db.GetOptional(bg, `SELECT completed FROM todos WHERE id = 't1'`)
		return r != nil && r["completed"] == int64(1)
	})
	if got := rowsOf(t, db, `SELECT id FROM todos ORDER BY id`); len(got) != 1 {
		t.Fatalf("todos: %v, want only t1 (t2 was removed)", got)
	}
	if got := rowsOf(t, db, `SELECT name FROM lists`); len(got) != 1 || got[0]["name"] != "Groceries" {
		t.Fatalf("lists: %v", got)
	}
	// Checksums as protocol-vectors.md §3 says the client holds them.
	b := rowsOf(t, db, `SELECT name, last_op, last_applied_op, add_checksum, op_checksum FROM ps_buckets WHERE name = 'user_todos["u1"]'`)
	if len(b) != 1 || b[0]["op_checksum"] != int64(2781919308) || b[0]["add_checksum"] != int64(2767497364) || b[0]["last_applied_op"] != int64(5) {
		t.Fatalf("bucket state: %v", b)
	}

	var req protocol.StreamRequest
	if err := json.Unmarshal(srv.request(0), &req); err != nil {
		t.Fatal(err)
	}
	if len(req.Buckets) != 0 || !req.IncludeChecksum || !req.RawData || req.ClientID != db.ClientID() || req.Parameters["a"] != float64(1) || req.Streams == nil || !req.Streams.IncludeDefaults {
		t.Fatalf("first request: %s", srv.request(0))
	}
	// The first stream ended after checkpoint 5: the reconnect resumes.
	testutil.Eventually(t, "reconnect", 5*time.Second, func() bool { return srv.requestCount() >= 2 })
	if got := string(srv.request(1)); !strings.Contains(got, `"buckets":[{"name":"global[]","after":"5"},{"name":"user_todos[\"u1\"]","after":"5"}]`) {
		t.Fatalf("reconnect request: %s", got)
	}
	st := c.Status()
	if !st.HasSynced() || st.DataFlow.DownloadError != nil {
		t.Fatalf("status: %+v", st)
	}
}

func TestACorruptedChecksumIsNotAppliedAndTheBucketIsDownloadedAgain(t *testing.T) {
	good := sampleStream(t)
	lines := strings.SplitAfter(good, "\n")
	first := strings.Join(lines[:4], "")
	bad := strings.Replace(first, `"checksum":2060070672`, `"checksum":2060070673`, 1)
	// The retry sends only what the client asks for: the failed bucket.
	retry := lines[0] + lines[2] + lines[3]
	srv := newScriptServer(t, bad, retry)
	db := openDB(t, listsSchema())
	var mu sync.Mutex
	var errs []error
	c := connect(t, db, srv.testServer, staticConnector{endpoint: srv.URL, token: "t"}, ConnectOptions{})
	c.RegisterListener(func(s SyncStatus) {
		if s.DataFlow.DownloadError != nil {
			mu.Lock()
			errs = append(errs, s.DataFlow.DownloadError)
			mu.Unlock()
		}
	})
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	// The first checkpoint was refused: the bad bucket was dropped and the
	// reconnect asked for it from the start, the good one from op 3.
	var req protocol.StreamRequest
	json.Unmarshal(srv.request(1), &req)
	if len(req.Buckets) != 1 || req.Buckets[0].Name != "global[]" {
		t.Fatalf("after a checksum failure the client asked for %s", srv.request(1))
	}
	var ce *ChecksumError
	mu.Lock()
	defer mu.Unlock()
	if len(errs) == 0 || !errors.As(errs[0], &ce) || ce.Buckets[0].Bucket != `user_todos["u1"]` {
		t.Fatalf("download errors: %v", errs)
	}
	if got := rowsOf(t, db, `SELECT id FROM todos ORDER BY id`); len(got) != 2 {
		t.Fatalf("todos after the good checkpoint: %v", got)
	}
}

func TestConnectsAtOnceLeaveOneConnectionThatDisconnectEnds(t *testing.T) {
	var open atomic.Int32
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sync/stream" {
			http.NotFound(w, r)
			return
		}
		open.Add(1)
		defer open.Add(-1)
		w.Header().Set("Content-Type", protocol.ContentType)
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	db := openDB(t, listsSchema())
	c, err := New(bg, db, &Options{HTTP: srv.Client})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.Connect(bg, staticConnector{endpoint: srv.URL}, ConnectOptions{RetryDelay: 20 * time.Millisecond}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	testutil.Eventually(t, "a connection", 5*time.Second, func() bool { return c.Status().Connected })
	if err := c.Disconnect(bg); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, "every sync stream to close after Disconnect", 5*time.Second, func() bool { return open.Load() == 0 })
}
