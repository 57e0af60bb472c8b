//go:build js

// Package opfs persists a store in the browser's origin private file
// system: the Go half of js/opfs.js and js/opfs-worker.js. It is a package
// of its own so that programs needing only the storage (the browser tests'
// probe) build without the rest of the bridge.
package opfs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/store/pagevfs"
)

// Options turns storage, the object js/opfs.js's openOPFSStorage
// resolves to, into options for store.Open: a pagevfs VFS, registered under
// the name in Options.VFS, holding the database image the storage worker
// read from OPFS, and a Durability that waits for the worker's
// acknowledgements. Open the store with the same path as storage.name.
//
// The image is copied in slices with pace (when not nil) called between
// them: a large database would otherwise be one long main-thread task.
//
// Every commit is encoded as one journal record and handed to
// storage.commit, which transfers it to the worker; a large one is encoded
// and copied in slices with pace between them. A worker failure
// (quota, permission) becomes the error of WaitDurable and of every later
// write transaction.
//
// WaitDurable blocks its goroutine until the worker answers; it must run
// on a goroutine of its own, never on the one serving a JS callback.
func Options(storage js.Value, pace func()) (*store.Options, error) {
	if storage.Type() != js.TypeObject {
		return nil, errors.New("opfs: storage is not an object")
	}
	name := storage.Get("name")
	if name.Type() != js.TypeString {
		return nil, errors.New("opfs: storage.name is not a string")
	}
	image, err := takeImage(storage, pace)
	if err != nil {
		return nil, err
	}
	s := &opfsSink{storage: storage, name: name.String(), uint8Array: js.Global().Get("Uint8Array"), pace: pace}
	s.shared.vfs = pagevfs.New(image, s)
	vfsName := "opfs:" + s.name
	opts := &store.Options{VFS: vfsName, Durability: s}
	if !storage.Get("exclusive").Truthy() {
		if err := s.listen(); err != nil {
			return nil, err
		}
		opts.Shared = s
	}
	pagevfs.Register(vfsName, s.shared.vfs)
	return opts, nil
}

// imageSlice is how much of the image takeImage copies between paces: one
// to three milliseconds of copying in Chromium (8.5 MB took 10-25 ms).
const imageSlice = 1 << 20

// takeImage copies the database file the worker read into Go memory; the
// storage object forgets its copy, so the file is held once.
func takeImage(storage js.Value, pace func()) (image []byte, err error) {
	defer recoverJS(&err, "opfs: take image")
	u8 := storage.Call("takeImage")
	if u8.IsNull() || u8.IsUndefined() {
		return nil, errors.New("opfs: storage has no image (already taken?)")
	}
	image = make([]byte, u8.Length())
	for off := 0; off < len(image); off += imageSlice {
		end := min(off+imageSlice, len(image))
		js.CopyBytesToGo(image[off:end], u8.Call("subarray", off, end))
		if pace != nil && end < len(image) {
			pace()
		}
	}
	return image, nil
}

// maxKeptRecord is the largest encoding buffer kept between commits.
const maxKeptRecord = 4 << 20

// opfsSink is the pagevfs.Sink and store Durability of one OPFS database.
type opfsSink struct {
	storage    js.Value
	name       string
	uint8Array js.Value
	pace       func() // called between slices of a large commit; may be nil

	mu     sync.Mutex
	record []byte // encoding buffer, reused across commits
	seq    uint64 // last sequence number handed to the worker
	acked  uint64 // highest sequence number the worker acknowledged
	err    error  // first failure: sticky

	shared opfsShared // see opfs_shared.go
}

// Commit implements pagevfs.Sink: encode, copy into a fresh ArrayBuffer,
// and hand it to storage.commit, which transfers it to the worker.
func (s *opfsSink) Commit(c pagevfs.Commit) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	defer func() {
		if err != nil && s.err == nil {
			s.err = err
		}
	}()
	defer recoverJS(&err, "opfs: commit")
	// A large commit (a sync checkpoint) is encoded and copied in slices,
	// with pace between them, still under SQLite's write lock.
	s.record = pagevfs.AppendRecordPaced(s.record[:0], s.seq+1, c, s.pace)
	u8 := s.uint8Array.New(len(s.record))
	for off := 0; off < len(s.record); off += imageSlice {
		end := min(off+imageSlice, len(s.record))
		if off == 0 && end == len(s.record) {
			js.CopyBytesToJS(u8, s.record)
			break
		}
		js.CopyBytesToJS(u8.Call("subarray", off, end), s.record[off:end])
		if s.pace != nil && end < len(s.record) {
			s.pace()
		}
	}
	if cap(s.record) > maxKeptRecord {
		s.record = nil // one bulk import should not pin its size for the session
	}
	s.storage.Call("commit", u8)
	s.seq++
	return nil
}

// WaitDurable implements store's Durability: it returns once every commit
// handed over so far is durable in OPFS, with the worker's error if one
// failed, or with ctx's error.
func (s *opfsSink) WaitDurable(ctx context.Context) error {
	s.mu.Lock()
	target, acked, err := s.seq, s.acked, s.err
	s.mu.Unlock()
	if err != nil || target <= acked {
		return err
	}
	done := make(chan error, 1)
	var onAck, onFail js.Func
	release := func() { onAck.Release(); onFail.Release() }
	onAck = js.FuncOf(func(js.Value, []js.Value) any {
		release()
		done <- nil
		return nil
	})
	onFail = js.FuncOf(func(_ js.Value, args []js.Value) any {
		release()
		// An Error object (the PersistenceError of js/opfs.js) goes back to
		// JS as itself, so callers can test its class.
		if len(args) > 0 && args[0].InstanceOf(js.Global().Get("Error")) {
			done <- &storageError{value: args[0], text: jsErrorText(args)}
		} else {
			done <- errors.New(jsErrorText(args))
		}
		return nil
	})
	if err := s.callDurable(target, onAck, onFail); err != nil {
		release()
		return s.fail(err)
	}
	select {
	case err := <-done:
		if err != nil {
			return s.fail(err)
		}
		s.mu.Lock()
		s.acked = max(s.acked, target)
		s.mu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// storageError is a failure the storage worker reported. Its JS error
// object travels through Go unchanged (see JSValue), so JS gets it back.
type storageError struct {
	value js.Value
	text  string
}

func (e *storageError) Error() string { return e.text }

// JSValue returns the worker's error object.
func (e *storageError) JSValue() js.Value { return e.value }

// callDurable calls storage.durable(target).then(onAck, onFail).
func (s *opfsSink) callDurable(target uint64, onAck, onFail js.Func) (err error) {
	defer recoverJS(&err, "opfs: durable")
	s.storage.Call("durable", float64(target)).Call("then", onAck, onFail)
	return nil
}

// fail records err as the sticky failure (unless one is already kept) and
// returns the kept one.
func (s *opfsSink) fail(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
	return s.err
}

// recoverJS turns a panic from a throwing JS call into *err, with context.
func recoverJS(err *error, context string) {
	r := recover()
	if r == nil {
		return
	}
	if jsErr, ok := r.(js.Error); ok {
		*err = fmt.Errorf("%s: %s", context, jsErrorText([]js.Value{jsErr.Value}))
		return
	}
	panic(r)
}

// jsErrorText renders the first argument, a thrown JS value, as text. The
// errors of js/opfs.js already say which database and what failed; other
// errors (DOMExceptions) are prefixed with their name, which tells the kind.
func jsErrorText(args []js.Value) string {
	if len(args) == 0 {
		return "unknown error"
	}
	v := args[0]
	if v.Type() == js.TypeObject {
		if msg := v.Get("message"); msg.Type() == js.TypeString {
			switch name := v.Get("name"); {
			case name.Type() != js.TypeString:
			case name.String() == "Error", name.String() == "PersistenceError", name.String() == "DatabaseLockedError":
			default:
				return name.String() + ": " + msg.String()
			}
			return msg.String()
		}
	}
	return v.Call("toString").String()
}
