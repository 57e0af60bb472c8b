package collection

import (
	"context"
	"strconv"
	"testing"
)

// These benchmarks measure the engine alone (no SQLite): the cost the
// collection adds on top of storage.

func BenchmarkEngineInsert10kInOneTransaction(b *testing.B) {
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = "row-" + strconv.Itoa(i)
	}
	for i := 0; i < b.N; i++ {
		rt := NewRuntime()
		c, _ := rt.CreateCollection(LocalOnly(Config{}))
		tx, _ := rt.CreateTransaction(TransactionConfig{AutoCommit: ptr(false), MutationFn: func(ctx context.Context, p TransactionParams) error {
			return AcceptMutations(p.Transaction, c)
		}})
		_ = tx.Mutate(func() {
			for _, id := range ids {
				if _, err := c.Insert([]Row{{"id": id, "n": int64(1)}}, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		if err := tx.Commit(context.Background()); err != nil {
			b.Fatal(err)
		}
		if c.Size() != len(ids) {
			b.Fatal(c.Size())
		}
	}
}

func BenchmarkEngineSyncLoad100k(b *testing.B) {
	rows := make([]Row, 100_000)
	for i := range rows {
		rows[i] = Row{"id": "row-" + strconv.Itoa(100_000+i), "n": int64(i)}
	}
	for i := 0; i < b.N; i++ {
		rt := NewRuntime()
		c, _ := rt.CreateCollection(Config{Sync: SyncConfig{Sync: func(p *SyncParams) SyncHandle {
			for j := 0; j < len(rows); j += 1000 {
				p.Begin()
				for _, r := range rows[j : j+1000] {
					_ = p.Write(Change{Type: ChangeInsert, Key: r["id"].(string), Value: r})
				}
				_ = p.Commit()
			}
			p.MarkReady()
			return SyncHandle{}
		}}})
		if err := c.Preload(context.Background()); err != nil {
			b.Fatal(err)
		}
		if c.Size() != len(rows) {
			b.Fatal(c.Size())
		}
	}
}
