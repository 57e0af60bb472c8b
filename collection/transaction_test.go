package collection

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/internal/testutil"
)

// manual returns a transaction that does not auto-commit and records the
// transactions its MutationFn saw.
func manual(t *testing.T, rt *Runtime, fn MutationFn) *Transaction {
	t.Helper()
	if fn == nil {
		fn = func(context.Context, TransactionParams) error { return nil }
	}
	tx, err := rt.CreateTransaction(TransactionConfig{AutoCommit: ptr(false), MutationFn: fn})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func mutate(t *testing.T, tx *Transaction, fn func() error) {
	t.Helper()
	var inner error
	if err := tx.Mutate(func() { inner = fn() }); err != nil {
		t.Fatal(err)
	}
	if inner != nil {
		t.Fatal(inner)
	}
}

func TestCreateTransactionWithoutMutationFnFails(t *testing.T) {
	_, err := NewRuntime().CreateTransaction(TransactionConfig{})
	if e := testutil.WantErr[*MissingMutationFunctionError](t, err); e.Name() != "MissingMutationFunctionError" {
		t.Fatal(e.Name())
	}
}

func TestATransactionSpansCollectionsAndCommitsOnce(t *testing.T) {
	rt := NewRuntime()
	b1, b2 := newBackend(), newBackend()
	cfg2 := b2.config()
	cfg2.ID = "other"
	c1 := mustCollection(t, rt, b1.config())
	c2 := mustCollection(t, rt, cfg2)
	var seen [][]PendingMutation
	tx := manual(t, rt, func(_ context.Context, p TransactionParams) error {
		seen = append(seen, p.Transaction.Mutations())
		return nil
	})
	mutate(t, tx, func() error {
		if _, err := c1.Insert([]Row{row("a")}, nil); err != nil {
			return err
		}
		_, err := c2.Insert([]Row{row("b")}, nil)
		return err
	})
	if tx.State() != TransactionPending || !c1.Has("a") || !c2.Has("b") {
		t.Fatalf("state %s; optimistic inserts must show before commit", tx.State())
	}
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || len(seen[0]) != 2 || seen[0][0].Collection != c1 || seen[0][1].Collection != c2 {
		t.Fatalf("MutationFn saw %+v", seen)
	}
	if tx.State() != TransactionCompleted || tx.Err() != nil {
		t.Fatalf("state %s err %v", tx.State(), tx.Err())
	}
}

func TestATransactionNotPendingRefusesMutateCommitAndRollback(t *testing.T) {
	rt, c := readyCollection(t, newBackend())
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a")}, nil); return err })
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	testutil.WantErr[*TransactionNotPendingMutateError](t, tx.Mutate(func() {}))
	testutil.WantErr[*TransactionNotPendingCommitError](t, tx.Commit(ctx(t)))
	testutil.WantErr[*TransactionAlreadyCompletedRollbackError](t, tx.Rollback())
}

func TestAnEmptyTransactionCompletesWithoutCallingMutationFn(t *testing.T) {
	rt := NewRuntime()
	called := false
	tx := manual(t, rt, func(context.Context, TransactionParams) error { called = true; return nil })
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if called || tx.State() != TransactionCompleted {
		t.Fatalf("called %v state %s", called, tx.State())
	}
}

func TestAutoCommitCommitsWhenMutateReturns(t *testing.T) {
	rt, c := readyCollection(t, newBackend())
	done := make(chan struct{})
	tx, err := rt.CreateTransaction(TransactionConfig{MutationFn: func(context.Context, TransactionParams) error {
		<-done
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a")}, nil); return err })
	if tx.State() != TransactionPersisting {
		t.Fatalf("state %s right after Mutate", tx.State())
	}
	close(done)
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
}

func TestAFailedMutationFnFailsTheTransactionWithItsError(t *testing.T) {
	rt, c := readyCollection(t, newBackend())
	cause := errors.New("network down")
	tx := manual(t, rt, func(context.Context, TransactionParams) error { return cause })
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a")}, nil); return err })
	if err := tx.Commit(ctx(t)); !errors.Is(err, cause) {
		t.Fatalf("Commit = %v", err)
	}
	if tx.State() != TransactionFailed || !errors.Is(tx.Err(), cause) || c.Has("a") {
		t.Fatalf("state %s err %v has %v", tx.State(), tx.Err(), c.Has("a"))
	}
}

func TestAPanickingMutationFnFailsTheTransaction(t *testing.T) {
	rt, c := readyCollection(t, newBackend())
	tx := manual(t, rt, func(context.Context, TransactionParams) error { panic("boom") })
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a")}, nil); return err })
	testutil.WantErr[*HandlerPanicError](t, tx.Commit(ctx(t)))
	if c.Has("a") {
		t.Fatal("optimistic insert survived")
	}
}

func TestRollbackDropsTheOptimisticStateAndRejectsWithAnError(t *testing.T) {
	rt, c := readyCollection(t, newBackend(row("a", "n", int64(1))))
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error {
		_, err := c.Update([]string{"a"}, nil, func(d Row) { d["n"] = int64(2) })
		return err
	})
	if mustGet(t, c, "a")["n"] != int64(2) {
		t.Fatal("update not visible")
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, c, "a")["n"] != int64(1) {
		t.Fatal("rolled back update still visible")
	}
	err := waitTx(t, tx)
	testutil.WantErr[*TransactionRolledBackError](t, err)
	if tx.State() != TransactionFailed {
		t.Fatal(tx.State())
	}
}

func TestRollbackCascadesToPendingTransactionsSharingAKey(t *testing.T) {
	rt, c := readyCollection(t, newBackend(row("a", "n", int64(0)), row("b", "n", int64(0))))
	tx1, tx2, tx3 := manual(t, rt, nil), manual(t, rt, nil), manual(t, rt, nil)
	set := func(tx *Transaction, key string, n int64) {
		mutate(t, tx, func() error {
			_, err := c.Update([]string{key}, nil, func(d Row) { d["n"] = n })
			return err
		})
	}
	set(tx1, "a", 1)
	set(tx2, "a", 2)
	set(tx3, "b", 3)
	if err := tx1.Rollback(); err != nil {
		t.Fatal(err)
	}
	if tx2.State() != TransactionFailed {
		t.Fatalf("tx2 sharing key a is %s", tx2.State())
	}
	if e := testutil.WantErr[*TransactionRolledBackError](t, waitTx(t, tx2)); e.By != tx1.ID() {
		t.Fatalf("cascade names %q", e.By)
	}
	if tx3.State() != TransactionPending {
		t.Fatalf("tx3 on another key is %s", tx3.State())
	}
	if mustGet(t, c, "a")["n"] != int64(0) || mustGet(t, c, "b")["n"] != int64(3) {
		t.Fatalf("a %v b %v", mustGet(t, c, "a"), mustGet(t, c, "b"))
	}
}

func TestOptimisticStateFollowsTransactionCreationOrder(t *testing.T) {
	rt, c := readyCollection(t, newBackend(row("a", "x", "synced", "y", "synced")))
	older, newer := manual(t, rt, nil), manual(t, rt, nil)
	mutate(t, newer, func() error {
		_, err := c.Update([]string{"a"}, nil, func(d Row) { d["x"] = "newer" })
		return err
	})
	mutate(t, older, func() error { // mutated later, created earlier: below newer
		_, err := c.Update([]string{"a"}, nil, func(d Row) { d["x"] = "older"; d["y"] = "older" })
		return err
	})
	got := mustGet(t, c, "a")
	if got["x"] != "newer" || got["y"] != "older" {
		t.Fatalf("got %v", got)
	}
	if err := newer.Rollback(); err != nil {
		t.Fatal(err)
	}
}

func TestMutationsOfOneKeyMergeWithinATransaction(t *testing.T) {
	type step func(c *Collection) error
	ins := func(c *Collection) error { _, err := c.Insert([]Row{row("k", "a", int64(1))}, nil); return err }
	upd := func(f string, v int64) step {
		return func(c *Collection) error {
			_, err := c.Update([]string{"k"}, nil, func(d Row) { d[f] = v })
			return err
		}
	}
	del := func(c *Collection) error { _, err := c.Delete([]string{"k"}, nil); return err }
	cases := []struct {
		name     string
		synced   bool // k exists in the synced state
		steps    []step
		want     *PendingMutation
		visible  Row
		mutCount int
	}{
		{"insert then update is an insert", false, []step{ins, upd("a", 2)},
			&PendingMutation{Type: MutationInsert, Modified: Row{"id": "k", "a": int64(2)}, Changes: Row{"id": "k", "a": int64(2)}},
			Row{"id": "k", "a": int64(2)}, 1},
		{"insert then delete is nothing", false, []step{ins, del}, nil, nil, 0},
		{"update then update merges the changes and keeps the first original", true, []step{upd("a", 2), upd("b", 3)},
			&PendingMutation{Type: MutationUpdate, Original: Row{"id": "k", "a": int64(0)}, Modified: Row{"id": "k", "a": int64(2), "b": int64(3)}, Changes: Row{"a": int64(2), "b": int64(3)}},
			Row{"id": "k", "a": int64(2), "b": int64(3)}, 1},
		{"update then delete is a delete of the original", true, []step{upd("a", 2), del},
			&PendingMutation{Type: MutationDelete, Original: Row{"id": "k", "a": int64(0)}},
			nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend()
			if tc.synced {
				b = newBackend(row("k", "a", int64(0)))
			}
			rt, c := readyCollection(t, b)
			tx := manual(t, rt, nil)
			for _, s := range tc.steps {
				mutate(t, tx, func() error { return s(c) })
			}
			ms := tx.Mutations()
			if len(ms) != tc.mutCount {
				t.Fatalf("%d mutations: %+v", len(ms), ms)
			}
			if tc.want != nil {
				m := ms[0]
				if m.Type != tc.want.Type || !reflect.DeepEqual(m.Original, tc.want.Original) {
					t.Fatalf("type %s original %v", m.Type, m.Original)
				}
				if tc.want.Modified != nil && (!reflect.DeepEqual(m.Modified, tc.want.Modified) || !reflect.DeepEqual(m.Changes, tc.want.Changes)) {
					t.Fatalf("modified %v changes %v", m.Modified, m.Changes)
				}
			}
			got, ok := c.Get("k")
			if (tc.visible == nil) == ok || (ok && !reflect.DeepEqual(got, tc.visible)) {
				t.Fatalf("visible %v %v", got, ok)
			}
		})
	}
}

func TestSyncedChangesWaitWhileATransactionPersists(t *testing.T) {
	b := newBackend(row("a", "n", int64(0)), row("z", "n", int64(0)))
	_, c := readyCollection(t, b)
	b.hold = make(chan struct{})
	tx, err := c.Update([]string{"a"}, nil, func(d Row) { d["n"] = int64(1) })
	if err != nil {
		t.Fatal(err)
	}
	b.push(t, Change{Type: ChangeUpdate, Key: "z", Value: row("z", "n", int64(9))})
	if mustGet(t, c, "z")["n"] != int64(0) {
		t.Fatal("a synced change was applied while a transaction persisted")
	}
	close(b.hold)
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, c, "z")["n"] != int64(9) || mustGet(t, c, "a")["n"] != int64(1) {
		t.Fatalf("after persisting: z %v a %v", mustGet(t, c, "z"), mustGet(t, c, "a"))
	}
}

func TestNoFlickerWhenTheOptimisticStateGivesWayToTheSyncedOne(t *testing.T) {
	b := newBackend(row("a", "title", "old"))
	_, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(false)})
	// Every value a subscriber sees for a, in order.
	titles := func() []any {
		var out []any
		for _, ch := range rec.all() {
			out = append(out, ch.Value["title"])
		}
		return out
	}
	tx, err := c.Update([]string{"a"}, nil, func(d Row) { d["title"] = "new" })
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if got := titles(); !reflect.DeepEqual(got, []any{"new"}) {
		t.Fatalf("subscriber saw titles %v; want only the optimistic one", got)
	}

	// The backend stores something else than we sent: one update, straight
	// from the optimistic value to the stored one, never back to "new"'s
	// predecessor.
	rec.reset()
	b.mu.Lock()
	b.override = Row{"title": "NEWER"}
	b.mu.Unlock()
	tx, _ = c.Update([]string{"a"}, nil, func(d Row) { d["title"] = "newer" })
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if got := titles(); !reflect.DeepEqual(got, []any{"newer", "NEWER"}) {
		t.Fatalf("subscriber saw titles %v", got)
	}
	for _, ch := range rec.all() {
		if ch.Type != ChangeUpdate {
			t.Fatalf("change %+v", ch)
		}
	}
}

func TestACompletedTransactionStaysVisibleWhileItsSyncIsHeldBackByAnother(t *testing.T) {
	b := newBackend()
	rt, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{})
	release := make(chan struct{})
	slow := manual(t, rt, func(ctx context.Context, p TransactionParams) error {
		<-release
		return b.store(p.Transaction)
	})
	fast := manual(t, rt, func(ctx context.Context, p TransactionParams) error { return b.store(p.Transaction) })
	mutate(t, slow, func() error { _, err := c.Insert([]Row{row("s")}, nil); return err })
	mutate(t, fast, func() error { _, err := c.Insert([]Row{row("f")}, nil); return err })
	slowDone := make(chan error, 1)
	go func() { slowDone <- slow.Commit(context.Background()) }()
	eventually(t, "slow persists", func() bool { return slow.State() == TransactionPersisting })
	if err := fast.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if !c.Has("f") {
		t.Fatal("the completed insert vanished while its synced row was held back")
	}
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	if !c.Has("f") || !c.Has("s") {
		t.Fatal("rows missing after both persisted")
	}
	if got := types(rec.all()); got != "insert:s insert:f " {
		t.Fatalf("subscriber saw %q", got)
	}
	rt.mu.Lock()
	n := len(rt.active)
	rt.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d transactions still active", n)
	}
}

func TestActiveTransactionIsTheOneWhoseMutateRuns(t *testing.T) {
	rt := NewRuntime()
	if rt.ActiveTransaction() != nil {
		t.Fatal("an active transaction outside any Mutate")
	}
	outer, _ := rt.CreateTransaction(TransactionConfig{AutoCommit: ptr(false), MutationFn: func(context.Context, TransactionParams) error { return nil }})
	inner, _ := rt.CreateTransaction(TransactionConfig{AutoCommit: ptr(false), MutationFn: func(context.Context, TransactionParams) error { return nil }})
	var seen []*Transaction
	if err := outer.Mutate(func() {
		seen = append(seen, rt.ActiveTransaction())
		if err := inner.Mutate(func() { seen = append(seen, rt.ActiveTransaction()) }); err != nil {
			t.Error(err)
		}
		seen = append(seen, rt.ActiveTransaction())
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen[0] != outer || seen[1] != inner || seen[2] != outer || rt.ActiveTransaction() != nil {
		t.Fatalf("active transactions %v, want outer, inner, outer", seen)
	}
}
