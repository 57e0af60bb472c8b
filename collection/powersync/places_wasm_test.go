//go:build (wasip1 || js) && !sqlite3_dotlk

package powersync

// Under wasip1 and js, go-sqlite3's default VFS has no file locks, so
// opening a database file fails unless the build uses the sqlite3_dotlk
// tag (go test -tags sqlite3_dotlk); without it these tests stay in memory.
var filePlaces []string
