//go:build js

package bridge

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
)

// errTxClosed answers a tx.execute that arrives after its transaction ended.
var errTxClosed = errors.New("the transaction is closed: its callback's promise has settled (use tx only inside the callback)")

// txServer queues the calls that JS makes on one transaction object so
// that they all run in the goroutine that holds the store transaction.
// JS handlers only enqueue: they must never wait for the holder.
type txServer struct {
	tx     store.Querier // a *store.Tx, or a *store.Locked of readLock/writeLock
	mu     sync.Mutex
	queue  []func()
	closed bool
	wake   chan struct{}
}

func newTxServer(tx store.Querier) *txServer {
	return &txServer{tx: tx, wake: make(chan struct{}, 1)}
}

// submit queues f; false if the transaction already ended.
func (s *txServer) submit(f func()) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	s.queue = append(s.queue, f)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return true
}

// drain runs everything queued so far; with close, later submits fail.
func (s *txServer) drain(close bool) {
	for {
		s.mu.Lock()
		q := s.queue
		s.queue = nil
		if len(q) == 0 {
			s.closed = s.closed || close
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		for _, f := range q {
			f()
		}
	}
}

// transaction returns writeTransaction/readTransaction: (fn, cb). fn gets
// a transaction id for txQuery and returns a promise; the store
// transaction stays open in this goroutine, serving txQuery calls, until
// that promise settles: commit if it resolves, roll back if it rejects.
// cb gets fn's result or its rejection.
func (d *database) transaction(write bool) asyncFn {
	return func(args []js.Value) (func() (any, error), error) {
		if err := argCount(args, 1, "callback"); err != nil {
			return nil, err
		}
		fn, err := goFunc(args[0], "callback")
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			var result js.Value
			body := func(tx *store.Tx) error {
				var err error
				result, err = d.serve(tx, fn)
				return err
			}
			if write {
				err = d.db.WriteTx(d.b.ctx, body)
			} else {
				err = d.db.ReadTx(d.b.ctx, body)
			}
			if err != nil {
				return nil, err
			}
			return result, nil
		}, nil
	}
}

// lock returns readLock/writeLock: (fn, cb), as transaction but holding
// the database's lock without a transaction (store.DB.Lock): each
// statement of the callback commits on its own.
func (d *database) lock(write bool) asyncFn {
	return func(args []js.Value) (func() (any, error), error) {
		if err := argCount(args, 1, "callback"); err != nil {
			return nil, err
		}
		fn, err := goFunc(args[0], "callback")
		if err != nil {
			return nil, err
		}
		return func() (any, error) {
			var result js.Value
			err := d.db.Lock(d.b.ctx, write, func(l *store.Locked) error {
				var err error
				result, err = d.serve(l, fn)
				return err
			})
			if err != nil {
				return nil, err
			}
			return result, nil
		}, nil
	}
}

// serve calls fn(txID) and runs the queued txQuery calls for that id
// until the promise fn returned settles.
func (d *database) serve(tx store.Querier, fn js.Value) (js.Value, error) {
	srv := newTxServer(tx)
	d.mu.Lock()
	id := d.id()
	d.txs[id] = srv
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.txs, id)
		d.mu.Unlock()
	}()
	p, err := d.b.invoke(fn, id)
	if err != nil {
		return js.Undefined(), err
	}
	ctx, cancel := context.WithCancel(d.b.ctx)
	defer cancel()
	type outcome struct {
		v   js.Value
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		v, err := d.b.await(ctx, p)
		done <- outcome{v, err}
	}()
	for {
		select {
		case <-srv.wake:
			srv.drain(false)
		case o := <-done:
			srv.drain(true)
			return o.v, o.err
		}
	}
}

// txQuery(txID, kind, sql, params, cb) queues a statement for the
// goroutine holding transaction txID; kind is 0 execute, 1 getAll, 2 get,
// 3 getOptional, 4 executeRaw. cb is called from the holder once it ran.
func (d *database) txQuery(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 3, "txQuery(tx, kind, sql)"); err != nil {
		return nil, err
	}
	if args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeNumber {
		return nil, typeErrorf("tx", "want a transaction id and a query kind")
	}
	kind := queryKind(args[1].Int())
	if kind < execute || kind > executeRaw {
		return nil, typeErrorf("kind", "unknown query kind %d", kind)
	}
	sql, params, err := d.b.sqlArgs(args[2:])
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	srv := d.txs[args[0].Int()]
	d.mu.Unlock()
	return func() (any, error) {
		type outcome struct {
			v   any
			err error
		}
		ch := make(chan outcome, 1)
		if srv == nil || !srv.submit(func() {
			v, err := protect(func() (any, error) { return d.b.query(d.b.ctx, srv.tx, kind, sql, params) })
			ch <- outcome{v, err}
		}) {
			return nil, errTxClosed
		}
		o := <-ch
		return o.v, o.err
	}, nil
}
