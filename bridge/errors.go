//go:build js

package bridge

import (
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/store"
)

// JSError is a JS value thrown or rejected by JS code that Go called. It
// travels through Go unchanged so JS gets its own error object back.
type JSError struct{ Value js.Value }

// JSValue returns the JS value itself.
func (e *JSError) JSValue() js.Value { return e.Value }

// Error returns the JS error's message.
func (e *JSError) Error() string {
	if e.Value.Type() == js.TypeObject {
		if m := e.Value.Get("message"); m.Type() == js.TypeString {
			return m.String()
		}
	}
	return js.Global().Call("String", e.Value).String()
}

// TypeError reports an argument of the wrong type from JS. It becomes a JS
// TypeError whose message names the argument.
type TypeError struct {
	Arg    string
	Reason string
}

// Error returns "arg: reason".
func (e *TypeError) Error() string { return e.Arg + ": " + e.Reason }

func typeErrorf(arg, format string, a ...any) error {
	return &TypeError{Arg: arg, Reason: fmt.Sprintf(format, a...)}
}

// named is implemented by the collection package's typed errors: Name is
// the TanStack DB class name the JS error gets.
type named interface {
	error
	Name() string
}

// jsError converts err into an instance of the exported JS class that
// matches it, through the JS package's makeError(name, message, issues).
func (b *Bridge) jsError(err error) js.Value {
	var jv interface{ JSValue() js.Value }
	if errors.As(err, &jv) {
		return jv.JSValue()
	}
	name, msg, issues := "Error", err.Error(), js.Undefined()
	var te *TypeError
	var n named
	var sqlErr *sqlite3.Error
	switch {
	case errors.As(err, &te):
		name, msg = "TypeError", te.Error()
	case errors.As(err, &n):
		name, msg = n.Name(), n.Error()
		issues = b.issuesOf(err)
		if name == "SchemaValidationError" {
			// The JS class words it from type and issues, the same text as
			// for a schema that failed in JS.
			msg = ""
		}
	case errors.Is(err, store.ErrNoRows):
		// PowerSync's text for get() on no rows; the Go wrapping chain
		// (store: get "...": ...) means nothing to a JS caller.
		msg = "Result set is empty"
	case errors.Is(err, store.ErrWriteInRead):
		msg = "this statement writes: it cannot run in readTransaction or readLock (use writeTransaction or writeLock)"
	case errors.Is(err, store.ErrClosed):
		// The JS class carries the one text for a closed database.
		name, msg = "DatabaseClosedError", ""
	case errors.As(err, &sqlErr):
		msg = sqliteMessage(sqlErr)
	}
	if b.deps.makeError.Type() != js.TypeFunction {
		return js.Global().Get("Error").New(name + ": " + msg)
	}
	return b.deps.makeError.Invoke(name, msg, issues)
}

// sqliteMessage is SQLite's own text of e ("no such table: t"), the text
// PowerSync's JS SDKs show for a failed statement: the Go chain around it
// (store: execute "...": sqlite3: SQL logic error: ...) means nothing to a
// JS caller.
func sqliteMessage(e *sqlite3.Error) string {
	s := e.Error()
	if rest, ok := strings.CutPrefix(s, "sqlite3: "); ok {
		if _, m, ok := strings.Cut(rest, ": "); ok {
			return m
		}
		return rest
	}
	return s
}
