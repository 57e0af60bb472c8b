package collection

import (
	"fmt"
	"testing"
	"time"
)

// A local-only collection's synced state takes its transactions in commit
// order: an update a subscriber makes in reaction to another is the one the
// collection keeps once both are persisted.
func TestALocalOnlyCollectionKeepsTheUpdateASubscriberMadeLast(t *testing.T) {
	rt := NewRuntime()
	c := mustCollection(t, rt, LocalOnly(Config{}))
	const n = 8
	var txs []*Transaction
	sub := c.SubscribeChanges(func(chs []Change) {
		for _, ch := range chs {
			if ch.Type != ChangeUpdate || ch.Value["v"] != "edited" {
				continue
			}
			tx, err := c.Update([]string{ch.Key}, nil, func(d Row) { d["v"] = "reacted" })
			if err != nil {
				t.Error(err)
				return
			}
			txs = append(txs, tx)
		}
	}, SubscribeOptions{IncludeInitialState: ptr(false)})
	defer sub.Unsubscribe()
	for i := range n {
		key := fmt.Sprint("k", i)
		tx, err := c.Insert([]Row{row(key, "v", "new")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := waitTx(t, tx); err != nil {
			t.Fatal(err)
		}
		if tx, err = c.Update([]string{key}, nil, func(d Row) { d["v"] = "edited" }); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	if len(txs) != 2*n {
		t.Fatalf("%d transactions, want %d", len(txs), 2*n)
	}
	for _, tx := range txs {
		if err := waitTx(t, tx); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		if got := mustGet(t, c, fmt.Sprint("k", i))["v"]; got != "reacted" {
			t.Errorf("k%d is %v, want the subscriber's later reacted", i, got)
		}
	}
}

// A transaction waits for the persist turn of those committed before it,
// until they release it or settle, and only for the collections asked about.
func TestAwaitPersistTurnFollowsCommitOrder(t *testing.T) {
	b := newBackend(row("a", "v", 0), row("b", "v", 0))
	b.hold = make(chan struct{})
	rt, c := readyCollection(t, b)
	t1, err := c.Update([]string{"a"}, nil, func(d Row) { d["v"] = 1 })
	if err != nil {
		t.Fatal(err)
	}
	t2, err := c.Update([]string{"b"}, nil, func(d Row) { d["v"] = 2 })
	if err != nil {
		t.Fatal(err)
	}
	other := mustCollection(t, rt, LocalOnly(Config{}))
	waited := make(chan error, 1)
	go func() {
		release, err := t2.AwaitPersistTurn(ctx(t), func(x *Collection) bool { return x == c })
		release()
		waited <- err
	}()
	if _, err := t2.AwaitPersistTurn(ctx(t), func(x *Collection) bool { return x == other }); err != nil {
		t.Fatalf("waiting on another collection: %v", err)
	}
	select {
	case err := <-waited:
		t.Fatalf("t2 took its turn while t1, committed before it, persists (err %v)", err)
	case <-time.After(20 * time.Millisecond): // a wrong turn shows up well within this
	}
	close(b.hold)
	if err := waitTx(t, t1); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, t2); err != nil {
		t.Fatal(err)
	}
}
