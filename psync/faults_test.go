package psync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// These tests break sync the way networks, servers and backends break it
// (TCP cuts are in proxy_test.go, natively only; a server restart in
// restart_test.go), against the dev sync server, and check that the
// client converges to the server's rows with nothing lost or applied
// twice and the failure shown in SyncStatus. They run on every target:
// the in-process transport serves the server on wasip1 and js.

const faultWait = 10 * time.Second

// fastRetry is the retry delay of the fault tests: short, so that a test
// that fails many times still ends in a few seconds.
const fastRetry = 5 * time.Millisecond

// addNote inserts note id on the client, records it in the model, and
// returns the number of upload entries it queued (1).
func addNote(t testing.TB, db *store.DB, m *serverModel, id, body string) int {
	t.Helper()
	if _, err := db.Execute(bg, `INSERT INTO notes(id, body) VALUES(?, ?)`, id, body); err != nil {
		t.Fatal(err)
	}
	m.set("notes", id, fmt.Sprintf(`{"body":%q}`, body))
	return 1
}

func TestFaultACorruptedChecksumFromTheServerIsRefusedAndTheBucketDownloadedAgain(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{MaxOpsPerLine: 3})
	m := newServerModel()
	m.seedLists(t, srv.Server, 3, 12)

	// The first checkpoint_diff that announces todos[] carries a wrong
	// checksum for it, once.
	var corrupted atomic.Bool
	fh := &faultHTTP{next: srv.Client, filter: func(i int, line []byte) ([]byte, error) {
		if corrupted.Load() || lineKind(line) != "checkpoint_diff" {
			return line, nil
		}
		l, err := protocol.DecodeLine(bytes.TrimSpace(line))
		if err != nil {
			return nil, err
		}
		for j, b := range l.CheckpointDiff.UpdatedBuckets {
			if b.Bucket == "todos[]" {
				l.CheckpointDiff.UpdatedBuckets[j].Checksum++
				corrupted.Store(true)
			}
		}
		return protocol.AppendLine(nil, l)
	}}
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: srv.URL, Client: fh}, srv.connector(), ConnectOptions{RetryDelay: fastRetry})
	log := watchStatus(c)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	convergedAll(t, db, srv, faultWait)
	before := clientSnapshot(t, db)

	// The change reaches the client with the corrupted checksum; the
	// client refuses the checkpoint and reconnects (held here).
	release := fh.hold(1)
	defer release()
	m.apply(t, srv.Server, m.bump("todos", "t001"), m.bump("todos", "t002"), del("todos", "t011"),
		put("todos", "t100", `{"list_id":"l000","description":"new","n":0}`), m.bump("lists", "l000"))
	fh.waitRequests(t, 2, faultWait)
	if !corrupted.Load() {
		t.Fatal("no checkpoint_diff announced todos[]")
	}
	ce := testutil.WantErr[*ChecksumError](t, c.Status().DataFlow.DownloadError)
	if len(ce.Buckets) != 1 || ce.Buckets[0].Bucket != "todos[]" {
		t.Fatalf("checksum error %v, want todos[] alone", ce)
	}
	if got := clientSnapshot(t, db); !reflect.DeepEqual(got, before) {
		t.Fatalf("rows changed by a refused checkpoint:\nbefore %v\nafter  %v", before, got)
	}
	for _, b := range fh.stream(1).req.Buckets {
		if b.Name == "todos[]" && b.After != 0 {
			t.Fatalf("after the checksum failure the client asked for todos[] after %d, want from the start", b.After)
		}
		if b.Name == "lists[]" && b.After == 0 {
			t.Fatalf("after the checksum failure the client asked for lists[] from the start; only todos[] failed")
		}
	}

	release()
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	m.check(t, srv)
	wantDownloadError(t, log, func(e *ChecksumError) bool { return e == ce })
}

// flakyAuth is a devConnector whose fetches after the first fail while
// fail is set.
type flakyAuth struct {
	*devConnector
	fail   atomic.Bool
	failed atomic.Int64
}

var errAuthDown = errors.New("auth backend unavailable (simulated)")

func (f *flakyAuth) FetchCredentials(ctx context.Context) (*Credentials, error) {
	if f.fetches.Load() > 0 && f.fail.Load() {
		f.failed.Add(1)
		return nil, errAuthDown
	}
	return f.devConnector.FetchCredentials(ctx)
}

func TestFaultA401InvalidatesTheCredentialsAndSyncsWithNewOnes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*devConnector)
		code  string
	}{
		{"a broken token", func(c *devConnector) { c.badTokens = 1 }, ""},
		{"a token expired beyond the clock tolerance", func(c *devConnector) { c.lifetimes = []int{-120} }, "PSYNC_S2103"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDevServer(t, syncserver.Config{})
			m := newServerModel()
			m.seedLists(t, srv.Server, 2, 4)
			fh := &faultHTTP{next: srv.Client}
			conn := srv.connector()
			tc.setup(conn)
			db := openDB(t, faultSchema())
			c := connect(t, db, testServer{URL: srv.URL, Client: fh}, conn, ConnectOptions{RetryDelay: fastRetry})
			log := watchStatus(c)
			if err := c.WaitForFirstSync(bg, -1); err != nil {
				t.Fatal(err)
			}
			herr := wantDownloadError(t, log, func(e *HTTPError) bool { return e.StatusCode == 401 })
			if tc.code != "" && herr.Code != tc.code {
				t.Errorf("401 with code %q, want %q", herr.Code, tc.code)
			}
			if n := conn.fetches.Load(); n != 2 {
				t.Errorf("%d credential fetches, want 2: the 401 must make the client fetch again, once", n)
			}
			if fh.stream(0).token == fh.stream(1).token {
				t.Error("the client retried with the token the service refused")
			}
			// It keeps syncing with the new token.
			m.apply(t, srv.Server, m.bump("todos", "t001"))
			convergedAll(t, db, srv, faultWait)
			settled(t, c, faultWait)
			m.check(t, srv)
		})
	}
}

func TestFaultATokenThatExpiredOnTheStreamIsFetchedAgain(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	m := newServerModel()
	m.seedLists(t, srv.Server, 2, 4)
	fh := &faultHTTP{next: srv.Client}
	conn := srv.connector()
	// Expired a second ago: within the service's clock tolerance, so the
	// stream opens and at once says {"token_expires_in":0}.
	conn.lifetimes = []int{-1}
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: srv.URL, Client: fh}, conn, ConnectOptions{RetryDelay: time.Hour})
	log := watchStatus(c)
	// A retry delay of an hour: the reconnect with the new token must be
	// immediate, as after a refresh.
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	if n := conn.fetches.Load(); n != 2 {
		t.Errorf("%d credential fetches, want 2", n)
	}
	if fh.count() != 2 || fh.stream(0).token == fh.stream(1).token {
		t.Errorf("%d streams; the second must use a new token", fh.count())
	}
	m.apply(t, srv.Server, m.bump("todos", "t001"))
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	if errs := log.downloadErrors(); len(errs) != 0 {
		t.Errorf("an expired token is routine, not a download error: %v", errs)
	}
}

func TestFaultAShortLivedTokenIsRefreshedBeforeItExpires(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{KeepaliveInterval: 20 * time.Millisecond})
	m := newServerModel()
	m.seedLists(t, srv.Server, 2, 4)
	fh := &faultHTTP{next: srv.Client}
	conn := srv.connector()
	conn.lifetimes = []int{20} // the first keepalive says 20 s are left: refresh
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: srv.URL, Client: fh}, conn, ConnectOptions{RetryDelay: time.Hour})
	log := watchStatus(c)
	fh.waitRequests(t, 2, faultWait)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	if fh.stream(0).token == fh.stream(1).token {
		t.Error("the client reconnected with the old token")
	}
	// After the refresh the stream goes on: a write on the server arrives.
	m.apply(t, srv.Server, m.bump("todos", "t001"), del("todos", "t002"))
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	if n := conn.fetches.Load(); n != 2 {
		t.Errorf("%d credential fetches, want 2 (the first, and one refresh)", n)
	}
	if n := fh.count(); n != 2 {
		t.Errorf("%d streams, want 2: a token of an hour needs no refresh", n)
	}
	if errs := log.downloadErrors(); len(errs) != 0 {
		t.Errorf("a token refresh is routine, not a download error: %v", errs)
	}
}

func TestFaultWhenTheRefreshFailsTheTokenExpiresAndIsFetchedAgain(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{KeepaliveInterval: 20 * time.Millisecond})
	m := newServerModel()
	m.seedLists(t, srv.Server, 2, 4)
	var expired atomic.Bool
	fh := &faultHTTP{next: srv.Client, filter: func(i int, line []byte) ([]byte, error) {
		if i == 0 && string(bytes.TrimSpace(line)) == `{"token_expires_in":0}` {
			expired.Store(true)
		}
		return line, nil
	}}
	conn := &flakyAuth{devConnector: srv.connector()}
	conn.lifetimes = []int{1} // expires within a second
	conn.fail.Store(true)     // and cannot be refreshed meanwhile
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: srv.URL, Client: fh}, conn, ConnectOptions{RetryDelay: fastRetry})
	log := watchStatus(c)
	// At expiry the service ends the stream; the client must fetch again
	// (and show why it cannot) instead of using the expired token.
	authErr := func() bool {
		for _, err := range log.downloadErrors() {
			if errors.Is(err, errAuthDown) {
				return true
			}
		}
		return false
	}
	testutil.Eventually(t, "the failed fetch after expiry in DownloadError", faultWait, authErr)
	if !expired.Load() {
		t.Fatal(`the first stream did not end with {"token_expires_in":0}`)
	}
	conn.fail.Store(false)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	m.apply(t, srv.Server, m.bump("todos", "t001"))
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	if s := fh.stream(fh.count() - 1); s.token == fh.stream(0).token {
		t.Error("the client reconnected with the expired token")
	}
	if e := (*HTTPError)(nil); slices.ContainsFunc(log.downloadErrors(), func(err error) bool { return errors.As(err, &e) }) {
		t.Errorf("the client used an expired token: %v", e)
	}
}

func TestFaultFailingUploadsAreRetriedAndEachEntryReachesTheServerOnce(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{})
	m := newServerModel()
	m.seedLists(t, srv.Server, 2, 4)
	conn := srv.connector()
	rec := &uploadRecorder{next: conn.http}
	conn.http = rec
	db := openDB(t, faultSchema())
	c := connect(t, db, srv.testServer, conn, ConnectOptions{RetryDelay: fastRetry})
	log := watchStatus(c)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	entries := addNote(t, db, m, "counter", "0")
	drained(t, db, faultWait)

	// Each transaction adds an event and increments the counter; the
	// backend fails in between.
	count := 0
	transaction := func() {
		count++
		err := db.WriteTx(bg, func(tx *store.Tx) error {
			if _, err := tx.Execute(bg, `INSERT INTO notes(id, body) VALUES(?, ?)`, fmt.Sprintf("event%d", count), fmt.Sprintf("event %d", count)); err != nil {
				return err
			}
			_, err := tx.Execute(bg, `UPDATE notes SET body = CAST(CAST(body AS INTEGER) + 1 AS TEXT) WHERE id = 'counter'`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		entries += 2
		m.set("notes", fmt.Sprintf("event%d", count), fmt.Sprintf(`{"body":"event %d"}`, count))
		m.set("notes", "counter", fmt.Sprintf(`{"body":"%d"}`, count))
	}
	conn.failUploads.Store(3)
	transaction()
	testutil.Eventually(t, "the first upload error", faultWait, func() bool { return len(log.uploadErrors()) > 0 })
	transaction()
	// Meanwhile the server changes too; the client applies it only
	// after its uploads.
	m.apply(t, srv.Server, m.bump("todos", "t001"))
	testutil.Eventually(t, "the first transaction uploaded", faultWait, func() bool { return conn.uploads.Load() >= 2 })
	conn.failUploads.Store(2)
	transaction()
	transaction()
	drained(t, db, faultWait)
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	m.check(t, srv)
	rec.checkOnce(t, entries)
	if n := conn.uploads.Load(); n != int64(1+count) {
		t.Errorf("%d transactions uploaded, want %d", n, 1+count)
	}
	errs := log.uploadErrors()
	if len(errs) != 5 {
		t.Errorf("%d upload errors shown, want one per failure (5): %v", len(errs), errs)
	}
}

// A sync line the protocol does not allow, injected into a real stream
// after the first data line of a checkpoint_diff.
func TestFaultAMalformedLineFailsTheStreamAndNothingOfItsCheckpointIsApplied(t *testing.T) {
	for _, tc := range []struct {
		name string
		// broken replaces the second data line of the checkpoint.
		broken func(line []byte) ([]byte, error)
	}{
		{"bad JSON", func(l []byte) ([]byte, error) {
			return append(bytes.Clone(l[:len(l)/2]), '\n'), nil
		}},
		{"an unknown op type", func(l []byte) ([]byte, error) {
			return bytes.Replace(l, []byte(`"op":"PUT"`), []byte(`"op":"UPSERT"`), 1), nil
		}},
		{"a data line whose ops are not a list", func([]byte) ([]byte, error) {
			return []byte(`{"data":{"bucket":"todos[]","data":{"op_id":"1","op":"PUT","checksum":1}}}` + "\n"), nil
		}},
		{"a PUT without its row", func([]byte) ([]byte, error) {
			return []byte(`{"data":{"bucket":"todos[]","data":[{"op_id":"1000","op":"PUT","checksum":1}]}}` + "\n"), nil
		}},
		{"a stream that ends inside a line", func(l []byte) ([]byte, error) {
			return bytes.Clone(l[:len(l)/2]), io.EOF
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startDevServer(t, syncserver.Config{MaxOpsPerLine: 2})
			m := newServerModel()
			m.seedLists(t, srv.Server, 2, 8)
			fh := &faultHTTP{next: srv.Client, filter: breakAfterFirstDataLine(tc.broken)}
			db := openDB(t, faultSchema())
			c := connect(t, db, testServer{URL: srv.URL, Client: fh}, srv.connector(), ConnectOptions{RetryDelay: fastRetry})
			log := watchStatus(c)
			if err := c.WaitForFirstSync(bg, -1); err != nil {
				t.Fatal(err)
			}
			convergedAll(t, db, srv, faultWait)
			before := clientSnapshot(t, db)

			release := fh.hold(1)
			defer release()
			m.apply(t, srv.Server, m.bump("todos", "t000"), m.bump("todos", "t001"), m.bump("todos", "t002"),
				m.bump("todos", "t003"), del("todos", "t004"), m.bump("lists", "l001"))
			fh.waitRequests(t, 2, faultWait)
			if err := c.Status().DataFlow.DownloadError; !errors.Is(err, protocol.ErrMalformedLine) {
				t.Fatalf("download error %v, want one wrapping protocol.ErrMalformedLine", err)
			}
			if got := clientSnapshot(t, db); !reflect.DeepEqual(got, before) {
				t.Fatalf("rows changed by a checkpoint whose stream broke:\nbefore %v\nafter  %v", before, got)
			}

			release()
			convergedAll(t, db, srv, faultWait)
			settled(t, c, faultWait)
			m.check(t, srv)
			if got, want := fh.ops(), serverOps(t, srv.Server); got != want {
				t.Errorf("the client received %d ops, the server holds %d", got, want)
			}
			if n := len(log.downloadErrors()); n != 1 {
				t.Errorf("%d download errors, want 1: %v", n, log.downloadErrors())
			}
		})
	}
}

// breakAfterFirstDataLine returns a faultHTTP filter that, on the first
// stream, passes a checkpoint_diff and its first data line, then
// replaces the next line with broken's.
func breakAfterFirstDataLine(broken func([]byte) ([]byte, error)) func(int, []byte) ([]byte, error) {
	var mu sync.Mutex
	state := 0 // 0: before the diff, 1: before its first data line, 2: next, 3: done
	return func(i int, line []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if i != 0 {
			return line, nil
		}
		switch kind := lineKind(line); {
		case state == 0 && kind == "checkpoint_diff":
			state = 1
		case state == 1 && kind == "data":
			state = 2
		case state == 2:
			state = 3
			return broken(line)
		}
		return line, nil
	}
}

func TestFaultALineOfAnUnknownKindIsIgnored(t *testing.T) {
	srv := startDevServer(t, syncserver.Config{MaxOpsPerLine: 2})
	m := newServerModel()
	m.seedLists(t, srv.Server, 2, 8)
	fh := &faultHTTP{next: srv.Client, filter: breakAfterFirstDataLine(func(l []byte) ([]byte, error) {
		return append([]byte(`{"a_future_line":{"last_op_id":"7","anything":[1,{"x":null}]}}`+"\n"), l...), nil
	})}
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: srv.URL, Client: fh}, srv.connector(), ConnectOptions{RetryDelay: fastRetry})
	log := watchStatus(c)
	if err := c.WaitForFirstSync(bg, -1); err != nil {
		t.Fatal(err)
	}
	m.apply(t, srv.Server, m.bump("todos", "t000"), m.bump("todos", "t001"), m.bump("todos", "t002"), del("todos", "t003"))
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	m.check(t, srv)
	if n := fh.count(); n != 1 {
		t.Errorf("%d streams, want 1: an unknown line must not end the stream", n)
	}
	if errs := log.downloadErrors(); len(errs) != 0 {
		t.Errorf("download errors %v for a line of an unknown kind", errs)
	}
}
