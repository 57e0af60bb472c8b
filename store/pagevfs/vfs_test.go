package pagevfs_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/store/pagevfs"
)

// workload runs a mix of transactions (small inserts, a large blob that
// grows the file, deletes and a VACUUM that shrink it) and returns, for each
// commit the sink saw, how many rows t held after it.
func workload(t *testing.T, rec *recorder, v *pagevfs.VFS) []int {
	t.Helper()
	conn := openOn(t, v)
	var rowsAfter []int
	rows := 0
	step := func(sql string, delta int) {
		t.Helper()
		before := len(rec.journal)
		exec(t, conn, sql)
		rows += delta
		for range len(rec.journal) - before {
			rowsAfter = append(rowsAfter, rows)
		}
	}
	step("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)", 0)
	for i := range 20 {
		step(fmt.Sprintf("INSERT INTO t (v) VALUES ('row %d')", i), 1)
	}
	step("BEGIN; INSERT INTO t (b) SELECT randomblob(3000) FROM generate_series(1, 200); COMMIT", 200)
	step("UPDATE t SET v = 'changed' WHERE id % 3 = 0", 0)
	step("DELETE FROM t WHERE id > 100", -120)
	step("VACUUM", 0)
	step("INSERT INTO t (v) VALUES ('after vacuum')", 1)
	return rowsAfter
}

func TestCommitsAppliedInOrderRebuildTheDatabase(t *testing.T) {
	rec := &recorder{}
	v := pagevfs.New(nil, rec)
	rowsAfter := workload(t, rec, v)
	if len(rowsAfter) < 20 {
		t.Fatalf("sink saw %d commits, want one per transaction (at least 20)", len(rowsAfter))
	}
	if !bytes.Equal(rec.image, v.Image()) {
		t.Fatalf("image built from commits (%d bytes) differs from the VFS's (%d bytes)", len(rec.image), len(v.Image()))
	}
	checkImage(t, rec.image, rowsAfter[len(rowsAfter)-1])
}

func TestReplayOfAnyPrefixWithATornRecordGivesThatOlderDatabase(t *testing.T) {
	rec := &recorder{}
	rowsAfter := workload(t, rec, pagevfs.New(nil, rec))
	for k := range len(rec.journal) {
		for _, tear := range []string{"cut", "flip"} {
			t.Run(fmt.Sprintf("%d_%s", k, tear), func(t *testing.T) {
				var journal []byte
				for _, r := range rec.journal[:k] {
					journal = append(journal, r...)
				}
				torn := bytes.Clone(rec.journal[k])
				if tear == "cut" {
					torn = torn[:len(torn)-1]
				} else {
					torn[len(torn)/2] ^= 0x40
				}
				journal = append(journal, torn...)
				image, res := pagevfs.Replay(nil, journal)
				if res.Applied != k {
					t.Fatalf("applied %d records, want %d", res.Applied, k)
				}
				want := 0
				if k > 0 {
					want = rowsAfter[k-1]
				}
				checkImage(t, image, want)
			})
		}
	}
}

func TestReplayStopsAtARecordThatDoesNotFollowInSequence(t *testing.T) {
	rec := &recorder{}
	workload(t, rec, pagevfs.New(nil, rec))
	journal := append(bytes.Clone(rec.journal[0]), rec.journal[2]...)
	if _, res := pagevfs.Replay(nil, journal); res.Applied != 1 || res.Valid != len(rec.journal[0]) {
		t.Fatalf("replay = %+v, want only the first record", res)
	}
}

func TestRollbackReportsNothing(t *testing.T) {
	rec := &recorder{}
	conn := openOn(t, pagevfs.New(nil, rec))
	exec(t, conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	commits := len(rec.journal)
	exec(t, conn, "BEGIN; INSERT INTO t (v) VALUES ('gone'); ROLLBACK")
	if len(rec.journal) != commits {
		t.Fatalf("rollback produced %d commits", len(rec.journal)-commits)
	}
	checkImage(t, rec.image, 0)
}

func TestRollbackAfterCacheSpillLeavesTheDurableImageUnchanged(t *testing.T) {
	rec := &recorder{}
	conn := openOn(t, pagevfs.New(nil, rec), "cache_size(2)")
	exec(t, conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)")
	exec(t, conn, "INSERT INTO t (b) SELECT randomblob(2000) FROM generate_series(1, 50)")
	before := rec.snapshot()
	// With a two-page cache, SQLite writes pages into the file before the
	// transaction ends, and a rollback restores them.
	exec(t, conn, "BEGIN; UPDATE t SET b = randomblob(2000); INSERT INTO t (b) SELECT randomblob(2000) FROM generate_series(1, 50); ROLLBACK")
	if !bytes.Equal(before, rec.image) {
		t.Fatal("the image built from commits changed through a rolled-back transaction")
	}
	checkImage(t, rec.image, 50)
}

func TestSinkErrorFailsTheCommitWithItsMessage(t *testing.T) {
	rec := &recorder{}
	fail := false
	sink := pagevfs.SinkFunc(func(c pagevfs.Commit) error {
		if fail {
			return errors.New("quota exceeded")
		}
		return rec.Commit(c)
	})
	conn := openOn(t, pagevfs.New(nil, sink))
	exec(t, conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	fail = true
	err := conn.Exec("INSERT INTO t (v) VALUES ('lost')")
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("insert with a failing sink: err = %v, want the sink's error", err)
	}
	if got := queryText(t, conn, "SELECT count(*) FROM t"); got != "0" {
		t.Fatalf("after the failed commit the table holds %s rows, want 0", got)
	}
	fail = false
	err = conn.Exec("INSERT INTO t (v) VALUES ('later')")
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("a later insert: err = %v, want the first sink error", err)
	}
	checkImage(t, rec.image, 0)
}

func TestCommitsAreReportedWhateverThePragmas(t *testing.T) {
	for _, pragma := range []string{"synchronous(OFF)", "journal_mode(WAL)", "journal_mode(OFF)", "locking_mode(EXCLUSIVE)"} {
		t.Run(pragma, func(t *testing.T) {
			rec := &recorder{}
			conn := openOn(t, pagevfs.New(nil, rec), pragma)
			exec(t, conn, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
			exec(t, conn, "INSERT INTO t (v) VALUES ('one')")
			checkImage(t, rec.image, 1)
		})
	}
}

func TestInitialImageIsTheDatabase(t *testing.T) {
	rec := &recorder{}
	workload(t, rec, pagevfs.New(nil, rec))
	want := queryText(t, openOn(t, pagevfs.New(rec.snapshot(), nil)), "SELECT count(*) FROM t")
	next := &recorder{image: rec.snapshot()}
	conn := openOn(t, pagevfs.New(rec.snapshot(), next))
	if got := queryText(t, conn, "SELECT count(*) FROM t"); got != want {
		t.Fatalf("rows = %s, want %s", got, want)
	}
	exec(t, conn, "INSERT INTO t (v) VALUES ('more')")
	checkImage(t, next.image, 1+atoi(t, want))
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
