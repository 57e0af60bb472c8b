// Package powersync connects collections to a PowerSync table of a
// store.DB, as TanStack DB's @tanstack/powersync-db-collection does:
// CollectionOptions returns a collection.Config whose sync source mirrors
// the table (every writer: collections, raw SQL, sync) and whose handlers
// persist mutations through a Transactor, which writes all mutations of a
// transaction in one SQLite transaction.
//
// Mirroring uses store.TrackRows: the changes of each committed write
// transaction reach the collection before the write returns, so a
// transaction is persisted exactly when the collection shows the stored
// rows, with no polling window (the reference uses diff triggers and a
// 30 ms throttled watcher).
package powersync
