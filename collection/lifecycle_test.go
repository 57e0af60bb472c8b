package collection

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
)

// gated is a sync source that waits for the test to mark it ready.
type gated struct{ params chan *SyncParams }

func newGated() *gated { return &gated{params: make(chan *SyncParams, 4)} }

func (g *gated) sync(p *SyncParams) SyncHandle {
	g.params <- p
	return SyncHandle{}
}

func TestACollectionGoesFromIdleThroughLoadingToReady(t *testing.T) {
	g := newGated()
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: g.sync}})
	if c.Status() != StatusIdle {
		t.Fatalf("new collection is %s", c.Status())
	}
	done := make(chan error, 1)
	go func() { done <- c.Preload(context.Background()) }()
	p := <-g.params
	if c.Status() != StatusLoading {
		t.Fatalf("status %s while syncing", c.Status())
	}
	select {
	case err := <-done:
		t.Fatalf("Preload returned %v before ready", err)
	default:
	}
	p.MarkReady()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c.Status() != StatusReady {
		t.Fatal(c.Status())
	}
}

func TestStartSyncInTheConfigStartsAtCreation(t *testing.T) {
	g := newGated()
	c := mustCollection(t, NewRuntime(), Config{StartSync: true, Sync: SyncConfig{Sync: g.sync}})
	if c.Status() != StatusLoading || len(g.params) != 1 {
		t.Fatalf("status %s", c.Status())
	}
}

func TestStatusTransitionsOutsideTanStacksGraphFail(t *testing.T) {
	allowed := map[[2]Status]bool{}
	for from, tos := range allowedTransitions {
		for _, to := range tos {
			allowed[[2]Status{from, to}] = true
		}
	}
	all := []Status{StatusIdle, StatusLoading, StatusReady, StatusError, StatusCleanedUp}
	for _, from := range all {
		for _, to := range all {
			if from == to {
				continue
			}
			c := newCollection(NewRuntime(), Config{ID: "t"})
			c.status = from
			err := c.setStatusLocked(to)
			if allowed[[2]Status{from, to}] != (err == nil) {
				t.Errorf("%s -> %s: %v", from, to, err)
			}
			if err != nil {
				testutil.WantErr[*InvalidCollectionStatusTransitionError](t, err)
			}
		}
	}
	// Spot checks of the graph itself.
	if allowed[[2]Status{StatusReady, StatusLoading}] || !allowed[[2]Status{StatusError, StatusReady}] || !allowed[[2]Status{StatusCleanedUp, StatusLoading}] {
		t.Fatal("graph differs from TanStack DB's")
	}
}

func TestAnInitialLoadFailureMakesPreloadFailAndTheStatusError(t *testing.T) {
	cause := errors.New("no such table")
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
		go p.MarkError(cause)
		return SyncHandle{}
	}}})
	err := c.Preload(ctx(t))
	if !errors.Is(err, cause) || c.Status() != StatusError || !errors.Is(c.SyncError(), cause) {
		t.Fatalf("Preload %v status %s", err, c.Status())
	}
}

func TestCleanupStopsSyncAndALaterUseRestartsIt(t *testing.T) {
	b := newBackend(row("a"))
	cleaned := 0
	cfg := b.config()
	cfg.Sync.Sync = func(p *SyncParams) SyncHandle {
		b.sync(p)
		return SyncHandle{Cleanup: func() { cleaned++ }}
	}
	c := mustCollection(t, NewRuntime(), cfg)
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	old := b.current()
	c.Cleanup()
	if c.Status() != StatusCleanedUp || cleaned != 1 || c.Size() != 0 {
		t.Fatalf("status %s cleaned %d size %d", c.Status(), cleaned, c.Size())
	}
	// A late write of the old session is ignored.
	old.Begin()
	_ = old.Write(Change{Type: ChangeInsert, Value: row("late")})
	_ = old.Commit()
	if c.Has("late") {
		t.Fatal("a cleaned-up session still writes")
	}
	tx, err := c.Insert([]Row{row("b")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.starts != 2 || c.Status() != StatusReady {
		t.Fatalf("starts %d status %s", b.starts, c.Status())
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if !c.Has("a") || !c.Has("b") {
		t.Fatal("restarted sync did not reload")
	}
}

func TestAWaitForReadinessSettlesWhenTheCollectionIsCleanedUp(t *testing.T) {
	g := newGated()
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: g.sync}})
	done := make(chan error, 1)
	go func() { done <- c.Preload(context.Background()) }()
	<-g.params
	c.Cleanup()
	testutil.WantErr[*CollectionCleanedUpError](t, <-done)
}

func TestStateWhenReadyReturnsTheItemsOnceReady(t *testing.T) {
	g := newGated()
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: g.sync}})
	go func() {
		p := <-g.params
		p.Begin()
		_ = p.Write(Change{Type: ChangeInsert, Value: row("a")})
		_ = p.Commit()
		p.MarkReady()
	}()
	state, err := c.StateWhenReady(ctx(t))
	if err != nil || len(state) != 1 || state["a"] == nil {
		t.Fatalf("state %v err %v", state, err)
	}
}

func TestACollectionWithoutSubscribersIsCollectedAfterGCTime(t *testing.T) {
	b := newBackend(row("a"))
	cfg := b.config()
	cfg.GCTime = 20 * time.Millisecond
	c := mustCollection(t, NewRuntime(), cfg)
	sub := c.SubscribeChanges(func([]Change) {}, SubscribeOptions{})
	if c.Status() != StatusReady {
		t.Fatal(c.Status())
	}
	sub.Unsubscribe()
	eventually(t, "GC cleans the collection up", func() bool { return c.Status() == StatusCleanedUp })
}

func TestAPreloadedCollectionWithoutSubscribersIsCollectedToo(t *testing.T) {
	b := newBackend(row("a"))
	cfg := b.config()
	cfg.GCTime = 20 * time.Millisecond
	c := mustCollection(t, NewRuntime(), cfg)
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "GC cleans the collection up", func() bool { return c.Status() == StatusCleanedUp })
}

func TestASubscriberKeepsTheCollectionFromGC(t *testing.T) {
	b := newBackend(row("a"))
	cfg := b.config()
	cfg.GCTime = time.Millisecond
	c := mustCollection(t, NewRuntime(), cfg)
	c.SubscribeChanges(func([]Change) {}, SubscribeOptions{})
	c.rt.mu.Lock()
	armed := c.gcTimer != nil
	c.rt.mu.Unlock()
	if armed {
		t.Fatal("GC timer armed while a subscriber is present")
	}
}

func TestANegativeGCTimeDisablesGC(t *testing.T) {
	b := newBackend(row("a"))
	cfg := b.config()
	cfg.GCTime = -1
	c := mustCollection(t, NewRuntime(), cfg)
	c.SubscribeChanges(func([]Change) {}, SubscribeOptions{}).Unsubscribe()
	c.rt.mu.Lock()
	armed := c.gcTimer != nil
	c.rt.mu.Unlock()
	if armed {
		t.Fatal("GC timer armed with GC disabled")
	}
}

func TestAnOnDemandCollectionWithoutLoadSubsetIsAConfigurationError(t *testing.T) {
	c := mustCollection(t, NewRuntime(), Config{SyncMode: SyncOnDemand, Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
		p.MarkReady()
		return SyncHandle{}
	}}})
	err := c.Preload(ctx(t))
	testutil.WantErr[*CollectionConfigurationError](t, err)
}

func TestUnknownSyncModeIsRejected(t *testing.T) {
	_, err := NewRuntime().CreateCollection(Config{SyncMode: "sometimes"})
	testutil.WantErr[*CollectionConfigurationError](t, err)
}

func TestOnFirstReadyWaitsForReadinessWithoutStartingSync(t *testing.T) {
	var mark chan struct{}
	started := make(chan struct{}, 1)
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
		started <- struct{}{}
		go func() { <-mark; p.MarkReady() }()
		return SyncHandle{}
	}}})
	mark = make(chan struct{})
	called := make(chan struct{}, 2)
	c.OnFirstReady(func() { called <- struct{}{} })
	cancelled := c.OnFirstReady(func() { t.Error("a cancelled callback ran") })
	cancelled()
	select {
	case <-started:
		t.Fatal("OnFirstReady started sync")
	default:
	}
	go c.Preload(ctx(t))
	<-started
	select {
	case <-called:
		t.Fatal("called before ready")
	default:
	}
	close(mark)
	select {
	case <-called:
	case <-ctx(t).Done():
		t.Fatal("not called once ready")
	}
	// Ready now: a later callback runs at once, before OnFirstReady returns.
	now := false
	c.OnFirstReady(func() { now = true })
	if !now {
		t.Fatal("a callback registered when ready did not run at once")
	}
}

func TestOnFirstReadyDropsItsCallbackOnCleanup(t *testing.T) {
	sessions := 0
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
		sessions++
		if sessions > 1 {
			p.MarkReady() // the second session is ready at once
		}
		return SyncHandle{}
	}}})
	ran := make(chan struct{}, 1)
	c.OnFirstReady(func() { ran <- struct{}{} })
	c.startSync()
	c.Cleanup()
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ran:
		t.Fatal("a callback dropped by cleanup ran")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestLocalOnlyStartsWithItsInitialData(t *testing.T) {
	c := mustCollection(t, NewRuntime(), LocalOnly(Config{}, row("a", "n", int64(1)), row("b")))
	if c.Status() != StatusReady || c.Size() != 2 || mustGet(t, c, "a")["n"] != int64(1) {
		t.Fatalf("status %s size %d", c.Status(), c.Size())
	}
	bad := mustCollection(t, NewRuntime(), LocalOnly(Config{}, Row{"n": int64(1)}))
	var undef *UndefinedKeyError
	if bad.Status() != StatusError || !errors.As(bad.SyncError(), &undef) {
		t.Fatalf("status %s, error %v: want error with UndefinedKeyError", bad.Status(), bad.SyncError())
	}
}

func TestWriteLocalChangesALocalCollectionsSyncedState(t *testing.T) {
	c := mustCollection(t, NewRuntime(), LocalOnly(Config{}, row("a", "n", int64(1)), row("b")))
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(false)})
	err := WriteLocal(c, []Change{
		{Type: ChangeUpdate, Key: "a", Value: row("a", "n", int64(2))},
		{Type: ChangeDelete, Key: "b"},
		{Type: ChangeInsert, Key: "c", Value: row("c")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "a")["n"]; got != int64(2) || c.Has("b") || !c.Has("c") {
		t.Fatalf("a.n %v, has b %v, has c %v", got, c.Has("b"), c.Has("c"))
	}
	eventually(t, "three change events", func() bool { return len(rec.all()) == 3 })
	other := mustCollection(t, NewRuntime(), Config{})
	if err := WriteLocal(other, nil); err == nil {
		t.Fatal("WriteLocal on a collection that is not LocalOnly did not fail")
	}
}

func TestOnStatusChangeSeesEveryTransitionInOrder(t *testing.T) {
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
		go p.MarkReady()
		return SyncHandle{}
	}}})
	var mu sync.Mutex
	var seen []string
	c.OnStatusChange(func(from, to Status) {
		mu.Lock()
		seen = append(seen, string(from)+">"+string(to))
		mu.Unlock()
	})
	dropped := c.OnStatusChange(func(from, to Status) { t.Errorf("a cancelled listener heard %s>%s", from, to) })
	dropped()
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	c.Cleanup()
	want := []string{"idle>loading", "loading>ready", "ready>cleaned-up"}
	eventually(t, "three transitions", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) == 3 })
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, want) {
		t.Fatalf("transitions %v, want %v", seen, want)
	}
}

func TestOnSubscribersChangeFollowsTheSubscriberCount(t *testing.T) {
	c, err := NewRuntime().CreateCollection(Config{GetKey: func(r Row) (string, error) { return r["id"].(string), nil }})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan [2]int, 10)
	cancel := c.OnSubscribersChange(func(from, to int) { got <- [2]int{from, to} })
	a := c.SubscribeChanges(func([]Change) {}, SubscribeOptions{})
	b := c.SubscribeChanges(func([]Change) {}, SubscribeOptions{})
	a.Unsubscribe()
	a.Unsubscribe() // a second time changes nothing
	c.Cleanup()     // ends b
	_ = b
	want := [][2]int{{0, 1}, {1, 2}, {2, 1}, {1, 0}}
	for i, w := range want {
		select {
		case g := <-got:
			if g != w {
				t.Fatalf("change %d = %v, want %v", i, g, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d: none, want %v", i, w)
		}
	}
	if n := c.SubscriberCount(); n != 0 {
		t.Fatalf("SubscriberCount = %d", n)
	}
	cancel()
	c.SubscribeChanges(func([]Change) {}, SubscribeOptions{})
	select {
	case g := <-got:
		t.Fatalf("after cancel: %v", g)
	case <-time.After(50 * time.Millisecond):
	}
}
