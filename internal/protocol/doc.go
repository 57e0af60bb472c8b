// Package protocol is PowerSync's HTTP streaming sync protocol as both of
// our sides speak it: the request a client posts to /sync/stream, the
// newline-delimited JSON lines the service answers with, the op and
// bucket checksums, and the small JSON bodies around them (write
// checkpoints, errors).
//
// The client (package psync) decodes lines; the dev server (package
// syncserver) encodes them. Keeping both in one place gives each wire rule
// one home: a shape changed here changes on both sides at once, and the
// official client (@powersync/node) is the judge of both.
//
// Sources: the service's protocol types
// (powersync-service packages/service-core/src/util/protocol-types.ts,
// docs/specs/sync-protocol.md) and the client core's parser
// (powersync-sqlite-core crates/core/src/sync/line.rs, checksum.rs).
package protocol
