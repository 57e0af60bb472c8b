//go:build js

package bridge

import (
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

// exportLiveQueries adds createLiveQuery.
func (b *Bridge) exportLiveQueries(obj js.Value) {
	obj.Set("createLiveQuery", b.sync(b.createLiveQuery))
}

// createLiveQuery(irJSON, sourceIDs, optionsJSON): a live query collection
// for the query IR js/live-query.js builds (query.ParseIR's JSON form; a
// source's collection is an index into sourceIDs, the ids of collection
// objects). options: {id, gcTime (ms), startSync}. Returns the collection
// object, whose keys and values come in the query's order.
func (b *Bridge) createLiveQuery(args []js.Value) (any, error) {
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
	k := b.newColl(lq.Collection)
	k.obj.method("keys", b.sync(func([]js.Value) (any, error) { return b.stringsPayload(lq.Keys()) }))
	k.obj.method("values", b.sync(func([]js.Value) (any, error) { return b.rowsPayload(lq.Values()) }))
	// setWindow(offset, limit): limit < 0 for none.
	k.obj.method("setWindow", b.sync(func(args []js.Value) (any, error) {
		if len(args) < 2 || args[0].Type() != js.TypeNumber || args[1].Type() != js.TypeNumber {
			return nil, typeErrorf("setWindow", "want (offset, limit) numbers")
		}
		return nil, lq.SetWindow(args[0].Int(), args[1].Int())
	}))
	return k.obj.value, nil
}
