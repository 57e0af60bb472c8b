package powersync

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
)

var (
	documents = store.Table{Name: "documents", Columns: []store.Column{
		{Name: "name", Type: store.Text},
		{Name: "content", Type: store.Text},
		{Name: "n", Type: store.Integer},
		{Name: "score", Type: store.Real},
	}}
	notes = store.Table{Name: "notes", Columns: []store.Column{
		{Name: "title", Type: store.Text},
	}, TrackMetadata: true}
	products = store.Table{Name: "products", Columns: []store.Column{
		{Name: "name", Type: store.Text},
		{Name: "price", Type: store.Integer},
		{Name: "category", Type: store.Text},
	}}
	testSchema = store.Schema{Tables: []store.Table{documents, notes, products}}
)

// places lists where the tests open databases: in memory and in a file
// (see places_wasm_test.go for the exception).
var places = append([]string{":memory:"}, filePlaces...)

func openAt(t *testing.T, place string) *store.DB {
	t.Helper()
	path := place
	if place == "file" {
		path = filepath.Join(t.TempDir(), "test.db")
	}
	db, err := store.Open(context.Background(), path, testSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openDB(t *testing.T) *store.DB { return openAt(t, ":memory:") }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func exec(t *testing.T, db *store.DB, sql string, args ...any) {
	t.Helper()
	if _, err := db.Execute(ctx(t), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// newCollection creates and preloads a PowerSync collection.
func newCollection(t *testing.T, rt *collection.Runtime, db *store.DB, table store.Table, opts Options) *collection.Collection {
	t.Helper()
	c, err := rt.CreateCollection(CollectionOptions(db, table, opts))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Cleanup)
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustInsert(t *testing.T, c *collection.Collection, rows ...collection.Row) {
	t.Helper()
	tx, err := c.Insert(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

// crud returns the upload queue.
func crud(t *testing.T, db *store.DB) []store.CrudEntry {
	t.Helper()
	b, err := db.GetCrudBatch(ctx(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	if b == nil {
		return nil
	}
	return b.Crud
}

func ops(entries []store.CrudEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e.Op)
	}
	return out
}

// sqlRow reads a row of a view, nil when absent.
func sqlRow(t *testing.T, db *store.DB, view, id string) map[string]any {
	t.Helper()
	r, err := db.GetOptional(ctx(t), `SELECT * FROM "`+view+`" WHERE id = ?`, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sortedKeys(c *collection.Collection) []string {
	k := c.Keys()
	sort.Strings(k)
	return k
}

// eventually polls cond until it holds, for at most 10 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, 10*time.Second, cond)
}

func ptr[T any](v T) *T { return &v }

// manualTx returns a transaction persisted by the transactor, committed by hand.
func manualTx(t *testing.T, rt *collection.Runtime, db *store.DB) *collection.Transaction {
	t.Helper()
	tr := NewTransactor(db)
	tx, err := rt.CreateTransaction(collection.TransactionConfig{
		AutoCommit: ptr(false),
		MutationFn: func(ctx context.Context, p collection.TransactionParams) error {
			return tr.ApplyTransaction(ctx, p.Transaction)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func mutate(t *testing.T, tx *collection.Transaction, fn func() error) {
	t.Helper()
	var inner error
	if err := tx.Mutate(func() { inner = fn() }); err != nil {
		t.Fatal(err)
	}
	if inner != nil {
		t.Fatal(inner)
	}
}
