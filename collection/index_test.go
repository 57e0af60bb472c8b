package collection

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkIndex compares what ix holds, read in both directions by groups of
// a random size, with the collection's state sorted from scratch.
func checkIndex(t *testing.T, c *Collection, ix *Index, r *rand.Rand, step string) {
	t.Helper()
	type kv struct {
		k string
		v any
	}
	var want []kv
	for k, row := range c.State() {
		want = append(want, kv{k, row["n"]})
	}
	slices.SortFunc(want, func(a, b kv) int {
		if c := ix.Compare(a.v, b.v); c != 0 {
			return c
		}
		return strings.Compare(a.k, b.k)
	})
	for _, desc := range []bool{false, true} {
		var got []kv
		var cur IndexCursor
		for {
			es, next, done := ix.Groups(cur, desc, true, 1+r.IntN(4))
			for _, e := range es {
				if e.Row == nil || !sameScalar(e.Row["n"], e.Value) {
					t.Fatalf("%s: entry %q: row %v, value %v", step, e.Key, e.Row, e.Value)
				}
				got = append(got, kv{e.Key, e.Value})
			}
			cur = next
			if done {
				break
			}
		}
		if desc { // groups descend, keys ascend within a group
			slices.SortStableFunc(got, func(a, b kv) int { return ix.Compare(a.v, b.v) })
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s (desc %v): index\n%v\nwant\n%v", step, desc, got, want)
		}
	}
}

// TestIndexFollowsChanges drives random synced writes, optimistic
// mutations, rollbacks and settlements, and compares the index with the
// state after every one.
func TestIndexFollowsChanges(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	b := newBackend()
	for i := range 30 {
		b.rows[fmt.Sprint(i)] = row(fmt.Sprint(i), "n", int64(r.IntN(8)))
	}
	_, c := readyCollection(t, b)
	ix, err := c.CreateIndex(nil, IndexOptions{Path: []string{"n"}})
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := c.CreateIndex(nil, IndexOptions{Path: []string{"n"}}); again != ix {
		t.Fatal("CreateIndex on the same path made a second index")
	}
	checkIndex(t, c, ix, r, "initial")
	// The same index filled in the background while the steps run.
	bx, err := c.CreateIndex(nil, IndexOptions{Name: "background", Path: []string{"n"}, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	value := func() any {
		switch r.IntN(5) {
		case 0:
			return nil
		case 1:
			return float64(r.IntN(8)) // equal to an int64 of the same number
		}
		return int64(r.IntN(8))
	}
	var pending []*Transaction
	var fx *Index
	for i := range 300 {
		key := fmt.Sprint(r.IntN(40))
		var step string
		switch op := r.IntN(6); op {
		case 0, 1: // a synced write
			if _, ok := b.row(key); ok && r.IntN(3) == 0 {
				b.push(t, Change{Type: ChangeDelete, Key: key})
				step = "sync delete " + key
			} else {
				b.push(t, Change{Type: ChangeInsert, Value: row(key, "n", value())})
				step = "sync upsert " + key
			}
		case 2, 3: // an optimistic mutation, left pending
			tx := c.rt.newTransaction(TransactionConfig{AutoCommit: ptr(false), MutationFn: func(context.Context, TransactionParams) error { return nil }})
			err := tx.Mutate(func() {
				if c.Has(key) {
					if r.IntN(2) == 0 {
						_, err = c.Delete([]string{key}, nil)
					} else {
						v := value()
						_, err = c.Update([]string{key}, nil, func(d Row) { d["n"] = v })
					}
				} else {
					_, err = c.Insert([]Row{row(key, "n", value())}, nil)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			pending = append(pending, tx)
			step = "optimistic " + key
		case 4: // a rollback, or a commit that completes
			if len(pending) == 0 {
				continue
			}
			j := r.IntN(len(pending))
			if pending[j].State() != TransactionPending { // rolled back with another one sharing a key
				pending = slices.Delete(pending, j, j+1)
				continue
			}
			if r.IntN(2) == 0 {
				if err := pending[j].Rollback(); err != nil {
					t.Fatal(err)
				}
				step = "rollback"
			} else {
				if err := pending[j].Commit(context.Background()); err != nil {
					t.Fatal(err)
				}
				step = "commit"
			}
			pending = slices.Delete(pending, j, j+1)
		case 5: // a truncate that reloads the backend
			p := b.current()
			p.Begin()
			if err := p.Truncate(); err != nil {
				t.Fatal(err)
			}
			for k, v := range b.rows {
				if err := p.Write(Change{Type: ChangeInsert, Key: k, Value: v}); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.Commit(); err != nil {
				t.Fatal(err)
			}
			step = "truncate"
		}
		checkIndex(t, c, ix, r, fmt.Sprint(i, " ", step))
		checkFirst(t, c, ix, r, fmt.Sprint(i, " ", step))
		if bx.Ready() {
			checkIndex(t, c, bx, r, fmt.Sprint(i, " ", step, " (filled in the background)"))
		} else {
			time.Sleep(100 * time.Microsecond) // let the fill run between steps
		}
		if fx != nil {
			checkIndex(t, c, fx, r, fmt.Sprint(i, " ", step, " (function index)"))
		}
		if i == 150 { // made while transactions are pending: filled from the optimistic state too
			if fx, err = c.CreateIndex(func(r Row) any { return r["n"] }, IndexOptions{Name: "fn"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestIndexAnswersWhere checks that a subscription's initial state read
// through an index (eq, comparisons either way round, in) is what a scan
// of every item finds.
func TestIndexAnswersWhere(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := newBackend()
	for i := range 60 {
		var n any = int64(r.IntN(10))
		switch r.IntN(6) {
		case 0:
			n = nil
		case 1:
			n = float64(r.IntN(10)) + 0.5
		case 2:
			n = fmt.Sprint(r.IntN(3)) // text sorts after numbers
		}
		b.rows[fmt.Sprint(i)] = row(fmt.Sprint(i), "n", n)
	}
	_, c := readyCollection(t, b)
	if _, err := c.CreateIndex(nil, IndexOptions{Path: []string{"n"}}); err != nil {
		t.Fatal(err)
	}
	initial := func(where Expr) []string {
		var keys []string
		sub := c.SubscribeChanges(func(chs []Change) {
			for _, ch := range chs {
				keys = append(keys, ch.Key)
			}
		}, SubscribeOptions{IncludeInitialState: ptr(true), Where: where})
		sub.Unsubscribe()
		return keys
	}
	n := Field("n")
	for i := range 200 {
		v := Value(any(int64(r.IntN(11))))
		if r.IntN(4) == 0 {
			v = Value("1")
		}
		var where Expr
		switch r.IntN(7) {
		case 0:
			where = Eq(n, v)
		case 1:
			where = Gt(n, v)
		case 2:
			where = Gte(v, n)
		case 3:
			where = Lt(n, v)
		case 4:
			where = Lte(n, v)
		case 5:
			where = InArray(n, Value([]any{int64(r.IntN(10)), "2", nil, 3.5}))
		case 6:
			where = And(Gt(n, Value(int64(2))), Lt(Field("id"), Value("5")))
		}
		var want []string
		for _, k := range c.Keys() {
			row, _ := c.Get(k)
			if ok, err := Matches(where, row); err == nil && ok {
				want = append(want, k)
			}
		}
		c.rt.mu.Lock()
		cands, indexed := c.indexedKeysLocked(where)
		c.rt.mu.Unlock()
		if !indexed {
			t.Fatalf("%d: %v: no index answered", i, where)
		}
		// One comparison: the index finds exactly the matches (an and
		// finds those of its indexed part, filtered afterwards).
		if f := where.(Func); f.Name != "and" && fmt.Sprint(cands) != fmt.Sprint(want) {
			t.Fatalf("%d: %v: index candidates\n%v\nwant\n%v", i, where, cands, want)
		}
		if got := initial(where); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%d: %v: initial state\n%v\nwant\n%v", i, where, got, want)
		}
	}
}

// TestIndexAfterCleanup: a cleaned-up collection drops its state and its
// indexes' entries; when sync starts again the reloaded items fill them.
func TestIndexAfterCleanup(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	b := newBackend()
	for i := range 20 {
		b.rows[fmt.Sprint(i)] = row(fmt.Sprint(i), "n", int64(r.IntN(5)))
	}
	_, c := readyCollection(t, b)
	ix, err := c.CreateIndex(nil, IndexOptions{Path: []string{"n"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Cleanup()
	if ix.Len() != 0 {
		t.Fatalf("%d entries after cleanup, want 0", ix.Len())
	}
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 20 {
		t.Fatalf("%d entries after the reload, want 20", ix.Len())
	}
	checkIndex(t, c, ix, r, "reloaded")
}

// checkFirst compares First, for a random N, direction, where and
// starting point, with the state sorted from scratch: the kept items up to
// the N-th value after the start, ties at it included.
func checkFirst(t *testing.T, c *Collection, ix *Index, r *rand.Rand, step string) {
	t.Helper()
	desc := r.IntN(2) == 0
	order := func(a, b any) int {
		c := ix.Compare(a, b) // nulls first, numbers by value
		if desc && a != nil && b != nil {
			c = -c
		}
		return c
	}
	numeric := 1
	if desc {
		numeric = -1
	}
	skip := any(int64(r.IntN(8)))
	keep := func(row Row) bool { return !sameScalar(row["n"], skip) }
	opts := FirstOptions{Path: []string{"n"}, Compare: order, Keep: keep, N: 1 + r.IntN(6), Numeric: numeric}
	if r.IntN(2) == 0 {
		opts.After, opts.AfterSet = []any{nil, int64(2), float64(4)}[r.IntN(3)], true
	}
	var vals []any
	for _, row := range c.State() {
		if keep(row) && (!opts.AfterSet || order(row["n"], opts.After) > 0) {
			vals = append(vals, row["n"])
		}
	}
	slices.SortFunc(vals, order)
	es, last, all := c.First(opts)
	var got, want []string
	for _, e := range es {
		if !sameScalar(e.Row["n"], e.Value) {
			t.Fatalf("%s: First: entry %q: row %v, value %v", step, e.Key, e.Row, e.Value)
		}
		got = append(got, e.Key)
	}
	if all != (len(vals) < opts.N) {
		t.Fatalf("%s: First(%+v): all %v with %d items kept", step, opts, all, len(vals))
	}
	for k, row := range c.State() {
		v := row["n"]
		if keep(row) && (!opts.AfterSet || order(v, opts.After) > 0) && (all || order(v, vals[opts.N-1]) <= 0) {
			want = append(want, k)
		}
	}
	if !all && order(last, vals[opts.N-1]) != 0 {
		t.Fatalf("%s: First(%+v): last %v, want %v", step, opts, last, vals[opts.N-1])
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: First(%+v): %v, want %v", step, opts, got, want)
	}
}
