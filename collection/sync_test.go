package collection

import (
	"reflect"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/testutil"
)

// source returns a ready collection with a sync source the test drives.
func source(t *testing.T, mode RowUpdateMode) (*Collection, *SyncParams) {
	t.Helper()
	var params *SyncParams
	c := mustCollection(t, NewRuntime(), Config{Sync: SyncConfig{RowUpdateMode: mode, Sync: func(p *SyncParams) SyncHandle {
		params = p
		p.MarkReady()
		return SyncHandle{}
	}}})
	if err := c.Preload(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return c, params
}

func TestSyncWritesShowOnlyAtCommit(t *testing.T) {
	c, p := source(t, "")
	p.Begin()
	if err := p.Write(Change{Type: ChangeInsert, Value: row("a", "n", int64(1))}); err != nil {
		t.Fatal(err)
	}
	if c.Has("a") {
		t.Fatal("uncommitted sync write visible")
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if mustGet(t, c, "a")["n"] != int64(1) {
		t.Fatal("committed write missing")
	}
}

func TestSyncUpdatesMergeInPartialModeAndReplaceInFullMode(t *testing.T) {
	for _, tc := range []struct {
		mode RowUpdateMode
		want Row
	}{
		{RowUpdatePartial, row("a", "x", int64(1), "y", int64(2))},
		{RowUpdateFull, row("a", "y", int64(2))},
	} {
		c, p := source(t, tc.mode)
		p.Begin()
		_ = p.Write(Change{Type: ChangeInsert, Value: row("a", "x", int64(1))})
		_ = p.Commit()
		p.Begin()
		_ = p.Write(Change{Type: ChangeUpdate, Value: row("a", "y", int64(2))})
		_ = p.Commit()
		if got := mustGet(t, c, "a"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.mode, got, tc.want)
		}
	}
}

func TestSyncWritesOutsideATransactionFail(t *testing.T) {
	_, p := source(t, "")
	testutil.WantErr[*NoPendingSyncTransactionWriteError](t, p.Write(Change{Type: ChangeInsert, Value: row("a")}))
	testutil.WantErr[*NoPendingSyncTransactionCommitError](t, p.Commit())
	testutil.WantErr[*NoPendingSyncTransactionWriteError](t, p.Truncate())
}

func TestSyncWritesToACommittedHeldBackTransactionFail(t *testing.T) {
	b := newBackend()
	_, c := readyCollection(t, b)
	b.hold = make(chan struct{})
	defer close(b.hold)
	if _, err := c.Insert([]Row{row("a")}, nil); err != nil { // persisting: holds sync back
		t.Fatal(err)
	}
	p := b.current()
	p.Begin()
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	testutil.WantErr[*SyncTransactionAlreadyCommittedWriteError](t, p.Write(Change{Type: ChangeInsert, Value: row("b")}))
	testutil.WantErr[*SyncTransactionAlreadyCommittedError](t, p.Commit())
}

func TestTruncateReplacesTheSyncedState(t *testing.T) {
	c, p := source(t, "")
	p.Begin()
	_ = p.Write(Change{Type: ChangeInsert, Value: row("a")})
	_ = p.Write(Change{Type: ChangeInsert, Value: row("b")})
	_ = p.Commit()
	var rec recorder
	c.SubscribeChanges(rec.fn, SubscribeOptions{IncludeInitialState: ptr(true)})
	rec.reset()
	p.Begin()
	_ = p.Write(Change{Type: ChangeInsert, Value: row("dropped")})
	if err := p.Truncate(); err != nil {
		t.Fatal(err)
	}
	_ = p.Write(Change{Type: ChangeInsert, Value: row("c")})
	_ = p.Commit()
	if got := c.Keys(); !reflect.DeepEqual(got, []string{"c"}) {
		t.Fatalf("keys %v", got)
	}
	if got := types(rec.all()); got != "delete:a delete:b insert:c " {
		t.Fatalf("changes %q", got)
	}
}

func TestSyncDeleteRemovesTheItem(t *testing.T) {
	c, p := source(t, "")
	p.Begin()
	_ = p.Write(Change{Type: ChangeInsert, Value: row("a")})
	_ = p.Commit()
	p.Begin()
	_ = p.Write(Change{Type: ChangeDelete, Key: "a"})
	_ = p.Commit()
	if c.Has("a") || c.Size() != 0 {
		t.Fatal("deleted item still there")
	}
}

func TestOnTruncateFollowsATruncatingSyncTransaction(t *testing.T) {
	c, p := source(t, "")
	calls := make(chan struct{}, 4)
	cancel := c.OnTruncate(func() { calls <- struct{}{} })
	defer cancel()
	p.Begin()
	if err := p.Write(Change{Type: ChangeInsert, Value: row("a")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	p.Begin()
	if err := p.Truncate(); err != nil {
		t.Fatal(err)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-calls:
	case <-time.After(5 * time.Second):
		t.Fatal("no truncate call")
	}
	select {
	case <-calls:
		t.Fatal("a second truncate call; the plain commit before must not call")
	case <-time.After(20 * time.Millisecond):
	}
}
