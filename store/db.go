package store

import (
	"context"
	"errors"
)

// Options configures Open.
type Options struct {
	// VFS is the name of a registered SQLite VFS; "" selects the default.
	VFS string
	// Durability, when non-nil, tells Flush when committed writes are
	// durable (the browser's OPFS journal). When nil, a commit is durable
	// when it returns.
	Durability interface {
		WaitDurable(ctx context.Context) error
	}
}

// DB is an open PowerSync-compatible database. It is safe for concurrent
// use; writes are serialized.
type DB struct {
	schema Schema
}

var errNotImplemented = errors.New("not implemented")

// Open opens (creating if needed) the database at path, or an in-memory
// database for ":memory:", creates PowerSync's internal tables and
// materializes schema, migrating an existing database to it.
func Open(ctx context.Context, path string, schema Schema, opts *Options) (*DB, error) {
	return nil, errNotImplemented
}

// Close closes the database.
func (db *DB) Close() error { return errNotImplemented }

// Schema returns the current schema.
func (db *DB) Schema() Schema { return db.schema }

// UpdateSchema replaces the schema, rebuilding views, triggers and indexes
// while keeping data.
func (db *DB) UpdateSchema(ctx context.Context, s Schema) error { return errNotImplemented }

// ClientID returns the database's PowerSync client id (ps_kv client_id).
func (db *DB) ClientID() string { return "" }

// Flush waits until all committed writes are durable.
func (db *DB) Flush(ctx context.Context) error { return errNotImplemented }
