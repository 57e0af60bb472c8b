package collection

import (
	"reflect"
	"testing"
)

func TestReadsShowOptimisticStateOverSyncedStateInKeyOrder(t *testing.T) {
	b := newBackend(row("b", "v", "synced"), row("d"), row("a"))
	rt, c := readyCollection(t, b)
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error {
		if _, err := c.Insert([]Row{row("c"), row("0")}, nil); err != nil {
			return err
		}
		if _, err := c.Delete([]string{"d"}, nil); err != nil {
			return err
		}
		_, err := c.Update([]string{"b"}, nil, func(d Row) { d["v"] = "optimistic" })
		return err
	})
	if got := c.Keys(); !reflect.DeepEqual(got, []string{"0", "a", "b", "c"}) {
		t.Fatalf("keys %v", got)
	}
	if c.Size() != 4 || c.Has("d") || !c.Has("c") {
		t.Fatalf("size %d", c.Size())
	}
	vals := c.Values()
	if len(vals) != 4 || vals[2]["v"] != "optimistic" {
		t.Fatalf("values %v", vals)
	}
	ents := c.Entries()
	if ents[3].Key != "c" || ents[3].Value["id"] != "c" {
		t.Fatalf("entries %v", ents)
	}
	if st := c.State(); len(st) != 4 || st["b"]["v"] != "optimistic" {
		t.Fatalf("state %v", st)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if got := c.Keys(); !reflect.DeepEqual(got, []string{"a", "b", "d"}) {
		t.Fatalf("keys after rollback %v", got)
	}
}

func TestAPendingUpdateStillShowsFieldsSyncedMeanwhile(t *testing.T) {
	b := newBackend(row("a", "title", "t", "done", int64(0)))
	rt, c := readyCollection(t, b)
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error {
		_, err := c.Update([]string{"a"}, nil, func(d Row) { d["done"] = int64(1) })
		return err
	})
	b.push(t, Change{Type: ChangeUpdate, Key: "a", Value: row("a", "title", "renamed elsewhere", "done", int64(0))})
	got := mustGet(t, c, "a")
	if got["title"] != "renamed elsewhere" || got["done"] != int64(1) {
		t.Fatalf("got %v", got)
	}
}
