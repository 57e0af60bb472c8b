package psync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// The fault tests (faults_test.go, proxy_test.go) break sync in the ways a
// network, a server or a backend breaks it, then check that the client
// ends where the server is, with nothing lost or applied twice, and that
// the failure showed in SyncStatus. This file holds what they share.

// faultSchema is the client schema of the fault tests: lists and todos
// that the server changes, and notes that only the client writes.
func faultSchema() store.Schema {
	return store.Schema{Tables: []store.Table{
		{Name: "lists", Columns: []store.Column{{Name: "name", Type: store.Text}, {Name: "n", Type: store.Integer}}},
		{Name: "todos", Columns: []store.Column{{Name: "list_id", Type: store.Text}, {Name: "description", Type: store.Text}, {Name: "n", Type: store.Integer}}},
		{Name: "notes", Columns: []store.Column{{Name: "body", Type: store.Text}}},
	}}
}

var faultTables = []string{"lists", "todos", "notes"}

// convergedAll waits until every table of faultSchema is the same on the
// client and the server.
func convergedAll(t testing.TB, db *store.DB, srv *devServer, within time.Duration) {
	t.Helper()
	for _, table := range faultTables {
		converged(t, db, srv, table, within)
	}
}

// clientSnapshot reads every table of faultSchema on the client.
func clientSnapshot(t testing.TB, db *store.DB) map[string]map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]map[string]any{}
	for _, table := range faultTables {
		out[table] = tableRows(t, db, table)
	}
	return out
}

// drained waits until the client's upload queue is empty.
func drained(t testing.TB, db *store.DB, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, "the upload queue drained", within, func() bool {
		n, _, err := db.UploadQueueStats(bg)
		return err == nil && n == 0
	})
}

// serverModel is what the server must hold: every row the test wrote,
// on either side, as JSON text with its id. The test keeps server writes
// and client writes on different rows, so the model does not depend on
// the order they reach the server.
type serverModel struct {
	mu   sync.Mutex
	rows map[string]map[string]map[string]any // table -> id -> row
}

func newServerModel() *serverModel {
	return &serverModel{rows: map[string]map[string]map[string]any{}}
}

// set records row (a JSON object without the id) as table/id's content.
func (m *serverModel) set(table, id, row string) {
	var v map[string]any
	if err := json.Unmarshal([]byte(row), &v); err != nil {
		panic(err)
	}
	v["id"] = id
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rows[table] == nil {
		m.rows[table] = map[string]map[string]any{}
	}
	m.rows[table][id] = v
}

func (m *serverModel) del(table, id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows[table], id)
}

func (m *serverModel) get(table, id string) map[string]any {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rows[table][id]
}

// ids returns the ids of table's rows, sorted.
func (m *serverModel) ids(table string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for id := range m.rows[table] {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// check fails t unless the server holds exactly the model's rows.
func (m *serverModel) check(t testing.TB, srv *devServer) {
	t.Helper()
	for _, table := range faultTables {
		got := serverRows(t, srv, table)
		m.mu.Lock()
		want := m.rows[table]
		if want == nil {
			want = map[string]map[string]any{}
		}
		same := reflect.DeepEqual(got, want)
		m.mu.Unlock()
		if !same {
			t.Errorf("the server's %s differ from what was written:\nserver  %v\nwritten %v", table, got, want)
		}
	}
}

// apply writes entries on the server as its backend would, and records
// them in the model. PATCH entries merge into the model's row.
func (m *serverModel) apply(t testing.TB, srv *syncserver.Server, entries ...syncserver.Entry) {
	t.Helper()
	if err := srv.Apply(bg, entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch e.Op {
		case "PUT":
			m.set(e.Type, e.ID, string(e.Data))
		case "PATCH":
			row := map[string]any{}
			for k, v := range m.get(e.Type, e.ID) {
				row[k] = v
			}
			var patch map[string]any
			json.Unmarshal(e.Data, &patch)
			for k, v := range patch {
				row[k] = v
			}
			delete(row, "id")
			b, _ := json.Marshal(row)
			m.set(e.Type, e.ID, string(b))
		case "DELETE":
			m.del(e.Type, e.ID)
		}
	}
}

func patch(table, id, data string) syncserver.Entry {
	return syncserver.Entry{Op: "PATCH", Type: table, ID: id, Data: json.RawMessage(data)}
}

func del(table, id string) syncserver.Entry {
	return syncserver.Entry{Op: "DELETE", Type: table, ID: id}
}

// seedLists puts lists l000.. and todos t000.. on the server, todos
// spread over the lists.
func (m *serverModel) seedLists(t testing.TB, srv *syncserver.Server, lists, todos int) {
	t.Helper()
	var batch []syncserver.Entry
	for i := range lists {
		batch = append(batch, put("lists", fmt.Sprintf("l%03d", i), fmt.Sprintf(`{"name":"list %d","n":0}`, i)))
	}
	for i := range todos {
		batch = append(batch, put("todos", fmt.Sprintf("t%03d", i), fmt.Sprintf(`{"list_id":"l%03d","description":"todo number %d","n":0}`, i%max(lists, 1), i)))
	}
	m.apply(t, srv, batch...)
}

// bump returns a PATCH entry that increments row table/id's n in the
// model's view.
func (m *serverModel) bump(table, id string) syncserver.Entry {
	n, _ := m.get(table, id)["n"].(float64)
	return patch(table, id, fmt.Sprintf(`{"n":%d}`, int(n)+1))
}

// statusLog records every distinct DownloadError and UploadError the
// client's status shows, in order.
type statusLog struct {
	mu                   sync.Mutex
	downloads, uploads   []error
	lastDown, lastUpload error
}

func watchStatus(c *Client) *statusLog {
	l := &statusLog{}
	c.RegisterListener(func(s SyncStatus) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if e := s.DataFlow.DownloadError; e != nil && !sameError(e, l.lastDown) {
			l.downloads = append(l.downloads, e)
		}
		if e := s.DataFlow.UploadError; e != nil && !sameError(e, l.lastUpload) {
			l.uploads = append(l.uploads, e)
		}
		l.lastDown, l.lastUpload = s.DataFlow.DownloadError, s.DataFlow.UploadError
	})
	return l
}

// sameError reports whether a and b are the same error value (errors of
// uncomparable types count as different).
func sameError(a, b error) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

func (l *statusLog) downloadErrors() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.downloads...)
}

func (l *statusLog) uploadErrors() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.uploads...)
}

// wantDownloadError fails t unless some download error seen has an E in
// its chain for which ok holds, and returns it.
func wantDownloadError[E error](t testing.TB, l *statusLog, ok func(E) bool) E {
	t.Helper()
	errs := l.downloadErrors()
	for _, err := range errs {
		var e E
		if errors.As(err, &e) && (ok == nil || ok(e)) {
			return e
		}
	}
	var zero E
	t.Fatalf("no download error of type %T among %v", zero, errs)
	return zero
}

// settled waits until the client is connected and neither error shows.
func settled(t testing.TB, c *Client, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, "a connected status without errors", within, func() bool {
		st := c.Status()
		return st.Connected && st.DataFlow.DownloadError == nil && st.DataFlow.UploadError == nil
	})
}

// faultHTTP wraps the client's HTTPClient to watch and break its sync
// streams: it records each /sync/stream request, counts the ops of the
// data lines the client receives, holds a request while the test looks
// at the client, and passes each line of the response through filter.
type faultHTTP struct {
	next HTTPClient
	// filter, when set, sees each line of stream i (with its newline)
	// and returns what the client receives instead; a non-nil error
	// ends the response body with that error after out.
	filter func(i int, line []byte) ([]byte, error)

	mu      sync.Mutex
	streams []*faultStream
	holds   map[int]chan struct{}
}

// faultStream is one /sync/stream request and what its response gave.
type faultStream struct {
	req   protocol.StreamRequest
	token string
	ops   int // ops of the data lines the client received
}

func (f *faultHTTP) Do(ctx context.Context, req *Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil || u.Path != "/sync/stream" {
		return f.next.Do(ctx, req)
	}
	s := &faultStream{token: strings.TrimPrefix(req.Header["Authorization"], "Token ")}
	if err := json.Unmarshal(req.Body, &s.req); err != nil {
		return nil, err
	}
	f.mu.Lock()
	i := len(f.streams)
	f.streams = append(f.streams, s)
	hold := f.holds[i]
	f.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	res, err := f.next.Do(ctx, req)
	if err != nil || res.StatusCode/100 != 2 {
		return res, err
	}
	res.Body = &faultBody{f: f, i: i, s: s, under: res.Body, r: bufio.NewReader(res.Body)}
	return res, nil
}

// hold makes stream request i (0-based) wait until release is called.
func (f *faultHTTP) hold(i int) (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	if f.holds == nil {
		f.holds = map[int]chan struct{}{}
	}
	f.holds[i] = ch
	f.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// count returns the number of stream requests made.
func (f *faultHTTP) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.streams)
}

// waitRequests waits until n stream requests were made.
func (f *faultHTTP) waitRequests(t testing.TB, n int, within time.Duration) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("sync stream request %d", n), within, func() bool { return f.count() >= n })
}

// stream returns stream request i and what it received so far.
func (f *faultHTTP) stream(i int) faultStream {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.streams[i]
}

// ops returns the ops the client received over every stream.
func (f *faultHTTP) ops() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.streams {
		n += s.ops
	}
	return n
}

// faultBody is a stream response read one line at a time through the
// filter.
type faultBody struct {
	f     *faultHTTP
	i     int
	s     *faultStream
	under io.ReadCloser
	r     *bufio.Reader
	out   []byte // filtered bytes not yet read
	end   error  // returned once out is empty
}

func (b *faultBody) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.end != nil {
			return 0, b.end
		}
		line, err := b.r.ReadBytes('\n')
		if err != nil {
			// A partial line passes as it is, then the error.
			b.out, b.end = line, err
			continue
		}
		out := line
		if b.f.filter != nil {
			var ferr error
			out, ferr = b.f.filter(b.i, line)
			b.end = ferr
		}
		b.out = out
		b.count(out)
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

// count adds the ops of the complete data lines in out.
func (b *faultBody) count(out []byte) {
	n := 0
	for _, raw := range bytes.SplitAfter(out, []byte("\n")) {
		if len(raw) == 0 || raw[len(raw)-1] != '\n' {
			continue
		}
		if l, err := protocol.DecodeLine(raw[:len(raw)-1]); err == nil && l.Data != nil {
			n += len(l.Data.Data)
		}
	}
	b.f.mu.Lock()
	b.s.ops += n
	b.f.mu.Unlock()
}

func (b *faultBody) Close() error { return b.under.Close() }

// lineKind returns the key of a sync line's object ("checkpoint", "data",
// ...), "" when it is not one.
func lineKind(line []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(line, &m) != nil || len(m) != 1 {
		return ""
	}
	for k := range m {
		return k
	}
	return ""
}

// uploadRecorder wraps a connector's HTTPClient and records the op_id of
// every entry of every upload the server accepted.
type uploadRecorder struct {
	next HTTPClient
	mu   sync.Mutex
	ids  []int64
}

func (u *uploadRecorder) Do(ctx context.Context, req *Request) (*Response, error) {
	res, err := u.next.Do(ctx, req)
	if err != nil || !strings.HasSuffix(req.URL, "/api/upload") || res.StatusCode != 200 {
		return res, err
	}
	var body struct {
		Batch []struct {
			OpID int64 `json:"op_id"`
		} `json:"batch"`
	}
	if err := json.Unmarshal(req.Body, &body); err != nil {
		return nil, err
	}
	u.mu.Lock()
	for _, e := range body.Batch {
		u.ids = append(u.ids, e.OpID)
	}
	u.mu.Unlock()
	return res, nil
}

// checkOnce fails t unless exactly n entries were uploaded, each once.
func (u *uploadRecorder) checkOnce(t testing.TB, n int) {
	t.Helper()
	u.mu.Lock()
	defer u.mu.Unlock()
	seen := map[int64]bool{}
	for _, id := range u.ids {
		if seen[id] {
			t.Errorf("upload entry %d reached the server twice (uploads %v)", id, u.ids)
		}
		seen[id] = true
	}
	if len(u.ids) != n {
		t.Errorf("%d entries uploaded, want %d (%v)", len(u.ids), n, u.ids)
	}
}

// serverOps returns how many ops the server's buckets hold, by compacting
// them (which keeps bucket checksums): the number of ops a client that
// never downloaded one twice has received.
func serverOps(t testing.TB, srv *syncserver.Server) int {
	t.Helper()
	st, err := srv.Compact(bg)
	if err != nil {
		t.Fatal(err)
	}
	return int(st.OpsBefore)
}
