//go:build !js && !wasip1

package psync

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/syncserver"
)

// This file cuts sync streams at the TCP level, where a network cuts
// them: in the headers, in a chunk's framing, inside a line, between
// lines. wasip1 and js have no sockets, so it runs natively only.

var faultSeed = flag.Uint64("fault.seed", 0, "seed of the stream-cut offsets (0: a new one each run; the test logs it)")

// cutProxy is a TCP proxy on loopback in front of a server. Each
// connection whose request is POST /sync/stream takes the next offset:
// its response is forwarded up to that byte, then both sides are closed.
// Other connections, and streams once the offsets are used up, pass
// through. Clients must not reuse connections (DisableKeepAlives), so
// that each connection carries one request.
type cutProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	offsets []int
	cuts    int
	current *proxyStream // the newest stream connection
	conns   map[net.Conn]struct{}
	wg      sync.WaitGroup
}

// proxyStream is a stream connection's response as forwarded so far.
type proxyStream struct {
	cut       int // -1: passes through
	forwarded int
	tail      []byte // the last bytes forwarded
	ended     bool
}

// idle reports whether the last line forwarded completed a checkpoint:
// the server has nothing more to send until something changes.
func (s *proxyStream) idle() bool {
	return !s.ended && bytes.HasSuffix(s.tail, []byte("}}\n\r\n")) && bytes.Contains(s.tail, []byte(`{"checkpoint_complete":`))
}

func startCutProxy(t testing.TB, target string, offsets []int) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, offsets: offsets, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) URL() string { return "http://" + p.ln.Addr().String() }

// track adds c to the open connections, or closes it when the proxy is
// closed.
func (p *cutProxy) track(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
}

func (p *cutProxy) untrack(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(p.conns, c)
	}
}

const streamRequestLine = "POST /sync/stream "

func (p *cutProxy) handle(client net.Conn) {
	br := bufio.NewReader(client)
	head, _ := br.Peek(len(streamRequestLine))
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	p.track(client, server)
	defer p.untrack(client, server)
	var s *proxyStream
	if string(head) == streamRequestLine {
		s = &proxyStream{cut: -1}
		p.mu.Lock()
		if len(p.offsets) > 0 {
			s.cut, p.offsets = p.offsets[0], p.offsets[1:]
		}
		p.current = s
		p.mu.Unlock()
	}
	go func() {
		io.Copy(server, br)
		p.untrack(client, server) // the client went away: so does the request
	}()
	buf := make([]byte, 32<<10)
	for {
		n := len(buf)
		if s != nil && s.cut >= 0 {
			p.mu.Lock()
			left := s.cut - s.forwarded
			if left == 0 {
				p.cuts++
				s.ended = true
			}
			p.mu.Unlock()
			if left == 0 {
				return // the deferred untrack closes both sides
			}
			n = min(n, left)
		}
		n, err := server.Read(buf[:n])
		if n > 0 {
			if _, werr := client.Write(buf[:n]); werr != nil {
				err = werr
			} else if s != nil {
				p.mu.Lock()
				s.forwarded += n
				s.tail = append(s.tail, buf[:n]...)
				s.tail = s.tail[max(0, len(s.tail)-96):]
				p.mu.Unlock()
			}
		}
		if err != nil {
			if s != nil {
				p.mu.Lock()
				s.ended = true
				if s.cut >= 0 {
					// Ended before its cut (the client gave up): the
					// offset goes to the next stream.
					p.offsets = append([]int{s.cut}, p.offsets...)
				}
				p.mu.Unlock()
			}
			return
		}
	}
}

// state returns the number of cuts so far, and the current stream's
// state when it is idle below its cut: what it forwarded and its cut.
func (p *cutProxy) state() (cuts int, idle bool, forwarded, cut int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.current
	if s == nil || s.cut < 0 || !s.idle() {
		return p.cuts, false, 0, 0
	}
	return p.cuts, true, s.forwarded, s.cut
}

// firstSyncSize returns the size in bytes, headers and chunk framing
// included, of the server's response to a first sync: everything up to
// its first checkpoint_complete line.
func firstSyncSize(t testing.TB, addr, token string) int {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	body := `{"buckets":[],"include_checksum":true,"raw_data":true,"client_id":"measure"}`
	fmt.Fprintf(c, "POST /sync/stream HTTP/1.1\r\nHost: %s\r\nAuthorization: Token %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, token, len(body), body)
	c.SetReadDeadline(time.Now().Add(faultWait))
	var got []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if i := bytes.Index(got, []byte(`{"checkpoint_complete":`)); i >= 0 {
			if j := bytes.Index(got[i:], []byte("\n\r\n")); j >= 0 {
				return i + j + 3
			}
		}
		if err != nil {
			t.Fatalf("first sync response: %v after %q", err, got)
		}
	}
}

func TestFaultAStreamCutAtAnyByteResumesAndConverges(t *testing.T) {
	const (
		lists, todos = 40, 160
		cuts         = 100
	)
	seed := *faultSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -fault.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	srv := startDevServer(t, syncserver.Config{MaxOpsPerLine: 4})
	m := newServerModel()
	m.seedLists(t, srv.Server, lists, todos)
	tok, err := srv.Token(syncserver.DefaultUserID, 0)
	if err != nil {
		t.Fatal(err)
	}
	target := srv.URL[len("http://"):]
	size := firstSyncSize(t, target, tok)
	opSize := size / (lists + todos)

	// One offset in each hundredth of the first sync's response, in a
	// random order: every part of it is cut somewhere, the headers too.
	offsets := make([]int, cuts)
	for i := range offsets {
		lo, hi := i*size/cuts, (i+1)*size/cuts
		offsets[i] = lo + rng.IntN(hi-lo)
	}
	rng.Shuffle(len(offsets), func(i, j int) { offsets[i], offsets[j] = offsets[j], offsets[i] })
	proxy := startCutProxy(t, target, offsets)
	t.Logf("first sync: %d bytes, %d ops; cuts at %v", size, lists+todos, offsets)

	direct := NetHTTP{Client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	fh := &faultHTTP{next: direct}
	rec := &uploadRecorder{next: direct}
	conn := &devConnector{base: proxy.URL(), http: rec}
	db := openDB(t, faultSchema())
	c := connect(t, db, testServer{URL: proxy.URL(), Client: fh}, conn, ConnectOptions{RetryDelay: 2 * time.Millisecond})
	log := watchStatus(c)

	// Each cut resumes the stream from the ops stored, so a later
	// stream is shorter than a first sync: when one has sent all it has
	// short of its cut, the server writes enough rows for it to reach
	// its cut. Now and then the client writes too.
	next, entries, batches := 0, 0, 0
	seen := 0
	deadline := time.Now().Add(60 * time.Second)
	for {
		done, idle, forwarded, cut := proxy.state()
		if done == cuts {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stuck after %d cuts (status %+v)", done, c.Status())
		}
		if done > seen {
			seen = done
			if rng.IntN(8) == 0 {
				next++
				entries += addNote(t, db, m, fmt.Sprintf("c%03d", next), fmt.Sprintf("note %d", next))
			}
			if next > 0 && rng.IntN(8) == 0 {
				id := fmt.Sprintf("c%03d", 1+rng.IntN(next))
				body := fmt.Sprintf("edited at cut %d", done)
				if _, err := db.Execute(bg, `UPDATE notes SET body = ? WHERE id = ?`, body, id); err != nil {
					t.Fatal(err)
				}
				m.set("notes", id, fmt.Sprintf(`{"body":%q}`, body))
				entries++
			}
		}
		if !idle {
			time.Sleep(time.Millisecond)
			continue
		}
		batches++
		m.apply(t, srv.Server, serverBatch(m, rng, batches, (cut-forwarded)/opSize+1)...)
		// Wait for the batch to show on the stream before looking again.
		for time.Now().Before(deadline) {
			if d, i, f, _ := proxy.state(); d != done || !i || f != forwarded {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	t.Logf("%d cuts over %d streams, %d server batches, %d upload entries", cuts, fh.count(), batches, entries)

	drained(t, db, faultWait)
	convergedAll(t, db, srv, faultWait)
	settled(t, c, faultWait)
	m.check(t, srv)
	rec.checkOnce(t, entries)
	if got, want := fh.ops(), serverOps(t, srv.Server); got != want {
		t.Errorf("the client received %d ops, the server holds %d: some were downloaded twice or lost", got, want)
	}
	errs := log.downloadErrors()
	if len(errs) < cuts {
		t.Errorf("%d download errors shown for %d cuts", len(errs), cuts)
	}
	for _, err := range errs {
		if ce := (*ChecksumError)(nil); errors.As(err, &ce) {
			t.Errorf("a cut stream left ops that do not add up: %v", err)
		}
	}
}

// serverBatch returns about n changes to the server's rows: a new todo,
// a deleted one, and the rest updates of random rows.
func serverBatch(m *serverModel, rng *rand.Rand, k, n int) []syncserver.Entry {
	n = min(max(n, 3), 60)
	batch := []syncserver.Entry{
		put("todos", fmt.Sprintf("s%04d", k), fmt.Sprintf(`{"list_id":"l000","description":"added in batch %d","n":0}`, k)),
	}
	todos := m.ids("todos")
	batch = append(batch, del("todos", todos[rng.IntN(len(todos))]))
	rows := append(m.ids("lists"), todos...)
	for _, i := range rng.Perm(len(rows))[:n-2] {
		table := "todos"
		if i < len(rows)-len(todos) {
			table = "lists"
		}
		if e := batch[1]; table == e.Type && rows[i] == e.ID {
			continue // deleted in this batch
		}
		batch = append(batch, m.bump(table, rows[i]))
	}
	return batch
}
