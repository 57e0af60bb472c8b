package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

// hub plays, in one process, what the browser bridge does between tabs:
// a lock that serializes writes (a Web Lock there) and the log of every
// context's commits with what they changed (the durable file and the
// BroadcastChannel there).
type hub struct {
	lock sync.Mutex
	mu   sync.Mutex
	log  []hubCommit
}

type hubCommit struct {
	commit pagevfs.Commit // pages copied
	done   Committed
	parts  []TableRows // the row changes a slicedPeer took slice by slice
}

// peer is one context's copy: its VFS, and the Shared it gives its DB.
type peer struct {
	hub     *hub
	vfs     *pagevfs.VFS
	applied int             // log entries in vfs
	staged  *pagevfs.Commit // the open transaction's commit, copied
	parts   []TableRows     // the open transaction's slices (slicedPeer)
}

// slicedPeer is a peer that takes its row changes slice by slice
// (SharedRows), as the browser does.
type slicedPeer struct{ *peer }

func (p slicedPeer) CommittedRows(table string, part []RowChange) {
	p.parts = append(p.parts, TableRows{Table: table, Changes: part})
}

func (p *peer) Commit(c pagevfs.Commit) error {
	cp := pagevfs.Commit{Size: c.Size}
	for _, pg := range c.Pages {
		cp.Pages = append(cp.Pages, pagevfs.Page{Offset: pg.Offset, Data: slices.Clone(pg.Data)})
	}
	p.staged = &cp
	return nil
}

// catchUp applies the log entries this copy lacks.
func (p *peer) catchUp() ([]Remote, error) {
	p.hub.mu.Lock()
	defer p.hub.mu.Unlock()
	var out []Remote
	for ; p.applied < len(p.hub.log); p.applied++ {
		e := p.hub.log[p.applied]
		if err := p.vfs.Apply(e.commit); err != nil {
			return nil, err
		}
		r := Remote{Tables: e.done.Tables, Rows: e.done.Rows}
		if parts := e.parts; len(parts) > 0 {
			r.Next = func() (TableRows, bool, error) {
				if len(parts) == 0 {
					return TableRows{}, false, nil
				}
				part := parts[0]
				parts = parts[1:]
				return part, true, nil
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func (p *peer) Lock(ctx context.Context) error {
	p.hub.lock.Lock()
	return nil
}

func (p *peer) CatchUp(ctx context.Context) ([]Remote, error) { return p.catchUp() }

func (p *peer) Unlock(c *Committed) {
	defer p.hub.lock.Unlock()
	if p.staged == nil || c == nil {
		p.staged, p.parts = nil, nil
		return
	}
	p.hub.mu.Lock()
	p.hub.log = append(p.hub.log, hubCommit{commit: *p.staged, done: *c, parts: p.parts})
	p.parts = nil
	p.applied = len(p.hub.log)
	p.hub.mu.Unlock()
	p.staged = nil
}

func (p *peer) Opened(*DB) {}

func openPeer(t *testing.T, h *hub, name string, image []byte, applied int) (*DB, *peer) {
	t.Helper()
	return openPeerWith(t, h, name, image, applied, false, nil)
}

// openPeerWith opens a peer; sliced makes it a slicedPeer, and yield is
// its DB's Options.Yield.
func openPeerWith(t *testing.T, h *hub, name string, image []byte, applied int, sliced bool, yield func()) (*DB, *peer) {
	t.Helper()
	p := &peer{hub: h, applied: applied}
	p.vfs = pagevfs.New(image, p)
	vfsName := fmt.Sprintf("shared-test:%s:%s", t.Name(), name)
	pagevfs.Register(vfsName, p.vfs)
	t.Cleanup(func() { pagevfs.Unregister(vfsName) })
	var sh Shared = p
	if sliced {
		sh = slicedPeer{p}
	}
	db, err := Open(bg, "shared.db", todoSchema(), &Options{VFS: vfsName, Shared: sh, Yield: yield})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db, p
}

// TestSharedReadModifyWrite: two contexts incrementing one counter at the
// same time lose no increment, and their upload queue entries get
// distinct ids and transaction ids in commit order.
func TestSharedReadModifyWrite(t *testing.T) {
	h := &hub{}
	a, _ := openPeer(t, h, "a", nil, 0)
	mustExec(t, a, `INSERT INTO todos(id, title, done) VALUES('c', 'counter', 0)`)
	b, _ := openPeer(t, h, "b", nil, 0)

	const n = 40
	var wg sync.WaitGroup
	for _, db := range []*DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				err := db.WriteTx(bg, func(tx *Tx) error {
					row, err := tx.Get(bg, `SELECT done FROM todos WHERE id = 'c'`)
					if err != nil {
						return err
					}
					_, err = tx.Execute(bg, `UPDATE todos SET done = ? WHERE id = 'c'`, row["done"].(int64)+1)
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for name, db := range map[string]*DB{"a": a, "b": b} {
		// A read sees the copy as the last BeginWrite or ApplyRemote left
		// it: an empty write transaction brings it up to date.
		if err := db.WriteTx(bg, func(*Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		row, err := db.Get(bg, `SELECT done FROM todos WHERE id = 'c'`)
		if err != nil {
			t.Fatal(err)
		}
		if got := row["done"].(int64); got != 2*n {
			t.Errorf("%s: counter = %d, want %d", name, got, 2*n)
		}
		rows, err := db.GetAll(bg, `SELECT id, tx_id FROM ps_crud ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Len() != 2*n+1 {
			t.Fatalf("%s: %d upload queue entries, want %d", name, rows.Len(), 2*n+1)
		}
		for i := 1; i < rows.Len(); i++ {
			if rows.Map(i)["tx_id"].(int64) <= rows.Map(i - 1)["tx_id"].(int64) {
				t.Errorf("%s: entry %d has tx_id %v after %v", name, i, rows.Map(i)["tx_id"], rows.Map(i - 1)["tx_id"])
			}
		}
	}
	if err := checkIntegrity(a); err != nil {
		t.Error(err)
	}
}

// TestSharedRemoteReported: another context's commits reach this one's
// trackers, OnChange and the file, through ApplyRemote, without a write.
func TestSharedRemoteReported(t *testing.T) {
	h := &hub{}
	a, _ := openPeer(t, h, "a", nil, 0)
	b, pb := openPeer(t, h, "b", nil, 0)

	var tracked []RowChange
	stop, err := b.TrackRows("todos", func(part []RowChange) { tracked = append(tracked, part...) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var changed [][]string
	cancel := b.OnChange([]string{"todos"}, func(tables []string) { changed = append(changed, tables) })
	defer cancel()

	mustExec(t, a, `INSERT INTO todos(id, title) VALUES('x', 'from a')`)
	mustExec(t, a, `DELETE FROM todos WHERE id = 'x'`)
	mustExec(t, a, `INSERT INTO todos(id, title) VALUES('y', 'from a')`)
	if err := b.ApplyRemote(bg, pb.catchUp); err != nil {
		t.Fatal(err)
	}
	data := `{"title":"from a","done":null,"weight":null}`
	want := []RowChange{{Op: RowPut, ID: "x", Data: data}, {Op: RowDelete, ID: "x"}, {Op: RowPut, ID: "y", Data: data}}
	if !slices.Equal(tracked, want) {
		t.Errorf("tracked %v, want %v", tracked, want)
	}
	if len(changed) != 3 || !slices.Contains(changed[0], "todos") {
		t.Errorf("OnChange calls %v, want 3 naming todos", changed)
	}
	row, err := b.Get(bg, `SELECT title FROM todos WHERE id = 'y'`)
	if err != nil || row["title"] != "from a" {
		t.Errorf("b reads %v, %v", row, err)
	}
	// b's own write, on top of a's, reaches a.
	mustExec(t, b, `UPDATE todos SET title = 'from b' WHERE id = 'y'`)
	if err := a.WriteTx(bg, func(*Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if row, err := a.Get(bg, `SELECT title FROM todos WHERE id = 'y'`); err != nil || row["title"] != "from b" {
		t.Errorf("a reads %v, %v", row, err)
	}
	if err := checkIntegrity(b); err != nil {
		t.Error(err)
	}
}

// TestSharedRowsInSlices: with SharedRows and Yield, a commit of 1,200
// rows leaves the writer in slices of at most trackSlice changes, and
// reaches another context's tracker through Remote.Next in the same
// slices, in order, Yield called between every two.
func TestSharedRowsInSlices(t *testing.T) {
	h := &hub{}
	var yields int
	yield := func() { yields++ }
	a, pa := openPeerWith(t, h, "a", nil, 0, true, yield)
	b, pb := openPeerWith(t, h, "b", nil, 0, true, yield)

	var got [][]RowChange
	stop, err := b.TrackRows("todos", func(part []RowChange) { got = append(got, slices.Clone(part)) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	const n = 1200
	mustExec(t, a, `WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) INSERT INTO todos(id, title) SELECT printf('r%04d', i), 'row ' || i FROM k`, n)
	h.mu.Lock()
	last := h.log[len(h.log)-1]
	h.mu.Unlock()
	if last.done.Rows != nil {
		t.Errorf("Committed.Rows holds %d tables; a SharedRows host takes them in slices", len(last.done.Rows))
	}
	if len(last.parts) != 3 {
		t.Fatalf("the commit left in %d slices, want 3", len(last.parts))
	}
	if len(pa.parts) != 0 {
		t.Errorf("the writer still holds %d slices after Unlock", len(pa.parts))
	}

	yields = 0
	if err := b.ApplyRemote(bg, pb.catchUp); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("the tracker got %d calls, want 3", len(got))
	}
	if yields < 2 {
		t.Errorf("Yield called %d times between 3 slices, want at least 2", yields)
	}
	var all []RowChange
	for _, part := range got {
		if len(part) > trackSlice {
			t.Errorf("a slice of %d changes, want at most %d", len(part), trackSlice)
		}
		all = append(all, part...)
	}
	if len(all) != n || all[0].ID != "r0001" || all[n-1].ID != fmt.Sprintf("r%04d", n) {
		t.Errorf("tracked %d changes, %v ... %v", len(all), all[0], all[len(all)-1])
	}
	for i, ch := range all {
		if want := fmt.Sprintf("r%04d", i+1); ch.ID != want || ch.Op != RowPut {
			t.Fatalf("change %d is %v, want a put of %s", i, ch, want)
		}
	}
}

// TestSharedLateOpener: a context opening a copy of the file as it is now
// (the image another context's commits made) joins the others.
func TestSharedLateOpener(t *testing.T) {
	h := &hub{}
	a, pa := openPeer(t, h, "a", nil, 0)
	mustExec(t, a, `INSERT INTO todos(id, title) VALUES('1', 'one')`)
	h.mu.Lock()
	image, applied := pa.vfs.Image(), len(h.log)
	h.mu.Unlock()
	b, _ := openPeer(t, h, "b", image, applied)
	mustExec(t, b, `INSERT INTO todos(id, title) VALUES('2', 'two')`)
	mustExec(t, a, `INSERT INTO todos(id, title) VALUES('3', 'three')`)
	rows, err := a.GetAll(bg, `SELECT id FROM todos ORDER BY id`)
	if err != nil || rows.Len() != 3 {
		t.Fatalf("a sees %d rows (%v), want 3", rows.Len(), err)
	}
}

func checkIntegrity(db *DB) error {
	row, err := db.Get(bg, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	if row["integrity_check"] != "ok" {
		return fmt.Errorf("integrity_check: %v", row)
	}
	return nil
}

// TestSharedResetTrackers: a commit of unknown changes (Tables nil: the
// copy was reread whole) gives each tracker RowReset and then every row
// of its table, in one call; OnChange hears of it too.
func TestSharedResetTrackers(t *testing.T) {
	h := &hub{}
	a, _ := openPeer(t, h, "a", nil, 0)
	b, pb := openPeer(t, h, "b", nil, 0)
	var calls [][]RowChange
	stop, err := b.TrackRows("todos", func(part []RowChange) { calls = append(calls, slices.Clone(part)) })
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	changed := 0
	cancel := b.OnChange([]string{"todos"}, func([]string) { changed++ })
	defer cancel()

	mustExec(t, a, `INSERT INTO todos(id, title) VALUES('x', 'one'), ('y', 'two')`)
	mustExec(t, a, `DELETE FROM todos WHERE id = 'x'`)
	err = b.ApplyRemote(bg, func() ([]Remote, error) {
		if _, err := pb.catchUp(); err != nil {
			return nil, err
		}
		return []Remote{{}}, nil // as a reread reports it
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []RowChange{{Op: RowReset}, {Op: RowPut, ID: "y", Data: `{"title":"two","done":null,"weight":null}`}}
	if len(calls) != 1 || !slices.Equal(calls[0], want) {
		t.Errorf("tracker calls %v, want one: %v", calls, want)
	}
	if changed != 1 {
		t.Errorf("OnChange called %d times, want 1", changed)
	}
}
