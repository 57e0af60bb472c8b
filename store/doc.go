// Package store is a PowerSync-compatible local database: it materializes a
// PowerSync client schema in SQLite (data tables, typed views, INSTEAD OF
// triggers, indexes), records local writes in PowerSync's upload queue
// (ps_crud) exactly as PowerSync's core extension does, and notifies
// subscribers of committed changes.
//
// The views and indexes are byte for byte what PowerSync's core generates
// (testdata/ddl.golden); the INSTEAD OF triggers have the core's names,
// checks and statements but build the upload queue entries with SQLite's
// JSON functions, and the entries are the core's (testdata/crud.golden).
// Two known differences: reals of 1e16 and more (or below 1e-5) print as
// SQLite prints them (1.0e+20, where the core's serde_json prints 1e20),
// and an UPDATE skipped by IgnoreEmptyUpdates does not use up a
// transaction id.
//
// Design, briefly:
//
//   - One connection serves every call, one call at a time (a channel used
//     as a lock, so waiting honours a context). SQLite runs inside the Go
//     process (ncruces/go-sqlite3 translates it to Go), so more connections
//     would only add locking, and a single writer is what PowerSync has.
//   - Upload queue entries are written by SQL in the triggers: a call into
//     Go per row (the core's powersync_crud virtual table and functions)
//     halves the write rate under WebAssembly. Entries take ps_tx.next_tx
//     as their transaction id and the store increments it right before
//     COMMIT, so each SQLite transaction that records writes gets one id
//     and a rolled back one none.
//   - OnChange learns the tables each statement may write from SQLite's
//     authorizer when the statement is compiled, counts them changed when
//     the statement changed rows, and delivers the names after COMMIT,
//     outside the lock, in commit order. Nothing runs per row.
//   - TrackRows records row changes with temporary AFTER triggers into a
//     temporary table, read and emptied right after COMMIT, so failed
//     statements and rolled back transactions never reach a tracker, and
//     the changes wait in SQLite, not in the Go heap. With Options.Yield
//     (the browser's pacer) a large transaction is read and handed to the
//     trackers in slices of 500 changes, Yield called between them and the
//     lock held throughout: a tracker gets a 100,000-row sync checkpoint
//     in several calls, never interleaved with another write.
//   - Watch finds the tables a query reads from its EXPLAIN plan, as
//     PowerSync does, and re-runs it on OnChange.
package store
