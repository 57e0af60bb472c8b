//go:build !js && !wasip1

package psync

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// fixedAddr serves one handler at a time on a fixed loopback address,
// as a server process does: stop closes the listener and every
// connection, serve listens again on the same address.
type fixedAddr struct {
	addr string
	ln   net.Listener // the first listener, until the first serve
	hs   *http.Server
}

func newFixedAddr(t testing.TB) (*fixedAddr, testServer) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &fixedAddr{addr: ln.Addr().String(), ln: ln}
	t.Cleanup(func() {
		l.stop()
		if l.ln != nil {
			l.ln.Close()
		}
	})
	return l, testServer{URL: "http://" + l.addr, Client: NetHTTP{}}
}

// serve listens on the address again, retrying while it is not free yet.
func (l *fixedAddr) serve(t testing.TB, h http.Handler) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ln, err := l.ln, error(nil)
		if l.ln != nil {
			l.ln = nil
		} else {
			ln, err = net.Listen("tcp", l.addr)
		}
		if err == nil {
			l.hs = &http.Server{Handler: h}
			go l.hs.Serve(ln)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", l.addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (l *fixedAddr) stop() {
	if l.hs != nil {
		l.hs.Close() // closes the listener and every connection
		l.hs = nil
	}
}
