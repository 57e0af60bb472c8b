package pagevfs_test

import (
	"testing"

	"github.com/ncruces/go-sqlite3"
	"github.com/ncruces/go-sqlite3/vfs/memdb"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

// insert10k inserts 10,000 JSON rows in one transaction, as a collection
// insert of that size would.
func insert10k(b *testing.B, conn *sqlite3.Conn) {
	b.Helper()
	exec(b, conn, "BEGIN")
	stmt, _, err := conn.Prepare("INSERT INTO t (id, data) VALUES (?, json_object('title', ?, 'n', ?))")
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	for i := range 10_000 {
		stmt.BindText(1, "00000000-0000-4000-8000-"+string(rune('a'+i%26))+itoa(i))
		stmt.BindText(2, "a todo item with a title of typical length")
		stmt.BindInt(3, i)
		if err := stmt.Exec(); err != nil {
			b.Fatal(err)
		}
	}
	exec(b, conn, "COMMIT")
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		if i /= 10; i == 0 {
			return string(buf[n:])
		}
	}
}

// BenchmarkCommit10000Inserts measures one transaction of 10,000 inserts on
// ncruces's memdb (no reporting) and on pagevfs, with a sink that drops the
// commit and one that encodes it as a journal record (what the browser glue
// does before posting it to the storage worker). The differences are the
// cost of tracking and of encoding.
func BenchmarkCommit10000Inserts(b *testing.B) {
	run := func(b *testing.B, open func(b *testing.B) *sqlite3.Conn) {
		for b.Loop() {
			b.StopTimer()
			conn := open(b)
			exec(b, conn, "CREATE TABLE t (id TEXT PRIMARY KEY, data TEXT)")
			b.StartTimer()
			insert10k(b, conn)
			b.StopTimer()
			conn.Close()
			b.StartTimer()
		}
	}
	b.Run("memdb", func(b *testing.B) {
		run(b, func(b *testing.B) *sqlite3.Conn {
			conn, err := sqlite3.Open(memdb.TestDB(b))
			if err != nil {
				b.Fatal(err)
			}
			return conn
		})
	})
	b.Run("pagevfs_discard", func(b *testing.B) {
		run(b, func(b *testing.B) *sqlite3.Conn {
			return openOn(b, pagevfs.New(nil, pagevfs.SinkFunc(func(pagevfs.Commit) error { return nil })))
		})
	})
	var record []byte
	var bytes int
	b.Run("pagevfs_record", func(b *testing.B) {
		run(b, func(b *testing.B) *sqlite3.Conn {
			return openOn(b, pagevfs.New(nil, pagevfs.SinkFunc(func(c pagevfs.Commit) error {
				record = pagevfs.AppendRecord(record[:0], 1, c)
				bytes = len(record)
				return nil
			})))
		})
		b.ReportMetric(float64(bytes), "record-bytes")
	})
}
