//go:build js

package bridge

import (
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
)

// A collection's lifecycle, as JS hears of it: onFirstReady and the
// status:change events of js/collection.js.

// onFirstReady(fn): fn() once the collection is ready (at once if it is).
func (k *coll) onFirstReady(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnFirstReady(func() { k.b.invoke(fn) })
	return nil, nil
}

// onStatusChange(fn): fn(from, to) after each status change, in order
// (collection.OnStatusChange). The JS side registers one per collection.
func (k *coll) onStatusChange(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnStatusChange(func(from, to collection.Status) { k.b.invoke(fn, string(from), string(to)) })
	return nil, nil
}

// onSubscribersChange(callback): callback(previous, current) after each
// change of the number of subscriptions (collection.OnSubscribersChange).
func (k *coll) onSubscribersChange(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnSubscribersChange(func(from, to int) { k.b.invoke(fn, from, to) })
	return nil, nil
}

// onLoadingSubsetChange(callback): callback(previous, current) each time
// the collection starts or stops loading a subset
// (collection.OnLoadingSubsetChange).
func (k *coll) onLoadingSubsetChange(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnLoadingSubsetChange(func(from, to bool) { k.b.invoke(fn, from, to) })
	return nil, nil
}

// onIndexChange(callback): callback('added' | 'removed', name, path) after
// each index is added or removed (collection.OnIndexChange); path is the
// array of field names, or null for an index on a function.
func (k *coll) onIndexChange(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnIndexChange(func(removed, added *collection.Index) {
		what, ix := "added", added
		if added == nil {
			what, ix = "removed", removed
		}
		var path any
		if p := ix.Path(); p != nil {
			names := make([]any, len(p))
			for i, n := range p {
				names[i] = n
			}
			path = names
		}
		k.b.invoke(fn, what, ix.Name(), path)
	})
	return nil, nil
}

// removeIndex(name): drops the index of that name (collection.RemoveIndex);
// returns whether there was one.
func (k *coll) removeIndex(args []js.Value) (any, error) {
	if err := argCount(args, 1, "removeIndex(name)"); err != nil {
		return nil, err
	}
	name, err := goString(args[0], "name")
	if err != nil {
		return nil, err
	}
	for _, ix := range k.c.Indexes() {
		if ix.Name() == name {
			k.c.RemoveIndex(ix)
			return true, nil
		}
	}
	return false, nil
}

// onTruncate(callback): callback() after each sync transaction that
// truncated the collection's synced state (collection.OnTruncate).
func (k *coll) onTruncate(args []js.Value) (any, error) {
	if len(args) < 1 {
		return nil, typeErrorf("callback", "missing")
	}
	fn, err := goFunc(args[0], "callback")
	if err != nil {
		return nil, err
	}
	k.c.OnTruncate(func() { k.b.invoke(fn) })
	return nil, nil
}
