// Package syncserver is a development sync server that speaks PowerSync's
// HTTP sync protocol, so that our client (package psync) and the official
// @powersync/node and @powersync/web clients can sync with it over
// loopback with no other service running.
//
// It is not a production service. A PowerSync service replicates from
// Postgres, MongoDB or MySQL, scales out, and enforces full sync rules;
// this server keeps its rows in one SQLite file, applies uploads itself
// as "the backend", and understands only a small subset of sync rules.
// Use it for development, tests and demos.
//
// Routes (all errors are the service's JSON body
// {"error":{"code","status","description","name"}}; every route answers
// CORS preflights and carries CORS headers):
//
//   - POST /sync/stream: the sync stream, application/x-ndjson
//     (powersync-service packages/service-core/src/routes/endpoints/sync-stream.ts,
//     src/sync/sync.ts).
//   - GET /write-checkpoint2.json?client_id=ID: a new write checkpoint,
//     {"data":{"write_checkpoint":"N"}}
//     (routes/endpoints/checkpointing.ts; protocol-vectors.md §5).
//   - GET /api/token?user_id=ID[&expires_in=S]: a dev token,
//     {"token","endpoint","expires_at"} (ours; see Server.Token).
//   - POST /api/upload {"batch":[Entry...],"client_id"?}: applies an
//     upload batch as a backend would, 200 {} (ours; see Server.Apply).
//   - POST /api/compact: compacts the op log (see Server.Compact).
//
// Buckets come from sync rules (Config.Rules) or, without them, one
// bucket "<table>[]" per table that every user syncs. Rows, the op log
// and bucket checksums live in SQLite (Config.Path), so a restarted
// server carries on where it stopped and clients resume without
// downloading again.
package syncserver
