//go:build !js

package psync

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// NetHTTP is not built for GOOS=js: there net/http's transport is fetch,
// which it refuses to use under Node, and linking net/http (with
// crypto/tls) made the WebAssembly module 7 MB larger (1.1 MB brotli).
// The bridge passes a fetch client of its own (nethttp_js.go).

// defaultHTTP is the HTTPClient of a Client created without Options.HTTP.
func defaultHTTP() HTTPClient { return NetHTTP{} }

// NetHTTP is an HTTPClient over net/http. The zero value uses
// http.DefaultClient.
type NetHTTP struct {
	Client *http.Client
}

// Do sends req with net/http.
func (n NetHTTP) Do(ctx context.Context, req *Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}
	for k, v := range req.Header {
		hr.Header.Set(k, v)
	}
	c := n.Client
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(hr)
	if err != nil {
		return nil, err
	}
	return &Response{StatusCode: res.StatusCode, ContentType: res.Header.Get("Content-Type"), Body: res.Body}, nil
}
