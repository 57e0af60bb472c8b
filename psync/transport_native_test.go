//go:build !js && !wasip1

package psync

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func serveHandler(t testing.TB, h http.Handler) testServer {
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	return testServer{URL: hs.URL, Client: NetHTTP{}}
}
