// Package pagevfs is an SQLite VFS for github.com/ncruces/go-sqlite3 that
// keeps one database in memory, as the bytes of its file, and reports each
// committed transaction to a [Sink] as the byte ranges it changed.
//
// It exists for the browser: there, SQLite runs on the page, where reads
// must stay synchronous, while the durable copy lives in OPFS, which only a
// worker can write synchronously. The VFS serves every read from memory and
// hands the sink one [Commit] per transaction; the sink ships it to the
// worker, which makes it durable with the journal format of this package
// ([AppendRecord], [Replay]).
//
// Journals and temporary files are kept in memory and never reported: the
// in-memory image is only ever reported at a point where it is a consistent
// database (the main file's xSync, or the release of the write lock), so
// what reaches the sink is always a committed state.
//
// The package has no global state. Registering a VFS in ncruces's global
// registry is left to the caller (a main package), with [Register].
package pagevfs
