package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/syncserver/internal/rowjson"
	"github.com/localfirst/gopowersync/syncserver/internal/rules"
)

// seed writes n rows of one table (n ops in one bucket) in batches of
// 1000 and reports the rate.
func seed(b *testing.B, n int) *DB {
	b.Helper()
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", rules.Default())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	start := time.Now()
	for i := 0; i < n; i += 1000 {
		var ws []Write
		for j := i; j < min(n, i+1000); j++ {
			ws = append(ws, Write{Op: "PUT", Type: "todos", ID: fmt.Sprintf("t%06d", j),
				Data: rowjson.Object{{Key: "description", Value: []byte(`"something to do"`)}, {Key: "done", Value: []byte("0")}}})
		}
		if _, err := db.Apply(ctx, "", ws); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d ops in %v", n, time.Since(start).Round(time.Millisecond))
	return db
}

// A checkpoint's cost does not grow with the ops in its buckets.
func BenchmarkSnapshotOf100000Ops(b *testing.B) {
	db := seed(b, 100_000)
	ctx := context.Background()
	for b.Loop() {
		s, err := db.Snapshot(ctx, "u1", "c1")
		if err != nil || s.Head != 100_000 || s.Buckets[0].Count != 100_000 {
			b.Fatal(s, err)
		}
	}
}

// One data line's worth of ops from the middle of a big bucket.
func BenchmarkReadOps1000Of100000(b *testing.B) {
	db := seed(b, 100_000)
	ctx := context.Background()
	for b.Loop() {
		ops, more, _, err := db.ReadOps(ctx, "todos[]", 50_000, 100_000, 1000)
		if err != nil || len(ops) != 1000 || !more {
			b.Fatal(len(ops), more, err)
		}
	}
}

func BenchmarkCompact100000Ops(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := seed(b, 100_000)
		b.StartTimer()
		if _, err := db.Compact(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
