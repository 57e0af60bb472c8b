package powersync

import (
	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// Meta describes the table behind a PowerSync collection.
type Meta struct {
	// TableName is the SQL name of the table's view (what users query).
	TableName string
	// TrackedTableName names the change tracking of this collection. There
	// is no tracking table (changes come from store.TrackRows); the name is
	// kept for parity with the reference's utils.
	TrackedTableName string
	// MetadataIsTracked reports whether the table records mutation metadata.
	MetadataIsTracked bool
}

// Utils is the Config.Utils of a PowerSync collection.
type Utils struct {
	meta       Meta
	table      store.Table
	open       *Opening
	serializer map[string]func(any) (any, error)
}

// GetMeta returns the table's description.
func (u *Utils) GetMeta() Meta { return u.meta }

// SerializeValue converts an item to SQLite column values, as the
// transactor writes them.
func (u *Utils) SerializeValue(item collection.Row) (map[string]any, error) {
	out := make(map[string]any, len(item))
	for k, v := range item {
		sv, err := serializeField(u.table, u.serializer, k, v)
		if err != nil {
			return nil, err
		}
		out[k] = sv
	}
	return out, nil
}

// utilsOf returns the Utils of a PowerSync collection.
func utilsOf(c *collection.Collection) (*Utils, bool) {
	u, ok := c.Utils().(*Utils)
	return u, ok
}
