package pagevfs

import (
	"encoding/binary"
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

// Apply writes c, a commit another copy of this database file made (and
// reported to its own sink), onto this VFS's image, without reporting it
// to this VFS's sink. It is how copies of one file kept by several
// contexts (browser tabs) follow each other. It fails while a connection
// holds a lock: SQLite notices a changed file only when it starts a
// transaction, by the file change counter at offset 24, which every
// commit changes.
func (v *VFS) Apply(c Commit) error {
	v.db.mu.Lock()
	defer v.db.mu.Unlock()
	if err := v.db.idle("apply"); err != nil {
		return err
	}
	img := v.db.img
	img.truncate(c.Size)
	if c.Size > img.size {
		img.grow(c.Size)
	}
	for _, p := range c.Pages {
		img.writeAt(p.Data, p.Offset)
	}
	img.forget()
	return nil
}

// Replace makes image (which the VFS takes) the whole database file,
// without reporting it to the sink: a copy that fell behind the others
// reloads the file. It fails while a connection holds a lock.
func (v *VFS) Replace(image []byte) error {
	v.db.mu.Lock()
	defer v.db.mu.Unlock()
	if err := v.db.idle("replace"); err != nil {
		return err
	}
	v.db.img = newImage(image)
	return nil
}

// Version returns the file change counter of the image: the 4 bytes at
// offset 24 of a database file, which SQLite increments by one in every
// write transaction (in rollback-journal mode, which this VFS runs in).
// Copies of one file hold the same commit when their versions are equal.
func (v *VFS) Version() uint32 {
	v.db.mu.Lock()
	defer v.db.mu.Unlock()
	var b [4]byte
	v.db.img.readAt(b[:], 24)
	return binary.BigEndian.Uint32(b[:])
}

// CommitVersion returns the file change counter c sets (see
// [VFS.Version]), and false when c does not write it.
func CommitVersion(c Commit) (uint32, bool) {
	for _, p := range c.Pages {
		if p.Offset <= 24 && p.Offset+int64(len(p.Data)) >= 28 {
			return binary.BigEndian.Uint32(p.Data[24-p.Offset:]), true
		}
	}
	return 0, false
}

// idle fails when a connection holds a lock or a change is unreported.
// The caller holds db.mu.
func (db *database) idle(op string) error {
	if db.shared > 0 || db.reserved || db.img.pending() {
		return fmt.Errorf("pagevfs: %s: the database is in use", op)
	}
	return nil
}
