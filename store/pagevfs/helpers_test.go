package pagevfs_test

import (
	"bytes"
	"fmt"
	"net/url"
	"testing"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

// recorder is a Sink that keeps what a durable copy would: the journal of
// every commit and the file image they build up.
type recorder struct {
	journal [][]byte // one encoded record per commit
	image   []byte
	seq     uint64
}

func (r *recorder) Commit(c pagevfs.Commit) error {
	r.seq++
	r.journal = append(r.journal, pagevfs.AppendRecord(nil, r.seq, c))
	r.image = pagevfs.Apply(r.image, c)
	return nil
}

// snapshot returns a copy of the image the commits built so far.
func (r *recorder) snapshot() []byte { return bytes.Clone(r.image) }

// openOn registers v under a name unique to the test and opens a connection.
func openOn(t testing.TB, v *pagevfs.VFS, params ...string) *sqlite3.Conn {
	t.Helper()
	name := fmt.Sprintf("pagevfs-%p", v)
	pagevfs.Register(name, v)
	t.Cleanup(func() { pagevfs.Unregister(name) })
	q := url.Values{"vfs": {name}}
	for _, p := range params {
		q.Add("_pragma", p)
	}
	conn, err := sqlite3.Open("file:test.db?" + q.Encode())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// exec runs sql, failing the test on error.
func exec(t testing.TB, conn *sqlite3.Conn, sql string) {
	t.Helper()
	if err := conn.Exec(sql); err != nil {
		t.Fatalf("exec %q: %v", sql, err)
	}
}

// queryText returns the first column of the first row of sql as text.
func queryText(t testing.TB, conn *sqlite3.Conn, sql string) string {
	t.Helper()
	stmt, _, err := conn.Prepare(sql)
	if err != nil {
		t.Fatalf("prepare %q: %v", sql, err)
	}
	defer stmt.Close()
	if !stmt.Step() {
		t.Fatalf("query %q: no row: %v", sql, stmt.Err())
	}
	return stmt.ColumnText(0)
}

// checkImage opens image with a fresh VFS and checks that it is an intact
// database whose table t holds exactly wantRows rows (t may be missing when
// wantRows is 0).
func checkImage(t *testing.T, image []byte, wantRows int) {
	t.Helper()
	conn := openOn(t, pagevfs.New(bytes.Clone(image), nil))
	if got := queryText(t, conn, "PRAGMA integrity_check"); got != "ok" {
		t.Fatalf("integrity_check = %q", got)
	}
	hasTable := queryText(t, conn, "SELECT count(*) FROM sqlite_schema WHERE name = 't'") == "1"
	if !hasTable {
		if wantRows != 0 {
			t.Fatalf("table t missing, want %d rows", wantRows)
		}
		return
	}
	if got := queryText(t, conn, "SELECT count(*) FROM t"); got != fmt.Sprint(wantRows) {
		t.Fatalf("rows = %s, want %d", got, wantRows)
	}
}
