//go:build js

package bridge

import (
	"context"
	"math"
	"sync"
	"syscall/js"
	"time"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
)

// newSyncClient creates the database's sync client, idle until connect.
// It belongs to the database (and so to the JS context that opened it):
// it reads through the database's HTTP client (fetch), paces long work
// with the bridge's pacer so that applying a large checkpoint is many
// short tasks, and stops when the database closes.
func (b *Bridge) newSyncClient(ctx context.Context, db *store.DB) (*psync.Client, error) {
	return psync.New(ctx, db, &psync.Options{
		HTTP:      fetchHTTP{b},
		Yield:     b.pacer(),
		UserAgent: "gopowersync-js/" + version,
	})
}

// connect(connector, database, optionsJSON, cb) starts syncing, replacing
// any connection, and calls cb once started (not once connected, as
// PowerSync's connect). database is the JS PowerSyncDatabase that the
// connector's uploadData gets.
func (d *database) connect(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 3, "connect(connector, database, options)"); err != nil {
		return nil, err
	}
	conn, err := d.b.newJSConnector(args[0], args[1])
	if err != nil {
		return nil, err
	}
	text, err := goString(args[2], "options")
	if err != nil {
		return nil, err
	}
	opts, err := connectOptions(text)
	if err != nil {
		return nil, err
	}
	return func() (any, error) { return nil, d.sync.Connect(d.ctx, conn, opts) }, nil
}

// connectOptions reads PowerSync's connect options from their JSON text:
// params, retryDelayMs, crudUploadThrottleMs and appMetadata. Of the
// other PowerSync options, connectionMethod may only be 'http' (the one
// this client speaks), fetchStrategy and clientImplementation are
// accepted and have no effect; anything else is a TypeError.
func connectOptions(text string) (psync.ConnectOptions, error) {
	var o psync.ConnectOptions
	m, err := DecodeObject([]byte(text), nil)
	if err != nil {
		return o, typeErrorf("options", "want an object")
	}
	for k, v := range m {
		arg := "options." + k
		switch k {
		case "params":
			if v == nil {
				continue
			}
			p, ok := v.(map[string]any)
			if !ok {
				return o, typeErrorf(arg, "want an object of JSON values")
			}
			o.Params = p
		case "retryDelayMs":
			ms, ok := millis(v)
			if !ok || ms <= 0 {
				return o, typeErrorf(arg, "want a positive number of milliseconds, got %v", v)
			}
			o.RetryDelay = ms
		case "crudUploadThrottleMs":
			ms, ok := millis(v)
			if !ok || ms < 0 {
				return o, typeErrorf(arg, "want a number of milliseconds >= 0, got %v", v)
			}
			o.CrudUploadThrottle = ms
			if ms == 0 {
				o.CrudUploadThrottle = -1 // psync's "none"; its zero is the default
			}
		case "appMetadata":
			if v == nil {
				continue
			}
			meta, ok := v.(map[string]any)
			if !ok {
				return o, typeErrorf(arg, "want an object of strings")
			}
			o.AppMetadata = make(map[string]string, len(meta))
			for mk, mv := range meta {
				s, ok := mv.(string)
				if !ok {
					return o, typeErrorf(arg+"."+mk, "want a string, got %T", mv)
				}
				o.AppMetadata[mk] = s
			}
		case "connectionMethod":
			if v != "http" {
				return o, typeErrorf(arg, "only 'http' is supported, got %v", v)
			}
		case "fetchStrategy", "clientImplementation":
		default:
			return o, typeErrorf(arg, "unknown option")
		}
	}
	return o, nil
}

// millis converts a JSON number of milliseconds.
func millis(v any) (time.Duration, bool) {
	var ms float64
	switch v := v.(type) {
	case int64:
		ms = float64(v)
	case float64:
		ms = v
	default:
		return 0, false
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) || ms > math.MaxInt64/float64(time.Millisecond) {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
}

// disconnect(cb) stops syncing; cb once the background work has stopped.
func (d *database) disconnect(args []js.Value) (func() (any, error), error) {
	return func() (any, error) { return nil, d.sync.Disconnect(d.ctx) }, nil
}

// disconnectAndClear(clearLocal, cb) disconnects and deletes everything
// synced or queued; local-only tables too when clearLocal.
func (d *database) disconnectAndClear(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 1, "disconnectAndClear(clearLocal)"); err != nil {
		return nil, err
	}
	if args[0].Type() != js.TypeBoolean {
		return nil, typeErrorf("options.clearLocal", "want a boolean, got %s", args[0].Type())
	}
	keep := !args[0].Bool()
	return func() (any, error) {
		return nil, d.sync.DisconnectAndClear(d.ctx, psync.ClearOptions{KeepLocal: keep})
	}, nil
}

// onSyncStatus(fn) calls fn(statusJSON) on every change of the sync
// status until the database closes, and returns the current status's
// JSON (Encoder.SyncStatus). An update that changes nothing JS sees is
// not sent, as PowerSync tells listeners only of changed statuses.
func (d *database) onSyncStatus(args []js.Value) (any, error) {
	if err := argCount(args, 1, "onSyncStatus(handler)"); err != nil {
		return nil, err
	}
	fn, err := goFunc(args[0], "handler")
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var last string
	changed := func(text string) bool {
		mu.Lock()
		defer mu.Unlock()
		if text == last {
			return false
		}
		last = text
		return true
	}
	dispose := d.sync.RegisterListener(func(s psync.SyncStatus) {
		if text, err := statusJSON(s); err == nil && changed(text) {
			d.b.invoke(fn, text)
		}
	})
	d.subscribe(dispose)
	text, err := statusJSON(d.sync.Status())
	changed(text)
	return text, err
}

func statusJSON(s psync.SyncStatus) (string, error) {
	var e Encoder
	if err := e.SyncStatus(s); err != nil {
		return "", err
	}
	return string(e.Buf), nil
}
