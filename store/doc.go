// Package store is a PowerSync-compatible local database: it materializes a
// PowerSync client schema in SQLite (data tables, typed views, INSTEAD OF
// triggers, indexes), records local writes in PowerSync's upload queue
// (ps_crud) exactly as PowerSync's core extension does, and notifies
// subscribers of committed changes.
//
// The generated SQL is byte for byte what PowerSync's core generates
// (testdata/ddl.golden), and the functions and virtual tables it calls
// (powersync_diff, powersync_strip_subtype, powersync_json_merge,
// powersync_crud, powersync_crud_) are implemented in Go on the connection,
// so a database file is interchangeable with one PowerSync's SDKs write.
//
// Design, briefly:
//
//   - One connection serves every call, one call at a time (a channel used
//     as a lock, so waiting honours a context). SQLite runs inside the Go
//     process (ncruces/go-sqlite3 translates it to Go), so more connections
//     would only add locking, and a single writer is what PowerSync has.
//   - Transaction ids come from the powersync_crud virtual table's xBegin,
//     as in the core: one id per SQLite transaction that records a write,
//     rolled back with it.
//   - OnChange collects table names with SQLite's pre-update hook and
//     delivers them after COMMIT, outside the lock, in commit order.
//   - TrackRows records row changes with temporary AFTER triggers into a
//     temporary table drained right before COMMIT, so failed statements and
//     rolled back transactions never reach a tracker.
//   - Watch finds the tables a query reads from its EXPLAIN plan, as
//     PowerSync does, and re-runs it on OnChange.
package store
