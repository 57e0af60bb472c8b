package collection

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

func types(chs []Change) string {
	s := ""
	for _, ch := range chs {
		s += string(ch.Type) + ":" + ch.Key + " "
	}
	return s
}

func TestSubscribeWithInitialStateSendsTheItemsFirstAsInserts(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("b"), row("a")))
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(true)})
	if got := types(rec.all()); got != "insert:a insert:b " {
		t.Fatalf("initial batch %q", got)
	}
	if _, err := c.Insert([]Row{row("c")}, nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.batches) != 2 || types(rec.batches[1]) != "insert:c " {
		t.Fatalf("batches %v", rec.batches)
	}
}

func TestSubscribeWithoutInitialStateTurnsUnseenUpdatesIntoInsertsAndDropsUnseenDeletes(t *testing.T) {
	b := newBackend(row("a", "n", int64(0)), row("b"))
	_, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{})
	b.push(t, Change{Type: ChangeUpdate, Key: "a", Value: row("a", "n", int64(1))})
	b.push(t, Change{Type: ChangeDelete, Key: "b"})
	b.push(t, Change{Type: ChangeUpdate, Key: "a", Value: row("a", "n", int64(2))})
	b.push(t, Change{Type: ChangeDelete, Key: "a"})
	if got := types(rec.all()); got != "insert:a update:a delete:a " {
		t.Fatalf("changes %q", got)
	}
	all := rec.all()
	if all[1].PreviousValue["n"] != int64(1) || all[1].Value["n"] != int64(2) || all[2].Value["n"] != int64(2) {
		t.Fatalf("values %+v", all)
	}
}

func TestSubscribeWithInitialStateFalseSendsEverythingUnfiltered(t *testing.T) {
	b := newBackend(row("a", "n", int64(0)), row("b"))
	_, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(false)})
	b.push(t, Change{Type: ChangeUpdate, Key: "a", Value: row("a", "n", int64(1))}, Change{Type: ChangeDelete, Key: "b"})
	if got := types(rec.all()); got != "update:a delete:b " {
		t.Fatalf("changes %q", got)
	}
}

func TestUnsubscribeStopsDeliveries(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	var rec recorder
	sub := c.SubscribeChanges(rec.fn, SubscribeOptions{})
	b.push(t, Change{Type: ChangeInsert, Value: row("a")})
	sub.Unsubscribe()
	b.push(t, Change{Type: ChangeInsert, Value: row("b")})
	if got := types(rec.all()); got != "insert:a " {
		t.Fatalf("changes %q", got)
	}
	if c.SubscriberCount() != 0 {
		t.Fatal("subscriber still counted")
	}
}

func TestASubscriberMayReadAndMutateTheCollection(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	var mu sync.Mutex
	var log []string
	c.SubscribeChanges(func(chs []Change) {
		for _, ch := range chs {
			v, _ := c.Get(ch.Key) // reads under no lock of ours
			mu.Lock()
			log = append(log, fmt.Sprintf("%s:%s:%v", ch.Type, ch.Key, v != nil))
			mu.Unlock()
			if ch.Type == ChangeInsert && ch.Key == "a" {
				if _, err := c.Insert([]Row{row("reaction")}, nil); err != nil {
					t.Error(err)
				}
			}
		}
	}, SubscribeOptions{})
	tx, err := c.Insert([]Row{row("a")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reaction is persisted", func() bool { _, ok := b.row("reaction"); return ok })
	mu.Lock()
	defer mu.Unlock()
	if !reflect.DeepEqual(log[:2], []string{"insert:a:true", "insert:reaction:true"}) {
		t.Fatalf("log %v", log)
	}
}

func TestSubscribeWithAWhereFilterSeesItemsEnterAndLeave(t *testing.T) {
	b := newBackend(row("a", "cat", "x"), row("b", "cat", "y"))
	_, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(true), Where: Eq(Field("cat"), Value("x"))})
	b.push(t, Change{Type: ChangeUpdate, Key: "b", Value: row("b", "cat", "x")}) // enters
	b.push(t, Change{Type: ChangeUpdate, Key: "a", Value: row("a", "cat", "y")}) // leaves
	b.push(t, Change{Type: ChangeInsert, Value: row("c", "cat", "y")})           // never matches
	if got := types(rec.all()); got != "insert:a insert:b delete:a " {
		t.Fatalf("changes %q", got)
	}
}

func TestConcurrentSyncWritesAndMutationsKeepEveryBatchInOrder(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	var mu sync.Mutex
	last := map[string]int64{} // per key, the last n a subscriber saw
	c.SubscribeChanges(func(chs []Change) {
		mu.Lock()
		defer mu.Unlock()
		for _, ch := range chs {
			if ch.Type == ChangeDelete {
				continue
			}
			n := ch.Value["n"].(int64)
			if n < last[ch.Key] {
				t.Errorf("%s went back from %d to %d", ch.Key, last[ch.Key], n)
			}
			last[ch.Key] = n
		}
	}, SubscribeOptions{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("k%d", g)
			p := b.current()
			for i := int64(1); i <= 200; i++ {
				if err := p.Apply([]Change{{Type: ChangeInsert, Key: key, Value: row(key, "n", i)}}); err != nil {
					t.Error(err)
					return
				}
				c.Get(key)
				c.Keys()
			}
		}()
	}
	wg.Wait()
	for g := 0; g < 4; g++ {
		key := fmt.Sprintf("k%d", g)
		if mustGet(t, c, key)["n"] != int64(200) {
			t.Fatalf("%s = %v", key, mustGet(t, c, key))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for g := 0; g < 4; g++ {
		if last[fmt.Sprintf("k%d", g)] != 200 {
			t.Fatalf("subscriber last saw %v", last)
		}
	}
}

// Events queued by deferred sync commits (a large sync applied in slices,
// delivered afterwards) wait with their items packed, as the state holds
// them, and are unpacked when delivered into the values they had when
// queued, whatever the state shows by then.
func TestQueuedEventsWaitPackedAndDeliverTheValuesOfTheirCommit(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(false)})
	p := b.current()
	for _, ms := range [][]Change{
		{{Type: ChangeInsert, Value: row("a", "n", int64(1))}, {Type: ChangeInsert, Value: row("b", "s", "x")}},
		{{Type: ChangeUpdate, Value: row("a", "n", int64(2))}},
		{{Type: ChangeDelete, Key: "b"}},
	} {
		if err := p.ApplyDeferred(ms); err != nil {
			t.Fatal(err)
		}
	}
	c.rt.mu.Lock()
	queued := 0
	for _, d := range c.rt.queue {
		for _, e := range d.b.events {
			queued++
			for _, h := range []held{e.value, e.prev} {
				if h.row != nil {
					t.Errorf("%s %s: a queued item is held as a row", e.typ, e.key)
				}
			}
			if e.value.packed == "" {
				t.Errorf("%s %s: a queued item is not packed", e.typ, e.key)
			}
		}
	}
	c.rt.mu.Unlock()
	if queued != 4 {
		t.Fatalf("%d events queued, want 4", queued)
	}
	p.Deliver()
	want := []Change{
		{Type: ChangeInsert, Key: "a", Value: row("a", "n", int64(1))},
		{Type: ChangeInsert, Key: "b", Value: row("b", "s", "x")},
		{Type: ChangeUpdate, Key: "a", Value: row("a", "n", int64(2)), PreviousValue: row("a", "n", int64(1))},
		{Type: ChangeDelete, Key: "b", Value: row("b", "s", "x")},
	}
	if got := rec.all(); !reflect.DeepEqual(got, want) {
		t.Fatalf("delivered %+v\nwant %+v", got, want)
	}
}
