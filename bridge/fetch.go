//go:build js

package bridge

import (
	"context"
	"errors"
	"io"
	"syscall/js"

	"github.com/localfirst/gopowersync/psync"
)

// fetchHTTP is the psync.HTTPClient of the module: the global fetch of
// pages, dedicated workers and Node 20. The response body streams through
// its ReadableStream reader one chunk at a time, so the endless sync
// stream is never buffered whole. (net/http's own fetch transport refuses
// to run under Node and would add net/http to the module.)
type fetchHTTP struct{ b *Bridge }

// Do sends req with fetch(url, {method, headers, body, signal}). The
// signal's AbortController is aborted when ctx ends, which ends the
// request and any read of its body.
func (f fetchHTTP) Do(ctx context.Context, req *psync.Request) (*psync.Response, error) {
	b := f.b
	g := js.Global()
	fetch := g.Get("fetch")
	if fetch.Type() != js.TypeFunction {
		return nil, errors.New("fetch " + req.URL + ": this JS environment has no fetch")
	}
	ac := g.Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { ac.Call("abort") })
	headers := b.deps.object.New()
	for k, v := range req.Header {
		headers.Set(k, v)
	}
	init := b.deps.object.New()
	init.Set("method", req.Method)
	init.Set("headers", headers)
	init.Set("signal", ac.Get("signal"))
	if req.Body != nil {
		body := b.deps.uint8Array.New(len(req.Body))
		js.CopyBytesToJS(body, req.Body)
		init.Set("body", body)
	}
	p, err := b.invoke(fetch, req.URL, init)
	if err != nil {
		stop()
		return nil, fetchError(req, err)
	}
	res, err := b.await(ctx, p)
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fetchError(req, err)
	}
	out := &psync.Response{StatusCode: res.Get("status").Int()}
	if ct := res.Get("headers").Call("get", "content-type"); ct.Type() == js.TypeString {
		out.ContentType = ct.String()
	}
	body := &fetchBody{b: b, ctx: ctx, stop: stop}
	if rb := res.Get("body"); rb.Type() == js.TypeObject {
		if body.reader, err = b.call(rb, "getReader"); err != nil {
			stop()
			return nil, fetchError(req, err)
		}
	}
	out.Body = body
	return out, nil
}

// fetchError describes a failed fetch. Node's "fetch failed" says why in
// its cause (connect ECONNREFUSED 127.0.0.1:8181); browsers give no more
// than "Failed to fetch".
func fetchError(req *psync.Request, err error) error {
	msg := err.Error()
	var je *JSError
	if errors.As(err, &je) && je.Value.Type() == js.TypeObject {
		if c := je.Value.Get("cause"); c.Type() == js.TypeObject {
			if m := c.Get("message"); m.Type() == js.TypeString && m.String() != "" {
				msg += " (" + m.String() + ")"
			}
		}
	}
	return errors.New("fetch " + req.Method + " " + req.URL + ": " + msg)
}

// fetchBody is a response body read with reader.read(): each Read awaits
// the next chunk unless part of the last one is left.
type fetchBody struct {
	b      *Bridge
	ctx    context.Context
	stop   func() bool // ends the abort-on-ctx hook
	reader js.Value    // undefined for a response without a body
	buf    []byte      // the unread rest of the last chunk
	err    error       // sticky: io.EOF or the error that ended the body
	closed bool
}

// Read returns bytes of the current chunk, awaiting the next one when it
// is used up.
func (r *fetchBody) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.reader.Type() != js.TypeObject {
			r.err = io.EOF
			continue
		}
		r.err = r.next()
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// next awaits reader.read() and keeps its chunk in buf.
func (r *fetchBody) next() error {
	if r.closed {
		return errors.New("bridge: read of a closed response body")
	}
	p, err := r.b.call(r.reader, "read")
	if err != nil {
		return err
	}
	res, err := r.b.await(r.ctx, p)
	if err != nil {
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		return errors.New("bridge: read response body: " + err.Error())
	}
	if res.Get("done").Truthy() {
		return io.EOF
	}
	chunk := res.Get("value")
	if !chunk.InstanceOf(r.b.deps.uint8Array) {
		return errors.New("bridge: read response body: a chunk is not a Uint8Array")
	}
	n := chunk.Length()
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	js.CopyBytesToGo(r.buf, chunk)
	return nil
}

// Close cancels the reader (which ends the request if the body is not
// read to its end). The cancellation's promise is not awaited.
func (r *fetchBody) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stop()
	if r.reader.Type() == js.TypeObject && r.err != io.EOF {
		if p, err := r.b.call(r.reader, "cancel"); err == nil {
			r.b.ignore(p)
		}
	}
	r.buf = nil
	return nil
}
