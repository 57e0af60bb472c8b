package collection

import (
	"slices"
	"testing"
)

// Inside a change callback, reads show the callback's own mutations at
// once, and WatchKeys hears of them before the mutation returns, while the
// SubscribeChanges deliveries of those mutations wait for the callback.
func TestReadsAndWatchKeysInsideACallbackSeeItsOwnMutations(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a", "n", 1), row("b", "n", 2)))
	var watched []string
	stop := c.WatchKeys(func(keys []string) { watched = append(watched, keys...) })
	defer stop()
	type seen struct {
		watched  []string
		a        any
		hasB     bool
		size     int
		keys     []string
		stateLen int
	}
	var got *seen
	sub := c.SubscribeChanges(func(chs []Change) {
		if got != nil || chs[0].Key != "b" {
			return
		}
		watched = nil
		if _, err := c.Update([]string{"a"}, nil, func(d Row) { d["n"] = 10 }); err != nil {
			t.Error(err)
		}
		if _, err := c.Delete([]string{"b"}, nil); err != nil {
			t.Error(err)
		}
		v, _ := c.Get("a")
		got = &seen{watched: slices.Clone(watched), a: v["n"], hasB: c.Has("b"), size: c.Size(), keys: c.Keys(), stateLen: len(c.State())}
	}, SubscribeOptions{IncludeInitialState: ptr(false)})
	defer sub.Unsubscribe()
	if _, err := c.Update([]string{"b"}, nil, func(d Row) { d["n"] = 3 }); err != nil {
		t.Fatal(err)
	}
	if got == nil {
		t.Fatal("the callback did not run")
	}
	if !slices.Equal(got.watched, []string{"a", "b"}) {
		t.Errorf("WatchKeys heard %v inside the callback, want [a b]", got.watched)
	}
	if got.a != 10 || got.hasB || got.size != 1 || !slices.Equal(got.keys, []string{"a"}) || got.stateLen != 1 {
		t.Errorf("reads inside the callback: %+v, want a=10, no b, one item", *got)
	}
	stop()
	watched = nil
	if _, err := c.Update([]string{"a"}, nil, func(d Row) { d["n"] = 11 }); err != nil {
		t.Fatal(err)
	}
	if watched != nil {
		t.Errorf("a stopped WatchKeys heard %v", watched)
	}
}

// WatchKeys hears of synced changes too, with nobody subscribed (where a
// sync commit skips recording the keys it touches when nothing needs them).
func TestWatchKeysHearsSyncedChanges(t *testing.T) {
	b := newBackend(row("a", "n", 1))
	_, c := readyCollection(t, b)
	var watched []string
	defer c.WatchKeys(func(keys []string) { watched = append(watched, keys...) })()
	b.push(t, Change{Type: ChangeUpdate, Value: row("a", "n", 2)}, Change{Type: ChangeInsert, Value: row("c", "n", 3)})
	slices.Sort(watched)
	if !slices.Equal(watched, []string{"a", "c"}) {
		t.Errorf("WatchKeys heard %v, want [a c]", watched)
	}
}
