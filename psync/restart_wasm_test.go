//go:build js || wasip1

package psync

import (
	"net/http"
	"sync/atomic"
	"testing"
)

// fixedAddr stands in for a loopback address on wasip1 and js, which have
// no sockets: the in-process transport reaches whichever handler serve
// installed last. stop leaves the last one in place: a closed
// syncserver answers 503, as a port nobody listens on refuses.
type fixedAddr struct {
	h atomic.Pointer[http.Handler]
}

func newFixedAddr(t testing.TB) (*fixedAddr, testServer) {
	l := &fixedAddr{}
	var none http.Handler = http.NotFoundHandler()
	l.h.Store(&none)
	return l, serveHandler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*l.h.Load()).ServeHTTP(w, r)
	}))
}

func (l *fixedAddr) serve(t testing.TB, h http.Handler) { l.h.Store(&h) }

func (l *fixedAddr) stop() {}
