package storage

import (
	"context"
	"fmt"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/internal/protocol"
)

// BucketState is a bucket's state at a checkpoint.
type BucketState struct {
	Name string
	// Checksum is the wrapping sum of every op in the bucket.
	Checksum protocol.Checksum
	// Count is the number of ops in the bucket.
	Count    int64
	Priority int
}

// Snapshot is what a checkpoint needs, read at one instant.
type Snapshot struct {
	// Head is the newest committed op id: every bucket's state covers
	// exactly the ops up to it.
	Head int64
	// Generation changes when a compaction rewrites ops.
	Generation uint64
	// Buckets are the user's buckets, in the rules' order; a bucket with
	// no ops yet has a zero state.
	Buckets []BucketState
	// WriteCheckpoint is the user's latest write checkpoint for the
	// client, 0 when there is none.
	WriteCheckpoint int64
	// Changed is closed on the next commit that appends ops or changes a
	// write checkpoint, and when the database closes.
	Changed <-chan struct{}
}

// Snapshot reads userID's buckets and clientID's write checkpoint.
// Bucket states are kept up to date as ops are appended, so a snapshot
// costs one indexed look-up per bucket whatever the number of ops.
func (db *DB) Snapshot(ctx context.Context, userID, clientID string) (Snapshot, error) {
	if err := db.acquire(ctx); err != nil {
		return Snapshot{}, err
	}
	defer db.release()
	snap := Snapshot{Head: db.head, Generation: db.gen, Changed: db.changed}
	var tables []string
	if db.rules.IsDefault() {
		if err := db.query(`SELECT name FROM tables ORDER BY name`, nil, func(s *sqlite3.Stmt) error {
			tables = append(tables, s.ColumnText(0))
			return nil
		}); err != nil {
			return snap, fmt.Errorf("storage: snapshot: %w", err)
		}
	}
	for _, b := range db.rules.BucketsForUser(userID, tables) {
		st := BucketState{Name: b.Name, Priority: b.Priority}
		if err := db.query(`SELECT checksum, count FROM buckets WHERE name = ?`, []any{b.Name}, func(s *sqlite3.Stmt) error {
			st.Checksum, st.Count = protocol.Checksum(s.ColumnInt64(0)), s.ColumnInt64(1)
			return nil
		}); err != nil {
			return snap, fmt.Errorf("storage: snapshot: bucket %q: %w", b.Name, err)
		}
		snap.Buckets = append(snap.Buckets, st)
	}
	if err := db.query(`SELECT value FROM write_checkpoints WHERE user_id = ? AND client_id = ?`, []any{userID, clientID}, func(s *sqlite3.Stmt) error {
		snap.WriteCheckpoint = s.ColumnInt64(0)
		return nil
	}); err != nil {
		return snap, fmt.Errorf("storage: snapshot: write checkpoint: %w", err)
	}
	return snap, nil
}

// ReadOps returns up to limit ops of bucket with after < op_id <= upTo in
// op id order, whether more such ops follow, and the compaction
// generation they were read at: ops read at a generation other than the
// checkpoint's may not add up to its checksums.
func (db *DB) ReadOps(ctx context.Context, bucket string, after, upTo int64, limit int) ([]protocol.Op, bool, uint64, error) {
	if err := db.acquire(ctx); err != nil {
		return nil, false, 0, err
	}
	defer db.release()
	var ops []protocol.Op
	more := false
	err := db.query(`SELECT o.op_id, o.op, o.object_type, o.object_id, o.subkey, o.data, o.checksum
		FROM buckets b JOIN ops o ON o.bucket = b.id
		WHERE b.name = ? AND o.op_id > ? AND o.op_id <= ? ORDER BY o.op_id LIMIT ?`,
		[]any{bucket, after, upTo, limit + 1}, func(s *sqlite3.Stmt) error {
			if len(ops) == limit {
				more = true
				return nil
			}
			ops = append(ops, protocol.Op{
				OpID:       protocol.OpID(s.ColumnInt64(0)),
				Op:         protocol.OpType(s.ColumnText(1)),
				ObjectType: nullText(s, 2),
				ObjectID:   nullText(s, 3),
				Subkey:     nullText(s, 4),
				Data:       nullText(s, 5),
				Checksum:   protocol.Checksum(s.ColumnInt64(6)),
			})
			return nil
		})
	if err != nil {
		return nil, false, 0, fmt.Errorf("storage: read ops of %q: %w", bucket, err)
	}
	return ops, more, db.gen, nil
}

func nullText(s *sqlite3.Stmt, col int) *string {
	if s.ColumnType(col) == sqlite3.NULL {
		return nil
	}
	v := s.ColumnText(col)
	return &v
}

// NextWriteCheckpoint increments and returns the write checkpoint of
// (userID, clientID), starting at 1, and wakes the streams.
func (db *DB) NextWriteCheckpoint(ctx context.Context, userID, clientID string) (int64, error) {
	if err := db.acquire(ctx); err != nil {
		return 0, err
	}
	defer db.release()
	var n int64
	err := db.tx(func() error {
		return db.query(`INSERT INTO write_checkpoints(user_id, client_id, value) VALUES(?, ?, 1)
			ON CONFLICT(user_id, client_id) DO UPDATE SET value = value + 1 RETURNING value`,
			[]any{userID, clientID}, func(s *sqlite3.Stmt) error {
				n = s.ColumnInt64(0)
				return nil
			})
	})
	if err != nil {
		return 0, fmt.Errorf("storage: write checkpoint: %w", err)
	}
	db.broadcast()
	return n, nil
}

// Rows returns the rows of table: id to the row's JSON text.
func (db *DB) Rows(ctx context.Context, table string) (map[string]string, error) {
	if err := db.acquire(ctx); err != nil {
		return nil, err
	}
	defer db.release()
	out := map[string]string{}
	if err := db.query(`SELECT id, data FROM rows WHERE type = ?`, []any{table}, func(s *sqlite3.Stmt) error {
		out[s.ColumnText(0)] = s.ColumnText(1)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("storage: rows of %q: %w", table, err)
	}
	return out, nil
}
