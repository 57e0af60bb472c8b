package psync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/internal/protocol"
)

// HTTPClient sends one HTTP request. Implementations must return as soon
// as the response headers arrive, with Body streaming the rest: the sync
// stream is endless and is read line by line. Cancelling ctx must abort
// the request and unblock reads of Body.
type HTTPClient interface {
	Do(ctx context.Context, req *Request) (*Response, error)
}

// Request is an HTTP request: Method, absolute URL, headers and a body
// (nil for none).
type Request struct {
	Method string
	URL    string
	Header map[string]string
	Body   []byte
}

// Response is an HTTP response. The caller closes Body.
type Response struct {
	StatusCode  int
	ContentType string
	Body        io.ReadCloser
}

// HTTPError is a non-2xx answer from the sync service. Code and
// Description come from the service's error body
// ({"error":{"code","description",...}}) when it has one.
type HTTPError struct {
	Method, URL string
	StatusCode  int
	Code        string // e.g. "PSYNC_S2103"
	Description string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("sync: %s %s: HTTP %d", e.Method, e.URL, e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// readHTTPError builds the HTTPError for a failed response, reading at
// most 64 KiB of its body.
func readHTTPError(req *Request, res *Response) *HTTPError {
	e := &HTTPError{Method: req.Method, URL: req.URL, StatusCode: res.StatusCode}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10)) // a partial body still gives the status
	var er protocol.ErrorResponse
	if json.Unmarshal(body, &er) == nil && er.Error.Code != "" {
		e.Code, e.Description = er.Error.Code, er.Error.Description
	} else if len(body) > 0 {
		e.Description = describeBody(res.ContentType, body)
	}
	return e
}

// describeBody sums up an error body that is not the service's JSON
// error: an HTML page by that fact (a web server, not a sync service,
// answered), other text by its first 200 bytes.
func describeBody(contentType string, body []byte) string {
	body = bytes.TrimSpace(body)
	head := strings.ToLower(string(body[:min(len(body), 64)]))
	if strings.HasPrefix(contentType, "text/html") || strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") {
		return "the answer is an HTML page (is the endpoint a PowerSync service?)"
	}
	const most = 200
	if len(body) <= most {
		return string(body)
	}
	cut := most
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return string(body[:cut]) + "…"
}
