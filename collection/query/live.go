package query

import (
	"context"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/collection"
)

// DefaultGCTime is how long a live query without subscribers stays
// loaded (and keeps its sources' subsets loaded) unless Options.GCTime
// says otherwise.
const DefaultGCTime = 5 * time.Second

// Options are a live query's settings, as createLiveQueryCollection's.
type Options struct {
	// ID names the result collection; "" gets a generated id.
	ID string
	// GCTime is how long the query stays loaded after its last subscriber
	// leaves: 0 means DefaultGCTime, a negative value disables GC.
	GCTime time.Duration
	// StartSync starts the query at creation (nil: true, as TanStack DB's
	// createLiveQueryCollection does); false waits for the first read of
	// Preload or SubscribeChanges.
	StartSync *bool
	// Runtime is the Runtime of the result collection; nil means the one
	// of the query's first collection. Sources in the same Runtime see
	// their changes reach the live query before the mutation returns.
	Runtime *collection.Runtime
}

// LiveQuery is a query whose result is a collection, kept up to date
// incrementally. The embedded Collection gives the read API (Get, Has,
// Size, State), SubscribeChanges, Status, Preload and Cleanup; Keys,
// Values, Entries and ToArrayWhenReady are overridden to return the rows
// in the query's orderBy order (key order without one). A LiveQuery can
// be the source of another query through its Collection.
type LiveQuery struct {
	*collection.Collection
	ir IR

	mu   sync.Mutex
	sess *session // the running session, nil when stopped
}

// NewLiveQuery validates q and creates its live query collection. The
// errors are those of Validate, or a QueryCompilationError when no
// Runtime can be found.
func NewLiveQuery(q Query, opts Options) (*LiveQuery, error) {
	ir := q.ir.clone()
	if _, err := compile(&ir, func([]delta) {}); err != nil {
		return nil, err
	}
	rt := opts.Runtime
	if rt == nil {
		rt = runtimeOf(&ir)
	}
	if rt == nil {
		return nil, InvalidQueryError("the query reads no collection")
	}
	lq := &LiveQuery{ir: ir}
	gc := opts.GCTime
	if gc == 0 {
		gc = DefaultGCTime
	}
	c, err := rt.CreateCollection(collection.Config{
		ID:        opts.ID,
		GCTime:    gc,
		StartSync: opts.StartSync == nil || *opts.StartSync,
		Sync:      collection.SyncConfig{Sync: lq.sync, RowUpdateMode: collection.RowUpdateFull},
		Utils:     lq,
	})
	if err != nil {
		return nil, err
	}
	lq.Collection = c
	return lq, nil
}

func runtimeOf(ir *IR) *collection.Runtime {
	srcs := []Source{ir.From}
	for _, j := range ir.Joins {
		srcs = append(srcs, j.Source)
	}
	for _, s := range srcs {
		if s.Collection != nil {
			return s.Collection.Runtime()
		}
		if rt := runtimeOf(s.Query); rt != nil {
			return rt
		}
	}
	return nil
}

// Query returns the live query's query.
func (lq *LiveQuery) Query() Query { return Query{lq.ir.clone()} }

// session is one run of the query, from the start of sync to cleanup:
// the dataflow's state, the subscriptions to the sources and the subsets
// loaded from on-demand sources.
type session struct {
	lq      *LiveQuery
	p       *collection.SyncParams
	g       *graph
	current map[string]Row // the result, by key
	out     []delta        // the deltas of the change being handled
	subs    []*collection.Subscription
	unloads []func()
	ctx     context.Context
	cancel  context.CancelFunc
	closed  bool
	windows map[*input]*windowLoad // on-demand windowed inputs, once loaded
}

// windowLoad is the subset a windowed query loaded from an on-demand
// source: the window's rows in the query's order, reloaded with a larger
// limit when rows leave the window and it runs short.
type windowLoad struct {
	limit   int    // rows requested by the current subset
	unload  func() // releases it
	loading bool   // a larger load is under way
	again   bool   // the window ran short again meanwhile
}

// sync is the result collection's sync source: it compiles the query,
// subscribes to every source (the current rows arrive first, as inserts)
// and marks the collection ready once every source is ready and the
// on-demand ones have loaded what the query reads.
func (lq *LiveQuery) sync(p *collection.SyncParams) collection.SyncHandle {
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{lq: lq, p: p, current: make(map[string]Row), ctx: ctx, cancel: cancel, windows: map[*input]*windowLoad{}}
	lq.mu.Lock()
	ir := lq.ir.clone()
	lq.mu.Unlock()
	g, err := compile(&ir, func(ds []delta) { s.out = append(s.out, ds...) })
	if err != nil { // validated by NewLiveQuery: cannot happen
		p.MarkError(err)
		return collection.SyncHandle{}
	}
	s.g = g
	lq.mu.Lock()
	lq.sess = s
	lq.mu.Unlock()
	yes, no := true, false
	waiting := false
	var lazy []*input
	for _, in := range g.inputs {
		in := in
		opts := collection.SubscribeOptions{IncludeInitialState: &yes}
		if in.sortPath != nil && !onDemand(in.coll) {
			// The window reads its rows from an index in order: the
			// subscription brings only the changes after that.
			// Without an index on the order, the first window comes
			// from one pass over the rows, and an index is made only when
			// the window must read further (lazy.go).
			ord := in.top.orderBy[0]
			ix := in.coll.IndexNamed(lazyIndexName(in.sortPath, ord.StringSort))
			var pending *collection.Index
			if ix != nil && !ix.Ready() {
				ix, pending = nil, ix
			}
			textless := false
			if ix == nil {
				// The collection's own index on the field (CreateIndex,
				// createIndex in JS) orders as the query does, for a
				// locale order while it holds no text.
				if own := in.coll.IndexOn(in.sortPath); own != nil && (ord.StringSort == StringSortLexical || !own.HoldsText()) {
					ix, textless = own, ord.StringSort != StringSortLexical
				}
			}
			lq.mu.Lock()
			in.top.lazy = newLazyFeed(in.coll, ix, in.sortPath, in.alias, ord, in.keep)
			in.top.lazy.pending, in.top.lazy.textless = pending, textless
			lq.mu.Unlock()
			opts.IncludeInitialState = &no
			lazy = append(lazy, in)
		}
		if opts.IncludeInitialState == &yes && in.pushdown != nil {
			// Only the rows the where can select, read through an index
			// on a compared field when there is one (AutoIndex eager
			// makes it): no scan of the source.
			opts.Where = in.pushdown
			if in.coll.Config().AutoIndex != collection.AutoIndexOff && !onDemand(in.coll) {
				for _, path := range collection.IndexablePaths(in.pushdown) {
					if _, err := in.coll.CreateIndex(nil, collection.IndexOptions{Path: path}); err != nil {
						p.MarkError(err)
						return collection.SyncHandle{}
					}
				}
			}
		}
		sub := in.coll.SubscribeChanges(func(chs []collection.Change) { s.receive(in, chs) }, opts)
		lq.mu.Lock()
		s.subs = append(s.subs, sub)
		lq.mu.Unlock()
		waiting = waiting || in.coll.Status() != collection.StatusReady || onDemand(in.coll)
	}
	for _, in := range lazy {
		s.receive(in, nil) // the first pull
		lq.mu.Lock()
		if lz := in.top.lazy; lz.ix == nil && lz.pending == nil {
			// Answered by a pass over the rows; later reads, and later
			// queries, read an index made meanwhile without blocking
			// (AutoIndex eager).
			lz.pending = lazyIndex(in.coll, in.sortPath, lz.ord.StringSort, true)
		}
		lq.mu.Unlock()
	}
	if !waiting {
		p.MarkReady()
	} else {
		go s.ready(ctx)
	}
	return collection.SyncHandle{Cleanup: s.close}
}

func onDemand(c *collection.Collection) bool {
	return c.Config().SyncMode == collection.SyncOnDemand
}

// ready waits for the sources and loads the on-demand subsets.
func (s *session) ready(ctx context.Context) {
	for _, in := range s.g.inputs {
		if err := in.coll.Preload(ctx); err != nil {
			if ctx.Err() == nil {
				s.p.MarkError(err)
			}
			return
		}
		if !onDemand(in.coll) {
			continue
		}
		if in.order != nil {
			s.lq.mu.Lock()
			need := in.window.loadLimit()
			s.lq.mu.Unlock()
			if err := s.loadWindow(in, need); err != nil {
				if ctx.Err() == nil {
					s.p.MarkError(err)
				}
				return
			}
			continue
		}
		unload, err := in.coll.LoadSubset(ctx, in.pushdown)
		if err != nil {
			if ctx.Err() == nil {
				s.p.MarkError(err)
			}
			return
		}
		if !s.keep(unload) {
			return
		}
	}
	s.p.MarkReady()
}

// keep records unload for the session's end, or calls it at once when the
// session has ended meanwhile.
func (s *session) keep(unload func()) bool {
	s.lq.mu.Lock()
	closed := s.closed
	if !closed {
		s.unloads = append(s.unloads, unload)
	}
	s.lq.mu.Unlock()
	if closed {
		unload()
	}
	return !closed
}

// loadWindow loads the first limit rows of a windowed on-demand input and
// then releases the subset it replaces.
func (s *session) loadWindow(in *input, limit int) error {
	unload, err := in.coll.LoadSubsetWith(s.ctx, collection.LoadSubsetOptions{Where: in.pushdown, OrderBy: in.order, Limit: limit})
	if err != nil {
		return err
	}
	s.lq.mu.Lock()
	if s.closed {
		s.lq.mu.Unlock()
		unload()
		return nil
	}
	w := s.windows[in]
	if w == nil {
		w = &windowLoad{}
		s.windows[in] = w
	}
	old := w.unload
	w.limit, w.unload = limit, unload
	s.lq.mu.Unlock()
	if old != nil {
		old()
	}
	return nil
}

// moreLocked starts a larger load for every windowed on-demand input
// whose window is short of rows (rows left it, or it grew): the source may
// hold more. Loads are one at a time per input.
func (s *session) moreLocked() {
	for in, w := range s.windows {
		if w.limit == 0 || in.window.tree.Len() >= in.window.need() {
			continue // everything is loaded, or the window is full
		}
		if w.loading {
			w.again = true
			continue
		}
		w.loading = true
		limit := 0 // a window without a limit needs everything
		if l := in.window.loadLimit(); l > 0 {
			limit = max(l, w.limit) + max(in.window.limit, 1)
		}
		go func() {
			err := s.loadWindow(in, limit)
			s.lq.mu.Lock()
			w.loading = false
			again := w.again && err == nil
			w.again = false
			if again {
				s.moreLocked()
			}
			s.lq.mu.Unlock()
			if err != nil && s.ctx.Err() == nil {
				s.p.MarkError(err)
			}
		}()
	}
}

// close stops the session: it leaves the sources and releases the
// subsets it loaded.
func (s *session) close() {
	s.lq.mu.Lock()
	s.closed = true
	subs, unloads := s.subs, s.unloads
	s.subs, s.unloads = nil, nil
	for _, w := range s.windows {
		if w.unload != nil {
			unloads = append(unloads, w.unload)
			w.unload = nil
		}
	}
	if s.lq.sess == s {
		s.lq.sess = nil
	}
	s.lq.mu.Unlock()
	s.cancel()
	for _, sub := range subs {
		sub.Unsubscribe()
	}
	for _, u := range unloads {
		u()
	}
}

// receive turns a batch of a source's changes into deltas, runs them
// through the dataflow and writes the result's changes to the collection.
func (s *session) receive(in *input, chs []collection.Change) {
	lq := s.lq
	lq.mu.Lock()
	if s.closed {
		lq.mu.Unlock()
		return
	}
	ds := make([]delta, 0, len(chs)+1)
	for _, ch := range chs {
		switch ch.Type {
		case collection.ChangeInsert:
			ds = append(ds, delta{key: ch.Key, row: Row{in.alias: ch.Value}, mult: +1})
		case collection.ChangeUpdate:
			if ch.PreviousValue != nil {
				ds = append(ds, delta{key: ch.Key, row: Row{in.alias: ch.PreviousValue}, mult: -1})
			}
			ds = append(ds, delta{key: ch.Key, row: Row{in.alias: ch.Value}, mult: +1})
		case collection.ChangeDelete:
			ds = append(ds, delta{key: ch.Key, row: Row{in.alias: ch.Value}, mult: -1})
		}
	}
	if len(ds) > 0 {
		in.feed(ds)
	}
	if in.top != nil && in.top.lazy != nil {
		in.top.fill(in.feed)
	}
	changes := s.consolidate()
	s.moreLocked()
	var err error
	if len(changes) > 0 {
		err = s.p.ApplyDeferred(changes)
	}
	lq.mu.Unlock()
	if err != nil {
		s.p.MarkError(err)
		return
	}
	s.p.Deliver()
}

// consolidate turns the output deltas of one change into the result's
// changes: per key, what it shows now against what it showed before.
func (s *session) consolidate() []collection.Change {
	if len(s.out) == 0 {
		return nil
	}
	type before struct {
		row Row
		ok  bool
	}
	var order []string
	prev := make(map[string]before)
	for _, d := range s.out {
		if _, seen := prev[d.key]; !seen {
			r, ok := s.current[d.key]
			prev[d.key] = before{r, ok}
			order = append(order, d.key)
		}
		if d.mult > 0 {
			s.current[d.key] = resultOf(d.row, s.g.single)
		} else {
			delete(s.current, d.key)
		}
	}
	s.out = s.out[:0]
	var changes []collection.Change
	for _, k := range order {
		b := prev[k]
		now, ok := s.current[k]
		switch {
		case ok && !b.ok:
			changes = append(changes, collection.Change{Type: collection.ChangeInsert, Key: k, Value: now})
		case ok && b.ok:
			changes = append(changes, collection.Change{Type: collection.ChangeUpdate, Key: k, Value: now})
		case !ok && b.ok:
			changes = append(changes, collection.Change{Type: collection.ChangeDelete, Key: k, Value: b.row})
		}
	}
	return changes
}

// ordered returns the result's entries in the query's order, or false
// when the query has no order (then the collection's key order holds).
func (lq *LiveQuery) orderedEntries() ([]collection.Entry, bool) {
	lq.mu.Lock()
	defer lq.mu.Unlock()
	s := lq.sess
	if s == nil || s.g.top == nil {
		return nil, false
	}
	out := make([]collection.Entry, 0, len(s.current))
	s.g.top.window(func(key string, _ Row) {
		if v, ok := s.current[key]; ok {
			out = append(out, collection.Entry{Key: key, Value: v})
		}
	})
	return out, true
}

// Entries returns the result's keys and rows in the query's order.
func (lq *LiveQuery) Entries() []collection.Entry {
	if es, ok := lq.orderedEntries(); ok {
		return es
	}
	return lq.Collection.Entries()
}

// Keys returns the result's keys in the query's order.
func (lq *LiveQuery) Keys() []string {
	es, ok := lq.orderedEntries()
	if !ok {
		return lq.Collection.Keys()
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}

// Values returns the result's rows in the query's order.
func (lq *LiveQuery) Values() []Row {
	es, ok := lq.orderedEntries()
	if !ok {
		return lq.Collection.Values()
	}
	out := make([]Row, len(es))
	for i, e := range es {
		out[i] = e.Value
	}
	return out
}

// ToArrayWhenReady waits until the query is ready and returns its rows in
// the query's order.
func (lq *LiveQuery) ToArrayWhenReady(ctx context.Context) ([]Row, error) {
	if err := lq.Preload(ctx); err != nil {
		return nil, err
	}
	return lq.Values(), nil
}

// One returns the first row of the result (the row of a FindOne query).
func (lq *LiveQuery) One() (Row, bool) {
	vs := lq.Values()
	if len(vs) == 0 {
		return nil, false
	}
	return vs[0], true
}

// SetWindow moves the window of an ordered query to [offset,
// offset+limit) (limit < 0: to the end), as TanStack DB's setWindow does:
// the rows that leave and enter it are the only changes, and an on-demand
// source loads what the new window needs. Without orderBy it fails with
// SetWindowRequiresOrderByError.
func (lq *LiveQuery) SetWindow(offset, limit int) error {
	if len(lq.ir.OrderBy) == 0 {
		return ErrSetWindowRequiresOrderBy
	}
	if offset < 0 {
		return InvalidQueryError("offset must not be negative")
	}
	lq.mu.Lock()
	lq.ir.Offset = offset
	if limit < 0 {
		lq.ir.Limit = nil
	} else {
		lq.ir.Limit = &limit
	}
	s := lq.sess
	if s == nil || s.closed {
		lq.mu.Unlock()
		return nil
	}
	s.g.top.setWindow(offset, limit)
	for _, in := range s.g.inputs {
		if in.top != nil && in.top.lazy != nil {
			in.top.fill(in.feed) // a larger window reads further
		}
	}
	changes := s.consolidate()
	s.moreLocked()
	var err error
	if len(changes) > 0 {
		err = s.p.ApplyDeferred(changes)
	}
	lq.mu.Unlock()
	if err != nil {
		return err
	}
	s.p.Deliver()
	return nil
}

// SingleResult reports whether the query is a FindOne query.
func (lq *LiveQuery) SingleResult() bool { return lq.ir.FindOne }
