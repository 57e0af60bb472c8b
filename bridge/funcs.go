//go:build js

package bridge

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall/js"
)

// syncFn is a bridged function that returns at once.
type syncFn func(args []js.Value) (any, error)

// asyncFn is a bridged function that may block. It checks its arguments
// at once (so bad arguments fail before anything happens) and returns the
// work to run in a goroutine.
type asyncFn func(args []js.Value) (work func() (any, error), err error)

// sync wraps f for JS. An error or a panic comes back as the return value,
// an Error instance that the JS package throws: Go cannot throw into JS.
func (b *Bridge) sync(f syncFn) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = b.jsError(panicError(r))
			}
		}()
		v, err := f(args)
		if err != nil {
			return b.jsError(err)
		}
		return v
	})
}

// async wraps f for JS. The last argument is a callback:
// the work runs in a goroutine, because the JS thread cannot wait inside
// a call, and reports through cb(ok, valueOrError). A bad argument is returned at once as an
// Error instance and the callback is not called.
func (b *Bridge) async(f asyncFn) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (ret any) {
		defer func() {
			if r := recover(); r != nil {
				ret = b.jsError(panicError(r))
			}
		}()
		if len(args) == 0 || args[len(args)-1].Type() != js.TypeFunction {
			return b.jsError(typeErrorf("callback", "want a function"))
		}
		cb := args[len(args)-1]
		work, err := f(args[:len(args)-1])
		if err != nil {
			return b.jsError(err)
		}
		go b.finish(cb, work)
		return nil
	})
}

// finish runs work and reports its outcome to cb(ok, valueOrError).
func (b *Bridge) finish(cb js.Value, work func() (any, error)) {
	v, err := protect(work)
	if err == nil {
		if _, err = b.invoke(cb, true, v); err == nil {
			return
		}
	}
	b.invoke(cb, false, b.jsError(err))
}

// invoke calls a JS function, turning a JS exception or an unconvertible
// value into a returned error instead of a panic that would end the
// goroutine and, with it, the module.
func (b *Bridge) invoke(fn js.Value, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return fn.Invoke(args...), nil
}

// call calls obj[method](args...) as invoke calls a function.
func (b *Bridge) call(obj js.Value, method string, args ...any) (v js.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return obj.Call(method, args...), nil
}

// protect runs work, turning a panic into an error.
func protect(work func() (any, error)) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return work()
}

// InternalError is a Go panic caught at the bridge: a bug, not a misuse.
// JS gets an InternalError whose message says so, without Go's stack,
// which goes to stderr (the console) for whoever reports the bug.
type InternalError struct{ Value any }

// Error describes the failure.
func (e *InternalError) Error() string {
	return fmt.Sprintf("gopowersync: internal error (%v); please report it with the console output", e.Value)
}

// Name returns "InternalError", the JS class.
func (e *InternalError) Name() string { return "InternalError" }

// panicError turns a recovered value into an error. An exception thrown by
// JS code that Go called keeps its original JS value.
func panicError(r any) error {
	switch r := r.(type) {
	case js.Error:
		return &JSError{Value: r.Value}
	case *JSError:
		return r
	}
	fmt.Fprintf(os.Stderr, "gopowersync: internal error: %v\n%s", r, debug.Stack())
	return &InternalError{Value: r}
}

// argCount checks that a call got at least n arguments.
func argCount(args []js.Value, n int, names string) error {
	if len(args) < n {
		return typeErrorf(names, "want %d argument(s), got %d", n, len(args))
	}
	return nil
}
