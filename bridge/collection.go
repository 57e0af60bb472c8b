//go:build js

package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/collection/query"
	"github.com/localfirst/gopowersync/store"
)

// coll is the Go side of one JS collection.
type coll struct {
	b   *Bridge
	c   *collection.Collection
	obj *object

	mu     sync.Mutex
	nextID int
	subs   map[int]*collection.Subscription
	stops  map[int]func() // of watchKeys; made by the first
}

// exportCollections adds createCollection and the transaction functions.
func (b *Bridge) exportCollections(obj js.Value) {
	obj.Set("createCollection", b.sync(b.createCollection))
	obj.Set("createLocalCollection", b.sync(b.createLocalCollection))
	obj.Set("tableValidator", b.sync(b.tableValidator))
	b.exportTransactions(obj)
	b.exportOpenings(obj)
}

// createCollection(db, tableName, optionsJSON): a collection of the
// database's table, as powerSyncCollectionOptions describes it; db is an
// open database's object, or the object of openingDatabase while it opens.
// Returns the collection's object.
func (b *Bridge) createCollection(args []js.Value) (any, error) {
	if err := argCount(args, 3, "createCollection(database, tableName, options)"); err != nil {
		return nil, err
	}
	var schema store.Schema
	var open *powersync.Opening
	if args[0].Type() == js.TypeObject && args[0].Get("opening").Type() == js.TypeNumber {
		op, _, err := b.openingOf(args[0])
		if err != nil {
			return nil, err
		}
		schema, open = op.schema, op.open
	} else {
		d, err := b.databaseOf(args[0])
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		schema = d.schema
		d.mu.Unlock()
		open = powersync.Opened(d.db)
	}
	table, err := goString(args[1], "tableName")
	if err != nil {
		return nil, err
	}
	text, err := goString(args[2], "options")
	if err != nil {
		return nil, err
	}
	opts, err := DecodeObject([]byte(text), nil)
	if err != nil {
		return nil, err
	}
	cfg, start, err := b.powerSyncConfig(schema, open, table, opts)
	if err != nil {
		return nil, err
	}
	cfg.OnInsert = b.afterYield(cfg.OnInsert)
	cfg.OnUpdate = b.afterYield(cfg.OnUpdate)
	cfg.OnDelete = b.afterYield(cfg.OnDelete)
	c, err := b.rt.CreateCollection(cfg)
	if err != nil {
		return nil, err
	}
	if start {
		// Runs before control returns to JS unless it must wait for the
		// database; a failure shows in the status and in preload().
		go c.Preload(b.ctx)
	}
	return b.newColl(c).obj.value, nil
}

// afterYield makes a mutation handler start in a later JS task: the
// insert, update or delete call returns, and the caller's code goes on,
// before the write runs (see yield).
func (b *Bridge) afterYield(h collection.MutationHandler) collection.MutationHandler {
	if h == nil {
		return nil
	}
	return func(ctx context.Context, p collection.MutationParams) error {
		if err := b.yield(ctx); err != nil {
			return err
		}
		return h(ctx, p)
	}
}

func (b *Bridge) newColl(c *collection.Collection) *coll {
	k := &coll{b: b, c: c, obj: b.newObject(), subs: make(map[int]*collection.Subscription)}
	b.mu.Lock()
	b.colls[c.ID()] = c
	b.mu.Unlock()
	o := k.obj
	o.value.Set("id", c.ID())
	o.method("get", b.sync(k.get))
	o.method("has", b.sync(k.has))
	o.method("size", b.sync(func([]js.Value) (any, error) { return c.Size(), nil }))
	o.method("status", b.sync(func([]js.Value) (any, error) { return string(c.Status()), nil }))
	o.method("keys", b.sync(func([]js.Value) (any, error) { return b.stringsPayload(c.Keys()) }))
	o.method("values", b.sync(func([]js.Value) (any, error) { return b.rowsPayload(c.Values()) }))
	o.method("insert", b.sync(k.insert))
	o.method("update", b.sync(k.update))
	o.method("delete", b.sync(k.delete))
	o.method("subscribeChanges", b.sync(k.subscribeChanges))
	o.method("createIndex", b.sync(k.createIndex))
	o.method("watchKeys", b.sync(k.watchKeys))
	o.method("unsubscribe", b.sync(k.unsubscribe))
	o.method("preload", b.async(func([]js.Value) (func() (any, error), error) {
		return func() (any, error) { return nil, c.Preload(b.ctx) }, nil
	}))
	// Cleanup stops row tracking, which waits for the database lock.
	o.method("cleanup", b.async(func([]js.Value) (func() (any, error), error) {
		return func() (any, error) { c.Cleanup(); return nil, nil }, nil
	}))
	o.method("getMeta", b.sync(k.getMeta))
	o.method("onFirstReady", b.sync(k.onFirstReady))
	o.method("onStatusChange", b.sync(k.onStatusChange))
	o.method("subscriberCount", b.sync(func([]js.Value) (any, error) { return c.SubscriberCount(), nil }))
	o.method("onSubscribersChange", b.sync(k.onSubscribersChange))
	o.method("onLoadingSubsetChange", b.sync(k.onLoadingSubsetChange))
	o.method("onIndexChange", b.sync(k.onIndexChange))
	o.method("onTruncate", b.sync(k.onTruncate))
	o.method("removeIndex", b.sync(k.removeIndex))
	o.method("isLoadingSubset", b.sync(func([]js.Value) (any, error) { return c.IsLoadingSubset(), nil }))
	return k
}

// get(key): [json, blobs] of the item, or undefined.
func (k *coll) get(args []js.Value) (any, error) {
	key, err := keyArg(args, "key")
	if err != nil {
		return nil, err
	}
	row, ok := k.c.Get(key)
	if !ok {
		return js.Undefined(), nil
	}
	var e Encoder
	if err := e.Object(row); err != nil {
		return nil, err
	}
	return k.b.jsonPayload(&e), nil
}

func (k *coll) has(args []js.Value) (any, error) {
	key, err := keyArg(args, "key")
	if err != nil {
		return nil, err
	}
	return k.c.Has(key), nil
}

// keyArg reads args[0] as a key: keys are strings.
func keyArg(args []js.Value, name string) (string, error) {
	if len(args) < 1 {
		return "", typeErrorf(name, "missing")
	}
	return goString(args[0], name)
}

// rowsPayload encodes items as a JSON array.
func (b *Bridge) rowsPayload(rows []collection.Row) (any, error) {
	var e Encoder
	e.Buf = append(e.Buf, '[')
	for i, r := range rows {
		if i > 0 {
			e.Buf = append(e.Buf, ',')
		}
		if err := e.Object(r); err != nil {
			return nil, err
		}
	}
	e.Buf = append(e.Buf, ']')
	return b.jsonPayload(&e), nil
}

func (b *Bridge) stringsPayload(s []string) (any, error) {
	var e Encoder
	if err := e.Value(s); err != nil {
		return nil, err
	}
	return b.jsonPayload(&e), nil
}

// operationOptions reads (metadataJSON, optimistic): metadata travels as
// JSON text (undefined for none) and stays that text (see rawJSON);
// optimistic is a boolean or undefined.
func operationOptions(meta, optimistic js.Value) (*collection.OperationOptions, error) {
	opts := &collection.OperationOptions{}
	if meta.Type() == js.TypeString {
		v, err := rawJSON(meta.String())
		if err != nil {
			return nil, typeErrorf("metadata", "%v", err)
		}
		opts.Metadata = v
	} else if !meta.IsUndefined() {
		return nil, typeErrorf("metadata", "want JSON text")
	}
	switch optimistic.Type() {
	case js.TypeBoolean:
		o := optimistic.Bool()
		opts.Optimistic = &o
	case js.TypeUndefined:
	default:
		return nil, typeErrorf("optimistic", "want a boolean")
	}
	return opts, nil
}

// insert(itemsJSON, blobs, metadataJSON, optimistic): the transaction id.
func (k *coll) insert(args []js.Value) (any, error) {
	if err := argCount(args, 4, "insert(items, blobs, metadata, optimistic)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "items")
	if err != nil {
		return nil, err
	}
	blobs, err := k.b.goBlobs(args[1])
	if err != nil {
		return nil, err
	}
	items, err := DecodeObjects([]byte(text), blobs)
	if err != nil {
		return nil, typeErrorf("items", "%v", err)
	}
	opts, err := operationOptions(args[2], args[3])
	if err != nil {
		return nil, err
	}
	rows := make([]collection.Row, len(items))
	for i, it := range items {
		rows[i] = it
	}
	tx, err := k.c.Insert(rows, opts)
	if err != nil {
		return nil, err
	}
	return k.b.txID(tx), nil
}

// update(keys, changesJSON, blobs, metadataJSON, optimistic): changesJSON
// holds one object per key with the fields the JS draft changed; they are
// applied to the engine's drafts. Returns the transaction id.
func (k *coll) update(args []js.Value) (any, error) {
	if err := argCount(args, 5, "update(keys, changes, blobs, metadata, optimistic)"); err != nil {
		return nil, err
	}
	keys, err := k.b.goStrings(args[0], "keys")
	if err != nil {
		return nil, err
	}
	text, err := goString(args[1], "changes")
	if err != nil {
		return nil, err
	}
	blobs, err := k.b.goBlobs(args[2])
	if err != nil {
		return nil, err
	}
	changes, err := DecodeObjects([]byte(text), blobs)
	if err != nil {
		return nil, typeErrorf("changes", "%v", err)
	}
	if len(changes) != len(keys) {
		return nil, typeErrorf("changes", "want one object per key")
	}
	opts, err := operationOptions(args[3], args[4])
	if err != nil {
		return nil, err
	}
	tx, err := k.c.UpdateMany(keys, opts, func(drafts []collection.Row) {
		for i, d := range drafts {
			for f, v := range changes[i] {
				d[f] = v
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return k.b.txID(tx), nil
}

// delete(keys, metadataJSON, optimistic): the transaction id.
func (k *coll) delete(args []js.Value) (any, error) {
	if err := argCount(args, 3, "delete(keys, metadata, optimistic)"); err != nil {
		return nil, err
	}
	keys, err := k.b.goStrings(args[0], "keys")
	if err != nil {
		return nil, err
	}
	opts, err := operationOptions(args[1], args[2])
	if err != nil {
		return nil, err
	}
	tx, err := k.c.Delete(keys, opts)
	if err != nil {
		return nil, err
	}
	return k.b.txID(tx), nil
}

// createIndex(path, name): an ordered index on the field at path (an
// array of names), named name ("" names it after the path); returns its
// name. See collection.CreateIndex.
func (k *coll) createIndex(args []js.Value) (any, error) {
	if err := argCount(args, 2, "createIndex(path, name)"); err != nil {
		return nil, err
	}
	path, err := k.b.goStrings(args[0], "path")
	if err != nil {
		return nil, err
	}
	name, err := goString(args[1], "name")
	if err != nil {
		return nil, err
	}
	ix, err := k.c.CreateIndex(nil, collection.IndexOptions{Name: name, Path: path})
	if err != nil {
		return nil, err
	}
	return ix.Name(), nil
}

// subscribeChanges(fn, includeInitialState, where?): fn(payload) with each
// batch of changes as JSON [{type, key, value, previousValue}], limited to
// the items that match where (an expression's JSON, query.ParseExpr) when
// given. Returns the subscription id for unsubscribe.
func (k *coll) subscribeChanges(args []js.Value) (any, error) {
	if err := argCount(args, 2, "subscribeChanges(callback, includeInitialState)"); err != nil {
		return nil, err
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	var opts collection.SubscribeOptions
	switch args[1].Type() {
	case js.TypeBoolean:
		v := args[1].Bool()
		opts.IncludeInitialState = &v
	case js.TypeUndefined:
	default:
		return nil, typeErrorf("includeInitialState", "want a boolean")
	}
	if len(args) > 2 && args[2].Type() != js.TypeUndefined {
		text, err := goString(args[2], "where")
		if err != nil {
			return nil, err
		}
		v, err := DecodeJSON([]byte(text), nil)
		if err != nil {
			return nil, typeErrorf("where", "%v", err)
		}
		if opts.Where, err = query.ParseExpr(v); err != nil {
			return nil, err
		}
	}
	sub := k.c.SubscribeChanges(func(changes []collection.Change) {
		var e Encoder
		if err := e.Changes(changes); err != nil {
			// The subscriber cannot be given these changes: it is given
			// the error instead (js/collection.js reports it and rereads),
			// never left believing nothing changed.
			k.b.invoke(fn, k.b.jsError(fmt.Errorf("bridge: changes of collection %s: %w", k.c.ID(), err)))
			return
		}
		k.b.invoke(fn, k.b.jsonPayload(&e))
	}, opts)
	return k.addSub(sub), nil
}

// watchKeys(fn): fn(keysJSON) with the keys of each change, before the call
// that made it returns: what the JS package needs to drop its cached rows. Returns
// the subscription id for unsubscribe.
func (k *coll) watchKeys(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	// WatchKeys, not SubscribeChanges: a mutation made inside a change
	// callback must drop the cached rows before it returns, while the
	// deliveries of SubscribeChanges wait for that callback to end.
	stop := k.c.WatchKeys(func(keys []string) {
		var e Encoder
		e.Buf = append(e.Buf, '[')
		for i, key := range keys {
			if i > 0 {
				e.Buf = append(e.Buf, ',')
			}
			e.Buf = appendString(e.Buf, key)
		}
		e.Buf = append(e.Buf, ']')
		k.b.invoke(fn, string(e.Buf))
	})
	k.mu.Lock()
	defer k.mu.Unlock()
	k.nextID++
	if k.stops == nil {
		k.stops = make(map[int]func())
	}
	k.stops[k.nextID] = stop
	return k.nextID, nil
}

func (k *coll) addSub(sub *collection.Subscription) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.nextID++
	k.subs[k.nextID] = sub
	return k.nextID
}

func (k *coll) unsubscribe(args []js.Value) (any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, typeErrorf("id", "want a subscription id")
	}
	k.mu.Lock()
	sub := k.subs[args[0].Int()]
	delete(k.subs, args[0].Int())
	stop := k.stops[args[0].Int()]
	delete(k.stops, args[0].Int())
	k.mu.Unlock()
	if sub != nil {
		sub.Unsubscribe()
	}
	if stop != nil {
		stop()
	}
	return nil, nil
}

// issuesOf returns the type and issues of a SchemaValidationError as JSON
// text {type, issues: [{message, path}]}, or undefined.
func (b *Bridge) issuesOf(err error) js.Value {
	var sv *collection.SchemaValidationError
	if !errors.As(err, &sv) {
		return js.Undefined()
	}
	issues := make([]any, len(sv.Issues))
	for i, is := range sv.Issues {
		path := make([]any, len(is.Path))
		for j, p := range is.Path {
			path[j] = p
		}
		issues[i] = map[string]any{"message": is.Message, "path": path}
	}
	var e Encoder
	if e.Value(map[string]any{"type": sv.Type, "issues": issues}) != nil {
		return js.Undefined()
	}
	return js.ValueOf(string(e.Buf))
}
