package psync

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// A test server is an http.Handler reached through an HTTPClient: over
// loopback natively (serveHandler in transport_native_test.go), and in
// process on wasip1 and js, which have no sockets to listen on
// (transport_wasm_test.go). Either way the handler and the client's
// streaming reads are the real ones.

// handlerClient is an HTTPClient that runs an http.Handler in process. The
// response body streams through a pipe as the handler writes and flushes,
// so endless sync streams work as over a network.
type handlerClient struct{ h http.Handler }

func (hc handlerClient) Do(ctx context.Context, req *Request) (*Response, error) {
	hr := httptest.NewRequestWithContext(ctx, req.Method, req.URL, strings.NewReader(string(req.Body)))
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	pr, pw := io.Pipe()
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	go func() {
		hc.h.ServeHTTP(w, hr)
		w.WriteHeader(http.StatusOK) // no-op when already written
		pw.Close()
	}()
	select {
	case <-w.ready:
	case <-ctx.Done():
		pr.CloseWithError(ctx.Err())
		return nil, ctx.Err()
	}
	context.AfterFunc(ctx, func() { pr.CloseWithError(ctx.Err()) })
	return &Response{StatusCode: w.status, ContentType: w.header.Get("Content-Type"), Body: pr}, nil
}

type pipeWriter struct {
	header http.Header
	pw     *io.PipeWriter
	once   sync.Once
	status int
	ready  chan struct{}
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	w.once.Do(func() {
		w.status = status
		close(w.ready)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(b)
}

func (w *pipeWriter) Flush() {}

// testServer is a handler served to the client under test.
type testServer struct {
	URL    string     // base URL
	Client HTTPClient // reaches URL
}

func serve(t testing.TB, h http.Handler) testServer {
	t.Helper()
	return serveHandler(t, h)
}
