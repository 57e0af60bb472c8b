//go:build js

package bridge

import (
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
)

// validateSchema(schemaJSON): the store's schema rules (store.Schema.Validate),
// for new Schema(...) to throw at construction what open would refuse: the
// rules have one home, in Go. Returns undefined, or the Error.
func (b *Bridge) validateSchema(args []js.Value) (any, error) {
	if err := argCount(args, 1, "validateSchema(schema)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "schema")
	if err != nil {
		return nil, err
	}
	var schema store.Schema
	if err := schema.UnmarshalJSON([]byte(text)); err != nil {
		return nil, typeErrorf("schema", "%v", err)
	}
	return nil, schema.Validate()
}
