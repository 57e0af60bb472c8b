package syncserver_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

func rowID(i int) string { return fmt.Sprintf("r%02d", i) }

// churn writes n rows of table and then changes every one of them, so
// that the first n ops are all superseded.
func churn(t *testing.T, ts *testServer, table string, n int) {
	t.Helper()
	var puts, patches []syncserver.Entry
	for i := range n {
		puts = append(puts, put(table, rowID(i), fmt.Sprintf(`{"n":%d}`, i)))
		patches = append(patches, patch(table, rowID(i), fmt.Sprintf(`{"n":%d,"v":2}`, i)))
	}
	ts.apply(t, puts...)
	ts.apply(t, patches...)
}

func TestCompactionKeepsBucketChecksums(t *testing.T) {
	ts := newServer(t, syncserver.Config{MaxOpsPerLine: 7})
	churn(t, ts, "todos", 20)
	ts.apply(t, del("todos", rowID(3)), put("gone", "g1", `{}`), put("gone", "g2", `{}`), del("gone", "g1"), del("gone", "g2"))
	before := checkpoint(t, ts, "u1")

	st, err := ts.Compact(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// todos: 20 PUTs and r03's PATCH moved; the leading 20 MOVEs become
	// one CLEAR. gone: both PUTs moved; all 4 ops become one CLEAR.
	want := syncserver.CompactStats{Buckets: 2, Moved: 23, Cleared: 24, OpsBefore: 45, OpsAfter: 23}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	after := checkpoint(t, ts, "u1")
	if after.LastOpID != before.LastOpID || len(after.Buckets) != len(before.Buckets) {
		t.Fatalf("checkpoint %s\nbefore     %s", lineJSON(protocol.Line{Checkpoint: after}), lineJSON(protocol.Line{Checkpoint: before}))
	}
	for i, b := range after.Buckets {
		if b.Bucket != before.Buckets[i].Bucket || b.Checksum != before.Buckets[i].Checksum {
			t.Fatalf("bucket %s: checksum %d after compaction, %d before", b.Bucket, b.Checksum, before.Buckets[i].Checksum)
		}
	}

	// A new client adds up to the same checksums from the compacted ops.
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	c := newClient(t)
	kinds := map[protocol.OpType]int{}
	for c.completes == 0 {
		l := s.next()
		c.apply(l)
		if l.Data != nil {
			for _, o := range l.Data.Data {
				kinds[o.Op]++
			}
		}
	}
	if kinds[protocol.OpClear] != 2 || kinds[protocol.OpMove] != 1 || kinds[protocol.OpPut] != 19 || kinds[protocol.OpRemove] != 1 {
		t.Fatalf("ops sent %v, want 2 CLEAR, 1 MOVE, 19 PUT, 1 REMOVE", kinds)
	}
	sameRows(t, c, ts, "todos")
	sameRows(t, c, ts, "gone")

	// Compacting again changes nothing.
	if st, err := ts.Compact(context.Background()); err != nil || st.Buckets != 0 || st.OpsAfter != 23 {
		t.Fatalf("second compaction: %+v, %v", st, err)
	}
}

// A client that read part of a bucket, went away, and resumes after a
// compaction still adds up to the checkpoint: the ops it lacks come as a
// CLEAR that resets the bucket, or it already held them.
func TestAClientResumingAfterCompactionAddsUp(t *testing.T) {
	for _, linesRead := range []int{0, 2, 5, 8} {
		t.Run(fmt.Sprintf("%d lines read", linesRead), func(t *testing.T) {
			ts := newServer(t, syncserver.Config{MaxOpsPerLine: 5})
			churn(t, ts, "todos", 20) // ops 1-20 PUT, 21-40 PATCH: 8 lines
			s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
			c := newClient(t)
			c.apply(s.next())
			for range linesRead {
				c.apply(s.next())
			}
			s.close()
			ts.apply(t, del("todos", rowID(0)))
			if _, err := ts.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}

			s = openStream(t, ts, ts.token(t, "u1"), c.request())
			c.syncUntilComplete(s, 1)
			sameRows(t, c, ts, "todos")
		})
	}
}

// A compaction between two data lines of one checkpoint can fold ops the
// client still lacks into a CLEAR past the checkpoint's last op. The
// stream then leaves that checkpoint incomplete and announces a new one
// that includes the CLEAR, as the service does.
func TestACompactionDuringACheckpointLeavesItIncomplete(t *testing.T) {
	ts := newServer(t, syncserver.Config{MaxOpsPerLine: 5})
	var puts []syncserver.Entry
	for i := range 20 {
		puts = append(puts, put("todos", rowID(i), `{}`))
	}
	ts.apply(t, puts...) // ops 1-20
	var once sync.Once
	syncserver.SetDataLineHook(ts.Server, func() {
		once.Do(func() {
			// After the first line (ops 1-5) of checkpoint 20: delete every
			// row (ops 21-40, REMOVE) and add one (op 41), then compact:
			// ops 1-40 become one CLEAR at op 40, past the checkpoint.
			var dels []syncserver.Entry
			for i := range 20 {
				dels = append(dels, del("todos", rowID(i)))
			}
			// This runs on the stream's goroutine: report, do not stop.
			if err := ts.Apply(context.Background(), append(dels, put("todos", "new", `{}`))); err != nil {
				t.Error(err)
			}
			if _, err := ts.Compact(context.Background()); err != nil {
				t.Error(err)
			}
		})
	})
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	c := newClient(t)
	var kinds []string
	for c.completes == 0 {
		l := s.next()
		c.apply(l) // fails the test on a checksum mismatch
		switch {
		case l.Checkpoint != nil:
			kinds = append(kinds, "checkpoint "+l.Checkpoint.LastOpID.String())
		case l.CheckpointDiff != nil:
			kinds = append(kinds, "diff "+l.CheckpointDiff.LastOpID.String())
		case l.CheckpointComplete != nil:
			kinds = append(kinds, "complete "+l.CheckpointComplete.LastOpID.String())
		}
	}
	if fmt.Sprint(kinds) != "[checkpoint 20 diff 41 complete 41]" {
		t.Fatalf("lines %v, want checkpoint 20 left incomplete for 41", kinds)
	}
	sameRows(t, c, ts, "todos")
}
