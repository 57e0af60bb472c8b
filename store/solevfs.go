package store

import (
	"sync"

	"github.com/ncruces/go-sqlite3/vfs"
)

// soleVFSName names the VFS that opens files on platforms without file
// locks (js, wasip1; vfs.SupportsFileLocking is false there).
const soleVFSName = "gopowersync-sole"

var registerSoleVFS sync.Once

// soleVFS is the operating system's VFS with locks that always succeed:
// where the platform cannot lock files, a store opened with
// Options.SoleUser is the file's sole user (the JS package's lock file
// keeps other processes and other database objects out: js/node-lock.js),
// so it may take any lock.
// SQLite's nolock=1 would do the same, but it also rules out WAL, which
// these platforms can have in exclusive locking mode
// (https://sqlite.org/wal.html#noshm).
type soleVFS struct{ vfs.VFSFilename }

func (v soleVFS) Open(name string, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	return sole(v.VFSFilename.Open(name, flags))
}

func (v soleVFS) OpenFilename(name *vfs.Filename, flags vfs.OpenFlag) (vfs.File, vfs.OpenFlag, error) {
	return sole(v.VFSFilename.OpenFilename(name, flags))
}

func sole(f vfs.File, flags vfs.OpenFlag, err error) (vfs.File, vfs.OpenFlag, error) {
	if err != nil {
		return nil, flags, err
	}
	return &soleFile{File: f}, flags, nil
}

// soleFile is a file whose locks are its own to take.
type soleFile struct {
	vfs.File
	lock vfs.LockLevel
}

func (f *soleFile) Lock(l vfs.LockLevel) error   { f.lock = l; return nil }
func (f *soleFile) Unlock(l vfs.LockLevel) error { f.lock = l; return nil }

func (f *soleFile) CheckReservedLock() (bool, error) { return f.lock >= vfs.LOCK_RESERVED, nil }

// Unwrap returns the operating system's file.
func (f *soleFile) Unwrap() vfs.File { return f.File }

// soleVFSNamed registers soleVFS once and returns its name.
func soleVFSNamed() string {
	registerSoleVFS.Do(func() {
		// The operating system's VFS opens files by Filename (URI
		// parameters and all).
		osVFS, _ := vfs.Find("").(vfs.VFSFilename)
		vfs.Register(soleVFSName, soleVFS{osVFS})
	})
	return soleVFSName
}
