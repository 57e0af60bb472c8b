//go:build js

package bridge

import (
	"context"
	"errors"
	"math"
	"syscall/js"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/powersync"
	"github.com/localfirst/gopowersync/store"
)

// powerSyncConfig builds the collection config for a table of schema, on
// the database open stands for, from the options JS sends: {id,
// syncBatchSize, syncMode, autoIndex, gcTime (ms), startSync,
// hostValidated}. The application's schemas, serializers and
// deserialization run in JS (they are JS functions); without a schema the
// Go side checks items against the table's types (TableValidator), with
// one (hostValidated) only that their fields are the table's.
//
// The config never starts sync by itself: starting installs row tracking,
// which waits for the database lock, and a JS call must not wait for a
// lock that a writeTransaction awaiting JS may hold. start reports whether
// the caller should start sync from a goroutine.
func (b *Bridge) powerSyncConfig(schema store.Schema, open *powersync.Opening, table string, opts map[string]any) (cfg collection.Config, start bool, err error) {
	t, ok := schema.Table(table)
	if !ok {
		return cfg, false, typeErrorf("tableName", "the database schema has no table %q", table)
	}
	var o powersync.Options
	for k, v := range opts {
		var bad bool
		switch k {
		case "id":
			o.ID, ok = v.(string)
			bad = !ok
		case "syncBatchSize":
			n, ok := v.(int64)
			o.SyncBatchSize, bad = int(n), !ok || n <= 0
		case "syncMode":
			s, _ := v.(string)
			o.SyncMode, bad = collection.SyncMode(s), s != string(collection.SyncEager) && s != string(collection.SyncOnDemand)
		case "autoIndex":
			s, _ := v.(string)
			o.AutoIndex, bad = collection.AutoIndex(s), s != string(collection.AutoIndexEager) && s != string(collection.AutoIndexOff)
		case "gcTime":
			o.GCTime, bad = gcTime(v)
		case "startSync":
			s, ok := v.(bool)
			o.StartSync, bad = &s, !ok
		case "hostValidated":
			o.HostValidated, ok = v.(bool)
			bad = !ok
		default:
			bad = true
		}
		if bad {
			return cfg, false, typeErrorf(k, "unsupported value %v", v)
		}
	}
	o.Yield = b.pacer()
	start = o.StartSync == nil || *o.StartSync
	never := false
	o.StartSync = &never
	return powersync.CollectionOptionsOpening(open, t, o), start, nil
}

// tableValidator(schemaJSON, tableName): a function validate(itemJSON,
// blobs) that checks an item against the table's rules and returns
// undefined, or the issues as JSON [{message, path}]: the Standard Schema
// validators of convertPowerSyncSchemaToSpecs run the one rule the
// collections run.
func (b *Bridge) tableValidator(args []js.Value) (any, error) {
	if err := argCount(args, 2, "tableValidator(schema, tableName)"); err != nil {
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
	name, err := goString(args[1], "tableName")
	if err != nil {
		return nil, err
	}
	t, ok := schema.Table(name)
	if !ok {
		return nil, typeErrorf("tableName", "the schema has no table %q", name)
	}
	v := powersync.TableValidator(t)
	return b.sync(func(args []js.Value) (any, error) {
		if err := argCount(args, 1, "validate(item, blobs)"); err != nil {
			return nil, err
		}
		text, err := goString(args[0], "item")
		if err != nil {
			return nil, err
		}
		var side []any
		if len(args) > 1 {
			if side, err = b.goBlobs(args[1]); err != nil {
				return nil, err
			}
		}
		item, err := DecodeObject([]byte(text), side)
		if err != nil {
			return issuesJSON([]collection.Issue{{Message: "item must be an object"}})
		}
		if _, issues := v.Validate(item); len(issues) > 0 {
			return issuesJSON(issues)
		}
		return js.Undefined(), nil
	}), nil
}

// issuesJSON encodes issues as [{message, path}].
func issuesJSON(issues []collection.Issue) (any, error) {
	list := make([]any, len(issues))
	for i, is := range issues {
		path := make([]any, len(is.Path))
		for j, p := range is.Path {
			path[j] = p
		}
		list[i] = map[string]any{"message": is.Message, "path": path}
	}
	var e Encoder
	if err := e.Value(list); err != nil {
		return nil, err
	}
	return string(e.Buf), nil
}

// gcTime converts TanStack's gcTime in milliseconds; 0 or Infinity (JSON
// null) keep the collection loaded forever.
func gcTime(v any) (time.Duration, bool) {
	var ms float64
	switch v := v.(type) {
	case int64:
		ms = float64(v)
	case float64:
		ms = v
	case nil:
		return -1, false
	default:
		return 0, true
	}
	if ms <= 0 || math.IsInf(ms, 1) {
		return -1, false
	}
	return time.Duration(ms * float64(time.Millisecond)), false
}

// applyTransaction(db, txID, cb) writes a transaction's mutations with the
// PowerSync transactor; cb once they are durable and mirrored.
func (b *Bridge) applyTransaction(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 2, "applyTransaction(database, transaction)"); err != nil {
		return nil, err
	}
	d, err := b.databaseOf(args[0])
	if err != nil {
		return nil, err
	}
	tx, err := b.txArg(args[1:])
	if err != nil {
		return nil, err
	}
	return func() (any, error) {
		return nil, powersync.NewTransactor(d.db).ApplyTransaction(b.ctx, tx)
	}, nil
}

// getMeta(): JSON {tableName, trackedTableName, metadataIsTracked}.
func (k *coll) getMeta(args []js.Value) (any, error) {
	u, ok := k.c.Utils().(*powersync.Utils)
	if !ok {
		return nil, errors.New("Collection is not a PowerSync collection.")
	}
	m := u.GetMeta()
	var e Encoder
	err := e.Value(map[string]any{"tableName": m.TableName, "trackedTableName": m.TrackedTableName, "metadataIsTracked": m.MetadataIsTracked})
	return string(e.Buf), err
}

// pacer returns a function that paces long work (opening a database, a
// collection's initial load). A goroutine that only computes never returns
// the thread to JS (Go runs every runnable goroutine before a call from JS
// returns), so a 100,000-row load would be one long task. Awaiting the next
// JS task hands the thread back: the page paints and handles input in
// between. It waits only once a slice of work has run since the last wait,
// so fast work pays almost nothing; the first call always waits, so the
// work does not run in the task of the call that started it. It waits on a
// JS task rather than a Go timer because the loader unrefs Go's timers in
// Node, where work waiting on one alone would let the process exit under
// it.
func (b *Bridge) pacer() func() {
	const slice = 8 * time.Millisecond
	var last time.Time
	return func() {
		if time.Since(last) < slice {
			return
		}
		_ = b.yield(context.Background()) // an error means the module is closing: load on
		last = time.Now()
	}
}
