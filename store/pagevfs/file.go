package pagevfs

import (
	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs"
)

// file is one connection's handle on a database.
type file struct {
	db   *database
	lock vfs.LockLevel
}

var (
	_ vfs.FileLockState = (*file)(nil)
	_ vfs.FileSizeHint  = (*file)(nil)
)

// Close implements [vfs.File].
func (f *file) Close() error {
	return f.Unlock(vfs.LOCK_NONE)
}

// ReadAt implements [io.ReaderAt].
func (f *file) ReadAt(b []byte, off int64) (int, error) {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	return f.db.img.readAt(b, off)
}

// WriteAt implements [io.WriterAt].
func (f *file) WriteAt(b []byte, off int64) (int, error) {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	f.db.img.writeAt(b, off)
	return len(b), nil
}

// Truncate implements [vfs.File].
func (f *file) Truncate(size int64) error {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	f.db.img.truncate(size)
	return nil
}

// SizeHint implements [vfs.FileSizeHint].
func (f *file) SizeHint(size int64) error {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	if size > f.db.img.size {
		f.db.img.grow(size)
	}
	return nil
}

// Size implements [vfs.File].
func (f *file) Size() (int64, error) {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	return f.db.img.size, nil
}

// Sync implements [vfs.File]. SQLite syncs the main database when a
// transaction commits (and after a rollback restored pages), and the file
// is then a consistent database: this is where commits are reported.
func (f *file) Sync(flags vfs.SyncFlag) error {
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	return f.commit()
}

// commit reports pending changes, turning a sink error into an fsync error
// that SQLite reports with the sink's message. The caller holds db.mu.
func (f *file) commit() error {
	if err := f.db.commit(); err != nil {
		return vfs.SystemError(err, sqlite3.IOERR_FSYNC)
	}
	return nil
}

// Lock implements [vfs.File], without waiting: a conflict is SQLITE_BUSY.
func (f *file) Lock(lock vfs.LockLevel) error {
	if f.lock >= lock {
		return nil
	}
	db := f.db
	db.mu.Lock()
	defer db.mu.Unlock()
	switch lock {
	case vfs.LOCK_SHARED:
		if db.pending {
			return sqlite3.BUSY
		}
		db.shared++
	case vfs.LOCK_RESERVED:
		if db.reserved {
			return sqlite3.BUSY
		}
		db.reserved = true
	case vfs.LOCK_EXCLUSIVE:
		if f.lock == vfs.LOCK_RESERVED {
			f.lock = vfs.LOCK_PENDING
			db.pending = true
		}
		if db.shared > 1 {
			return sqlite3.BUSY
		}
	}
	f.lock = lock
	return nil
}

// Unlock implements [vfs.File]. Giving up the write lock also ends a
// transaction, so changes not yet reported by Sync (with PRAGMA
// synchronous=OFF, SQLite never syncs) are reported here.
func (f *file) Unlock(lock vfs.LockLevel) error {
	if f.lock <= lock {
		return nil
	}
	db := f.db
	db.mu.Lock()
	defer db.mu.Unlock()
	var err error
	if f.lock >= vfs.LOCK_RESERVED {
		err = f.commit()
		db.reserved = false
		db.pending = false
	}
	if lock < vfs.LOCK_SHARED && f.lock >= vfs.LOCK_SHARED {
		db.shared--
	}
	f.lock = lock
	return err
}

// CheckReservedLock implements [vfs.File].
func (f *file) CheckReservedLock() (bool, error) {
	if f.lock >= vfs.LOCK_RESERVED {
		return true, nil
	}
	f.db.mu.Lock()
	defer f.db.mu.Unlock()
	return f.db.reserved, nil
}

// LockState implements [vfs.FileLockState].
func (f *file) LockState() vfs.LockLevel { return f.lock }

// SectorSize implements [vfs.File]. SQLite derives its default page size
// from it: 4096 keeps SQLite's usual default, so a one-row commit ships two
// 4 KiB pages rather than two 8 KiB ones.
func (*file) SectorSize() int { return 4096 }

// DeviceCharacteristics implements [vfs.File]: memory writes never tear
// neighbouring bytes. IOCAP_ATOMIC is left out although it holds: with it,
// SQLite would pick 8 KiB default pages.
func (*file) DeviceCharacteristics() vfs.DeviceCharacteristic {
	return vfs.IOCAP_SEQUENTIAL |
		vfs.IOCAP_SAFE_APPEND |
		vfs.IOCAP_POWERSAFE_OVERWRITE
}
