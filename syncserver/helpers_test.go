package syncserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

// within bounds every wait for a line or a condition: far above what
// loopback needs, so that only a real hang fails a test.
const within = 5 * time.Second

// testServer is a Server behind a real loopback HTTP server.
type testServer struct {
	*syncserver.Server
	URL  string
	http *httptest.Server
}

// newServer starts a server on an in-memory database unless cfg names a
// file; both are closed when the test ends.
func newServer(t *testing.T, cfg syncserver.Config) *testServer {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = ":memory:"
	}
	s, err := syncserver.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		// Close the server first: it ends open streams, which the HTTP
		// server's Close would otherwise wait for.
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		hs.Close()
	})
	return &testServer{Server: s, URL: hs.URL, http: hs}
}

func (ts *testServer) token(t *testing.T, user string) string {
	t.Helper()
	tok, err := ts.Token(user, 0)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

func (ts *testServer) apply(t *testing.T, entries ...syncserver.Entry) {
	t.Helper()
	if err := ts.Apply(context.Background(), entries); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func put(table, id, data string) syncserver.Entry {
	return syncserver.Entry{Op: "PUT", Type: table, ID: id, Data: json.RawMessage(data)}
}

func patch(table, id, data string) syncserver.Entry {
	return syncserver.Entry{Op: "PATCH", Type: table, ID: id, Data: json.RawMessage(data)}
}

func del(table, id string) syncserver.Entry {
	return syncserver.Entry{Op: "DELETE", Type: table, ID: id}
}

// do sends a request and returns the status and body.
func do(t *testing.T, method, url string, header http.Header, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, b
}

func authHeader(tok string) http.Header {
	return http.Header{"Authorization": {"Token " + tok}}
}

// errorBody decodes the service's error body.
func errorBody(t *testing.T, b []byte) protocol.ErrorBody {
	t.Helper()
	var e protocol.ErrorResponse
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %s: %v", b, err)
	}
	return e.Error
}

// streamConn is an open /sync/stream response read line by line in the
// background with protocol.NewReader.
type streamConn struct {
	t      *testing.T
	resp   *http.Response
	cancel context.CancelFunc
	lines  chan protocol.Line
	done   chan error // the reader's end: io.EOF or an error
}

func openStream(t *testing.T, ts *testServer, tok string, req protocol.StreamRequest) *streamConn {
	t.Helper()
	resp, cancel := postStream(t, ts.URL, tok, req)
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		cancel()
		t.Fatalf("stream: HTTP %d: %s", resp.StatusCode, b)
	}
	c := &streamConn{t: t, resp: resp, cancel: cancel, lines: make(chan protocol.Line, 1024), done: make(chan error, 1)}
	go func() {
		r := protocol.NewReader(resp.Body)
		for {
			l, err := r.Next()
			if err != nil {
				c.done <- err
				close(c.lines)
				return
			}
			c.lines <- l
		}
	}()
	t.Cleanup(c.close)
	return c
}

func postStream(t testing.TB, url, tok string, req protocol.StreamRequest) (*http.Response, context.CancelFunc) {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/sync/stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if tok != "" {
		hr.Header.Set("Authorization", "Token "+tok)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		cancel()
		t.Fatalf("POST /sync/stream: %v", err)
	}
	return resp, cancel
}

func (c *streamConn) close() {
	c.cancel()
	c.resp.Body.Close()
}

// next returns the next line, failing the test if none comes in time.
func (c *streamConn) next() protocol.Line {
	c.t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			c.t.Fatalf("stream ended: %v", <-c.done)
		}
		return l
	case <-time.After(within):
		c.t.Fatalf("no line within %v", within)
	}
	return protocol.Line{}
}

// nextSkippingKeepalives returns the next line that is not a keepalive.
func (c *streamConn) nextSkippingKeepalives() protocol.Line {
	c.t.Helper()
	for {
		if l := c.next(); l.TokenExpiresIn == nil {
			return l
		}
	}
}

// ended waits for the stream to end and returns how it ended (io.EOF
// for a clean end).
func (c *streamConn) ended() error {
	c.t.Helper()
	for {
		select {
		case _, ok := <-c.lines:
			if !ok {
				return <-c.done
			}
		case <-time.After(within):
			c.t.Fatalf("stream did not end within %v", within)
		}
	}
}

// quiet fails the test if a line other than a keepalive is waiting.
func (c *streamConn) quiet() {
	c.t.Helper()
	for {
		select {
		case l, ok := <-c.lines:
			if ok && l.TokenExpiresIn != nil {
				continue
			}
			c.t.Fatalf("unexpected line %s", lineJSON(l))
		default:
			return
		}
	}
}

func lineJSON(l protocol.Line) string {
	b, err := protocol.AppendLine(nil, l)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSpace(string(b))
}

// client models what the client core keeps per bucket
// (protocol-vectors.md §2, from powersync-sqlite-core operations.rs and
// checkpoint.rs): add and op checksums, the live PUTs by row key, and
// the last op id; it checks every bucket's total at each
// (partial_)checkpoint_complete, as the core does.
type client struct {
	t       *testing.T
	buckets map[string]*bucketModel
	target  map[string]protocol.BucketChecksum
	// WriteCheckpoint is the last write checkpoint of a completed
	// checkpoint.
	writeCheckpoint protocol.OpID
	pendingWC       *protocol.OpID
	completes       int
}

type bucketModel struct {
	add, op protocol.Checksum
	live    map[string]liveOp
	lastOp  protocol.OpID
}

type liveOp struct {
	opID     protocol.OpID
	table    string
	id       string
	data     string
	checksum protocol.Checksum
}

func newClient(t *testing.T) *client {
	return &client{t: t, buckets: map[string]*bucketModel{}, target: map[string]protocol.BucketChecksum{}}
}

func (c *client) bucket(name string) *bucketModel {
	b := c.buckets[name]
	if b == nil {
		b = &bucketModel{live: map[string]liveOp{}}
		c.buckets[name] = b
	}
	return b
}

// request is the stream request a reconnecting client sends.
func (c *client) request() protocol.StreamRequest {
	req := protocol.StreamRequest{IncludeChecksum: true, RawData: true, ClientID: "c1"}
	names := make([]string, 0, len(c.buckets))
	for n := range c.buckets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		req.Buckets = append(req.Buckets, protocol.BucketRequest{Name: n, After: c.buckets[n].lastOp})
	}
	return req
}

// apply feeds one line to the model.
func (c *client) apply(l protocol.Line) {
	c.t.Helper()
	switch {
	case l.Checkpoint != nil:
		c.target = map[string]protocol.BucketChecksum{}
		for _, b := range l.Checkpoint.Buckets {
			c.target[b.Bucket] = b
		}
		for name := range c.buckets {
			if _, ok := c.target[name]; !ok {
				delete(c.buckets, name)
			}
		}
		c.pendingWC = l.Checkpoint.WriteCheckpoint
	case l.CheckpointDiff != nil:
		for _, b := range l.CheckpointDiff.UpdatedBuckets {
			c.target[b.Bucket] = b
		}
		for _, name := range l.CheckpointDiff.RemovedBuckets {
			delete(c.target, name)
			delete(c.buckets, name)
		}
		c.pendingWC = l.CheckpointDiff.WriteCheckpoint
	case l.Data != nil:
		b := c.bucket(l.Data.Bucket)
		for _, o := range l.Data.Data {
			b.applyOp(o)
		}
	case l.PartialCheckpointComplete != nil:
		c.validate(l.PartialCheckpointComplete.Priority)
	case l.CheckpointComplete != nil:
		c.validate(3)
		c.completes++
		if c.pendingWC != nil {
			c.writeCheckpoint = *c.pendingWC
		}
	}
}

func (b *bucketModel) applyOp(o protocol.Op) {
	key := o.Key()
	switch o.Op {
	case protocol.OpPut, protocol.OpRemove:
		if old, ok := b.live[key]; ok {
			b.add += old.checksum
			b.op -= old.checksum
			delete(b.live, key)
		}
		if o.Op == protocol.OpPut {
			b.op += o.Checksum
			b.live[key] = liveOp{o.OpID, *o.ObjectType, *o.ObjectID, *o.Data, o.Checksum}
		} else {
			b.add += o.Checksum
		}
	case protocol.OpMove:
		b.add += o.Checksum
	case protocol.OpClear:
		b.live = map[string]liveOp{}
		b.add, b.op = o.Checksum, 0
	}
	b.lastOp = o.OpID
}

func (c *client) validate(priority int) {
	c.t.Helper()
	for name, want := range c.target {
		if want.BucketPriority() > priority {
			continue
		}
		var got protocol.Checksum
		if b := c.buckets[name]; b != nil {
			got = b.add + b.op
		}
		if got != want.Checksum {
			c.t.Fatalf("bucket %s: client checksum %d, checkpoint says %d", name, got, want.Checksum)
		}
	}
}

// syncUntilComplete feeds lines to the model until n more
// checkpoint_complete lines were applied.
func (c *client) syncUntilComplete(s *streamConn, n int) {
	c.t.Helper()
	want := c.completes + n
	for c.completes < want {
		c.apply(s.next())
	}
}

// rows returns the rows of table as the client would show them: for
// each row, the data of its newest live PUT in any bucket
// (sync_local.rs).
func (c *client) rows(table string) map[string]string {
	newest := map[string]liveOp{}
	for _, b := range c.buckets {
		for _, o := range b.live {
			if o.table == table && o.opID > newest[o.id].opID {
				newest[o.id] = o
			}
		}
	}
	out := map[string]string{}
	for id, o := range newest {
		out[id] = o.data
	}
	return out
}

// serverRows returns the server's rows of table as compact JSON text.
func serverRows(t *testing.T, ts *testServer, table string) map[string]string {
	t.Helper()
	rows, err := ts.Rows(context.Background(), table)
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	out := map[string]string{}
	for id, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = string(b)
	}
	return out
}

// sameRows compares the client's rows of table with the server's, as
// decoded JSON (json.Marshal sorts keys).
func sameRows(t *testing.T, c *client, ts *testServer, table string) {
	t.Helper()
	want := serverRows(t, ts, table)
	got := map[string]string{}
	for id, data := range c.rows(table) {
		dec := json.NewDecoder(strings.NewReader(data))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("row %s: %v", id, err)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got[id] = string(b)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s rows:\nclient %v\nserver %v", table, got, want)
	}
}

func wantEOF(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, io.EOF) {
		t.Fatalf("stream ended with %v, want a clean end", err)
	}
}
