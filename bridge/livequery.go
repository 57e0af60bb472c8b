//go:build js

package bridge

import (
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

// liveQueries holds the live queries JS created, by handle. A live query
// gets no JS object of its own (whose Go functions could never be released,
// see object): JS calls liveQuery(op, handle, ...) and liveQueryAsync, so an
// app may create and drop live queries freely; JS releases a handle when it
// drops the query (a FinalizationRegistry) or cleans it up for good.
type liveQueries struct {
	b    *Bridge
	mu   sync.Mutex
	next int
	m    map[int]*liveHandle
}

type liveHandle struct {
	lq *query.LiveQuery
	k  *coll // the read and subscription calls, without an object
}

// exportLiveQueries adds createLiveQuery, liveQuery and liveQueryAsync.
func (b *Bridge) exportLiveQueries(obj js.Value) {
	l := &liveQueries{b: b, m: make(map[int]*liveHandle)}
	obj.Set("createLiveQuery", b.sync(l.create))
	obj.Set("liveQuery", b.sync(l.call))
	obj.Set("liveQueryAsync", b.async(l.callAsync))
}

func (l *liveQueries) handle(v js.Value) (*liveHandle, error) {
	if v.Type() != js.TypeNumber {
		return nil, typeErrorf("handle", "want a live query handle")
	}
	l.mu.Lock()
	h := l.m[v.Int()]
	l.mu.Unlock()
	if h == nil {
		return nil, typeErrorf("handle", "the live query was released")
	}
	return h, nil
}

// call(op, handle, ...args): the synchronous operations of a live query
// collection, with the arguments of the collection object's methods.
func (l *liveQueries) call(args []js.Value) (any, error) {
	if err := argCount(args, 2, "liveQuery(op, handle, ...)"); err != nil {
		return nil, err
	}
	op, err := goString(args[0], "op")
	if err != nil {
		return nil, err
	}
	h, err := l.handle(args[1])
	if err != nil {
		return nil, err
	}
	rest := args[2:]
	b, lq, k := l.b, h.lq, h.k
	switch op {
	case "get":
		return k.get(rest)
	case "has":
		return k.has(rest)
	case "size":
		return lq.Size(), nil
	case "status":
		return string(lq.Status()), nil
	case "keys":
		return b.stringsPayload(lq.Keys())
	case "values":
		return b.rowsPayload(lq.Values())
	case "subscribeChanges":
		return k.subscribeChanges(rest)
	case "watchKeys":
		return k.watchKeys(rest)
	case "unsubscribe":
		return k.unsubscribe(rest)
	case "setWindow": // (offset, limit): limit < 0 for none
		if len(rest) < 2 || rest[0].Type() != js.TypeNumber || rest[1].Type() != js.TypeNumber {
			return nil, typeErrorf("setWindow", "want (offset, limit) numbers")
		}
		return nil, lq.SetWindow(rest[0].Int(), rest[1].Int())
	}
	return nil, typeErrorf("op", "unknown live query operation %q", op)
}

// callAsync(op, handle, cb): preload, cleanup, and release (cleanup, then
// forget the handle). Cleanup releases on-demand subsets, which waits for
// the database.
func (l *liveQueries) callAsync(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 2, "liveQueryAsync(op, handle, callback)"); err != nil {
		return nil, err
	}
	op, err := goString(args[0], "op")
	if err != nil {
		return nil, err
	}
	id := args[1]
	h, err := l.handle(id)
	if err != nil {
		return nil, err
	}
	switch op {
	case "preload":
		return func() (any, error) { return nil, h.lq.Preload(l.b.ctx) }, nil
	case "cleanup":
		return func() (any, error) { h.lq.Cleanup(); return nil, nil }, nil
	case "release":
		n := id.Int()
		return func() (any, error) {
			h.lq.Cleanup()
			l.mu.Lock()
			delete(l.m, n)
			l.mu.Unlock()
			l.b.mu.Lock()
			delete(l.b.colls, h.lq.ID())
			l.b.mu.Unlock()
			return nil, nil
		}, nil
	}
	return nil, typeErrorf("op", "unknown live query operation %q", op)
}

// createLiveQuery(irJSON, sourceIDs, optionsJSON): a live query collection
// for the query IR js/live-query.js builds (query.ParseIR's JSON form; a
// source's collection is an index into sourceIDs, the ids of collection
// objects). options: {id, gcTime (ms), startSync}. Returns [handle,
// collection id]; keys and values come in the query's order.
func (l *liveQueries) create(args []js.Value) (any, error) {
	b := l.b
	if err := argCount(args, 3, "createLiveQuery(ir, sources, options)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "ir")
	if err != nil {
		return nil, err
	}
	ids, err := b.goStrings(args[1], "sources")
	if err != nil {
		return nil, err
	}
	optText, err := goString(args[2], "options")
	if err != nil {
		return nil, err
	}
	v, err := DecodeJSON([]byte(text), nil)
	if err != nil {
		return nil, typeErrorf("ir", "%v", err)
	}
	var sources []*collection.Collection
	ir, err := query.ParseIR(v, func(i int) (*collection.Collection, error) {
		if i < 0 || i >= len(ids) {
			return nil, typeErrorf("ir", "source %d is not in sources", i)
		}
		b.mu.Lock()
		c := b.colls[ids[i]]
		b.mu.Unlock()
		if c == nil {
			return nil, typeErrorf("sources", "no collection %q", ids[i])
		}
		sources = append(sources, c)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	opts, err := DecodeObject([]byte(optText), nil)
	if err != nil {
		return nil, err
	}
	o := query.Options{Runtime: b.rt}
	start := true
	for k, v := range opts {
		var bad bool
		switch k {
		case "id":
			var ok bool
			o.ID, ok = v.(string)
			bad = !ok
		case "gcTime":
			o.GCTime, bad = gcTime(v)
		case "startSync":
			s, ok := v.(bool)
			start, bad = s, !ok
		default:
			bad = true
		}
		if bad {
			return nil, typeErrorf(k, "unsupported value %v", v)
		}
	}
	// Starting subscribes to the sources, which may start their sync and
	// wait for the database lock: as for createCollection, never in a JS
	// call. When every source runs already, nothing waits: the query
	// starts here, and its first result is there when this returns.
	running := true
	for _, c := range sources {
		st := c.Status()
		running = running && (st == collection.StatusReady || st == collection.StatusLoading)
	}
	now := start && running
	o.StartSync = &now
	lq, err := query.NewLiveQuery(query.FromIR(ir), o)
	if err != nil {
		return nil, err
	}
	if start && !now {
		go lq.Preload(b.ctx)
	}
	b.mu.Lock()
	b.colls[lq.ID()] = lq.Collection // a source for other live queries
	b.mu.Unlock()
	l.mu.Lock()
	l.next++
	n := l.next
	l.m[n] = &liveHandle{lq: lq, k: &coll{b: b, c: lq.Collection, subs: make(map[int]*collection.Subscription)}}
	l.mu.Unlock()
	arr := b.deps.array.New(2)
	arr.SetIndex(0, n)
	arr.SetIndex(1, lq.ID())
	return arr, nil
}
