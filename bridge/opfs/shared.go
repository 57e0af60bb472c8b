//go:build js

package opfs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"time"

	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/store/pagevfs"
)

// The sharing half of the OPFS glue: opfsSink is also the store.Shared of
// its database. Every tab and worker of the origin that opens the database
// keeps its own copy of the file (a pagevfs image) and writes it in turn,
// under the Web Lock js/opfs.js takes in beginWrite. The copies follow each
// other by the commits the storage workers broadcast once durable: a
// journal record (the pages) and the JSON text of what it changed
// (sharedMeta). SQLite's file change counter, which every commit
// increments by one, is the version that orders them.

// catchUpWait is how long a write waits, lock held, for the broadcast of a
// commit the file already holds before rereading the whole file. The
// broadcast leaves the other context before it releases the lock, so it is
// normally already here.
const catchUpWait = 2 * time.Second

// sharedMeta is what a commit changed, as it travels between contexts:
// the tables. Its row changes travel apart, as parts (sharedRow JSON
// texts, at most 500 changes each), each its own message, so that no step
// of a large commit's broadcast, in the writing context or another, is
// longer than a slice (store.SharedRows).
type sharedMeta struct {
	Tables []string `json:"tables"`
}

// sharedRow holds one table's row changes, column-wise: one part.
type sharedRow struct {
	Table string        `json:"table"`
	Ops   []store.RowOp `json:"ops"`
	IDs   []string      `json:"ids"`
	Data  []string      `json:"data"`
}

// remoteCommit is a commit of another context, decoded.
type remoteCommit struct {
	version uint32
	commit  pagevfs.Commit
	meta    *sharedMeta // nil: not known (a commit replayed after a crash)
	parts   js.Value    // its row changes: a JS array of sharedRow JSON texts
}

// The sink sends its row changes slice by slice.
var _ store.SharedRows = (*opfsSink)(nil)

// opfsShared is the part of opfsSink that sharing uses.
type opfsShared struct {
	vfs *pagevfs.VFS
	db  *store.DB       // set by Opened
	ctx context.Context // for applying commits

	qmu      sync.Mutex
	queue    []remoteCommit // arrived, not yet applied
	arrived  chan struct{}  // signalled (capacity 1) when a commit arrives
	writing  chan struct{}  // held (capacity 1) from Lock to Unlock
	applying bool           // an ApplyRemote is scheduled
	onRemote js.Func

	// From Lock to CatchUp (the store's write path): the file's version
	// when the lock was just taken (behind), which the copy must reach.
	target uint32
	behind bool
}

// Opened implements store.Shared: from now on, other contexts' commits
// are applied to db as they arrive, between db's own writes.
func (s *opfsSink) Opened(db *store.DB) {
	s.shared.qmu.Lock()
	s.shared.db, s.shared.ctx = db, context.Background()
	s.shared.qmu.Unlock()
	s.remoteArrived()
}

// listen registers the storage's onRemote callback.
func (s *opfsSink) listen() error {
	s.shared.arrived = make(chan struct{}, 1)
	s.shared.writing = make(chan struct{}, 1)
	s.shared.onRemote = js.FuncOf(func(js.Value, []js.Value) any {
		s.remoteArrived()
		return nil
	})
	return s.call("onRemote", s.shared.onRemote)
}

// call calls storage[method](args...), turning a throw into an error.
func (s *opfsSink) call(method string, args ...any) (err error) {
	defer recoverJS(&err, "opfs: "+method)
	s.storage.Call(method, args...)
	return nil
}

// remoteArrived wakes a write waiting for a commit and, when the database
// is open and no application is scheduled, schedules one.
func (s *opfsSink) remoteArrived() {
	select {
	case s.shared.arrived <- struct{}{}:
	default:
	}
	sh := &s.shared
	sh.qmu.Lock()
	db, ctx := sh.db, sh.ctx
	start := db != nil && !sh.applying
	if start {
		sh.applying = true
	}
	sh.qmu.Unlock()
	if !start {
		return
	}
	go func() {
		err := db.ApplyRemote(ctx, func() ([]store.Remote, error) {
			sh.qmu.Lock()
			sh.applying = false
			sh.qmu.Unlock()
			return s.applyQueued()
		})
		if err != nil && !errors.Is(err, store.ErrClosed) && ctx.Err() == nil {
			js.Global().Get("console").Call("warn", "gopowersync: "+err.Error())
		}
	}()
}

// takeRemote moves the commits the storage received into the queue.
// The caller holds the store's connection.
func (s *opfsSink) takeRemote() (err error) {
	defer recoverJS(&err, "opfs: take remote commits")
	list := s.storage.Call("takeRemote")
	for i, n := 0, list.Length(); i < n; i++ {
		item := list.Index(i)
		// A large commit's record (tens of MB for 100,000 rows) is copied
		// and checked in slices, with pace between: whole, it was one
		// long task of the receiving tab.
		raw, err := s.copyBytes(item.Get("record"))
		if err != nil {
			return fmt.Errorf("opfs: a broadcast commit: %w", err)
		}
		rec, _, err := pagevfs.DecodeRecordPaced(raw, s.pace)
		if err != nil {
			return fmt.Errorf("opfs: a broadcast commit: %w", err)
		}
		version, ok := pagevfs.CommitVersion(rec.Commit)
		if !ok {
			return errors.New("opfs: a broadcast commit without the file header")
		}
		rc := remoteCommit{version: version, commit: rec.Commit}
		if m := item.Get("meta"); m.Type() == js.TypeString {
			rc.meta = new(sharedMeta)
			if err := json.Unmarshal([]byte(m.String()), rc.meta); err != nil {
				return fmt.Errorf("opfs: a broadcast commit's changes: %w", err)
			}
			rc.parts = item.Get("parts")
		}
		s.shared.queue = append(s.shared.queue, rc)
	}
	return nil
}

// applyQueued applies, in version order, the queued commits that follow
// the copy's version, and keeps those that come later (one before them
// has not arrived). The caller holds the store's connection.
func (s *opfsSink) applyQueued() ([]store.Remote, error) {
	if err := s.takeRemote(); err != nil {
		return nil, err
	}
	var out []store.Remote
	for {
		v := s.shared.vfs.Version()
		next := -1
		q := s.shared.queue[:0]
		for _, rc := range s.shared.queue {
			switch d := int32(rc.version - v); {
			case d <= 0: // already in the copy
			case d == 1 && next < 0:
				next = len(q)
				q = append(q, rc)
			default:
				q = append(q, rc)
			}
		}
		s.shared.queue = q
		if next < 0 {
			return out, nil
		}
		rc := q[next]
		s.shared.queue = append(q[:next], q[next+1:]...)
		if err := s.shared.vfs.Apply(rc.commit); err != nil {
			return out, err
		}
		out = append(out, rc.remote())
	}
}

// remote is what the store reports of rc. Its row changes are decoded a
// part at a time, as the store hands them to the trackers (Remote.Next),
// and each part is dropped from the JS array once decoded.
func (rc remoteCommit) remote() store.Remote {
	if rc.meta == nil {
		return store.Remote{}
	}
	r := store.Remote{Tables: rc.meta.Tables}
	if r.Tables == nil {
		r.Tables = []string{}
	}
	parts := rc.parts
	if parts.Type() != js.TypeObject {
		return r
	}
	n, i := parts.Length(), 0
	r.Next = func() (rows store.TableRows, ok bool, err error) {
		if i >= n {
			return rows, false, nil
		}
		defer recoverJS(&err, "opfs: a broadcast commit's row changes")
		text := parts.Index(i).String()
		parts.SetIndex(i, js.Undefined())
		i++
		var t sharedRow
		if err := json.Unmarshal([]byte(text), &t); err != nil {
			return rows, false, fmt.Errorf("opfs: a broadcast commit's row changes: %w", err)
		}
		if len(t.IDs) != len(t.Ops) || len(t.Data) != len(t.Ops) {
			return rows, false, fmt.Errorf("opfs: a broadcast commit's row changes of %q: %d ops, %d ids, %d data", t.Table, len(t.Ops), len(t.IDs), len(t.Data))
		}
		changes := make([]store.RowChange, len(t.Ops))
		for k := range changes {
			changes[k] = store.RowChange{Op: t.Ops[k], ID: t.IDs[k], Data: t.Data[k]}
		}
		return store.TableRows{Table: t.Table, Changes: changes}, true, nil
	}
	return r
}

// Lock implements store.Shared: take the write lock (js/opfs.js keeps it
// between this context's writes until another asks for it) and note the
// file's version, which CatchUp brings the copy to.
func (s *opfsSink) Lock(ctx context.Context) error {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	// One write of this context at a time asks for the lock: the others
	// wait here, in Go, in order.
	select {
	case s.shared.writing <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	v, err := s.await(ctx, "beginWrite")
	if err != nil {
		<-s.shared.writing
		return err
	}
	s.shared.target, s.shared.behind = 0, false
	if !v.IsNull() { // null: the lock was kept since this context's last write
		s.shared.target, s.shared.behind = uint32(v.Int()), true
	}
	return nil
}

// CatchUp implements store.Shared: bring the copy to the file's version
// with the broadcast commits, or by rereading the file when they do not
// come.
func (s *opfsSink) CatchUp(ctx context.Context) ([]store.Remote, error) {
	if !s.shared.behind {
		return nil, nil
	}
	return s.catchUp(ctx, s.shared.target)
}

func (s *opfsSink) catchUp(ctx context.Context, target uint32) ([]store.Remote, error) {
	var out []store.Remote
	deadline := time.NewTimer(catchUpWait)
	defer deadline.Stop()
	for {
		got, err := s.applyQueued()
		out = append(out, got...)
		if err != nil {
			return out, err
		}
		if s.shared.vfs.Version() == target {
			return out, nil
		}
		select {
		case <-s.shared.arrived:
			continue
		case <-ctx.Done():
			return out, ctx.Err()
		case <-deadline.C:
		}
		// The commits did not come (a context crashed after making one
		// durable, or a broadcast was missed): reread the file. What it
		// changed is not known, so everything is reported changed.
		img, err := s.await(ctx, "readImage")
		if err != nil {
			return out, err
		}
		image, err := s.copyBytes(img.Get("image"))
		if err != nil {
			return out, err
		}
		if err := s.shared.vfs.Replace(image); err != nil {
			return out, err
		}
		s.shared.queue = nil
		out = append(out, store.Remote{})
		if got := s.shared.vfs.Version(); got != target {
			return out, fmt.Errorf("opfs: the file is at version %d after a reread, want %d", got, target)
		}
		return out, nil
	}
}

// copyBytes copies a Uint8Array (a file read again, another context's
// commit) into Go memory, in paced slices.
func (s *opfsSink) copyBytes(u8 js.Value) (image []byte, err error) {
	defer recoverJS(&err, "opfs: copy bytes from JS")
	image = make([]byte, u8.Length())
	for off := 0; off < len(image); off += imageSlice {
		end := min(off+imageSlice, len(image))
		js.CopyBytesToGo(image[off:end], u8.Call("subarray", off, end))
		if s.pace != nil && end < len(image) {
			s.pace()
		}
	}
	return image, nil
}

// CommittedRows implements store.SharedRows: each slice of this
// context's row changes is encoded and sent to the storage worker at
// once, which broadcasts the parts with the commit once it is durable.
// Alone, nothing is encoded: no one would read it.
func (s *opfsSink) CommittedRows(table string, part []store.RowChange) {
	if s.storage.Get("alone").Truthy() {
		return
	}
	r := sharedRow{Table: table, Ops: make([]store.RowOp, len(part)), IDs: make([]string, len(part)), Data: make([]string, len(part))}
	for i, ch := range part {
		r.Ops[i], r.IDs[i], r.Data[i] = ch.Op, ch.ID, ch.Data
	}
	text, err := json.Marshal(r)
	if err == nil {
		err = s.call("stageRows", string(text))
	}
	if err != nil {
		// Encoding cannot fail for strings and numbers; a failed post
		// means the storage failed, and the write with it.
		js.Global().Get("console").Call("warn", "gopowersync: send a commit's row changes: "+err.Error())
	}
}

// Unlock implements store.Shared: the commit goes to the worker with the
// tables it changed (its rows went ahead, CommittedRows); the lock is let
// go once it is durable, if another context asked for it.
func (s *opfsSink) Unlock(c *store.Committed) {
	defer func() { <-s.shared.writing }()
	meta := js.Null()
	// Alone, the commit is not broadcast: its changes need no encoding.
	if c != nil && !s.storage.Get("alone").Truthy() {
		text, err := json.Marshal(sharedMeta{Tables: c.Tables})
		if err != nil {
			// Cannot happen for strings; the others then see the commit
			// as one of unknown changes.
			js.Global().Get("console").Call("warn", "gopowersync: encode a commit's changes: "+err.Error())
		} else {
			meta = js.ValueOf(string(text))
		}
	}
	s.endWrite(meta)
}

func (s *opfsSink) endWrite(meta js.Value) {
	if err := s.call("endWrite", meta); err != nil {
		js.Global().Get("console").Call("warn", "gopowersync: "+err.Error())
	}
}

// await calls storage[method]() and waits for the promise it returns.
// A rejection comes back as a storageError holding the JS error, so that
// JS gets its class back (DatabaseLockedError, PersistenceError).
func (s *opfsSink) await(ctx context.Context, method string) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	var onOK, onFail js.Func
	release := func() { onOK.Release(); onFail.Release() }
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		done <- result{v: v}
		return nil
	})
	onFail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		if len(args) > 0 && args[0].InstanceOf(js.Global().Get("Error")) {
			done <- result{err: &storageError{value: args[0], text: jsErrorText(args)}}
		} else {
			done <- result{err: errors.New(jsErrorText(args))}
		}
		return nil
	})
	if err := s.callThen(method, onOK, onFail); err != nil {
		release()
		return js.Undefined(), err
	}
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		// The lock may still be granted: give it back when it is.
		go func() {
			if r := <-done; r.err == nil && method == "beginWrite" {
				s.endWrite(js.Null())
			}
		}()
		return js.Undefined(), ctx.Err()
	}
}

func (s *opfsSink) callThen(method string, onOK, onFail js.Func) (err error) {
	defer recoverJS(&err, "opfs: "+method)
	s.storage.Call(method).Call("then", onOK, onFail)
	return nil
}
