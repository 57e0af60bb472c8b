package store

import (
	"context"
	"errors"
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

// MarshalJSON encodes the entry like PowerSync's CrudEntry.toJSON:
// {op_id, op, type, id, tx_id, data, old, metadata}.
func (e CrudEntry) MarshalJSON() ([]byte, error) {
	return nil, errors.New("store: crud entry: marshal: not implemented")
}

// CrudBatch is a run of upload queue entries handed out for upload.
type CrudBatch struct {
	Crud     []CrudEntry
	HaveMore bool

	db     *DB
	lastID int64
}

// Complete removes exactly the entries of the batch from the upload queue.
func (b *CrudBatch) Complete(ctx context.Context) error { return errNotImplemented }

// CrudTransaction is the upload queue entries of one local transaction.
type CrudTransaction struct {
	CrudBatch
	TransactionID int64
}

// GetCrudBatch returns up to limit entries from the head of the queue, or
// nil when the queue is empty.
func (db *DB) GetCrudBatch(ctx context.Context, limit int) (*CrudBatch, error) {
	return nil, errNotImplemented
}

// GetNextCrudTransaction returns the entries of the oldest queued
// transaction, or nil when the queue is empty.
func (db *DB) GetNextCrudTransaction(ctx context.Context) (*CrudTransaction, error) {
	return nil, errNotImplemented
}

// UploadQueueStats returns the number of queued entries and their total
// data size in bytes.
func (db *DB) UploadQueueStats(ctx context.Context) (count int, size int64, err error) {
	return 0, 0, errNotImplemented
}
