//go:build js

package bridge

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
)

// createLocalCollection(options, getKey, onInsert, onUpdate, onDelete,
// initialData, blobs): a collection that lives in memory only, as
// TanStack DB's localOnlyCollectionOptions describes it. options is JSON
// {id?}; getKey(payload) returns an item's key (a string) from the item as
// JSON payload; each handler, a function or undefined, is called with a
// transaction id and returns a promise; initialData is JSON text of an
// array of items (or undefined). Returns the collection's object.
func (b *Bridge) createLocalCollection(args []js.Value) (any, error) {
	if err := argCount(args, 7, "createLocalCollection(options, getKey, onInsert, onUpdate, onDelete, initialData, blobs)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "options")
	if err != nil {
		return nil, err
	}
	opts, err := DecodeObject([]byte(text), nil)
	if err != nil {
		return nil, err
	}
	var cfg collection.Config
	for k, v := range opts {
		switch k {
		case "id":
			id, ok := v.(string)
			if !ok {
				return nil, typeErrorf("id", "want a string")
			}
			cfg.ID = id
		default:
			return nil, typeErrorf(k, "unsupported option")
		}
	}
	getKey, err := goFunc(args[1], "getKey")
	if err != nil {
		return nil, err
	}
	cfg.GetKey = b.jsGetKey(getKey)
	handlers := []*collection.MutationHandler{&cfg.OnInsert, &cfg.OnUpdate, &cfg.OnDelete}
	for i, name := range []string{"onInsert", "onUpdate", "onDelete"} {
		switch fn := args[2+i]; fn.Type() {
		case js.TypeFunction:
			*handlers[i] = b.afterYield(b.jsMutationHandler(fn))
		case js.TypeUndefined:
		default:
			return nil, typeErrorf(name, "want a function")
		}
	}
	var initial []collection.Row
	if args[5].Type() == js.TypeString {
		blobs, err := b.goBlobs(args[6])
		if err != nil {
			return nil, err
		}
		items, err := DecodeObjects([]byte(args[5].String()), blobs)
		if err != nil {
			return nil, typeErrorf("initialData", "%v", err)
		}
		initial = make([]collection.Row, len(items))
		for i, it := range items {
			initial[i] = it
		}
	}
	c, err := b.rt.CreateCollection(collection.LocalOnly(cfg, initial...))
	if err != nil {
		return nil, err
	}
	k := b.newColl(c)
	k.obj.method("writeLocal", b.sync(k.writeLocal))
	k.obj.method("acceptMutations", b.sync(func(args []js.Value) (any, error) {
		tx, err := b.txArg(args)
		if err != nil {
			return nil, err
		}
		return nil, collection.AcceptMutations(tx, c)
	}))
	return k.obj.value, nil
}

// jsGetKey calls a JS getKey with an item (as a JSON payload); the key must
// be a string.
func (b *Bridge) jsGetKey(fn js.Value) func(collection.Row) (string, error) {
	return func(item collection.Row) (string, error) {
		var e Encoder
		if err := e.Object(item); err != nil {
			return "", err
		}
		v, err := b.invoke(fn, b.jsonPayload(&e))
		if err != nil {
			return "", err
		}
		if v.Type() != js.TypeString {
			return "", fmt.Errorf("getKey returned a %s, want a string", v.Type())
		}
		return v.String(), nil
	}
}

// jsMutationHandler runs a JS onInsert, onUpdate or onDelete with the
// transaction's id and waits for its promise.
func (b *Bridge) jsMutationHandler(fn js.Value) collection.MutationHandler {
	return func(ctx context.Context, p collection.MutationParams) error {
		v, err := b.invoke(fn, b.txID(p.Transaction))
		if err != nil {
			return err
		}
		_, err = b.await(ctx, v)
		return err
	}
}

// writeLocal(changesJSON, blobs): writes [{type, key, value?}] into a
// local collection's synced state in one sync transaction
// (collection.WriteLocal): what another tab stored.
func (k *coll) writeLocal(args []js.Value) (any, error) {
	if err := argCount(args, 2, "writeLocal(changes, blobs)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "changes")
	if err != nil {
		return nil, err
	}
	blobs, err := k.b.goBlobs(args[1])
	if err != nil {
		return nil, err
	}
	list, err := DecodeObjects([]byte(text), blobs)
	if err != nil {
		return nil, typeErrorf("changes", "%v", err)
	}
	changes := make([]collection.Change, len(list))
	for i, m := range list {
		typ, _ := m["type"].(string)
		key, ok := m["key"].(string)
		if !ok {
			return nil, typeErrorf("changes", "change %d: want a string key", i)
		}
		ch := collection.Change{Type: collection.ChangeType(typ), Key: key}
		switch ch.Type {
		case collection.ChangeInsert, collection.ChangeUpdate:
			v, ok := m["value"].(map[string]any)
			if !ok {
				return nil, typeErrorf("changes", "change %d: want an object value", i)
			}
			ch.Value = v
		case collection.ChangeDelete:
		default:
			return nil, typeErrorf("changes", "change %d: unknown type %q", i, typ)
		}
		changes[i] = ch
	}
	return nil, collection.WriteLocal(k.c, changes)
}
