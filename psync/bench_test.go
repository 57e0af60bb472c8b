//go:build !js && !wasip1

package psync

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// The initial sync of a realistic table through the dev server over
// loopback HTTP: each iteration opens a fresh client database, connects
// and waits for the first complete checkpoint. The same rows (benchRow)
// are what tests/interop/bench/initial-sync.js seeds for its side-by-side
// run with the official client.
//
//	go test -run '^$' -bench InitialSync -benchtime 3x ./psync/
//
// peak-heap-MB is the highest Go heap (runtime/metrics, sampled every
// 2 ms) above the heap left after a GC before the iteration; the server
// runs in the same process, so its stream encoding counts too. SQLite's
// own memory is outside the Go heap.

// benchSchema is the table benchRow fills.
func benchSchema() store.Schema {
	return store.Schema{Tables: []store.Table{{Name: "todos", Columns: []store.Column{
		{Name: "list_id", Type: store.Text},
		{Name: "description", Type: store.Text},
		{Name: "completed", Type: store.Integer},
		{Name: "created_at", Type: store.Text},
		{Name: "priority", Type: store.Integer},
	}}}}
}

// benchRow is row i of the benchmark table: 5 columns, about 150 bytes
// of JSON with the id the server adds. Keep it in step with row() in
// tests/interop/bench/initial-sync.js.
func benchRow(i int) syncserver.Entry {
	data := fmt.Sprintf(`{"list_id":"%08x-7d1c-4b2a-9e5f-%012x","description":"Buy item %06d","completed":%d,"created_at":"2026-11-%02dT%02d:%02d:00.000Z","priority":%d}`,
		i%100, i%100, i, i%2, 1+i%28, i%24, i%60, i%5)
	return syncserver.Entry{Op: "PUT", Type: "todos", ID: fmt.Sprintf("t%07d", i), Data: json.RawMessage(data)}
}

// seededServer starts a dev server holding rows benchRow rows, applied in
// batches of 1,000 as a backend's uploads would be.
func seededServer(tb testing.TB, rows int) *devServer {
	tb.Helper()
	srv := startDevServer(tb, syncserver.Config{})
	for lo := 0; lo < rows; lo += 1000 {
		batch := make([]syncserver.Entry, 0, 1000)
		for i := lo; i < min(lo+1000, rows); i++ {
			batch = append(batch, benchRow(i))
		}
		if err := srv.Apply(bg, batch); err != nil {
			tb.Fatal(err)
		}
	}
	return srv
}

// heapPeak samples the Go heap every 2 ms until stop, and returns the
// highest value seen.
type heapPeak struct {
	stop chan struct{}
	done chan uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	p := &heapPeak{stop: make(chan struct{}), done: make(chan uint64, 1)}
	go func() {
		s := []metrics.Sample{{Name: heapMetric}}
		var peak uint64
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-p.stop:
				p.done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *heapPeak) end() uint64 {
	close(p.stop)
	return <-p.done
}

// syncFresh opens a fresh database in dir, connects it to srv and waits
// for the first sync. The timed part (connect to WaitForFirstSync) is
// between start and stop. It fails unless all rows arrived.
func syncFresh(tb testing.TB, srv *devServer, dir string, rows int, start, stop func()) {
	db, err := store.Open(bg, filepath.Join(dir, "client.sqlite"), benchSchema(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	c, err := New(bg, db, &Options{HTTP: srv.Client})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 5*time.Minute)
	defer cancel()
	start()
	if err := c.Connect(ctx, srv.connector(), ConnectOptions{RetryDelay: 50 * time.Millisecond, CrudUploadThrottle: -1}); err != nil {
		tb.Fatal(err)
	}
	err = c.WaitForFirstSync(ctx, -1)
	stop()
	if err != nil {
		tb.Fatalf("first sync: %v (status %+v)", err, c.Status())
	}
	if err := c.Disconnect(bg); err != nil {
		tb.Fatal(err)
	}
	row, err := db.Get(bg, `SELECT count(*) AS n FROM todos`)
	if err != nil {
		tb.Fatal(err)
	}
	if n := row["n"].(int64); n != int64(rows) {
		tb.Fatalf("the client holds %d rows after its first sync, want %d", n, rows)
	}
}

func BenchmarkInitialSync(b *testing.B) {
	for _, rows := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			srv := seededServer(b, rows)
			var peak uint64
			var sampler *heapPeak
			var base uint64
			b.ResetTimer()
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				runtime.GC()
				base = heapNow()
				syncFresh(b, srv, b.TempDir(), rows, func() {
					sampler = startHeapPeak()
					b.StartTimer()
				}, func() {
					b.StopTimer()
					if p := sampler.end(); p > base {
						peak = max(peak, p-base)
					}
				})
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "ops/s")
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		})
	}
}

// The benchmark's path at a small size, so that it runs in every test
// run: fresh clients, one after the other, each get every row.
func TestInitialSyncOfSeededRows(t *testing.T) {
	const rows = 2_500
	srv := seededServer(t, rows)
	for range 2 {
		syncFresh(t, srv, t.TempDir(), rows, func() {}, func() {})
	}
}
