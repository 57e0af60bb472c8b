//go:build js

package bridge

import (
	"context"
	"syscall/js"
)

// settlement is how a JS promise ended.
type settlement struct {
	ok    bool
	value js.Value
}

// await blocks the calling goroutine until the JS promise p settles and
// returns its value, or its rejection as a *JSError. It must not run in a
// JS event handler (the promise could never settle), only in a goroutine
// started by async or by Go code such as a transaction's commit.
func (b *Bridge) await(ctx context.Context, p js.Value) (js.Value, error) {
	ch := make(chan settlement, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	b.waiting[id] = ch
	b.mu.Unlock()
	b.deps.watchPromise.Invoke(p, float64(id))
	select {
	case s := <-ch:
		if !s.ok {
			return js.Undefined(), &JSError{Value: s.value}
		}
		return s.value, nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
		return js.Undefined(), ctx.Err()
	}
}

// ignore lets the JS promise p settle unobserved: a rejection is handled
// (no unhandled-rejection report) and dropped. Ids start at 1, so settle
// finds no waiter for 0.
func (b *Bridge) ignore(p js.Value) {
	b.invoke(b.deps.watchPromise, p, 0)
}

// settle(id, ok, value) is called by the JS package's watchPromise.
func (b *Bridge) settle(_ js.Value, args []js.Value) any {
	if len(args) < 3 {
		return nil
	}
	id := int64(args[0].Float())
	b.mu.Lock()
	ch := b.waiting[id]
	delete(b.waiting, id)
	b.mu.Unlock()
	if ch != nil {
		ch <- settlement{ok: args[1].Truthy(), value: args[2]}
	}
	return nil
}

// yield lets the JS event loop finish its current task before the calling
// goroutine goes on. Go's scheduler runs every runnable goroutine before a
// call from JS returns, so without it work started by a call (persisting
// an insert, for instance) would run inside that call.
func (b *Bridge) yield(ctx context.Context) error {
	p, err := b.invoke(b.deps.nextTask)
	if err != nil {
		return err
	}
	_, err = b.await(ctx, p)
	return err
}
