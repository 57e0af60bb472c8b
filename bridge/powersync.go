//go:build js

package bridge

import (
	"errors"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
)

// errNoPowerSync stands in until package collection/powersync lands.
var errNoPowerSync = errors.New("bridge: PowerSync collections are not available yet")

// powerSyncConfig builds the collection config for a table of d.
func (b *Bridge) powerSyncConfig(d *database, table string, opts map[string]any) (collection.Config, error) {
	return collection.Config{}, errNoPowerSync
}

// applyTransaction(db, txID, cb) writes a transaction's mutations with the
// PowerSync transactor and waits until they are durable.
func (b *Bridge) applyTransaction(args []js.Value) (func() (any, error), error) {
	return nil, errNoPowerSync
}

// getMeta(): JSON {tableName, trackedTableName, metadataIsTracked}.
func (k *coll) getMeta(args []js.Value) (any, error) {
	return nil, errNoPowerSync
}
