package collection

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/internal/testutil"
)

func TestInsertIsVisibleAtOnceAndPersistedThroughTheHandler(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	tx, err := c.Insert([]Row{row("a", "title", "one")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "a")["title"]; got != "one" {
		t.Fatalf("title = %v right after insert", got)
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if tx.State() != TransactionCompleted {
		t.Fatalf("state %s", tx.State())
	}
	if r, ok := b.row("a"); !ok || r["title"] != "one" {
		t.Fatalf("backend row %v", r)
	}
	if c.Size() != 1 || mustGet(t, c, "a")["title"] != "one" {
		t.Fatalf("after persisting: size %d", c.Size())
	}
}

func TestInsertOfAnExistingKeyFailsWithDuplicateKeyError(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a", "n", int64(1))))
	_, err := c.Insert([]Row{row("b"), row("a")}, nil)
	if e := testutil.WantErr[*DuplicateKeyError](t, err); e.Key != "a" || e.Name() != "DuplicateKeyError" {
		t.Fatalf("got %+v", e)
	}
	if c.Has("b") || c.Size() != 1 {
		t.Fatal("the failed insert changed the collection")
	}
}

func TestInsertOfAKeyRepeatedInTheBatchFailsWithDuplicateKeyError(t *testing.T) {
	_, c := readyCollection(t, newBackend())
	_, err := c.Insert([]Row{row("x"), row("x")}, nil)
	testutil.WantErr[*DuplicateKeyError](t, err)
	if c.Size() != 0 {
		t.Fatal("the failed insert changed the collection")
	}
}

func TestInsertWithoutAKeyFailsWithUndefinedKeyError(t *testing.T) {
	_, c := readyCollection(t, newBackend())
	_, err := c.Insert([]Row{{"title": "no id"}}, nil)
	testutil.WantErr[*UndefinedKeyError](t, err)
	_, err = c.Insert([]Row{{"id": 7}}, nil)
	testutil.WantErr[*InvalidKeyError](t, err)
}

// Any text is a key, the empty string and blanks too; only a missing key is
// UndefinedKeyError (TanStack DB checks for undefined, PowerSync's id is any
// text).
func TestAnyTextIsAKeyForEveryOperation(t *testing.T) {
	for _, key := range []string{"", " ", "\t", "é", "🙂", "a\x00b"} {
		b := newBackend()
		_, c := readyCollection(t, b)
		tx, err := c.Insert([]Row{row(key, "title", "one")}, nil)
		if err != nil {
			t.Fatalf("insert %q: %v", key, err)
		}
		if err := waitTx(t, tx); err != nil {
			t.Fatalf("insert %q: %v", key, err)
		}
		if !c.Has(key) || mustGet(t, c, key)["title"] != "one" {
			t.Fatalf("key %q: not shown after insert", key)
		}
		tx, err = c.Update([]string{key}, nil, func(d Row) { d["title"] = "two" })
		if err != nil {
			t.Fatalf("update %q: %v", key, err)
		}
		if err := waitTx(t, tx); err != nil || mustGet(t, c, key)["title"] != "two" {
			t.Fatalf("update %q: %v %v", key, err, mustGet(t, c, key))
		}
		// A delete synced from the server names the key alone.
		b.push(t, Change{Type: ChangeDelete, Key: key})
		if c.Has(key) {
			t.Fatalf("key %q: shown after a synced delete", key)
		}
		if _, err := c.Insert([]Row{row(key)}, nil); err != nil {
			t.Fatalf("insert %q again: %v", key, err)
		}
		tx, err = c.Delete([]string{key}, nil)
		if err != nil {
			t.Fatalf("delete %q: %v", key, err)
		}
		if err := waitTx(t, tx); err != nil || c.Has(key) {
			t.Fatalf("delete %q: %v", key, err)
		}
	}
	_, c := readyCollection(t, newBackend())
	_, err := c.Insert([]Row{{"id": nil}}, nil)
	testutil.WantErr[*UndefinedKeyError](t, err)
}

// minLength is a hand-written schema: title must be a string of 3+ characters.
var minLength = ValidatorFunc(func(item Row) (Row, []Issue) {
	s, ok := item["title"].(string)
	if !ok {
		return nil, []Issue{{Message: "title must be a string", Path: []string{"title"}}}
	}
	if len(s) < 3 {
		return nil, []Issue{{Message: "title must have at least 3 characters", Path: []string{"title"}}}
	}
	return item, nil
})

func TestInsertRejectedByTheSchemaFailsWithItsIssuesAndChangesNothing(t *testing.T) {
	b := newBackend()
	cfg := b.config()
	cfg.Schema = minLength
	rt := NewRuntime()
	c := mustCollection(t, rt, cfg)
	_, err := c.Insert([]Row{row("a", "title", "long enough"), row("b", "title", "no")}, nil)
	e := testutil.WantErr[*SchemaValidationError](t, err)
	want := []Issue{{Message: "title must have at least 3 characters", Path: []string{"title"}}}
	if e.Type != "insert" || !reflect.DeepEqual(e.Issues, want) {
		t.Fatalf("got %+v", e)
	}
	if c.Size() != 0 || len(b.calls) != 0 {
		t.Fatal("the rejected insert changed something")
	}
}

func TestTheSchemaOutputIsWhatTheCollectionStores(t *testing.T) {
	b := newBackend()
	cfg := b.config()
	cfg.Schema = ValidatorFunc(func(item Row) (Row, []Issue) {
		out := mergeRow(item, nil)
		if _, ok := out["done"]; !ok {
			out["done"] = false // a default
		}
		return out, nil
	})
	c := mustCollection(t, NewRuntime(), cfg)
	if _, err := c.Insert([]Row{row("a")}, nil); err != nil {
		t.Fatal(err)
	}
	if got := mustGet(t, c, "a")["done"]; got != false {
		t.Fatalf("done = %v", got)
	}
}

func TestDirectMutationsWithoutAHandlerFail(t *testing.T) {
	b := newBackend(row("a"))
	cfg := b.config()
	cfg.OnInsert, cfg.OnUpdate, cfg.OnDelete = nil, nil, nil
	c := mustCollection(t, NewRuntime(), cfg)
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Insert([]Row{row("b")}, nil)
	testutil.WantErr[*MissingInsertHandlerError](t, err)
	_, err = c.Update([]string{"a"}, nil, func(d Row) { d["x"] = 1 })
	testutil.WantErr[*MissingUpdateHandlerError](t, err)
	_, err = c.Delete([]string{"a"}, nil)
	testutil.WantErr[*MissingDeleteHandlerError](t, err)
}

func TestUpdateRecordsOnlyTheChangedFields(t *testing.T) {
	b := newBackend(row("a", "title", "one", "done", false, "n", int64(1)))
	_, c := readyCollection(t, b)
	b.hold = make(chan struct{})
	tx, err := c.Update([]string{"a"}, &OperationOptions{Metadata: "why"}, func(d Row) {
		d["done"] = true
		d["n"] = int64(1) // unchanged value: not a change
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := tx.Mutations()
	if len(ms) != 1 {
		t.Fatalf("%d mutations", len(ms))
	}
	m := ms[0]
	if m.Type != MutationUpdate || !reflect.DeepEqual(m.Changes, Row{"done": true}) {
		t.Fatalf("mutation %+v", m)
	}
	if m.Original["done"] != false || m.Modified["done"] != true || m.Modified["title"] != "one" {
		t.Fatalf("original %v modified %v", m.Original, m.Modified)
	}
	if m.Metadata != "why" || m.GlobalKey != "KEY::todos/a" {
		t.Fatalf("metadata %v global key %q", m.Metadata, m.GlobalKey)
	}
	if mustGet(t, c, "a")["done"] != true {
		t.Fatal("update not visible at once")
	}
	close(b.hold)
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateThatChangesTheKeyFailsWithKeyUpdateNotAllowedError(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a")))
	_, err := c.Update([]string{"a"}, nil, func(d Row) { d["id"] = "b" })
	testutil.WantErr[*KeyUpdateNotAllowedError](t, err)
	if !c.Has("a") || c.Has("b") {
		t.Fatal("the failed update changed the collection")
	}
}

func TestUpdateOfAMissingKeyFailsWithUpdateKeyNotFoundError(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a")))
	called := false
	_, err := c.Update([]string{"a", "zz"}, nil, func(Row) { called = true })
	if e := testutil.WantErr[*UpdateKeyNotFoundError](t, err); e.Key != "zz" {
		t.Fatalf("key %q", e.Key)
	}
	if called {
		t.Fatal("the mutator ran for a failing update")
	}
}

func TestUpdateRejectedByTheSchemaChangesNothing(t *testing.T) {
	b := newBackend(row("a", "title", "valid"))
	cfg := b.config()
	cfg.Schema = minLength
	c := mustCollection(t, NewRuntime(), cfg)
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Update([]string{"a"}, nil, func(d Row) { d["title"] = "x" })
	if e := testutil.WantErr[*SchemaValidationError](t, err); e.Type != "update" {
		t.Fatalf("type %q", e.Type)
	}
	if mustGet(t, c, "a")["title"] != "valid" {
		t.Fatal("the rejected update is visible")
	}
}

func TestUpdateWithoutChangesReturnsACompletedEmptyTransaction(t *testing.T) {
	b := newBackend(row("a", "n", int64(1)))
	_, c := readyCollection(t, b)
	tx, err := c.Update([]string{"a"}, nil, func(d Row) { d["n"] = int64(1) })
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if tx.State() != TransactionCompleted || len(tx.Mutations()) != 0 || len(b.calls) != 0 {
		t.Fatalf("state %s, %d mutations, %d handler calls", tx.State(), len(tx.Mutations()), len(b.calls))
	}
}

func TestUpdateDraftIsADeepCopy(t *testing.T) {
	b := newBackend(row("a", "tags", []any{"x"}, "meta", map[string]any{"k": "v"}))
	_, c := readyCollection(t, b)
	b.hold = make(chan struct{})
	defer close(b.hold)
	_, err := c.Update([]string{"a"}, nil, func(d Row) {
		d["tags"].([]any)[0] = "changed"
		d["meta"].(map[string]any)["k"] = "changed"
	})
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := b.row("a")
	if orig["tags"].([]any)[0] != "x" || orig["meta"].(map[string]any)["k"] != "v" {
		t.Fatal("the mutator changed the synced item through the draft")
	}
	if got := mustGet(t, c, "a")["tags"].([]any)[0]; got != "changed" {
		t.Fatalf("nested change not recorded: %v", got)
	}
}

func TestDeleteOfAMissingKeyFailsWithDeleteKeyNotFoundError(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a")))
	_, err := c.Delete([]string{"a", "nope"}, nil)
	if e := testutil.WantErr[*DeleteKeyNotFoundError](t, err); e.Key != "nope" {
		t.Fatalf("key %q", e.Key)
	}
	if !c.Has("a") {
		t.Fatal("the failed delete removed a")
	}
	_, err = c.Delete(nil, nil)
	testutil.WantErr[*NoKeysPassedToDeleteError](t, err)
}

func TestDeleteIsVisibleAtOnceAndPersisted(t *testing.T) {
	b := newBackend(row("a"), row("b"))
	_, c := readyCollection(t, b)
	tx, err := c.Delete([]string{"a"}, &OperationOptions{Metadata: map[string]any{"reason": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Has("a") || c.Size() != 1 {
		t.Fatal("delete not visible at once")
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.row("a"); ok || c.Has("a") {
		t.Fatal("delete not persisted")
	}
}

func TestAFailingHandlerRollsTheMutationBack(t *testing.T) {
	b := newBackend(row("a", "n", int64(1)))
	_, c := readyCollection(t, b)
	cause := errors.New("server said no")
	b.fail = cause
	tx, err := c.Insert([]Row{row("b")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, tx); !errors.Is(err, cause) {
		t.Fatalf("Wait = %v, want the handler's error", err)
	}
	if tx.State() != TransactionFailed || c.Has("b") {
		t.Fatalf("state %s, has b %v", tx.State(), c.Has("b"))
	}
	tx, _ = c.Update([]string{"a"}, nil, func(d Row) { d["n"] = int64(2) })
	if err := waitTx(t, tx); !errors.Is(err, cause) {
		t.Fatal(err)
	}
	if mustGet(t, c, "a")["n"] != int64(1) {
		t.Fatal("the failed update stayed visible")
	}
}

func TestNonOptimisticMutationsShowOnlyOnceSynced(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	b.hold = make(chan struct{})
	tx, err := c.Insert([]Row{row("a")}, &OperationOptions{Optimistic: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Has("a") {
		t.Fatal("a non-optimistic insert is visible before it is synced")
	}
	close(b.hold)
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if !c.Has("a") {
		t.Fatal("not visible once synced")
	}
}

func TestMutationsOnACollectionInTheErrorStateFail(t *testing.T) {
	cause := errors.New("sync broke")
	rt := NewRuntime()
	c := mustCollection(t, rt, Config{
		Sync:     SyncConfig{Sync: func(p *SyncParams) SyncHandle { p.MarkError(cause); return SyncHandle{} }},
		OnInsert: func(context.Context, MutationParams) error { return nil },
	})
	err := c.Preload(ctx(t))
	if !errors.Is(err, cause) {
		t.Fatalf("Preload = %v", err)
	}
	if c.Status() != StatusError {
		t.Fatalf("status %s", c.Status())
	}
	_, err = c.Insert([]Row{row("a")}, nil)
	e := testutil.WantErr[*CollectionInErrorStateError](t, err)
	if e.Operation != "insert" || !errors.Is(err, cause) {
		t.Fatalf("got %+v", e)
	}
}

func TestUpdateArgumentsAreChecked(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a")))
	_, err := c.Update(nil, nil, func(Row) {})
	testutil.WantErr[*NoKeysPassedToUpdateError](t, err)
	_, err = c.Update([]string{"a"}, nil, nil)
	testutil.WantErr[*MissingUpdateArgumentError](t, err)
}

func TestUpdateManyPassesAllDraftsAtOnce(t *testing.T) {
	b := newBackend(row("a", "n", int64(1)), row("b", "n", int64(2)))
	_, c := readyCollection(t, b)
	tx, err := c.UpdateMany([]string{"b", "a"}, nil, func(ds []Row) {
		if ds[0]["id"] != "b" || ds[1]["id"] != "a" {
			t.Errorf("drafts out of order: %v", ds)
		}
		ds[0]["n"], ds[1]["n"] = ds[1]["n"], ds[0]["n"]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitTx(t, tx); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, c, "a")["n"] != int64(2) || mustGet(t, c, "b")["n"] != int64(1) || len(tx.Mutations()) != 2 {
		t.Fatalf("a %v b %v", mustGet(t, c, "a"), mustGet(t, c, "b"))
	}
}

func TestAKeyDeletedByAPendingTransactionCannotBeUpdatedOrDeletedAgain(t *testing.T) {
	rt, c := readyCollection(t, newBackend(row("a")))
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error { _, err := c.Delete([]string{"a"}, nil); return err })
	_, err := c.Update([]string{"a"}, nil, func(d Row) { d["x"] = 1 })
	testutil.WantErr[*UpdateKeyNotFoundError](t, err)
	_, err = c.Delete([]string{"a"}, nil)
	testutil.WantErr[*DeleteKeyNotFoundError](t, err)
	// But it may be inserted again.
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a", "again", true)}, nil); return err })
	ms := tx.Mutations()
	if len(ms) != 1 || ms[0].Type != MutationUpdate || ms[0].Changes["again"] != true {
		t.Fatalf("delete+insert merged to %+v", ms)
	}
}

func TestAnOptimisticInsertSurvivesASyncedDeleteOfItsKey(t *testing.T) {
	b := newBackend()
	rt, c := readyCollection(t, b)
	tx := manual(t, rt, nil)
	mutate(t, tx, func() error { _, err := c.Insert([]Row{row("a", "mine", true)}, nil); return err })
	b.push(t, Change{Type: ChangeInsert, Value: row("a", "theirs", true)})
	b.push(t, Change{Type: ChangeDelete, Key: "a"})
	if got := mustGet(t, c, "a"); got["mine"] != true {
		t.Fatalf("got %v", got)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if c.Has("a") {
		t.Fatal("after rollback the synced delete must show")
	}
}

func TestLoadSubsetOnAnEagerCollectionWithoutItIsANoOp(t *testing.T) {
	_, c := readyCollection(t, newBackend(row("a")))
	unload, err := c.LoadSubset(ctx(t), Eq(Field("id"), Value("a")))
	if err != nil {
		t.Fatal(err)
	}
	unload()
	if !c.Has("a") {
		t.Fatal("unload of an eager collection removed data")
	}
}
