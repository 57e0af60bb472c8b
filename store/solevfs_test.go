package store

import (
	"path/filepath"
	"testing"
)

// A file opened by its sole user is in WAL mode on every platform (on js
// and wasip1 through soleVFS, in exclusive locking mode), and what it
// committed is there for the next sole opener. (On js and wasip1 a file in
// WAL mode cannot be opened without SoleUser: nolock=1 rules WAL out.)
func TestASoleUserKeepsTheFileInWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sole.db")
	db, err := Open(bg, path, todoSchema(), &Options{SoleUser: true})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.Get(bg, `PRAGMA journal_mode`)
	if err != nil {
		t.Fatal(err)
	}
	if r["journal_mode"] != "wal" {
		t.Errorf("journal_mode = %v, want wal", r["journal_mode"])
	}
	if _, err := db.Execute(bg, `INSERT INTO todos (id, title) VALUES ('a', 'kept')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(bg, path, todoSchema(), &Options{SoleUser: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	r, err = again.Get(bg, `SELECT title FROM todos WHERE id = 'a'`)
	if err != nil || r["title"] != "kept" {
		t.Fatalf("after reopening: %v, %v", r, err)
	}
}
