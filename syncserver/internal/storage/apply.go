package storage

import (
	"context"
	"fmt"
	"slices"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver/internal/rowjson"
)

// Write is one change to a row, as an upload entry asks for it.
type Write struct {
	// Op is "PUT" (replace the row), "PATCH" (merge into it, creating it
	// when missing) or "DELETE".
	Op   string
	Type string
	ID   string
	// Data holds the columns, never "id": the whole row for PUT, the
	// columns to change for PATCH; unused for DELETE.
	Data rowjson.Object
	// OpID is the client's id for the entry (its ps_crud id), 0 when
	// unknown.
	OpID int64
}

// Subkey is the subkey of every op of row (table, id), in every bucket.
// The client keys ops by object type, id and subkey, and a REMOVE's
// checksum hashes the subkey, so any string stable per row works
// (protocol-vectors.md §1); this one is the constructed sample's
// (protocol-vectors.md §3, "sk-todos-t2").
func Subkey(table, id string) string { return "sk-" + table + "-" + id }

// Apply applies writes in one transaction and returns how many ops it
// appended. With a clientID, writes whose OpID is at most the highest
// OpID already applied for that client are skipped (an upload retried
// after its answer was lost). A write that leaves its row as it was
// appends nothing.
func (db *DB) Apply(ctx context.Context, clientID string, writes []Write) (int, error) {
	if err := db.acquire(ctx); err != nil {
		return 0, err
	}
	defer db.release()
	appended := 0
	err := db.tx(func() error {
		var applied int64
		if clientID != "" {
			if err := db.query(`SELECT last_op_id FROM upload_clients WHERE client_id = ?`, []any{clientID}, func(s *sqlite3.Stmt) error {
				applied = s.ColumnInt64(0)
				return nil
			}); err != nil {
				return err
			}
		}
		latest := applied
		for i, w := range writes {
			if clientID != "" && w.OpID > 0 && w.OpID <= applied {
				continue
			}
			n, err := db.write(w)
			if err != nil {
				return fmt.Errorf("write %d (%s %s/%s): %w", i, w.Op, w.Type, w.ID, err)
			}
			appended += n
			latest = max(latest, w.OpID)
		}
		if clientID != "" && latest > applied {
			return db.exec(`INSERT INTO upload_clients(client_id, last_op_id) VALUES(?, ?)
				ON CONFLICT(client_id) DO UPDATE SET last_op_id = excluded.last_op_id`, clientID, latest)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: apply: %w", err)
	}
	if appended > 0 {
		db.broadcast()
	}
	return appended, nil
}

// write applies one write and returns how many ops it appended.
func (db *DB) write(w Write) (int, error) {
	old, exists, err := db.row(w.Type, w.ID)
	if err != nil {
		return 0, err
	}
	var row rowjson.Object
	switch w.Op {
	case "PUT":
		row = newRow(w.ID)
		for _, f := range w.Data {
			row.Set(f.Key, f.Value)
		}
	case "PATCH":
		if exists {
			if row, err = rowjson.Parse([]byte(old)); err != nil {
				return 0, fmt.Errorf("stored row: %w", err)
			}
		} else {
			row = newRow(w.ID)
		}
		for _, f := range w.Data {
			row.Set(f.Key, f.Value)
		}
	case "DELETE":
		if !exists {
			return 0, nil
		}
		if err := db.exec(`DELETE FROM rows WHERE type = ? AND id = ?`, w.Type, w.ID); err != nil {
			return 0, err
		}
		return db.place(w.Type, w.ID, "", nil, true)
	default:
		return 0, fmt.Errorf("unknown op %q", w.Op)
	}
	text := row.String()
	if exists && text == old {
		return 0, nil
	}
	if err := db.exec(`INSERT INTO rows(type, id, data) VALUES(?, ?, ?)
		ON CONFLICT(type, id) DO UPDATE SET data = excluded.data`, w.Type, w.ID, text); err != nil {
		return 0, err
	}
	if err := db.exec(`INSERT OR IGNORE INTO tables(name) VALUES(?)`, w.Type); err != nil {
		return 0, err
	}
	return db.place(w.Type, w.ID, text, db.rules.BucketsForRow(w.Type, row), true)
}

func newRow(id string) rowjson.Object {
	return rowjson.Object{{Key: "id", Value: rowjson.AppendString(nil, id)}}
}

func (db *DB) row(table, id string) (string, bool, error) {
	var text string
	found := false
	err := db.query(`SELECT data FROM rows WHERE type = ? AND id = ?`, []any{table, id}, func(s *sqlite3.Stmt) error {
		text, found = s.ColumnText(0), true
		return nil
	})
	return text, found, err
}

// place records that row (table, id), whose text is data, now belongs to
// buckets (sorted; none when deleted): a REMOVE in each bucket it leaves,
// then a PUT in each bucket it enters, and with changed also in each it
// stays in. It returns the number of ops appended.
func (db *DB) place(table, id, data string, buckets []string, changed bool) (int, error) {
	type member struct {
		name string
		id   int64
	}
	var old []member
	if err := db.query(`SELECT b.name, b.id FROM memberships m JOIN buckets b ON b.id = m.bucket
		WHERE m.type = ? AND m.id = ? ORDER BY b.name`, []any{table, id}, func(s *sqlite3.Stmt) error {
		old = append(old, member{s.ColumnText(0), s.ColumnInt64(1)})
		return nil
	}); err != nil {
		return 0, err
	}
	subkey := Subkey(table, id)
	n := 0
	for _, m := range old {
		if slices.Contains(buckets, m.name) {
			continue
		}
		if err := db.appendOp(m.id, protocol.OpRemove, table, id, subkey, nil, protocol.RemoveChecksum(subkey)); err != nil {
			return n, err
		}
		n++
		if err := db.exec(`DELETE FROM memberships WHERE type = ? AND id = ? AND bucket = ?`, table, id, m.id); err != nil {
			return n, err
		}
	}
	if len(buckets) == 0 {
		return n, nil
	}
	ck := protocol.PutChecksum(table, id, data)
	for _, name := range buckets {
		was := slices.ContainsFunc(old, func(m member) bool { return m.name == name })
		if was && !changed {
			continue
		}
		bid, err := db.bucketID(name)
		if err != nil {
			return n, err
		}
		if err := db.appendOp(bid, protocol.OpPut, table, id, subkey, &data, ck); err != nil {
			return n, err
		}
		n++
		if !was {
			if err := db.exec(`INSERT INTO memberships(type, id, bucket) VALUES(?, ?, ?)`, table, id, bid); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

func (db *DB) bucketID(name string) (int64, error) {
	var id int64
	if err := db.query(`SELECT id FROM buckets WHERE name = ?`, []any{name}, func(s *sqlite3.Stmt) error {
		id = s.ColumnInt64(0)
		return nil
	}); err != nil || id != 0 {
		return id, err
	}
	if err := db.exec(`INSERT INTO buckets(name) VALUES(?)`, name); err != nil {
		return 0, err
	}
	return db.conn.LastInsertRowID(), nil
}

// appendOp appends an op to bucket's log and adds it to the bucket's
// checksum (wrapping at 2^32), count and last op.
func (db *DB) appendOp(bucket int64, op protocol.OpType, table, id, subkey string, data *string, ck protocol.Checksum) error {
	if err := db.exec(`INSERT INTO ops(bucket, op, object_type, object_id, subkey, data, checksum) VALUES(?, ?, ?, ?, ?, ?, ?)`,
		bucket, string(op), table, id, subkey, data, uint32(ck)); err != nil {
		return err
	}
	opID := db.conn.LastInsertRowID()
	db.txHead = opID
	return db.exec(`UPDATE buckets SET checksum = (checksum + ?) % 4294967296, count = count + 1, last_op = ? WHERE id = ?`,
		uint32(ck), opID, bucket)
}

// replaceAll places every row again under the current rules, appending
// ops only where a row's buckets changed.
func (db *DB) replaceAll() error {
	type stored struct{ table, id, data string }
	var all []stored
	if err := db.query(`SELECT type, id, data FROM rows ORDER BY type, id`, nil, func(s *sqlite3.Stmt) error {
		all = append(all, stored{s.ColumnText(0), s.ColumnText(1), s.ColumnText(2)})
		return nil
	}); err != nil {
		return err
	}
	for _, r := range all {
		row, err := rowjson.Parse([]byte(r.data))
		if err != nil {
			return fmt.Errorf("row %s/%s: %w", r.table, r.id, err)
		}
		if _, err := db.place(r.table, r.id, r.data, db.rules.BucketsForRow(r.table, row), false); err != nil {
			return fmt.Errorf("row %s/%s: %w", r.table, r.id, err)
		}
	}
	return nil
}
