package psync

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/store"
)

// This file keeps downloaded buckets in PowerSync's internal tables as the
// core extension keeps them (core sync/operations.rs, sync/checkpoint.rs,
// sync/sync_local.rs). Every function
// runs inside a store write transaction given by the caller.

// bucketState is a ps_buckets row.
type bucketState struct {
	id                          int64
	lastAppliedOp, lastOp       int64
	add, op                     protocol.Checksum
	countAtLast, countSinceLast int64
	downloadedSize              int64
}

func asInt(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// loadBucket reads the bucket called name, creating it when missing.
func loadBucket(ctx context.Context, tx *store.Tx, name string) (*bucketState, error) {
	const q = `SELECT id, last_applied_op, last_op, add_checksum, op_checksum, count_at_last, count_since_last, downloaded_size FROM ps_buckets WHERE name = ?`
	row, err := tx.GetOptional(ctx, q, name)
	if err != nil {
		return nil, err
	}
	if row == nil {
		if _, err := tx.Execute(ctx, `INSERT INTO ps_buckets(name) VALUES(?)`, name); err != nil {
			return nil, err
		}
		if row, err = tx.Get(ctx, q, name); err != nil {
			return nil, err
		}
	}
	return &bucketState{
		id: asInt(row["id"]), lastAppliedOp: asInt(row["last_applied_op"]), lastOp: asInt(row["last_op"]),
		add: protocol.Checksum(asInt(row["add_checksum"])), op: protocol.Checksum(asInt(row["op_checksum"])),
		countAtLast: asInt(row["count_at_last"]), countSinceLast: asInt(row["count_since_last"]),
		downloadedSize: asInt(row["downloaded_size"]),
	}, nil
}

func (b *bucketState) save(ctx context.Context, tx *store.Tx) error {
	_, err := tx.Execute(ctx, `UPDATE ps_buckets SET last_applied_op = ?, last_op = ?, add_checksum = ?, op_checksum = ?, count_since_last = ?, downloaded_size = ? WHERE id = ?`,
		b.lastAppliedOp, b.lastOp, int64(b.add), int64(b.op), b.countSinceLast, b.downloadedSize, b.id)
	return err
}

// storeData stores a data line's ops in their bucket: live PUTs in
// ps_oplog, every checksum in the bucket's add/op checksums, and rows that
// may need rewriting in ps_updated_rows.
func storeData(ctx context.Context, tx *store.Tx, batch *protocol.DataBatch, yield func()) error {
	b, err := loadBucket(ctx, tx, batch.Bucket)
	if err != nil {
		return err
	}
	keys, held, known, err := heldKeys(ctx, tx, b.id, batch)
	if err != nil {
		return err
	}
	stored := make(map[string]struct{}, len(keys)) // keys this line inserted
	for i := range batch.Data {
		if yield != nil && i > 0 && i%storeSlice == 0 {
			yield()
		}
		op := &batch.Data[i]
		switch op.Op {
		case protocol.OpPut, protocol.OpRemove:
			key := keys[i]
			// An op with the same key is superseded: its checksum moves
			// from op_checksum to add_checksum, where it still counts.
			// Only a key the bucket held before this line or that the
			// line stored can have one: most ops of a first sync skip
			// the DELETE.
			_, wasHeld := held[key]
			_, wasStored := stored[key]
			if wasHeld || wasStored || !known {
				rows, err := tx.GetAll(ctx, `DELETE FROM ps_oplog WHERE bucket = ? AND key = ? RETURNING hash`, b.id, key)
				if err != nil {
					return err
				}
				for _, r := range rows.Values {
					h := protocol.Checksum(asInt(r[0]))
					b.add += h
					b.op -= h
				}
			}
			if op.Op == protocol.OpPut {
				var data any
				if op.Data != nil {
					data = *op.Data
					b.downloadedSize += int64(len(*op.Data))
				}
				if _, err := tx.Execute(ctx, `INSERT INTO ps_oplog(bucket, op_id, row_type, row_id, key, data, hash) VALUES(?, ?, ?, ?, ?, ?, ?)`,
					b.id, int64(op.OpID), *op.ObjectType, *op.ObjectID, key, data, int64(op.Checksum)); err != nil {
					return err
				}
				b.op += op.Checksum
				stored[key] = struct{}{}
			} else {
				b.add += op.Checksum
				// The row may be on the data table from an earlier
				// checkpoint: the next apply looks at it again.
				if _, err := tx.Execute(ctx, `INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) VALUES(?, ?)`, *op.ObjectType, *op.ObjectID); err != nil {
					return err
				}
			}
		case protocol.OpMove:
			b.add += op.Checksum
		case protocol.OpClear:
			if err := forgetOps(ctx, tx, b.id); err != nil {
				return err
			}
			b.add, b.op, b.lastAppliedOp = op.Checksum, 0, 0
		}
		b.lastOp = max(b.lastOp, int64(op.OpID))
		b.countSinceLast++
	}
	return b.save(ctx, tx)
}

// heldKeys returns the key of each PUT or REMOVE of batch (by index, ""
// for other ops), and those of them the bucket already holds an op for,
// found with one query instead of one per op. known is false when a key
// cannot go through JSON unchanged (invalid UTF-8, NUL): every key must
// then be looked up on its own.
func heldKeys(ctx context.Context, tx *store.Tx, bucket int64, batch *protocol.DataBatch) (keys []string, held map[string]struct{}, known bool, err error) {
	keys = make([]string, len(batch.Data))
	list := make([]string, 0, len(batch.Data))
	known = true
	for i := range batch.Data {
		if op := &batch.Data[i]; op.Op == protocol.OpPut || op.Op == protocol.OpRemove {
			keys[i] = op.Key()
			list = append(list, keys[i])
			known = known && utf8.ValidString(keys[i]) && strings.IndexByte(keys[i], 0) < 0
		}
	}
	if len(list) == 0 || !known {
		return keys, nil, known, nil
	}
	js, err := json.Marshal(list)
	if err != nil {
		return nil, nil, false, err
	}
	rows, err := tx.GetAll(ctx, `SELECT key FROM ps_oplog WHERE bucket = ? AND key IN (SELECT value FROM json_each(?))`, bucket, string(js))
	if err != nil {
		return nil, nil, false, err
	}
	held = make(map[string]struct{}, rows.Len())
	for _, r := range rows.Values {
		k, _ := r[0].(string)
		held[k] = struct{}{}
	}
	return keys, held, true, nil
}

// forgetOps drops a bucket's ops, marking their rows for the next apply.
func forgetOps(ctx context.Context, tx *store.Tx, bucket int64) error {
	if _, err := tx.Execute(ctx, `INSERT OR IGNORE INTO ps_updated_rows(row_type, row_id) SELECT row_type, row_id FROM ps_oplog WHERE bucket = ?`, bucket); err != nil {
		return err
	}
	_, err := tx.Execute(ctx, `DELETE FROM ps_oplog WHERE bucket = ?`, bucket)
	return err
}

// deleteBuckets removes buckets and their ops; their rows are looked at
// again by the next apply, which deletes those no bucket holds.
func deleteBuckets(ctx context.Context, tx *store.Tx, names []string) error {
	for _, name := range names {
		row, err := tx.GetOptional(ctx, `SELECT id FROM ps_buckets WHERE name = ?`, name)
		if err != nil || row == nil {
			return err
		}
		id := asInt(row["id"])
		if err := forgetOps(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.Execute(ctx, `DELETE FROM ps_buckets WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// localBuckets returns the names of the buckets stored, with their last
// op ids.
func localBuckets(ctx context.Context, q store.Querier) ([]protocol.BucketRequest, error) {
	rows, err := q.GetAll(ctx, `SELECT name, last_op FROM ps_buckets WHERE pending_delete = 0 AND name != '$local' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := make([]protocol.BucketRequest, 0, rows.Len())
	for _, r := range rows.Values {
		name, _ := r[0].(string)
		out = append(out, protocol.BucketRequest{Name: name, After: protocol.OpID(asInt(r[1]))})
	}
	return out, nil
}

// ChecksumError reports buckets whose stored ops do not add up to the
// checksum a checkpoint announced. The buckets were deleted; the next
// connection downloads them again from the start.
type ChecksumError struct {
	Checkpoint int64 // the checkpoint's last_op_id
	Buckets    []BucketMismatch
}

// BucketMismatch is one bucket of a ChecksumError: the checksum expected
// and the one its stored ops give (add + op, modulo 2^32).
type BucketMismatch struct {
	Bucket          string
	Expected, Local uint32
}

func (e *ChecksumError) Error() string {
	msg := fmt.Sprintf("sync: checkpoint %d: checksums didn't match for", e.Checkpoint)
	for i, b := range e.Buckets {
		if i > 0 {
			msg += ","
		}
		msg += fmt.Sprintf(" %s (expected %#08x, got %#08x)", b.Bucket, b.Expected, b.Local)
	}
	return msg
}

// validate compares the buckets' stored checksums with a checkpoint's; a
// bucket with nothing stored counts as 0 (core sync/checkpoint.rs).
func validate(ctx context.Context, tx *store.Tx, cp protocol.OpID, buckets []protocol.BucketChecksum) (*ChecksumError, error) {
	rows, err := tx.GetAll(ctx, `SELECT name, add_checksum, op_checksum FROM ps_buckets`)
	if err != nil {
		return nil, err
	}
	local := make(map[string]protocol.Checksum, rows.Len())
	for _, r := range rows.Values {
		name, _ := r[0].(string)
		local[name] = protocol.Checksum(asInt(r[1])) + protocol.Checksum(asInt(r[2]))
	}
	var bad *ChecksumError
	for _, b := range buckets {
		if got := local[b.Bucket]; got != b.Checksum {
			if bad == nil {
				bad = &ChecksumError{Checkpoint: int64(cp)}
			}
			bad.Buckets = append(bad.Buckets, BucketMismatch{Bucket: b.Bucket, Expected: uint32(b.Checksum), Local: uint32(got)})
		}
	}
	return bad, nil
}

// markDownloaded records that the buckets (all when names is nil) hold
// every op up to the validated checkpoint lastOpID, so a reconnect asks
// for ops after it (core sync/storage_adapter.rs sync_local).
func markDownloaded(ctx context.Context, tx *store.Tx, lastOpID protocol.OpID, names []string) error {
	if names == nil {
		_, err := tx.Execute(ctx, `UPDATE ps_buckets SET last_op = ? WHERE name != '$local'`, int64(lastOpID))
		return err
	}
	b, err := json.Marshal(names)
	if err != nil {
		return err
	}
	_, err = tx.Execute(ctx, `UPDATE ps_buckets SET last_op = ? WHERE name IN (SELECT value FROM json_each(?))`, int64(lastOpID), string(b))
	return err
}

// canApply tells whether downloaded data may reach the data tables: not
// while the upload queue holds entries, nor while the write checkpoint
// that covers the last uploads has not been seen in a checkpoint (core
// sync/sync_local.rs can_apply_sync_changes).
func canApply(ctx context.Context, tx *store.Tx) (bool, error) {
	row, err := tx.Get(ctx, `SELECT EXISTS(SELECT 1 FROM ps_crud) AS queued,
  ifnull((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0) AS target,
  ifnull((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'last_seen_checkpoint_request_id'), 0) AS seen`)
	if err != nil {
		return false, err
	}
	return asInt(row["queued"]) == 0 && asInt(row["target"]) <= asInt(row["seen"]), nil
}

// setKV writes an integer into ps_kv.
func setKV(ctx context.Context, tx *store.Tx, key string, v int64) error {
	_, err := tx.Execute(ctx, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES(?, ?)`, key, v)
	return err
}

// applyTarget is where a synced row type lands: its data table when the
// schema has it as a synced table, else ps_untyped.
type applyTarget struct {
	upsert, remove string
}

func targetFor(schema store.Schema, rowType string) applyTarget {
	// ?1-?2: the slice of temp.ps_sync_rows; ?3: the row type.
	const slice = `FROM temp.ps_sync_rows s WHERE s.n >= ?1 AND s.n < ?2 AND s.row_type = ?3`
	if t, ok := schema.Table(rowType); ok && !t.LocalOnly {
		q := `"` + t.DataTable() + `"`
		return applyTarget{
			// Rows whose data did not change are not rewritten: observers
			// see no update when the server confirms what a client wrote.
			upsert: `REPLACE INTO ` + q + `(id, data) SELECT s.row_id, s.data ` + slice + ` AND s.data IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ` + q + ` d WHERE d.id = s.row_id AND d.data = s.data)`,
			remove: `DELETE FROM ` + q + ` WHERE id IN (SELECT s.row_id ` + slice + ` AND s.data IS NULL)`,
		}
	}
	return applyTarget{
		upsert: `REPLACE INTO ps_untyped(type, id, data) SELECT s.row_type, s.row_id, s.data ` + slice + ` AND s.data IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ps_untyped d WHERE d.type = s.row_type AND d.id = s.row_id AND d.data = s.data)`,
		remove: `DELETE FROM ps_untyped WHERE type = ?3 AND id IN (SELECT s.row_id ` + slice + ` AND s.data IS NULL)`,
	}
}

// applySlice is how many rows an apply writes between two calls of
// Options.Yield, and storeSlice how many ops a data line stores: small
// enough that a slice stays well under a 50 ms task in the browser's
// baseline-compiled SQLite (about 27,000 rows/s), since Yield only hands
// the thread back once ~8 ms of work have run.
const (
	applySlice = 250
	storeSlice = 100
)

// applyScope says which buckets an apply takes rows from: all of them
// (a complete checkpoint), or those of one priority and more urgent ones.
type applyScope struct {
	partial  bool
	priority int
	buckets  []string // partial: the buckets in scope
}

// The rows to rewrite are those with ops newer than their bucket's
// last_applied_op, and (complete checkpoints) those marked in
// ps_updated_rows. They are gathered into a temporary table bucket by
// bucket, collectSlice ops at a time along the ps_oplog_opid index, and
// then written applySlice rows at a time, each with its newest data across
// the buckets in scope (NULL when none holds the row: a delete). Every
// statement is bounded, so yield can hand the thread over between any two.
const (
	// A row may be gathered twice (ops in two buckets, or marked too): its
	// second write finds the data unchanged and is skipped.
	createApplySQL = `CREATE TEMP TABLE IF NOT EXISTS ps_sync_rows(n INTEGER PRIMARY KEY, row_type TEXT NOT NULL, row_id TEXT NOT NULL, data TEXT)`
	// sliceEndSQL finds the op id that ends the next slice of a bucket's
	// unapplied ops.
	sliceEndSQL = `SELECT max(op_id) AS hi FROM (SELECT op_id FROM ps_oplog WHERE bucket = ? AND op_id > ? ORDER BY op_id LIMIT ?)`
	// collectSQL gathers a slice of a bucket's ops (?1 the bucket, ?2-?3
	// the op ids), each row with its newest data across the buckets in
	// scope (?4: the JSON array of their ids, NULL for all), NULL when none
	// holds it; markedSQL gathers ps_updated_rows the same way, over all.
	collectSQL = `INSERT INTO temp.ps_sync_rows(row_type, row_id, data) SELECT o.row_type, o.row_id,
  (SELECT n.data FROM ps_oplog n WHERE n.row_type = o.row_type AND n.row_id = o.row_id
    AND (?4 IS NULL OR n.bucket IN (SELECT value FROM json_each(?4))) ORDER BY n.op_id DESC LIMIT 1)
  FROM ps_oplog o WHERE o.bucket = ?1 AND o.op_id > ?2 AND o.op_id <= ?3`
	markedSQL = `INSERT INTO temp.ps_sync_rows(row_type, row_id, data) SELECT o.row_type, o.row_id,
  (SELECT n.data FROM ps_oplog n WHERE n.row_type = o.row_type AND n.row_id = o.row_id ORDER BY n.op_id DESC LIMIT 1)
  FROM ps_updated_rows o`
)

// collectSlice is how many ops of a bucket one gathering statement reads.
const collectSlice = 500

// syncLocal writes the downloaded state of the buckets in scope to the
// data tables (core sync/sync_local.rs), yield called between slices,
// then records the checkpoint as applied. counts are the checkpoint's op
// counts per bucket, for download progress.
func syncLocal(ctx context.Context, tx *store.Tx, schema store.Schema, scope applyScope, counts map[string]int64, now time.Time, yield func()) error {
	pace := func() {
		if yield != nil {
			yield()
		}
	}
	if _, err := tx.Execute(ctx, createApplySQL); err != nil {
		return err
	}
	buckets, err := tx.GetAll(ctx, `SELECT id, name, last_applied_op FROM ps_buckets WHERE name != '$local'`)
	if err != nil {
		return err
	}
	var inScope string // partial: the JSON array of the names in scope
	var scopeIDs any   // partial: the JSON array of their ids
	if scope.partial {
		b, err := json.Marshal(scope.buckets)
		if err != nil {
			return err
		}
		inScope = string(b)
	}
	wanted := make(map[string]bool, len(scope.buckets))
	for _, name := range scope.buckets {
		wanted[name] = true
	}
	perStatement := collectSlice
	if yield == nil {
		perStatement = math.MaxInt32 // nothing to hand over: one statement per bucket
	}
	type bucketRef struct{ id, after int64 }
	var refs []bucketRef
	var ids []int64
	for _, r := range buckets.Values {
		if name, _ := r[1].(string); scope.partial && !wanted[name] {
			continue
		}
		refs = append(refs, bucketRef{asInt(r[0]), asInt(r[2])})
		ids = append(ids, asInt(r[0]))
	}
	if scope.partial {
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		scopeIDs = string(b)
	}
	for _, b := range refs {
		after := b.after
		for {
			end, err := tx.Get(ctx, sliceEndSQL, b.id, after, perStatement)
			if err != nil {
				return err
			}
			if end["hi"] == nil {
				break
			}
			hi := asInt(end["hi"])
			if _, err := tx.Execute(ctx, collectSQL, b.id, after, hi, scopeIDs); err != nil {
				return err
			}
			after = hi
			pace()
		}
	}
	if !scope.partial {
		if _, err := tx.Execute(ctx, markedSQL); err != nil {
			return err
		}
	}
	row, err := tx.Get(ctx, `SELECT ifnull(max(n), 0) AS n FROM temp.ps_sync_rows`)
	if err != nil {
		return err
	}
	last := asInt(row["n"])
	targets := map[string]applyTarget{}
	slice := last + 1
	if yield != nil {
		slice = applySlice
	}
	for lo := int64(1); lo <= last; lo += slice {
		hi := lo + slice
		types, err := tx.GetAll(ctx, `SELECT DISTINCT row_type FROM temp.ps_sync_rows WHERE n >= ? AND n < ?`, lo, hi)
		if err != nil {
			return err
		}
		for _, r := range types.Values {
			t, _ := r[0].(string)
			target, ok := targets[t]
			if !ok {
				target = targetFor(schema, t)
				targets[t] = target
			}
			if _, err := tx.Execute(ctx, target.upsert, lo, hi, t); err != nil {
				return fmt.Errorf("apply rows of %q: %w", t, err)
			}
			if _, err := tx.Execute(ctx, target.remove, lo, hi, t); err != nil {
				return fmt.Errorf("delete rows of %q: %w", t, err)
			}
		}
		// Emptied as it goes: one DELETE of every row would be a long
		// statement of its own.
		if _, err := tx.Execute(ctx, `DELETE FROM temp.ps_sync_rows WHERE n >= ? AND n < ?`, lo, hi); err != nil {
			return err
		}
		pace()
	}
	countsJSON, err := json.Marshal(counts)
	if err != nil {
		return err
	}
	const markApplied = `UPDATE ps_buckets SET last_applied_op = last_op,
  count_at_last = ifnull((SELECT value FROM json_each(?2) WHERE key = name), count_at_last + count_since_last), count_since_last = 0`
	at := now.UnixMicro()
	if scope.partial {
		if _, err := tx.Execute(ctx, markApplied+` WHERE name IN (SELECT value FROM json_each(?1))`, inScope, string(countsJSON)); err != nil {
			return err
		}
		_, err := tx.Execute(ctx, `INSERT OR REPLACE INTO ps_sync_state(priority, last_synced_at) VALUES(?, ?)`, scope.priority, at)
		return err
	}
	if _, err := tx.Execute(ctx, markApplied+` WHERE ?1 IS NULL`, nil, string(countsJSON)); err != nil {
		return err
	}
	if _, err := tx.Execute(ctx, `DELETE FROM ps_updated_rows`); err != nil {
		return err
	}
	if _, err := tx.Execute(ctx, `DELETE FROM ps_sync_state`); err != nil {
		return err
	}
	if _, err := tx.Execute(ctx, `INSERT INTO ps_sync_state(priority, last_synced_at) VALUES(?, ?)`, protocol.FullSyncPriority, at); err != nil {
		return err
	}
	_, err = tx.Execute(ctx, `INSERT OR REPLACE INTO ps_kv(key, value)
  SELECT 'last_applied_checkpoint_request_id', value FROM ps_kv WHERE key = 'last_seen_checkpoint_request_id'`)
	return err
}

// readSyncState reads ps_sync_state into a status: the complete sync's
// time and the priorities synced on their own.
func readSyncState(ctx context.Context, db *store.DB, s *SyncStatus) error {
	rows, err := db.GetAll(ctx, `SELECT priority, last_synced_at FROM ps_sync_state ORDER BY priority`)
	if err != nil {
		return err
	}
	s.LastSyncedAt = time.Time{}
	s.PriorityStatusEntries = nil
	for _, r := range rows.Values {
		p, at := asInt(r[0]), time.UnixMicro(asInt(r[1]))
		if p == protocol.FullSyncPriority {
			s.LastSyncedAt = at
			continue
		}
		s.PriorityStatusEntries = append(s.PriorityStatusEntries, PriorityStatus{Priority: int(p), HasSynced: true, LastSyncedAt: at})
	}
	return nil
}
