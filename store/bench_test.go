package store

import (
	"testing"
	"time"
)

// BenchmarkInsertThroughView inserts 10,000 rows through a view in one
// write transaction per iteration, with upload queue entries, as an app
// writing a batch would.
func BenchmarkInsertThroughView(b *testing.B) {
	const rows = 10_000
	db := openMem(b, todoSchema())
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		err := db.WriteTx(bg, func(tx *Tx) error {
			for range rows {
				n++
				if _, err := tx.Execute(bg, `INSERT INTO todos(id, title, done, weight) VALUES (?, ?, ?, ?)`,
					itoa(n), "a todo title", n%2, 1.5); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCrudBatch1000 reads a 1,000-entry upload queue batch.
func BenchmarkCrudBatch1000(b *testing.B) {
	db := openMem(b, todoSchema())
	err := db.WriteTx(bg, func(tx *Tx) error {
		for i := range 1000 {
			if _, err := tx.Execute(bg, `INSERT INTO todos(id, title, done) VALUES (?, 'title', 1)`, itoa(i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		batch, err := db.GetCrudBatch(bg, 1000)
		if err != nil || len(batch.Crud) != 1000 {
			b.Fatalf("batch: %v", err)
		}
	}
}

// BenchmarkCommitToNotification measures, for a one-row write, the time
// from the start of the commit to the delivery of OnChange and TrackRows.
func BenchmarkCommitToNotification(b *testing.B) {
	db := openMem(b, todoSchema())
	var trackedAt, changedAt time.Time
	if _, err := db.TrackRows("todos", func([]RowChange) { trackedAt = time.Now() }); err != nil {
		b.Fatal(err)
	}
	db.OnChange([]string{"todos"}, func([]string) { changedAt = time.Now() })
	var toTrack, toChange time.Duration
	i := 0
	for b.Loop() {
		i++
		var start time.Time
		err := db.WriteTx(bg, func(tx *Tx) error {
			_, err := tx.Execute(bg, `INSERT INTO todos(id, title) VALUES (?, 'x')`, itoa(i))
			start = time.Now() // fn returning starts the commit
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		toTrack += trackedAt.Sub(start)
		toChange += changedAt.Sub(start)
	}
	b.ReportMetric(float64(toTrack.Nanoseconds())/float64(i), "ns-to-TrackRows")
	b.ReportMetric(float64(toChange.Nanoseconds())/float64(i), "ns-to-OnChange")
}
