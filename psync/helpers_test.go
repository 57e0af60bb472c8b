package psync

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/store"
)

var bg = context.Background()

// listsSchema is the schema of protocol-vectors.md's sample stream.
func listsSchema() store.Schema {
	return store.Schema{Tables: []store.Table{
		{Name: "lists", Columns: []store.Column{{Name: "name", Type: store.Text}}},
		{Name: "todos", Columns: []store.Column{{Name: "list_id", Type: store.Text}, {Name: "description", Type: store.Text}, {Name: "completed", Type: store.Integer}}},
	}}
}

func openDB(t testing.TB, s store.Schema) *store.DB {
	t.Helper()
	db, err := store.Open(bg, filepath.Join(t.TempDir(), "client.sqlite"), s, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// staticConnector hands out fixed credentials and uploads with fn.
type staticConnector struct {
	endpoint, token string
	upload          func(ctx context.Context, db *store.DB) error
}

func (c staticConnector) FetchCredentials(context.Context) (*Credentials, error) {
	return &Credentials{Endpoint: c.endpoint, Token: c.token}, nil
}

func (c staticConnector) UploadData(ctx context.Context, db *store.DB) error {
	if c.upload == nil {
		return errors.New("no uploads in this test")
	}
	return c.upload(ctx, db)
}

// scriptServer is an HTTP server on loopback that answers each
// /sync/stream request with the next script (NDJSON text) and records the
// request bodies. After the last script it holds the stream open.
type scriptServer struct {
	testServer
	mu       sync.Mutex
	scripts  []string
	requests [][]byte
}

func newScriptServer(t testing.TB, scripts ...string) *scriptServer {
	s := &scriptServer{scripts: scripts}
	s.testServer = serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/sync/stream":
			body, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.requests = append(s.requests, body)
			n := len(s.requests)
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/x-ndjson")
			if n <= len(s.scripts) {
				w.Write([]byte(s.scripts[n-1]))
				if n < len(s.scripts) {
					return // end the stream: the client reconnects
				}
			}
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/write-checkpoint2.json":
			w.Write([]byte(`{"data":{"write_checkpoint":"1"}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	return s
}

func (s *scriptServer) request(i int) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i >= len(s.requests) {
		return nil
	}
	return s.requests[i]
}

func (s *scriptServer) requestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}
