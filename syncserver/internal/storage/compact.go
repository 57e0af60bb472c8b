package storage

import (
	"context"
	"fmt"
	"math"

	"github.com/ncruces/go-sqlite3"
)

// CompactStats says what a compaction did.
type CompactStats struct {
	// Buckets is the number of buckets whose ops changed.
	Buckets int
	// Moved is the number of superseded PUT and REMOVE ops made MOVE.
	Moved int
	// Cleared is the number of ops folded into CLEAR ops.
	Cleared int
	// OpsBefore and OpsAfter count every bucket's ops.
	OpsBefore, OpsAfter int64
}

// Compact compacts every bucket as the service does
// (powersync-service docs/storage/compacting-operations.md):
//
//  1. a PUT or REMOVE followed in its bucket by a later op of the same row
//     (object type, id and subkey) becomes a MOVE: no data, same checksum;
//  2. the bucket's leading run of REMOVE, MOVE and CLEAR ops becomes one
//     CLEAR whose op id is the run's last and whose checksum is the run's
//     wrapping sum.
//
// Bucket checksums do not change, so a client that holds part of a
// bucket still adds up to them; ops keep their ids. Compaction runs in
// one transaction.
func (db *DB) Compact(ctx context.Context) (CompactStats, error) {
	if err := db.acquire(ctx); err != nil {
		return CompactStats{}, err
	}
	defer db.release()
	var st CompactStats
	err := db.tx(func() error {
		if err := db.count(&st.OpsBefore); err != nil {
			return err
		}
		touched := map[int64]bool{}
		var moved []int64
		if err := db.query(`SELECT op_id, bucket FROM (
				SELECT op_id, bucket, row_number() OVER (PARTITION BY bucket, object_type, object_id, subkey ORDER BY op_id DESC) AS n
				FROM ops WHERE op IN ('PUT', 'REMOVE'))
			WHERE n > 1`, nil, func(s *sqlite3.Stmt) error {
			moved = append(moved, s.ColumnInt64(0))
			touched[s.ColumnInt64(1)] = true
			return nil
		}); err != nil {
			return fmt.Errorf("find superseded ops: %w", err)
		}
		for _, id := range moved {
			if err := db.exec(`UPDATE ops SET op = 'MOVE', object_type = NULL, object_id = NULL, subkey = NULL, data = NULL WHERE op_id = ?`, id); err != nil {
				return fmt.Errorf("move op %d: %w", id, err)
			}
		}
		st.Moved = len(moved)

		var buckets []int64
		if err := db.query(`SELECT id FROM buckets ORDER BY id`, nil, func(s *sqlite3.Stmt) error {
			buckets = append(buckets, s.ColumnInt64(0))
			return nil
		}); err != nil {
			return err
		}
		for _, b := range buckets {
			n, err := db.clearLeadingRun(b)
			if err != nil {
				return fmt.Errorf("bucket %d: %w", b, err)
			}
			if n > 0 {
				st.Cleared += n
				touched[b] = true
			}
		}
		for b := range touched {
			if err := db.exec(`UPDATE buckets SET count = (SELECT count(*) FROM ops WHERE bucket = ?1) WHERE id = ?1`, b); err != nil {
				return err
			}
		}
		st.Buckets = len(touched)
		return db.count(&st.OpsAfter)
	})
	if err != nil {
		return CompactStats{}, fmt.Errorf("storage: compact: %w", err)
	}
	if st.Buckets > 0 {
		db.gen++
	}
	return st, nil
}

func (db *DB) count(n *int64) error {
	return db.query(`SELECT count(*) FROM ops`, nil, func(s *sqlite3.Stmt) error {
		*n = s.ColumnInt64(0)
		return nil
	})
}

// clearLeadingRun replaces bucket's leading run of REMOVE, MOVE and CLEAR
// ops with one CLEAR and returns how many ops it replaced (0 when the run
// is empty or already a single CLEAR).
func (db *DB) clearLeadingRun(bucket int64) (int, error) {
	firstPut := int64(math.MaxInt64)
	if err := db.query(`SELECT op_id FROM ops WHERE bucket = ? AND op = 'PUT' ORDER BY op_id LIMIT 1`, []any{bucket}, func(s *sqlite3.Stmt) error {
		firstPut = s.ColumnInt64(0)
		return nil
	}); err != nil {
		return 0, err
	}
	var n, last, sum, clears int64
	if err := db.query(`SELECT count(*), max(op_id), sum(checksum), sum(op = 'CLEAR') FROM ops
		WHERE bucket = ? AND op_id < ?`, []any{bucket, firstPut}, func(s *sqlite3.Stmt) error {
		n, last = s.ColumnInt64(0), s.ColumnInt64(1)
		sum, clears = s.ColumnInt64(2), s.ColumnInt64(3)
		return nil
	}); err != nil {
		return 0, err
	}
	if n == 0 || (n == 1 && clears == 1) {
		return 0, nil
	}
	if err := db.exec(`DELETE FROM ops WHERE bucket = ? AND op_id <= ?`, bucket, last); err != nil {
		return 0, err
	}
	if err := db.exec(`INSERT INTO ops(op_id, bucket, op, checksum) VALUES(?, ?, 'CLEAR', ?)`, last, bucket, uint32(sum)); err != nil {
		return 0, err
	}
	return int(n), nil
}
