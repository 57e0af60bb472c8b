package pagevfs_test

import (
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

// A sink that keeps a durable copy: here, a journal of encoded records
// replayed onto an empty file, as the browser's storage worker would after
// a crash.
func Example() {
	var journal []byte
	var seq uint64
	sink := pagevfs.SinkFunc(func(c pagevfs.Commit) error {
		seq++
		journal = pagevfs.AppendRecord(journal, seq, c)
		return nil
	})
	pagevfs.Register("example", pagevfs.New(nil, sink))
	defer pagevfs.Unregister("example")

	conn, err := sqlite3.Open("file:app.db?vfs=example")
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	if err := conn.Exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept')"); err != nil {
		panic(err)
	}

	image, res := pagevfs.Replay(nil, journal)
	fmt.Println("records:", res.Applied, "file bytes:", len(image))
	// Output: records: 2 file bytes: 8192
}
