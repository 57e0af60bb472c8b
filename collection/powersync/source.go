package powersync

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// source is a PowerSync collection's sync source; start begins a session.
type source struct {
	open     *Opening
	table    store.Table
	dec      *rowDecoder
	deser    collection.Validator
	onErr    func(*DeserializationError)
	batch    int
	onDemand bool
	yield    func() // Options.Yield
}

// session is one sync session: from start to the collection's cleanup.
type session struct {
	*source
	db      *store.DB
	p       *collection.SyncParams
	ctx     context.Context
	cancel  context.CancelFunc
	stop    func() error // stops TrackRows
	unwatch func()       // cancels OnChange

	mu      sync.Mutex
	subsets []*subset           // on-demand: the active subsets
	present map[string]struct{} // on-demand: keys written to the collection
	errs    []*DeserializationError
}

type subset struct {
	where  collection.Expr
	sql    string
	params []any
	top    string // " ORDER BY ... LIMIT ?" of a windowed subset, or ""
	limit  int    // its limit
}

// selectList is `"id", "c1", ...` for reading the view.
func (s *source) selectList() string {
	var b strings.Builder
	b.WriteString(`"id"`)
	for _, c := range s.table.Columns {
		b.WriteString(", ")
		b.WriteString(quoteIdent(c.Name))
	}
	return b.String()
}

// start is the SyncConfig.Sync function. While the database is still
// opening, the session starts once it has opened (see startLater).
func (s *source) start(p *collection.SyncParams) collection.SyncHandle {
	db, err, settled := s.open.result()
	if !settled {
		return s.startLater(p)
	}
	if err != nil {
		p.MarkError(err)
		return collection.SyncHandle{}
	}
	return s.startWith(db, p)
}

// startWith starts a session on db. It installs row tracking first, so
// that no change can slip between the initial load and the tracking.
func (s *source) startWith(db *store.DB, p *collection.SyncParams) collection.SyncHandle {
	ctx, cancel := context.WithCancel(context.Background())
	ss := &session{source: s, db: db, p: p, ctx: ctx, cancel: cancel, present: make(map[string]struct{})}
	stop, err := db.TrackRows(s.table.Name, ss.onRows)
	if err != nil {
		cancel()
		p.MarkError(err)
		return collection.SyncHandle{}
	}
	ss.stop = stop
	// Tracked changes are committed to the collection under the database
	// lock; subscribers hear of them once it is released.
	ss.unwatch = db.OnChange([]string{s.table.Name}, func([]string) { ss.flush() })
	h := collection.SyncHandle{Cleanup: ss.close}
	if s.onDemand {
		h.LoadSubset = ss.loadSubset
		h.UnloadSubset = ss.unloadSubset
		p.MarkReady()
		return h
	}
	go ss.initialLoad()
	return h
}

// startLater is start while the database opens: the collection stays
// 'loading' until it has opened, then the session starts; a failed open
// is the collection's error. The handle it returns stands for the session
// to come: a cleanup before the open cancels it, and on-demand loads wait
// for it.
func (s *source) startLater(p *collection.SyncParams) collection.SyncHandle {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var mu sync.Mutex
	var inner collection.SyncHandle
	stopped := false
	go func() {
		db, err := s.open.Wait(ctx)
		if err != nil {
			if ctx.Err() == nil {
				p.MarkError(err)
			}
			return
		}
		h := s.startWith(db, p)
		mu.Lock()
		inner = h
		late := stopped
		mu.Unlock()
		close(started)
		if late && h.Cleanup != nil {
			h.Cleanup() // cleaned up while it started
		}
	}()
	h := collection.SyncHandle{Cleanup: func() {
		cancel()
		mu.Lock()
		stopped = true
		in := inner
		mu.Unlock()
		if in.Cleanup != nil {
			in.Cleanup()
		}
	}}
	if s.onDemand {
		h.LoadSubset = func(ctx context.Context, opts collection.LoadSubsetOptions) error {
			select {
			case <-started:
			case <-ctx.Done():
				return ctx.Err()
			}
			if inner.LoadSubset == nil { // the start failed: its error is the collection's
				return nil
			}
			return inner.LoadSubset(ctx, opts)
		}
		h.UnloadSubset = func(opts collection.LoadSubsetOptions) {
			select {
			case <-started:
				if inner.UnloadSubset != nil {
					inner.UnloadSubset(opts)
				}
			default: // nothing was loaded
			}
		}
	}
	return h
}

func (ss *session) close() {
	ss.cancel()
	ss.unwatch()
	_ = ss.stop()
}

// flush reports rejected rows and calls the collection's subscribers;
// it runs without the database lock.
func (ss *session) flush() {
	ss.mu.Lock()
	errs := ss.errs
	ss.errs = nil
	ss.mu.Unlock()
	if ss.onErr != nil {
		for _, e := range errs {
			ss.onErr(e)
		}
	}
	if ss.yield != nil {
		// A large sync commit reaches the collection in slices (store's
		// Options.Yield): its batches reach the subscribers with the
		// thread handed over between them.
		ss.p.DeliverPaced(ss.yield)
		return
	}
	ss.p.Deliver()
}

// item converts a row as the view shows it into a collection item; a row
// the schema rejects is recorded for OnDeserializationError.
func (ss *session) item(raw collection.Row) (collection.Row, bool) {
	if ss.deser == nil {
		return raw, true
	}
	out, issues := ss.deser.Validate(raw)
	if len(issues) > 0 {
		ss.mu.Lock()
		ss.errs = append(ss.errs, &DeserializationError{Table: ss.table.Name, Row: raw, Issues: issues})
		ss.mu.Unlock()
		return nil, false
	}
	return out, true
}

// onRows mirrors the changes of one committed write transaction. It runs
// under the database lock, so it only touches the collection's state.
func (ss *session) onRows(changes []store.RowChange) {
	if len(changes) > 0 && changes[0].Op == store.RowReset {
		ss.resync(changes[1:])
		return
	}
	batch := ss.batchOf(changes)
	if len(batch) == 0 {
		return
	}
	// The change is committed in SQLite: a collection that cannot mirror it
	// no longer shows the table, so it says so.
	if err := ss.p.ApplyDeferred(batch); err != nil {
		ss.p.MarkError(fmt.Errorf("powersync: mirror a change of %s: %w", ss.table.Name, err))
	}
}

// resync replaces the collection's synced rows with rows, the table's
// whole content (store.RowReset: the database was reread, the changes
// since are not known): one sync transaction that truncates and writes
// them, as TanStack DB applies a truncate, so subscribers get the
// differences (inserts, updates, deletes) at once and never a half state.
// An on-demand collection forgets its loaded keys first and keeps the rows
// its active subsets want.
func (ss *session) resync(rows []store.RowChange) {
	if ss.onDemand {
		ss.mu.Lock()
		clear(ss.present)
		ss.mu.Unlock()
	}
	batch := ss.batchOf(rows)
	ss.p.Begin()
	err := ss.p.Truncate()
	if err == nil {
		err = ss.p.WriteBatch(batch)
	}
	if err == nil {
		err = ss.p.CommitDeferred()
	}
	if err != nil {
		ss.p.MarkError(fmt.Errorf("powersync: reload %s after a reread of the database: %w", ss.table.Name, err))
	}
}

// batchOf turns tracked row changes into the collection's changes.
func (ss *session) batchOf(changes []store.RowChange) []collection.Change {
	batch := make([]collection.Change, 0, len(changes))
	for _, ch := range changes {
		if ch.Op == store.RowDelete {
			if ss.onDemand && !ss.forget(ch.ID) {
				continue
			}
			batch = append(batch, collection.Change{Type: collection.ChangeDelete, Key: ch.ID})
			continue
		}
		raw, err := ss.dec.decode(ch.ID, ch.Data)
		if err != nil {
			ss.reject(collection.Row{"id": ch.ID}, "unreadable row data: "+err.Error())
			continue
		}
		if ss.onDemand && !ss.wanted(raw) {
			if ss.forget(ch.ID) { // it left every active subset
				batch = append(batch, collection.Change{Type: collection.ChangeDelete, Key: ch.ID})
			}
			continue
		}
		it, ok := ss.item(raw)
		if !ok {
			continue
		}
		if ss.onDemand {
			ss.remember(ch.ID)
		}
		batch = append(batch, collection.Change{Type: collection.ChangeInsert, Key: ch.ID, Value: it})
	}
	return batch
}

// initialLoad reads the table in batches by keyset pagination, each batch
// in a read transaction during which no write (and so no tracked change)
// can interleave, then marks the collection ready.
func (ss *session) initialLoad() {
	ss.pace() // not in the task of the call that started sync
	// Size the collection's index once instead of growing it batch by batch.
	if r, err := ss.db.Get(ss.ctx, `SELECT count(*) AS n FROM `+quoteIdent(ss.table.DataTable())); err == nil {
		if n, ok := r["n"].(int64); ok {
			ss.p.Reserve(int(n))
		}
	}
	ss.pace() // counting a large table is a slice of work of its own
	err := ss.load(ss.ctx, "", nil)
	if err != nil {
		if ss.ctx.Err() == nil {
			ss.p.MarkError(err)
		}
		return
	}
	ss.p.MarkReady()
}

// load writes the rows matching where (all when "") to the collection, in
// pages by id. The first page has no lower bound: "" is an id like any
// other, so no cursor value sorts before every id.
func (ss *session) load(ctx context.Context, where string, params []any) error {
	q := "SELECT " + ss.selectList() + " FROM " + quoteIdent(ss.table.View()) + " WHERE "
	if where != "" {
		q += "(" + where + ") AND "
	}
	first := q + `true ORDER BY "id" LIMIT ?`
	q += `"id" > ? ORDER BY "id" LIMIT ?`
	size := ss.batch
	args := append(append([]any(nil), params...), "", size)
	last := len(args) - 2
	for page := 0; ; page++ {
		n := 0
		args[last+1] = size
		began := time.Now()
		err := ss.db.ReadTx(ctx, func(tx *store.Tx) error {
			var rows store.Rows
			var err error
			if page == 0 {
				rows, err = tx.GetAll(ctx, first, append(append([]any(nil), params...), size)...)
			} else {
				rows, err = tx.GetAll(ctx, q, args...)
			}
			if err != nil {
				return err
			}
			n = len(rows.Values)
			if n > 0 {
				// The next page starts after this one's last id, whatever its
				// type: SQLite orders and compares them all.
				args[last] = rows.Values[n-1][0]
			}
			return ss.writeRows(rows)
		})
		ss.flush()
		if err != nil {
			return err
		}
		if n < size {
			return nil
		}
		if ss.yield != nil { // only a paced load adapts its batches
			size = nextBatchSize(size, ss.batch, time.Since(began))
		}
		ss.pace()
	}
}

// pace calls Options.Yield, when set.
func (ss *session) pace() {
	if ss.yield != nil {
		ss.yield()
	}
}

// Between yields, a batch should take about a frame's worth of work or
// less: a host yields between batches, never inside one.
const (
	batchTooSlow = 16 * time.Millisecond
	batchTooFast = 8 * time.Millisecond
	minBatchSize = 50
)

// nextBatchSize adapts the size of a paced load's batches to how long the
// last one took: halved when slow (baseline-compiled code on a cold start,
// a slow device), grown back towards limit, the collection's
// syncBatchSize, when fast.
func nextBatchSize(size, limit int, took time.Duration) int {
	switch {
	case took > batchTooSlow && size > minBatchSize:
		return max(size/2, minBatchSize)
	case took < batchTooFast && size < limit:
		return min(size*2, limit)
	}
	return size
}

// writeRows writes rows read from the view as one sync transaction. A row
// whose id is not text cannot be a key: it is reported as that row's
// DeserializationError, and the others are written.
func (ss *session) writeRows(rows store.Rows) error {
	cols := rows.Columns
	batch := make([]collection.Change, 0, len(rows.Values))
	for _, vals := range rows.Values {
		raw := make(collection.Row, len(cols))
		for i, c := range cols {
			raw[c] = vals[i]
		}
		id, isText := raw["id"].(string)
		if !isText {
			ss.reject(raw, fmt.Sprintf("the id is %T, not text: it cannot be a key", raw["id"]))
			continue
		}
		it, ok := ss.item(raw)
		if !ok {
			continue
		}
		if ss.onDemand {
			ss.remember(id)
		}
		batch = append(batch, collection.Change{Type: collection.ChangeInsert, Key: id, Value: it})
	}
	if len(batch) == 0 {
		return nil
	}
	if err := ss.p.ApplyDeferred(batch); err != nil {
		return fmt.Errorf("powersync: load rows of %s: %w", ss.table.Name, err)
	}
	return nil
}

// reject records raw, which cannot become an item, for
// OnDeserializationError.
func (ss *session) reject(raw collection.Row, why string) {
	ss.mu.Lock()
	ss.errs = append(ss.errs, &DeserializationError{Table: ss.table.Name, Row: raw, Issues: []collection.Issue{{Message: why}}})
	ss.mu.Unlock()
}

func (ss *session) remember(id string) {
	ss.mu.Lock()
	ss.present[id] = struct{}{}
	ss.mu.Unlock()
}

// forget drops id from the loaded keys and reports whether it was there.
func (ss *session) forget(id string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_, ok := ss.present[id]
	delete(ss.present, id)
	return ok
}

// wanted reports whether a row matches an active subset.
func (ss *session) wanted(raw collection.Row) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, sub := range ss.subsets {
		if ok, err := collection.Matches(sub.where, raw); err == nil && ok {
			return true
		}
	}
	return false
}

// loadSubset (on-demand) activates a subset, then loads its rows: changes
// committed meanwhile are mirrored if they match it.
func (ss *session) loadSubset(ctx context.Context, opts collection.LoadSubsetOptions) error {
	sub := &subset{where: opts.Where}
	if opts.Where != nil {
		sql, params, err := CompileWhere(opts.Where)
		if err != nil {
			return err
		}
		sub.sql, sub.params = sql, params
	}
	sub.top, sub.limit = ss.orderLimit(opts), opts.Limit
	ss.mu.Lock()
	ss.subsets = append(ss.subsets, sub)
	ss.mu.Unlock()
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { // cleanup of the collection also ends the load
		select {
		case <-ss.ctx.Done():
			stop()
		case <-ctx.Done():
		}
	}()
	load := ss.load
	if sub.top != "" {
		load = ss.loadTop(sub.top, sub.limit)
	}
	if err := load(ctx, sub.sql, sub.params); err != nil {
		ss.removeSubset(sub)
		return err
	}
	return nil
}

// orderLimit compiles a subset's order and limit to SQL, or returns ""
// when SQLite cannot order as the query does (a locale-ordered text
// column, an unknown field): then the whole where is loaded. Numbers,
// byte-ordered text and nulls placed explicitly order in SQLite as in the
// query engine; "id" breaks ties as the engine's key does.
func (ss *session) orderLimit(opts collection.LoadSubsetOptions) string {
	if opts.Limit <= 0 || len(opts.OrderBy) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" ORDER BY ")
	for _, o := range opts.OrderBy {
		typ := store.Text
		if o.Field != "id" {
			found := false
			for _, c := range ss.table.Columns {
				if c.Name == o.Field {
					typ, found = c.Type, true
				}
			}
			if !found {
				return ""
			}
		}
		if typ == store.Text && !o.Lexical {
			return ""
		}
		b.WriteString(quoteIdent(o.Field))
		if o.Desc {
			b.WriteString(" DESC")
		}
		if o.NullsLast {
			b.WriteString(" NULLS LAST, ")
		} else {
			b.WriteString(" NULLS FIRST, ")
		}
	}
	b.WriteString(`"id" LIMIT ?`)
	return b.String()
}

// loadTop loads the first rows of a windowed subset in one query.
func (ss *session) loadTop(top string, limit int) func(ctx context.Context, where string, params []any) error {
	return func(ctx context.Context, where string, params []any) error {
		q := "SELECT " + ss.selectList() + " FROM " + quoteIdent(ss.table.View())
		if where != "" {
			q += " WHERE " + where
		}
		q += top
		args := append(append([]any(nil), params...), limit)
		err := ss.db.ReadTx(ctx, func(tx *store.Tx) error {
			rows, err := tx.GetAll(ctx, q, args...)
			if err != nil {
				return err
			}
			return ss.writeRows(rows)
		})
		ss.flush()
		return err
	}
}

func (ss *session) removeSubset(sub *subset) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for i, s := range ss.subsets {
		if s == sub {
			ss.subsets = append(ss.subsets[:i], ss.subsets[i+1:]...)
			return
		}
	}
}

// unloadSubset (on-demand) deactivates a subset and evicts the rows no
// remaining subset matches (they stay in SQLite).
func (ss *session) unloadSubset(opts collection.LoadSubsetOptions) {
	ss.mu.Lock()
	var gone *subset
	for _, s := range ss.subsets {
		if reflect.DeepEqual(s.where, opts.Where) {
			gone = s
			break
		}
	}
	ss.mu.Unlock()
	if gone == nil {
		return
	}
	ss.removeSubset(gone)
	err := ss.db.ReadTx(ss.ctx, func(tx *store.Tx) error {
		ss.mu.Lock()
		remaining := append([]*subset(nil), ss.subsets...)
		ss.mu.Unlock()
		keep := make(map[string]struct{})
		if len(remaining) > 0 {
			var where strings.Builder
			var params []any
			for i, s := range remaining {
				if i > 0 {
					where.WriteString(" OR ")
				}
				if s.sql == "" {
					where.WriteString("1")
					continue
				}
				where.WriteString("(" + s.sql + ")")
				params = append(params, s.params...)
			}
			rows, err := tx.GetAll(ss.ctx, `SELECT "id" FROM `+quoteIdent(ss.table.View())+" WHERE "+where.String(), params...)
			if err != nil {
				return err
			}
			for _, v := range rows.Values {
				if id, ok := v[0].(string); ok {
					keep[id] = struct{}{}
				}
			}
		}
		ss.mu.Lock()
		var evict []string
		for id := range ss.present {
			if _, ok := keep[id]; !ok {
				evict = append(evict, id)
				delete(ss.present, id)
			}
		}
		ss.mu.Unlock()
		if len(evict) > 0 {
			batch := make([]collection.Change, len(evict))
			for i, id := range evict {
				batch[i] = collection.Change{Type: collection.ChangeDelete, Key: id}
			}
			if err := ss.p.ApplyDeferred(batch); err != nil {
				return err
			}
		}
		return nil
	})
	// Unloading returns nothing to its caller (as in TanStack DB): a
	// collection that could not work out which rows to evict keeps rows no
	// subset holds, so it says so through its status. After cleanup
	// (ss.ctx done) nothing is left to account for.
	if err != nil && ss.ctx.Err() == nil {
		ss.p.MarkError(fmt.Errorf("powersync: unload a subset of %s: %w", ss.table.Name, err))
	}
	ss.flush()
}
