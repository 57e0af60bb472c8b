package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsonnum"
	"github.com/localfirst/gopowersync/internal/jsontext"
)

// Op is the kind of an upload queue entry.
type Op string

// The upload queue operations.
const (
	OpPut    Op = "PUT"
	OpPatch  Op = "PATCH"
	OpDelete Op = "DELETE"
)

// CrudEntry is one entry of the upload queue (a ps_crud row).
type CrudEntry struct {
	ClientID       int64 // ps_crud.id
	ID             string
	Op             Op
	Table          string         // "type"
	OpData         map[string]any // nil for DELETE
	TransactionID  int64
	Metadata       *string
	PreviousValues map[string]any // "old", nil when not tracked
}

// crudEntryJSON is CrudEntry's JSON form, PowerSync's CrudEntry.toJSON.
type crudEntryJSON struct {
	OpID     int64          `json:"op_id"`
	Op       Op             `json:"op"`
	Type     string         `json:"type"`
	ID       string         `json:"id"`
	TxID     int64          `json:"tx_id"`
	Data     map[string]any `json:"data,omitempty"`
	Old      map[string]any `json:"old,omitempty"`
	Metadata *string        `json:"metadata,omitempty"`
}

// MarshalJSON encodes the entry like PowerSync's CrudEntry.toJSON:
// {op_id, op, type, id, tx_id, data, old, metadata}.
func (e CrudEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal(crudEntryJSON{
		OpID: e.ClientID, Op: e.Op, Type: e.Table, ID: e.ID, TxID: e.TransactionID,
		Data: e.OpData, Old: e.PreviousValues, Metadata: e.Metadata,
	})
}

// parseEntry reads one ps_crud row in one pass with jsontext (the rules
// of all our JSON text): the entry's strings, and its data and old objects
// member by member, numbers kept as int64 where they are integers.
func parseEntry(id, txID int64, data string) (CrudEntry, error) {
	e := CrudEntry{ClientID: id, TransactionID: txID}
	var d jsontext.Decoder
	d.ResetString(data)
	if err := readEntry(&d, &e); err != nil {
		return CrudEntry{}, fmt.Errorf("entry %d: %w", id, err)
	}
	return e, nil
}

func readEntry(d *jsontext.Decoder, e *CrudEntry) error {
	d.Space()
	if d.Peek() != '{' {
		return errNotObject
	}
	more, err := d.Open('}')
	for more && err == nil {
		var key []byte
		if key, err = d.Key(); err != nil {
			return fmt.Errorf("%w: %w", errNotObject, err)
		}
		switch name := string(key); name { // no allocation: the cases are constants
		case "op", "id", "type", "metadata":
			if d.Peek() == 'n' {
				err = d.Null()
				break
			}
			start := d.Offset()
			if d.Peek() != '"' {
				return fmt.Errorf("%s: %w", name, d.Mismatch("string"))
			}
			if err = d.SkipString(); err != nil {
				break
			}
			var s string
			if s, err = decodeString(d.Input()[start:d.Offset()]); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			switch name {
			case "op":
				e.Op = Op(s)
			case "id":
				e.ID = s
			case "type":
				e.Table = s
			case "metadata":
				e.Metadata = &s
			}
		case "data", "old":
			if d.Peek() == 'n' {
				err = d.Null()
				break
			}
			var obj map[string]any
			if obj, err = readObject(d); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if name == "data" {
				e.OpData = obj
			} else {
				e.PreviousValues = obj
			}
		default:
			err = d.Skip()
		}
		if err == nil {
			more, err = d.Next('}')
		}
	}
	if err == nil {
		err = d.End()
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errNotObject, err)
	}
	return nil
}

// decodeObject decodes a JSON object into Go values: strings, int64 for
// integers and float64 for other numbers (the types SQLite's INTEGER and
// REAL columns read as, so large integers keep their precision), bools,
// nil, and nested objects and arrays.
func decodeObject(raw []byte) (map[string]any, error) {
	var d jsontext.Decoder
	d.Reset(raw)
	d.Space()
	obj, err := readObject(&d)
	if err == nil {
		err = d.End()
	}
	return obj, err
}

// readObject reads the object at d's offset as decodeObject decodes one
// (a repeated key: the last value).
func readObject(d *jsontext.Decoder) (map[string]any, error) {
	if d.Peek() != '{' {
		return nil, errNotObject
	}
	out := make(map[string]any)
	more, err := d.Open('}')
	for more && err == nil {
		var token []byte
		if token, err = d.KeyToken(); err != nil {
			return nil, err
		}
		start := d.Offset()
		if err = d.Skip(); err != nil {
			return nil, err
		}
		var key string
		if key, err = decodeString(token); err != nil {
			return nil, err
		}
		var v any
		if v, err = decodeValue(d.Input()[start:d.Offset()]); err != nil {
			return nil, err
		}
		out[key] = v
		more, err = d.Next('}')
	}
	return out, err
}

func decodeValue(raw []byte) (any, error) {
	switch {
	case len(raw) == 0:
		return nil, errNotObject
	case raw[0] == '"':
		return decodeString(raw)
	case isNumberStart(raw[0]):
		if !isFloatText(raw) {
			if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
				return i, nil
			}
		}
		return jsonnum.ParseFloat(string(raw))
	case string(raw) == "null":
		return nil, nil
	case string(raw) == "true":
		return true, nil
	case string(raw) == "false":
		return false, nil
	}
	var v any
	if err := decodeAny(raw, &v); err != nil {
		return nil, err
	}
	return typedValue(v), nil
}

// typedValue converts the json.Numbers inside a decoded value.
func typedValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		n, _ := decodeValue([]byte(v))
		return n
	case []any:
		for i := range v {
			v[i] = typedValue(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = typedValue(v[k])
		}
	}
	return v
}

// CrudBatch is a run of upload queue entries handed out for upload.
type CrudBatch struct {
	Crud     []CrudEntry
	HaveMore bool

	db     *DB
	lastID int64
}

// Complete removes exactly the entries of the batch from the upload queue
// (those up to the batch's last entry, as in PowerSync). When the queue is
// then empty, it sets the checkpoint target to "any new checkpoint", so
// that downloads resume once the server has seen the uploads.
func (b *CrudBatch) Complete(ctx context.Context) error {
	if b == nil || b.db == nil {
		return nil
	}
	db := b.db
	err := db.write(ctx, func() error {
		if _, err := db.run(ctx, `DELETE FROM ps_crud WHERE id <= ?`, []any{b.lastID}, false); err != nil {
			return err
		}
		res, err := db.run(ctx, `SELECT 1 FROM ps_crud LIMIT 1`, nil, false)
		if err != nil {
			return err
		}
		if res.Rows.Len() == 0 {
			_, err = db.run(ctx, `INSERT OR REPLACE INTO ps_kv(key, value) VALUES('target_checkpoint_request_id', `+maxOpID+`)`, nil, false)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: upload queue: complete batch: %w", err)
	}
	return nil
}

// CrudTransaction is the upload queue entries of one local transaction.
type CrudTransaction struct {
	CrudBatch
	TransactionID int64
}

// GetCrudBatch returns up to limit entries from the head of the queue, or
// nil when the queue is empty. HaveMore tells whether more entries wait.
func (db *DB) GetCrudBatch(ctx context.Context, limit int) (*CrudBatch, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.GetAll(ctx, `SELECT id, tx_id, data FROM ps_crud ORDER BY id ASC LIMIT ?`, limit+1)
	if err != nil {
		return nil, fmt.Errorf("store: upload queue: get batch: %w", err)
	}
	if rows.Len() == 0 {
		return nil, nil
	}
	b := &CrudBatch{db: db, HaveMore: rows.Len() > limit}
	if b.HaveMore {
		rows.Values = rows.Values[:limit]
	}
	if b.Crud, err = entries(rows); err != nil {
		return nil, fmt.Errorf("store: upload queue: get batch: %w", err)
	}
	b.lastID = b.Crud[len(b.Crud)-1].ClientID
	return b, nil
}

// GetNextCrudTransaction returns the entries of the oldest queued
// transaction (the consecutive entries sharing the first entry's tx_id),
// or nil when the queue is empty.
func (db *DB) GetNextCrudTransaction(ctx context.Context) (*CrudTransaction, error) {
	return db.GetCrudTransactionAfter(ctx, 0)
}

// GetCrudTransactionAfter is GetNextCrudTransaction for the entries after
// the entry whose ClientID is after (0: from the head), so that a caller
// can walk the queue a transaction at a time without completing any, as
// PowerSync's getCrudTransactions does. Completing one completes every
// entry up to its last.
func (db *DB) GetCrudTransactionAfter(ctx context.Context, after int64) (*CrudTransaction, error) {
	rows, err := db.GetAll(ctx, `
WITH RECURSIVE crud_entries AS (
  SELECT id, tx_id, data FROM ps_crud WHERE id = (SELECT min(id) FROM ps_crud WHERE id > ?)
  UNION ALL
  SELECT ps_crud.id, ps_crud.tx_id, ps_crud.data FROM ps_crud
    INNER JOIN crud_entries ON crud_entries.id + 1 = rowid
   WHERE crud_entries.tx_id = ps_crud.tx_id
)
SELECT * FROM crud_entries`, after)
	if err != nil {
		return nil, fmt.Errorf("store: upload queue: next transaction: %w", err)
	}
	if rows.Len() == 0 {
		return nil, nil
	}
	crud, err := entries(rows)
	if err != nil {
		return nil, fmt.Errorf("store: upload queue: next transaction: %w", err)
	}
	last := crud[len(crud)-1].ClientID
	more, err := db.GetOptional(ctx, `SELECT 1 FROM ps_crud WHERE id > ? LIMIT 1`, last)
	if err != nil {
		return nil, fmt.Errorf("store: upload queue: next transaction: %w", err)
	}
	return &CrudTransaction{
		CrudBatch:     CrudBatch{Crud: crud, HaveMore: more != nil, db: db, lastID: last},
		TransactionID: crud[0].TransactionID,
	}, nil
}

func entries(rows Rows) ([]CrudEntry, error) {
	out := make([]CrudEntry, rows.Len())
	for i, r := range rows.Values {
		id, _ := r[0].(int64)
		txID, _ := r[1].(int64)
		data, _ := r[2].(string)
		e, err := parseEntry(id, txID, data)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// UploadQueueStats returns the number of queued entries and their total
// data size in bytes.
func (db *DB) UploadQueueStats(ctx context.Context) (count int, size int64, err error) {
	row, err := db.Get(ctx, `SELECT count(*) AS count, ifnull(sum(length(data)), 0) AS size FROM ps_crud`)
	if err != nil {
		return 0, 0, fmt.Errorf("store: upload queue: stats: %w", err)
	}
	return int(row["count"].(int64)), row["size"].(int64), nil
}
