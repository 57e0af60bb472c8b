package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/syncserver"
)

// newDemoServer serves the test files and a sync server on path over
// loopback, as the demo does; both close when the test ends.
func newDemoServer(t *testing.T, path string, seed bool) (*syncserver.Server, *httptest.Server) {
	t.Helper()
	ss, err := openSync(context.Background(), path, seed, nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(newHandler(testRoot(), ss.Handler()))
	t.Cleanup(func() {
		ss.Close() // first: it ends open streams, which hs.Close would wait for
		hs.Close()
	})
	return ss, hs
}

func TestSyncRoutesAnswerBesideTheDemoFiles(t *testing.T) {
	_, hs := newDemoServer(t, ":memory:", true)

	resp, err := http.Get(hs.URL + "/api/token")
	if err != nil {
		t.Fatal(err)
	}
	var creds struct{ Token, Endpoint string }
	err = json.NewDecoder(resp.Body).Decode(&creds)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || creds.Token == "" {
		t.Fatalf("GET /api/token = %d %+v (%v)", resp.StatusCode, creds, err)
	}
	if creds.Endpoint != hs.URL {
		t.Errorf("endpoint = %q, want the demo's own origin %q", creds.Endpoint, hs.URL)
	}

	// The stream starts with a checkpoint holding the seeded items and keeps going.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", hs.URL+"/sync/stream", strings.NewReader(`{"buckets":[],"client_id":"c1"}`))
	req.Header.Set("Authorization", "Token "+creds.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("POST /sync/stream = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := bufio.NewScanner(resp.Body)
	var first struct {
		Checkpoint struct {
			Buckets []struct {
				Bucket string
				Count  int
			}
		}
	}
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &first) != nil {
		t.Fatalf("first line %q (%v)", lines.Text(), lines.Err())
	}
	if b := first.Checkpoint.Buckets; len(b) != 1 || b[0].Bucket != "todos[]" || b[0].Count != 2 {
		t.Errorf("checkpoint buckets = %+v, want todos[] with the 2 seeded items", b)
	}

	for url, want := range map[string]int{
		"/":                                    200, // the page, beside the sync routes
		"/write-checkpoint2.json?client_id=c1": 401, // the sync server's: no token
		"/api/missing":                         404,
	} {
		r, err := http.Get(hs.URL + url)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", url, r.StatusCode, want)
		}
	}
}

func TestASyncDatabaseIsSeededOnlyWhenNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "demo-sync.sqlite")
	ss, err := openSync(context.Background(), path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ss.Apply(ctx, []syncserver.Entry{{Op: "DELETE", Type: "todos", ID: "welcome-1"}}); err != nil {
		t.Fatal(err)
	}
	ss.Close()

	ss, err = openSync(ctx, path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ss.Close()
	rows, err := ss.Rows(ctx, "todos")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows["welcome-2"] == nil {
		t.Errorf("after a restart the server holds %v, want only welcome-2 (no second seeding)", rows)
	}
}

func TestWithoutSeedANewSyncDatabaseIsEmpty(t *testing.T) {
	ss, _ := newDemoServer(t, ":memory:", false)
	rows, err := ss.Rows(context.Background(), "todos")
	if err != nil || len(rows) != 0 {
		t.Errorf("rows = %v, %v; want none", rows, err)
	}
}
