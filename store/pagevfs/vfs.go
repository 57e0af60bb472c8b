package pagevfs

import (
	"fmt"
	"sync"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/util/vfsutil"
	"github.com/ncruces/go-sqlite3/vfs"
)

// VFS holds one database in memory and reports its commits to a [Sink].
// Every main database opened through it, whatever the name, is that one
// database: a VFS is made per database file, like the OPFS file it mirrors.
// Journals and temporary files live in memory, private to their opener.
//
// A VFS is safe for concurrent use; the SQLite connections on it take
// SQLite's usual file locks (without waiting: a conflict is SQLITE_BUSY).
type VFS struct {
	db *database
}

var _ vfs.VFS = (*VFS)(nil)

// New returns a VFS whose database starts as image (the bytes of a database
// file, or nil for a new empty one) and reports its commits to sink.
// The VFS takes ownership of image: the caller must not use it afterwards.
func New(image []byte, sink Sink) *VFS {
	return &VFS{db: &database{img: newImage(image), sink: sink}}
}

// Register makes v available to SQLite under name (the "vfs" URI parameter,
// or store.Options.VFS). ncruces's registry is process-wide, so this is for
// main packages; the last registration of a name wins.
func Register(name string, v *VFS) { vfs.Register(name, v) }

// Unregister removes the VFS registered under name.
func Unregister(name string) { vfs.Unregister(name) }

// Image returns a copy of the database file as it is now in memory.
func (v *VFS) Image() []byte {
	v.db.mu.Lock()
	defer v.db.mu.Unlock()
	return v.db.img.bytes()
}

// Open implements [vfs.VFS]. It reports OPEN_MEMORY, so SQLite keeps the
// rollback journal in memory and never asks for a journal file.
func (v *VFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	switch {
	case flags&vfs.OPEN_MAIN_DB != 0:
		return &file{db: v.db}, flags | vfs.OPEN_MEMORY, nil
	case flags&(vfs.OPEN_TEMP_DB|vfs.OPEN_TRANSIENT_DB) != 0:
		return &file{db: &database{img: newImage(nil)}}, flags | vfs.OPEN_MEMORY, nil
	case flags&(vfs.OPEN_TEMP_JOURNAL|vfs.OPEN_SUBJOURNAL|vfs.OPEN_MAIN_JOURNAL) != 0:
		return &vfsutil.SliceFile{}, flags | vfs.OPEN_MEMORY, nil
	}
	// Super-journals and WAL files: OPEN_MEMORY means SQLite never needs them.
	return nil, flags, sqlite3.CANTOPEN
}

// Delete implements [vfs.VFS]: there are no files to delete.
func (*VFS) Delete(name string, syncDir bool) error {
	return sqlite3.IOERR_DELETE_NOENT
}

// Access implements [vfs.VFS]: no hot journal or WAL file ever exists.
func (*VFS) Access(name string, flags vfs.AccessFlag) (bool, error) {
	return false, nil
}

// FullPathname implements [vfs.VFS].
func (*VFS) FullPathname(name string) (string, error) {
	return name, nil
}

// database is the shared state of one in-memory file: its bytes, the
// sink (nil for temporary files) and SQLite's lock state across connections.
type database struct {
	mu       sync.Mutex
	img      *image
	sink     Sink
	shared   int   // files holding at least SHARED
	reserved bool  // a file holds RESERVED or more
	pending  bool  // a file waits for, or holds, EXCLUSIVE
	err      error // the first sink error: the durable copy stopped there
}

// commit reports the changes since the last commit to the sink, if any.
// After a sink error, the durable copy can no longer follow the memory
// image, so that error is kept and returned for every later commit.
// The caller holds db.mu.
func (db *database) commit() error {
	if db.sink == nil {
		db.img.forget()
		return nil
	}
	if db.err != nil {
		return db.err
	}
	if !db.img.pending() {
		return nil
	}
	if err := db.sink.Commit(db.img.commit()); err != nil {
		db.err = fmt.Errorf("pagevfs: commit: %w", err)
	}
	return db.err
}

// Err returns the error that stopped the sink from receiving commits, or
// nil. Once set, every write transaction fails with it.
func (v *VFS) Err() error {
	v.db.mu.Lock()
	defer v.db.mu.Unlock()
	return v.db.err
}
