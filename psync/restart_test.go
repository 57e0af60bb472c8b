package psync

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/syncserver"
)

// restartable is a dev server on a file at a fixed address that a test
// can stop and start again, as an operator restarts a server process.
type restartable struct {
	addr *fixedAddr
	testServer
	cfg syncserver.Config
	srv *syncserver.Server // the running server, or the last one
}

func startRestartable(t testing.TB, cfg syncserver.Config) *restartable {
	t.Helper()
	cfg.Path = filepath.Join(t.TempDir(), "sync.sqlite")
	r := &restartable{cfg: cfg}
	r.addr, r.testServer = newFixedAddr(t)
	r.start(t)
	return r
}

func (r *restartable) start(t testing.TB) {
	t.Helper()
	srv, err := syncserver.New(bg, r.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	r.srv = srv
	r.addr.serve(t, srv.Handler())
}

// stop closes the listener, every connection, and the server.
func (r *restartable) stop(t testing.TB) {
	t.Helper()
	r.addr.stop()
	if err := r.srv.Close(); err != nil {
		t.Fatal(err)
	}
}

func (r *restartable) dev() *devServer { return &devServer{Server: r.srv, testServer: r.testServer} }

// errConnectionLost is how a test's faultHTTP ends a stream the server
// went away from.
var errConnectionLost = errors.New("connection lost (simulated)")

func TestFaultARestartedServerIsResumedFromTheOpsTheClientStored(t *testing.T) {
	rs := startRestartable(t, syncserver.Config{MaxOpsPerLine: 3})
	m := newServerModel()
	m.seedLists(t, rs.srv, 6, 30)

	// The first stream stops after its checkpoint and 4 data lines (12
	// ops of 36) until the server is stopped; then it dies with it.
	const delivered = 5
	atGate, gate := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() {
		select {
		case <-gate:
		default:
			close(gate)
		}
	})
	lines := 0
	fh := &faultHTTP{next: rs.Client, filter: func(i int, line []byte) ([]byte, error) {
		if i > 0 {
			return line, nil
		}
		if lines++; lines <= delivered {
			return line, nil
		}
		close(atGate)
		<-gate
		return nil, errConnectionLost
	}}
	conn := &devConnector{base: rs.URL, http: rs.Client}
	rec := &uploadRecorder{next: conn.http}
	conn.http = rec
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: rs.URL, Client: fh}, conn, ConnectOptions{RetryDelay: fastRetry})
	log := watchStatus(c)
	<-atGate

	// Both sides write while the first sync is stuck.
	uploads := addNote(t, db, m, "n1", "before the restart")
	m.apply(t, rs.srv, m.bump("todos", "t001"), m.bump("lists", "l001"))
	drained(t, db, faultWait)
	stored := rowsOf(t, db, `SELECT name, last_op FROM ps_buckets WHERE name != '$local' ORDER BY name`)
	if len(stored) == 0 {
		t.Fatal("no ops stored before the restart")
	}

	// The server goes away; the client fails to reach it and to upload.
	rs.stop(t)
	close(gate)
	fh.waitRequests(t, 2, faultWait)
	uploads += addNote(t, db, m, "n2", "while the server is down")
	testutil.Eventually(t, "an upload error while the server is down", faultWait, func() bool { return len(log.uploadErrors()) > 0 })
	testutil.Eventually(t, "a download error after the stop", faultWait, func() bool { return len(log.downloadErrors()) >= 2 })

	rs.start(t)
	m.apply(t, rs.srv, m.bump("todos", "t002"), del("todos", "t003"))
	uploads += addNote(t, db, m, "n3", "after the restart")
	drained(t, db, faultWait)
	convergedAll(t, db, rs.dev(), faultWait)
	settled(t, c, faultWait)
	m.check(t, rs.dev())
	rec.checkOnce(t, uploads)

	// The client asked the restarted server for the ops after those it
	// had stored, and so received each op exactly once. (The streams
	// between the first and that one found no server.)
	var resumed *faultStream
	for i := 1; i < fh.count(); i++ {
		if s := fh.stream(i); s.ops > 0 {
			resumed = &s
			break
		}
	}
	if resumed == nil {
		t.Fatal("no stream after the restart received ops")
	}
	for _, b := range stored {
		found := false
		for _, r := range resumed.req.Buckets {
			if r.Name == b["name"] {
				found = true
				if int64(r.After) < b["last_op"].(int64) || r.After == 0 {
					t.Errorf("after the restart the client asked for %s after %d, but it held ops up to %d", r.Name, r.After, b["last_op"])
				}
			}
		}
		if !found {
			t.Errorf("after the restart the client did not ask for bucket %s it held (request %+v)", b["name"], resumed.req.Buckets)
		}
	}
	if got, want := fh.ops(), serverOps(t, rs.srv); got != want {
		t.Errorf("the client received %d ops, the server holds %d: some were downloaded twice or lost", got, want)
	}
	if errs := log.downloadErrors(); !errors.Is(errs[0], errConnectionLost) {
		t.Errorf("first download error %v, want the lost connection", errs[0])
	}
}
