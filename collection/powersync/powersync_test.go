package powersync

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
)

func TestTheCollectionLoadsTheRowsAlreadyInTheTable(t *testing.T) {
	for _, place := range places {
		t.Run(place, func(t *testing.T) {
			db := openAt(t, place)
			exec(t, db, `INSERT INTO documents (id, name, n, score) VALUES ('a', 'one', 1, 1.5), ('b', 'two', 2, NULL), ('c', 'three', NULL, 3)`)
			c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
			if c.Size() != 3 {
				t.Fatalf("size %d", c.Size())
			}
			want := collection.Row{"id": "a", "name": "one", "content": nil, "n": int64(1), "score": 1.5}
			if got, _ := c.Get("a"); !reflect.DeepEqual(got, want) {
				t.Fatalf("a = %#v", got)
			}
		})
	}
}

func TestTheInitialLoadReadsInBatches(t *testing.T) {
	db := openDB(t)
	for i := 0; i < 25; i++ {
		exec(t, db, `INSERT INTO documents (id, n) VALUES (?, ?)`, string(rune('a'+i)), i)
	}
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{SyncBatchSize: 4})
	if c.Size() != 25 {
		t.Fatalf("size %d", c.Size())
	}
	if got, _ := c.Get("y"); got["n"] != int64(24) {
		t.Fatalf("y = %v", got)
	}
}

func TestYieldRunsBetweenBatchesWithTheDatabaseFree(t *testing.T) {
	db := openDB(t)
	for i := 0; i < 10; i++ {
		exec(t, db, `INSERT INTO documents (id, n) VALUES (?, ?)`, string(rune('a'+i)), i)
	}
	yields := 0
	yield := func() {
		yields++
		// A write here would deadlock if the load held the database.
		exec(t, db, `UPDATE documents SET n = n + 100 WHERE id = 'a'`)
	}
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{SyncBatchSize: 4, Yield: yield})
	// Before the load, after counting the table, then after each full
	// batch (of 4, 4 and 2 rows).
	if yields != 4 {
		t.Fatalf("yield called %d times, want 4", yields)
	}
	if got, _ := c.Get("a"); got["n"] != int64(400) {
		t.Fatalf("a = %v, want the writes made while yielding mirrored", got)
	}
}

func TestNextBatchSizeShrinksSlowBatchesAndGrowsFastOnes(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		size, limit int
		took        time.Duration
		want        int
	}{
		{1000, 1000, 40 * ms, 500}, // slow: halve
		{60, 1000, 40 * ms, 50},    // never below the floor
		{50, 1000, 40 * ms, 50},    // at the floor
		{500, 1000, 5 * ms, 1000},  // fast: grow back
		{800, 1000, 1 * ms, 1000},  // never above syncBatchSize
		{1000, 1000, 1 * ms, 1000}, // at syncBatchSize
		{250, 1000, 12 * ms, 250},  // in between: keep
		{10, 10, 40 * ms, 10},      // a small syncBatchSize stays
	} {
		if got := nextBatchSize(c.size, c.limit, c.took); got != c.want {
			t.Errorf("nextBatchSize(%d, %d, %v) = %d, want %d", c.size, c.limit, c.took, got, c.want)
		}
	}
}

func TestChangesMadeWithSQLAreMirroredBeforeTheWriteReturns(t *testing.T) {
	db := openDB(t)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('a', 'new')`)
	if got, ok := c.Get("a"); !ok || got["name"] != "new" {
		t.Fatalf("after INSERT: %v", got)
	}
	exec(t, db, `UPDATE documents SET name = 'changed' WHERE id = 'a'`)
	if got, _ := c.Get("a"); got["name"] != "changed" {
		t.Fatalf("after UPDATE: %v", got)
	}
	exec(t, db, `DELETE FROM documents WHERE id = 'a'`)
	if c.Has("a") {
		t.Fatal("after DELETE the row is still there")
	}
	// Writes straight to the data table (as sync does) are seen too.
	exec(t, db, `INSERT INTO ps_data__documents (id, data) VALUES ('s', json_object('name', 'synced', 'n', 7))`)
	if got, _ := c.Get("s"); got["name"] != "synced" || got["n"] != int64(7) {
		t.Fatalf("synced row: %v", got)
	}
}

func TestCollectionMutationsReachSQLiteAndTheUploadQueue(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('a', 'one'), ('b', 'two'), ('c', 'three')`)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	tx, err := c.Insert([]collection.Row{{"id": "d", "name": "four", "content": "text"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("d") {
		t.Fatal("insert not visible at once")
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if r := sqlRow(t, db, "documents", "d"); r == nil || r["name"] != "four" {
		t.Fatalf("SQLite row %v", r)
	}
	tx, _ = c.Update([]string{"d"}, nil, func(d collection.Row) { d["name"] = "FOUR" })
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tx, _ = c.Delete([]string{"a"}, nil)
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	entries := crud(t, db)
	if got := ops(entries); !reflect.DeepEqual(got, []string{"PUT", "PUT", "PUT", "PUT", "PATCH", "DELETE"}) {
		t.Fatalf("upload queue ops %v", got)
	}
	if patch := entries[4].OpData; !reflect.DeepEqual(patch, map[string]any{"name": "FOUR"}) {
		t.Fatalf("PATCH data %v: an update must write only its field", patch)
	}
	if r := sqlRow(t, db, "documents", "d"); r["content"] != "text" || r["name"] != "FOUR" {
		t.Fatalf("SQLite row %v", r)
	}
	if sqlRow(t, db, "documents", "a") != nil || c.Has("a") {
		t.Fatal("deleted row still there")
	}
}

func TestAllMutationsOfATransactionShareOneUploadTransaction(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, documents, Options{})
	tx := manualTx(t, rt, db)
	mutate(t, tx, func() error {
		for i := 0; i < 5; i++ {
			if _, err := c.Insert([]collection.Row{{"id": string(rune('a' + i)), "n": i}}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	entries := crud(t, db)
	if len(entries) != 5 {
		t.Fatalf("%d entries", len(entries))
	}
	for _, e := range entries {
		if e.TransactionID != entries[0].TransactionID {
			t.Fatalf("transaction ids differ: %v", entries)
		}
	}
	if c.Size() != 5 || tx.State() != collection.TransactionCompleted {
		t.Fatalf("size %d state %s", c.Size(), tx.State())
	}
}

func TestATransactionDeletingOneKeyAndInsertingAnotherCompletes(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('old', 'x')`)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, documents, Options{})
	tx := manualTx(t, rt, db)
	mutate(t, tx, func() error {
		if _, err := c.Delete([]string{"old"}, nil); err != nil {
			return err
		}
		_, err := c.Insert([]collection.Row{{"id": "new", "name": "y"}}, nil)
		return err
	})
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if c.Has("old") || !c.Has("new") || sqlRow(t, db, "documents", "old") != nil || sqlRow(t, db, "documents", "new") == nil {
		t.Fatal("delete+insert not applied")
	}
}

func TestATransactionSpanningTwoCollectionsIsOneUploadTransaction(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	c1 := newCollection(t, rt, db, documents, Options{})
	c2 := newCollection(t, rt, db, products, Options{})
	tx := manualTx(t, rt, db)
	mutate(t, tx, func() error {
		if _, err := c1.Insert([]collection.Row{{"id": "d"}}, nil); err != nil {
			return err
		}
		_, err := c2.Insert([]collection.Row{{"id": "p", "price": 3}}, nil)
		return err
	})
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	entries := crud(t, db)
	if len(entries) != 2 || entries[0].TransactionID != entries[1].TransactionID {
		t.Fatalf("entries %+v", entries)
	}
	if entries[0].Table != "documents" || entries[1].Table != "products" {
		t.Fatalf("tables %s %s", entries[0].Table, entries[1].Table)
	}
}

func TestMutationMetadataIsWrittenToTheUploadQueue(t *testing.T) {
	db := openDB(t)
	c := newCollection(t, collection.NewRuntime(), db, notes, Options{})
	meta := map[string]any{"reason": "<test> & co"}
	// JSON text as the JS package passes it: kept byte for byte.
	raw := json.RawMessage(`{"z":1e2,"a":"\u00e9<"}`)
	tx, err := c.Insert([]collection.Row{{"id": "a", "title": "t"}}, &collection.OperationOptions{Metadata: raw})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tx, _ = c.Update([]string{"a"}, &collection.OperationOptions{Metadata: "plain"}, func(d collection.Row) { d["title"] = "u" })
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	tx, _ = c.Delete([]string{"a"}, &collection.OperationOptions{Metadata: meta})
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	entries := crud(t, db)
	want := []string{string(raw), "plain", `{"reason":"<test> & co"}`}
	if len(entries) != 3 {
		t.Fatalf("entries %+v", entries)
	}
	for i, e := range entries {
		if e.Metadata == nil || *e.Metadata != want[i] {
			t.Fatalf("entry %d (%s) metadata %v, want %q", i, e.Op, e.Metadata, want[i])
		}
	}
	if ops(entries)[2] != "DELETE" || c.Has("a") {
		t.Fatalf("ops %v", ops(entries))
	}
}

func TestAFailedCommitLeavesCollectionSQLiteAndUploadQueueAsBefore(t *testing.T) {
	for _, place := range places {
		t.Run(place, func(t *testing.T) {
			db := openAt(t, place)
			exec(t, db, `INSERT INTO documents (id, name) VALUES ('a', 'before')`)
			queued := len(crud(t, db))
			rt := collection.NewRuntime()
			boom := errors.New("cannot store this")
			c := newCollection(t, rt, db, documents, Options{Serializer: map[string]func(any) (any, error){
				"content": func(v any) (any, error) {
					if v == "bad" {
						return nil, boom
					}
					return v, nil
				},
			}})
			tx := manualTx(t, rt, db)
			mutate(t, tx, func() error {
				if _, err := c.Update([]string{"a"}, nil, func(d collection.Row) { d["name"] = "after" }); err != nil {
					return err
				}
				if _, err := c.Insert([]collection.Row{{"id": "b", "name": "fine"}}, nil); err != nil {
					return err
				}
				_, err := c.Insert([]collection.Row{{"id": "c", "content": "bad"}}, nil)
				return err
			})
			if c.Size() != 3 {
				t.Fatalf("optimistic size %d", c.Size())
			}
			err := tx.Commit(ctx(t))
			if !errors.Is(err, boom) {
				t.Fatalf("Commit = %v", err)
			}
			if !errors.Is(tx.Wait(ctx(t)), boom) || tx.State() != collection.TransactionFailed {
				t.Fatalf("state %s", tx.State())
			}
			if got, _ := c.Get("a"); got["name"] != "before" || c.Size() != 1 {
				t.Fatalf("collection: a %v size %d", got, c.Size())
			}
			if r := sqlRow(t, db, "documents", "a"); r["name"] != "before" || sqlRow(t, db, "documents", "b") != nil {
				t.Fatalf("SQLite changed: %v", r)
			}
			if n := len(crud(t, db)); n != queued {
				t.Fatalf("upload queue has %d entries, had %d", n, queued)
			}
		})
	}
}

func TestARollbackOnErrorRemovesTheOptimisticRow(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, documents, Options{})
	fail := errors.New("refused")
	tx, _ := rt.CreateTransaction(collection.TransactionConfig{AutoCommit: ptr(false), MutationFn: func(context.Context, collection.TransactionParams) error {
		return fail
	}})
	mutate(t, tx, func() error { _, err := c.Insert([]collection.Row{{"id": "a"}}, nil); return err })
	if c.Size() != 1 {
		t.Fatal("not inserted")
	}
	if err := tx.Commit(ctx(t)); !errors.Is(err, fail) {
		t.Fatalf("Commit = %v", err)
	}
	if c.Size() != 0 || sqlRow(t, db, "documents", "a") != nil {
		t.Fatal("the rolled back row remains")
	}
}

func TestAFilteredSubscriptionSeesOnlyMatchingRows(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('1', 'book'), ('2', 'pen')`)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	var got []string
	c.SubscribeChanges(func(chs []collection.Change) {
		for _, ch := range chs {
			got = append(got, string(ch.Type)+":"+ch.Key)
		}
	}, collection.SubscribeOptions{IncludeInitialState: ptr(true), Where: collection.Eq(collection.Field("name"), collection.Value("book"))})
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('3', 'book'), ('4', 'cup')`)
	if !reflect.DeepEqual(got, []string{"insert:1", "insert:3"}) {
		t.Fatalf("got %v", got)
	}
}

func TestTwoCollectionsOnOneTableSeeEachOthersWrites(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	c1 := newCollection(t, rt, db, documents, Options{})
	c2 := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	mustInsert(t, c1, collection.Row{"id": "a"}, collection.Row{"id": "b"})
	mustInsert(t, c2, collection.Row{"id": "c"})
	if c1.Size() != 3 || c2.Size() != 3 {
		t.Fatalf("sizes %d %d", c1.Size(), c2.Size())
	}
}

// tempTriggers counts the temporary triggers change tracking installs.
func tempTriggers(t *testing.T, db *store.DB) int64 {
	t.Helper()
	r, err := db.Get(ctx(t), `SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'trigger'`)
	if err != nil {
		t.Fatal(err)
	}
	return r["n"].(int64)
}

func TestCleanupStopsMirroringAndReuseReloads(t *testing.T) {
	db := openDB(t)
	before := tempTriggers(t, db)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	mustInsert(t, c, collection.Row{"id": "a"})
	c.Cleanup()
	if c.Status() != collection.StatusCleanedUp || c.Size() != 0 {
		t.Fatalf("status %s size %d", c.Status(), c.Size())
	}
	if n := tempTriggers(t, db); n != before {
		t.Fatalf("%d temporary triggers after cleanup, %d before the collection", n, before)
	}
	exec(t, db, `INSERT INTO documents (id) VALUES ('b')`)
	if c.Size() != 0 {
		t.Fatal("a cleaned-up collection still mirrors")
	}
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got := sortedKeys(c); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("keys %v", got)
	}
	meta := c.Utils().(*Utils).GetMeta()
	if meta.TableName != "documents" || meta.MetadataIsTracked || len(meta.TrackedTableName) == 0 {
		t.Fatalf("meta %+v", meta)
	}
}

func TestAnUpdateKeepsANewerValueSyncedIntoAnotherField(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, name, content) VALUES ('a', 'name', 'old content')`)
	rt := collection.NewRuntime()
	c := newCollection(t, rt, db, documents, Options{})
	tx := manualTx(t, rt, db)
	mutate(t, tx, func() error {
		_, err := c.Update([]string{"a"}, nil, func(d collection.Row) { d["name"] = "renamed" })
		return err
	})
	// Meanwhile sync brings a newer content.
	exec(t, db, `UPDATE ps_data__documents SET data = json_set(data, '$.content', 'new content') WHERE id = 'a'`)
	if got, _ := c.Get("a"); got["content"] != "new content" || got["name"] != "renamed" {
		t.Fatalf("while pending: %v", got)
	}
	if err := tx.Commit(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if r := sqlRow(t, db, "documents", "a"); r["content"] != "new content" || r["name"] != "renamed" {
		t.Fatalf("SQLite %v", r)
	}
	if got, _ := c.Get("a"); got["content"] != "new content" || got["name"] != "renamed" {
		t.Fatalf("collection %v", got)
	}
}

func TestTheTransactorRefusesOtherCollections(t *testing.T) {
	db := openDB(t)
	rt := collection.NewRuntime()
	plain, err := rt.CreateCollection(collection.Config{ID: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	tx := manualTx(t, rt, db)
	mutate(t, tx, func() error { _, err := plain.Insert([]collection.Row{{"id": "a"}}, nil); return err })
	testutil.WantErr[*NotPowerSyncCollectionError](t, tx.Commit(ctx(t)))
}

func TestNoFlickerWhenAMutationPersists(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, name) VALUES ('a', 'old')`)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	var seen []any
	c.SubscribeChanges(func(chs []collection.Change) {
		for _, ch := range chs {
			seen = append(seen, ch.Value["name"])
		}
	}, collection.SubscribeOptions{IncludeInitialState: ptr(false)})
	tx, err := c.Update([]string{"a"}, nil, func(d collection.Row) { d["name"] = "new" })
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(seen, []any{"new"}) {
		t.Fatalf("a subscriber saw %v", seen)
	}
}

func TestASubscriberMayUseTheDatabase(t *testing.T) {
	db := openDB(t)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	var counts []int64
	c.SubscribeChanges(func(chs []collection.Change) {
		for _, ch := range chs {
			if ch.Key != "a" || ch.Type != collection.ChangeInsert {
				continue
			}
			// Called after the database lock is released: queries and
			// writes work from here.
			r, err := db.Get(context.Background(), `SELECT count(*) AS n FROM documents`)
			if err != nil {
				t.Error(err)
				return
			}
			counts = append(counts, r["n"].(int64))
			if _, err := c.Insert([]collection.Row{{"id": "reaction"}}, nil); err != nil {
				t.Error(err)
			}
		}
	}, collection.SubscribeOptions{})
	exec(t, db, `INSERT INTO documents (id) VALUES ('a')`)
	if !reflect.DeepEqual(counts, []int64{1}) {
		t.Fatalf("counts %v", counts)
	}
	eventually(t, "the reaction is stored", func() bool { return sqlRow(t, db, "documents", "reaction") != nil })
}

func TestNoChangeSlipsPastAnInitialLoadThatRunsAlongsideWriters(t *testing.T) {
	db := openDB(t)
	err := db.WriteTx(ctx(t), func(tx *store.Tx) error {
		for i := 0; i < 500; i++ {
			if _, err := tx.Execute(ctx(t), `INSERT INTO documents (id, n) VALUES (?, 0)`, "r"+strconv.Itoa(1000+i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { // a writer changing rows ahead of and behind the load
		defer close(done)
		for i := 1; i <= 300; i++ {
			id := "r" + strconv.Itoa(1000+(i*7)%500)
			if _, err := db.Execute(context.Background(), `UPDATE documents SET n = ? WHERE id = ?`, i, id); err != nil {
				t.Error(err)
				return
			}
			if i%10 == 0 {
				_, _ = db.Execute(context.Background(), `DELETE FROM documents WHERE id = ?`, "r"+strconv.Itoa(1000+i))
				_, _ = db.Execute(context.Background(), `INSERT INTO documents (id, n) VALUES (?, ?)`, "new"+strconv.Itoa(i), i)
			}
		}
	}()
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{SyncBatchSize: 7})
	<-done
	rows, err := db.GetAll(ctx(t), `SELECT id, n FROM documents ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Size() != rows.Len() {
		t.Fatalf("collection has %d rows, SQLite %d", c.Size(), rows.Len())
	}
	for _, r := range rows.Values {
		got, ok := c.Get(r[0].(string))
		if !ok || got["n"] != r[1] {
			t.Fatalf("%s: collection %v, SQLite n=%v", r[0], got, r[1])
		}
	}
}

func TestAFailingStartMakesPreloadFailAndTheStatusError(t *testing.T) {
	db := openDB(t)
	missing := store.Table{Name: "missing", Columns: []store.Column{{Name: "x", Type: store.Text}}}
	c, err := collection.NewRuntime().CreateCollection(CollectionOptions(db, missing, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Preload(ctx(t)); err == nil {
		t.Fatal("Preload succeeded for a table the database does not have")
	}
	if c.Status() != collection.StatusError {
		t.Fatalf("status %s", c.Status())
	}
	_, err = c.Insert([]collection.Row{{"id": "a"}}, nil)
	testutil.WantErr[*collection.CollectionInErrorStateError](t, err)
}

// Every text is a PowerSync id, "" and blanks too: a row written with SQL
// shows in the collection (on load, in pages, and live), and the
// collection writes, updates and deletes it.
func TestAnyTextIdIsAKeyOfTheCollection(t *testing.T) {
	db := openDB(t)
	keys := []string{"", " ", "é", "🙂"}
	for _, k := range keys[:2] {
		exec(t, db, `INSERT INTO documents (id, name) VALUES (?, 'sql')`, k)
	}
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{SyncBatchSize: 1})
	if got := sortedKeys(c); !reflect.DeepEqual(got, keys[:2]) {
		t.Fatalf("keys after load %q", got)
	}
	exec(t, db, `INSERT INTO documents (id, name) VALUES (?, 'sql')`, keys[2])
	if !c.Has(keys[2]) {
		t.Fatal("a row written with SQL is not mirrored")
	}
	exec(t, db, `DELETE FROM documents WHERE id = ''`)
	if c.Has("") {
		t.Fatal("the delete of id '' is not mirrored")
	}
	mustInsert(t, c, collection.Row{"id": "", "name": "again"})
	if r := sqlRow(t, db, "documents", ""); r["name"] != "again" {
		t.Fatalf("row '' in SQL: %v", r)
	}
	tx, err := c.Update([]string{""}, nil, func(d collection.Row) { d["name"] = "changed" })
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if r := sqlRow(t, db, "documents", ""); r["name"] != "changed" {
		t.Fatalf("row '' in SQL after update: %v", r)
	}
	tx, err = c.Delete([]string{""}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if c.Has("") || sqlRow(t, db, "documents", "") != nil {
		t.Fatal("row '' still there after delete")
	}
	if _, err := c.Insert([]collection.Row{{"name": "no id"}}, nil); err == nil {
		t.Fatal("an insert without id succeeded")
	} else {
		testutil.WantErr[*collection.UndefinedKeyError](t, err)
	}
}
