// Package store is a PowerSync-compatible local database: it materializes a
// PowerSync client schema in SQLite (data tables, typed views, INSTEAD OF
// triggers, indexes), records local writes in PowerSync's upload queue
// (ps_crud) exactly as PowerSync's core extension does, and notifies
// subscribers of committed changes.
//
// The database uses one connection behind a mutex: SQLite runs inside the Go
// process (ncruces/go-sqlite3 compiles it to WebAssembly and runs it on
// wazero), so a second connection would only add locking without
// parallelism.
package store
