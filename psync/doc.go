// Package psync is a PowerSync sync client for a store.DB: it downloads a
// PowerSync service's buckets over the HTTP streaming sync protocol into
// the database's internal tables (ps_buckets, ps_oplog, ps_updated_rows,
// ps_sync_state, ps_kv), verifies their checksums, applies complete
// checkpoints to the data tables, and uploads the upload queue (ps_crud)
// through the app's own backend.
//
// It does what PowerSync's SDKs do with the core extension's
// powersync_control (powersync-sqlite-core crates/core/src/sync/), written
// in Go over the store's ordinary write path, so every collection, watch
// and OnChange subscriber sees synced rows exactly as it sees local
// writes. The rules it follows, from those sources:
//
//   - Ops are stored and checksummed as the core stores them: only live
//     PUTs in ps_oplog, superseded ops folded into add_checksum, CLEAR
//     resetting a bucket. A checkpoint whose bucket checksums do not add up
//     is not applied; those buckets are deleted and downloaded again.
//   - A checkpoint reaches the data tables only when the upload queue is
//     empty and the server has acknowledged the last write checkpoint
//     (ps_kv target_checkpoint_request_id <= last_seen). Rows written
//     locally (ps_updated_rows) are then rewritten to the server's state,
//     so a write the backend rejected is reverted. Priority-0 buckets are
//     applied even with local changes waiting, as in PowerSync.
//   - Large checkpoints are applied in slices with Options.Yield called
//     between them, inside one transaction, so that a single-threaded host
//     (a browser page) stays responsive and observers never see half a
//     checkpoint.
//   - The stream is read one line at a time, never buffered whole; any
//     error or closed stream reconnects after RetryDelay (with jitter),
//     resuming from the stored ops.
//
// The HTTP transport is the HTTPClient interface: NetHTTP natively, the
// browser's streaming fetch in the WebAssembly module.
package psync
