package collection

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
)

// backend is a small in-memory server behind a test collection: its sync
// source streams the backend's rows to the collection, and its handlers
// persist mutations into it and sync them back, as a real backend would.
type backend struct {
	mu       sync.Mutex
	rows     map[string]Row
	params   []*SyncParams // one per sync session
	starts   int
	fail     error         // returned by the handlers when set
	hold     chan struct{} // when set, handlers wait on it before persisting
	echo     bool          // sync persisted mutations back (default true)
	override Row           // fields the backend sets on every stored row
	calls    []MutationParams
}

func newBackend(rows ...Row) *backend {
	b := &backend{rows: make(map[string]Row), echo: true}
	for _, r := range rows {
		b.rows[r["id"].(string)] = r
	}
	return b
}

// sync is the SyncConfig.Sync of the backend: it loads all rows and marks
// the collection ready at once.
func (b *backend) sync(p *SyncParams) SyncHandle {
	b.mu.Lock()
	b.params = append(b.params, p)
	b.starts++
	rows := make([]Row, 0, len(b.rows))
	for _, r := range b.rows {
		rows = append(rows, r)
	}
	b.mu.Unlock()
	p.Begin()
	for _, r := range rows {
		if err := p.Write(Change{Type: ChangeInsert, Value: r}); err != nil {
			p.MarkError(err)
			return SyncHandle{}
		}
	}
	if err := p.Commit(); err != nil {
		p.MarkError(err)
	}
	p.MarkReady()
	return SyncHandle{Cleanup: func() {}}
}

func (b *backend) current() *SyncParams {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.params[len(b.params)-1]
}

// push simulates a change made on the server: stored and synced.
func (b *backend) push(t *testing.T, changes ...Change) {
	t.Helper()
	p := b.current()
	b.mu.Lock()
	for _, ch := range changes {
		if ch.Type == ChangeDelete {
			delete(b.rows, ch.Key)
		} else {
			b.rows[ch.Value["id"].(string)] = ch.Value
		}
	}
	b.mu.Unlock()
	p.Begin()
	for _, ch := range changes {
		if err := p.Write(ch); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
}

// persist is the backend's mutation handler.
func (b *backend) persist(ctx context.Context, mp MutationParams) error {
	b.mu.Lock()
	b.calls = append(b.calls, mp)
	hold, fail := b.hold, b.fail
	b.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if fail != nil {
		return fail
	}
	// A backend takes the transactions in the order they committed, as
	// the real persisters do: a later delete is not undone by an earlier
	// insert stored after it.
	release, err := mp.Transaction.AwaitPersistTurn(ctx, func(*Collection) bool { return true })
	defer release()
	if err != nil {
		return err
	}
	return b.store(mp.Transaction)
}

// store writes a transaction's mutations into the backend and syncs the
// stored rows back while the transaction is still persisting.
func (b *backend) store(tx *Transaction) error {
	var echo []Change
	b.mu.Lock()
	for _, m := range tx.Mutations() {
		switch m.Type {
		case MutationDelete:
			delete(b.rows, m.Key)
			echo = append(echo, Change{Type: ChangeDelete, Key: m.Key})
		case MutationInsert:
			row := mergeRow(m.Modified, b.override)
			b.rows[m.Key] = row
			echo = append(echo, Change{Type: ChangeInsert, Key: m.Key, Value: row})
		case MutationUpdate:
			row := mergeRow(mergeRow(b.rows[m.Key], m.Changes), b.override)
			b.rows[m.Key] = row
			echo = append(echo, Change{Type: ChangeUpdate, Key: m.Key, Value: row})
		}
	}
	doEcho := b.echo
	b.mu.Unlock()
	if !doEcho {
		return nil
	}
	p := b.current()
	p.Begin()
	for _, ch := range echo {
		if err := p.Write(ch); err != nil {
			return err
		}
	}
	return p.Commit()
}

func (b *backend) row(key string) (Row, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.rows[key]
	return r, ok
}

// config returns a collection config synced from and persisted to b.
func (b *backend) config() Config {
	return Config{
		ID:       "todos",
		Sync:     SyncConfig{Sync: b.sync},
		OnInsert: b.persist,
		OnUpdate: b.persist,
		OnDelete: b.persist,
	}
}

func mustCollection(t *testing.T, rt *Runtime, cfg Config) *Collection {
	t.Helper()
	c, err := rt.CreateCollection(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// readyCollection creates a collection over b and waits until it is ready.
func readyCollection(t *testing.T, b *backend) (*Runtime, *Collection) {
	t.Helper()
	rt := NewRuntime()
	c := mustCollection(t, rt, b.config())
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return rt, c
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// eventually polls cond until it holds, for at most 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, 5*time.Second, cond)
}

// recorder collects the batches delivered to a subscriber.
type recorder struct {
	mu      sync.Mutex
	batches [][]Change
}

func (r *recorder) fn(ch []Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, ch)
}

func (r *recorder) all() []Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Change
	for _, b := range r.batches {
		out = append(out, b...)
	}
	return out
}

func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = nil
}

func row(id string, kv ...any) Row {
	r := Row{"id": id}
	for i := 0; i+1 < len(kv); i += 2 {
		r[kv[i].(string)] = kv[i+1]
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func waitTx(t *testing.T, tx *Transaction) error {
	t.Helper()
	return tx.Wait(ctx(t))
}

func mustGet(t *testing.T, c *Collection, key string) Row {
	t.Helper()
	v, ok := c.Get(key)
	if !ok {
		t.Fatalf("collection has no %q", key)
	}
	return v
}
