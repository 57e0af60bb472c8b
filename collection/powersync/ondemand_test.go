package powersync

import (
	"reflect"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
)

var (
	f = collection.Field
	v = collection.Value
)

// onDemand returns a ready on-demand collection over the products A (50,
// electronics), B (150, e), C (25, clothing), D (200, e), E (75, c).
func onDemand(t *testing.T) (*store.DB, *collection.Runtime, *collection.Collection) {
	t.Helper()
	db := openDB(t)
	exec(t, db, `INSERT INTO products (id, name, price, category) VALUES
		('A', 'a', 50, 'electronics'), ('B', 'b', 150, 'electronics'), ('C', 'c', 25, 'clothing'),
		('D', 'd', 200, 'electronics'), ('E', 'e', 75, 'clothing')`)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, products, Options{SyncMode: collection.SyncOnDemand})
	return db, rt, c
}

func load(t *testing.T, c *collection.Collection, where collection.Expr) func() {
	t.Helper()
	unload, err := c.LoadSubset(ctx(t), where)
	if err != nil {
		t.Fatal(err)
	}
	return unload
}

func keys(c *collection.Collection) []string { return c.Keys() }

func want(t *testing.T, c *collection.Collection, ks ...string) {
	t.Helper()
	if got := keys(c); len(got)+len(ks) > 0 && !reflect.DeepEqual(got, ks) {
		t.Fatalf("keys %v, want %v", got, ks)
	}
}

var expensiveElectronics = collection.And(collection.Eq(f("category"), v("electronics")), collection.Gt(f("price"), v(100)))

func TestAnOnDemandCollectionStartsReadyAndEmpty(t *testing.T) {
	_, _, c := onDemand(t)
	if c.Status() != collection.StatusReady {
		t.Fatal(c.Status())
	}
	want(t, c)
}

func TestLoadSubsetLoadsOnlyMatchingRows(t *testing.T) {
	cases := []struct {
		name  string
		where collection.Expr
		keys  []string
	}{
		{"and", expensiveElectronics, []string{"B", "D"}},
		{"lt", collection.Lt(f("price"), v(50)), []string{"C"}},
		{"and/or", collection.Or(expensiveElectronics, collection.Lt(f("price"), v(30))), []string{"B", "C", "D"}},
		{"no match", collection.Gt(f("price"), v(1000)), nil},
		{"no where", nil, []string{"A", "B", "C", "D", "E"}},
		// As collection.Eval: the length of a number is 0, upper leaves
		// it as it is, and a column is never undefined.
		{"length of text", collection.Eq(collection.Length(f("category")), v(8)), []string{"C", "E"}},
		{"length of a number", collection.Eq(collection.Length(f("price")), v(0)), []string{"A", "B", "C", "D", "E"}},
		{"upper of a number", collection.Eq(collection.Upper(f("price")), v(150)), []string{"B"}},
		{"isUndefined", collection.IsUndefined(f("name")), nil},
		{"not isUndefined", collection.Not(collection.IsUndefined(f("name"))), []string{"A", "B", "C", "D", "E"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, c := onDemand(t)
			load(t, c, tc.where)
			want(t, c, tc.keys...)
		})
	}
}

func TestAnOnDemandCollectionMirrorsOnlyMatchingChanges(t *testing.T) {
	db, _, c := onDemand(t)
	load(t, c, expensiveElectronics)
	exec(t, db, `INSERT INTO products (id, price, category) VALUES ('F', 300, 'electronics'), ('G', 10, 'electronics')`)
	want(t, c, "B", "D", "F")
	exec(t, db, `UPDATE products SET price = 160 WHERE id = 'B'`) // stays matching
	if got, _ := c.Get("B"); got["price"] != int64(160) {
		t.Fatalf("B %v", got)
	}
	exec(t, db, `UPDATE products SET price = 10 WHERE id = 'D'`)  // stops matching
	exec(t, db, `UPDATE products SET price = 500 WHERE id = 'A'`) // starts matching
	want(t, c, "A", "B", "F")
	exec(t, db, `DELETE FROM products WHERE id = 'F'`)
	want(t, c, "A", "B")
}

func TestOverlappingSubsetsShareRowsAndUnloadingEvictsOnlyWhatNoneNeeds(t *testing.T) {
	db, _, c := onDemand(t)
	unloadE := load(t, c, collection.Eq(f("category"), v("electronics")))
	unloadCheap := load(t, c, collection.Lt(f("price"), v(60)))
	want(t, c, "A", "B", "C", "D")
	exec(t, db, `UPDATE products SET name = 'shared' WHERE id = 'A'`) // in both subsets
	if got, _ := c.Get("A"); got["name"] != "shared" {
		t.Fatalf("A %v", got)
	}
	unloadE()
	want(t, c, "A", "C")
	unloadCheap()
	want(t, c)
	var n int
	if r, err := db.Get(ctx(t), `SELECT count(*) AS n FROM products`); err != nil {
		t.Fatal(err)
	} else {
		n = int(r["n"].(int64))
	}
	if n != 5 {
		t.Fatalf("eviction removed rows from SQLite: %d left", n)
	}
	exec(t, db, `INSERT INTO products (id, price, category) VALUES ('X', 999, 'electronics')`)
	want(t, c) // nothing tracked any more
	load(t, c, collection.Eq(f("category"), v("electronics")))
	want(t, c, "A", "B", "D", "X")
}

func TestMutationsThroughAnOnDemandCollectionReachTheUploadQueue(t *testing.T) {
	db, _, c := onDemand(t)
	load(t, c, collection.Eq(f("category"), v("electronics")))
	mustInsert(t, c, collection.Row{"id": "N", "price": 5, "category": "electronics"})
	tx, _ := c.Update([]string{"B"}, nil, func(d collection.Row) { d["price"] = 151 })
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tx, _ = c.Delete([]string{"D"}, nil)
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	want(t, c, "A", "B", "N")
	q := crud(t, db)
	if got := ops(q[len(q)-3:]); !reflect.DeepEqual(got, []string{"PUT", "PATCH", "DELETE"}) {
		t.Fatalf("ops %v", got)
	}
}

func TestConcurrentLoadsAndPersistingMutationsSettle(t *testing.T) {
	_, _, c := onDemand(t)
	load(t, c, collection.Eq(f("category"), v("clothing")))
	tx, err := c.Insert([]collection.Row{{"id": "Z", "price": 1, "category": "clothing"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			unload, err := c.LoadSubset(ctx(t), collection.Gt(f("price"), v(i*40)))
			if err != nil {
				t.Error(err)
				return
			}
			unload()
		}(i)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	want(t, c, "C", "E", "Z")
}

func TestAnUnsupportedWhereFailsLoadSubset(t *testing.T) {
	_, _, c := onDemand(t)
	_, err := c.LoadSubset(ctx(t), collection.Func{Name: "regexp", Args: []collection.Expr{f("name")}})
	testutil.WantErr[*collection.UnknownFunctionError](t, err)
}

func TestReplacingAndRecreatingASubset(t *testing.T) {
	_, _, c := onDemand(t)
	cheap := collection.Lt(f("price"), v(60))
	unloadCheap := load(t, c, cheap)
	unloadClothing := load(t, c, collection.Eq(f("category"), v("clothing")))
	unloadCheap() // replaced by the clothing query
	want(t, c, "C", "E")
	unloadClothing()
	want(t, c)
	load(t, c, cheap) // the same predicate again
	want(t, c, "A", "C")
}

func TestAnOnDemandCollectionLoadedByIDFollowsMutationsOfThatRow(t *testing.T) {
	db, _, c := onDemand(t)
	load(t, c, collection.Eq(f("id"), v("B")))
	want(t, c, "B")
	tx, _ := c.Update([]string{"B"}, nil, func(d collection.Row) { d["name"] = "renamed" })
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get("B"); got["name"] != "renamed" {
		t.Fatalf("B %v", got)
	}
	tx, _ = c.Delete([]string{"B"}, nil)
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	want(t, c)
	exec(t, db, `INSERT INTO products (id, name) VALUES ('B', 'back')`)
	if got, _ := c.Get("B"); got["name"] != "back" {
		t.Fatalf("B %v", got)
	}
	q := crud(t, db)
	if got := ops(q[len(q)-3:]); !reflect.DeepEqual(got, []string{"PATCH", "DELETE", "PUT"}) {
		t.Fatalf("ops %v", got)
	}
}

// TestPushedDownStringFunctionsSelectWhatEvalSelects loads subsets whose
// where uses upper, lower, length and ilike on text outside ASCII, and
// wants exactly the rows collection.Matches selects in memory. SQLite's own
// UPPER, LOWER and LENGTH would miss the row named in each case (they change
// ASCII letters only and count runes, not UTF-16 units).
func TestPushedDownStringFunctionsSelectWhatEvalSelects(t *testing.T) {
	names := map[string]any{
		"s1": "straße", "s2": "STRASSE", "s3": "Straße", "a1": "ÄPFEL", "a2": "äpfel",
		"g1": "ΟΔΟΣ", "g2": "οδος", "t1": "👍", "t2": "ab", "i1": "İ", "n": nil,
	}
	cases := []struct {
		name   string
		where  collection.Expr
		missed string // a row SQLite's builtins would not select
	}{
		{"upper, ß to SS", collection.Eq(collection.Upper(f("name")), v("STRASSE")), "s1"},
		{"lower of Ä", collection.Eq(collection.Lower(f("name")), v("äpfel")), "a1"},
		{"lower, final sigma", collection.Eq(collection.Lower(f("name")), v("οδος")), "g1"},
		{"lower of İ, two runes", collection.Eq(collection.Length(collection.Lower(f("name"))), v(2)), "i1"},
		{"length in UTF-16 units", collection.Eq(collection.Length(f("name")), v(2)), "t1"},
		{"ilike", collection.ILike(f("name"), v("%ÄPF%")), "a1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			var inMemory []string
			for id, name := range names {
				exec(t, db, `INSERT INTO products (id, name) VALUES (?, ?)`, id, name)
				ok, err := collection.Matches(tc.where, collection.Row{"id": id, "name": name})
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					inMemory = append(inMemory, id)
				}
			}
			sort.Strings(inMemory)
			if !slices.Contains(inMemory, tc.missed) {
				t.Fatalf("in memory %v, without %s", inMemory, tc.missed)
			}
			c := newCollection(t, collection.NewRuntime(), db, products, Options{SyncMode: collection.SyncOnDemand})
			load(t, c, tc.where)
			if got := sortedKeys(c); !reflect.DeepEqual(got, inMemory) {
				t.Fatalf("loaded %v, in memory %v", got, inMemory)
			}
		})
	}
}
