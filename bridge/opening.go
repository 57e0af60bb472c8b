//go:build js

package bridge

import (
	"syscall/js"

	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/store"
)

// opening is a database the JS package is still opening, for the
// collections made before it opens (powersync.Opening).
type opening struct {
	schema store.Schema
	open   *powersync.Opening
}

// exportOpenings adds openingDatabase and settleOpening.
func (b *Bridge) exportOpenings(obj js.Value) {
	obj.Set("openingDatabase", b.sync(b.openingDatabase))
	obj.Set("settleOpening", b.sync(b.settleOpening))
}

// openingDatabase(schemaJSON): { opening: id }, standing for a database
// being opened with that schema: createCollection takes it in place of an
// open database. settleOpening tells it how the open ended.
func (b *Bridge) openingDatabase(args []js.Value) (any, error) {
	if err := argCount(args, 1, "openingDatabase(schema)"); err != nil {
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
	b.mu.Lock()
	b.nextOpening++
	id := b.nextOpening
	b.openings[id] = &opening{schema: schema, open: powersync.NewOpening()}
	b.mu.Unlock()
	v := b.deps.object.New()
	v.Set("opening", id)
	return v, nil
}

// settleOpening(opening, database, error): the open has ended, with the
// database object of openDatabase, or (database undefined) with error, the
// JS error the open failed with, which the collections' waiting
// transactions then fail with.
func (b *Bridge) settleOpening(args []js.Value) (any, error) {
	if err := argCount(args, 3, "settleOpening(opening, database, error)"); err != nil {
		return nil, err
	}
	op, id, err := b.openingOf(args[0])
	if err != nil {
		return nil, err
	}
	if args[1].Type() == js.TypeUndefined {
		op.open.Fail(&JSError{Value: args[2]})
	} else {
		d, err := b.databaseOf(args[1])
		if err != nil {
			return nil, err
		}
		op.open.Open(d.db)
	}
	b.mu.Lock()
	delete(b.openings, id)
	b.mu.Unlock()
	return nil, nil
}

// openingOf finds the opening v stands for.
func (b *Bridge) openingOf(v js.Value) (*opening, int, error) {
	if v.Type() != js.TypeObject || v.Get("opening").Type() != js.TypeNumber {
		return nil, 0, typeErrorf("opening", "want the object of openingDatabase")
	}
	id := v.Get("opening").Int()
	b.mu.Lock()
	op := b.openings[id]
	b.mu.Unlock()
	if op == nil {
		return nil, 0, typeErrorf("opening", "the open has already ended")
	}
	return op, id, nil
}
