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
// 30 ms throttled watcher). The tracked changes are committed to the
// collection under the database lock (so an initial-load batch, read in
// a read transaction, can never interleave with them) and delivered to
// subscribers once the lock is released, so subscribers may use the
// database. With the bridge's pacer (Options.Yield, and the store's
// Options.Yield) a large write, such as a 100,000-row sync checkpoint,
// reaches the collection in slices of 500 changes and its subscribers in
// as many batches, the thread handed back between them, as an initial load
// does: the collection shows such a checkpoint as it lands (its rows are
// all in SQLite already), not in one step.
//
// On-demand collections push the WHERE of each LoadSubset down to SQLite
// (CompileWhere) and decide whether a changed row belongs to an active
// subset with collection.Matches on the row as the view shows it. like is
// case-sensitive in both (GLOB in SQL); ilike folds case with SQLite's
// LOWER, which only folds ASCII, while collection.Eval folds Unicode.
package powersync
