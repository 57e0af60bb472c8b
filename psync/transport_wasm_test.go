//go:build js || wasip1

package psync

import (
	"net/http"
	"testing"
)

func serveHandler(t testing.TB, h http.Handler) testServer {
	return testServer{URL: "http://in-process.test", Client: handlerClient{h}}
}
