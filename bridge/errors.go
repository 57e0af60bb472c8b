//go:build js

package bridge

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
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
	// A collection in the error state refuses a mutation with TanStack
	// DB's class even when what put it there was a JS value (a failed
	// open): that value is its cause, not the error. A wait for ready
	// (preload) rejects with the reason itself, as TanStack's does.
	var ce *collection.CollectionInErrorStateError
	if errors.As(err, &ce) && ce.Operation != "wait for ready" {
		name, msg := userText(ce)
		v := b.makeError(name, msg, js.Undefined())
		if ce.Cause != nil {
			v.Set("cause", b.jsError(ce.Cause))
		}
		return v
	}
	var jv interface{ JSValue() js.Value }
	if errors.As(err, &jv) {
		return jv.JSValue()
	}
	var te *TypeError
	if errors.As(err, &te) {
		return b.makeError("TypeError", te.Error(), js.Undefined())
	}
	name, msg := userText(err)
	issues := js.Undefined()
	var n named
	if errors.As(err, &n) {
		issues = b.issuesOf(err)
	}
	return b.makeError(name, msg, issues)
}

func (b *Bridge) makeError(name, msg string, issues js.Value) js.Value {
	if b.deps.makeError.Type() != js.TypeFunction {
		return js.Global().Get("Error").New(name + ": " + msg)
	}
	return b.deps.makeError.Invoke(name, msg, issues)
}
