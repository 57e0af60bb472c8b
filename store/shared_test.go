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
}

// peer is one context's copy: its VFS, and the Shared it gives its DB.
type peer struct {
	hub     *hub
	vfs     *pagevfs.VFS
	applied int             // log entries in vfs
	staged  *pagevfs.Commit // the open transaction's commit, copied
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
		out = append(out, Remote{Tables: e.done.Tables, Rows: e.done.Rows})
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
		p.staged = nil
		return
	}
	p.hub.mu.Lock()
	p.hub.log = append(p.hub.log, hubCommit{commit: *p.staged, done: *c})
	p.applied = len(p.hub.log)
	p.hub.mu.Unlock()
	p.staged = nil
}

func (p *peer) Opened(*DB) {}

func openPeer(t *testing.T, h *hub, name string, image []byte, applied int) (*DB, *peer) {
	t.Helper()
	p := &peer{hub: h, applied: applied}
	p.vfs = pagevfs.New(image, p)
	vfsName := fmt.Sprintf("shared-test:%s:%s", t.Name(), name)
	pagevfs.Register(vfsName, p.vfs)
	t.Cleanup(func() { pagevfs.Unregister(vfsName) })
	db, err := Open(bg, "shared.db", todoSchema(), &Options{VFS: vfsName, Shared: p})
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
