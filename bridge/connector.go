//go:build js

package bridge

import (
	"context"
	"errors"
	"math"
	"syscall/js"
	"time"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
)

// jsConnector is a psync.Connector over the app's JS connector object,
// PowerSync's PowerSyncBackendConnector: { fetchCredentials(),
// uploadData(database) }, either of which may return a promise.
type jsConnector struct {
	b        *Bridge
	obj      js.Value // the app's connector
	database js.Value // the JS PowerSyncDatabase that uploadData gets
}

// newJSConnector checks that connector has the two functions.
func (b *Bridge) newJSConnector(connector, database js.Value) (*jsConnector, error) {
	if connector.Type() != js.TypeObject && connector.Type() != js.TypeFunction {
		return nil, typeErrorf("connector", "want an object with fetchCredentials and uploadData functions, got %s", connector.Type())
	}
	for _, name := range []string{"fetchCredentials", "uploadData"} {
		if f := connector.Get(name); f.Type() != js.TypeFunction {
			return nil, typeErrorf("connector."+name, "want a function, got %s", f.Type())
		}
	}
	return &jsConnector{b: b, obj: connector, database: database}, nil
}

// FetchCredentials awaits connector.fetchCredentials(): null or undefined
// means signed out; otherwise {endpoint, token, expiresAt?}. A thrown
// error comes back as the error (its message shows in the sync status).
// The token never goes into an error message.
func (c *jsConnector) FetchCredentials(ctx context.Context) (*psync.Credentials, error) {
	v, err := c.await(ctx, "fetchCredentials")
	if err != nil {
		return nil, err
	}
	switch v.Type() {
	case js.TypeNull, js.TypeUndefined:
		return nil, nil
	case js.TypeObject:
	default:
		return nil, errors.New("connector.fetchCredentials: want {endpoint, token} or null, got a " + v.Type().String())
	}
	var cr psync.Credentials
	endpoint, token := v.Get("endpoint"), v.Get("token")
	if endpoint.Type() != js.TypeString || endpoint.String() == "" {
		return nil, errors.New("connector.fetchCredentials: endpoint: want the sync service's URL, got " + describe(endpoint))
	}
	if token.Type() != js.TypeString {
		return nil, errors.New("connector.fetchCredentials: token: want a string, got " + token.Type().String())
	}
	cr.Endpoint, cr.Token = endpoint.String(), token.String()
	switch e := v.Get("expiresAt"); {
	case e.Type() == js.TypeNull || e.Type() == js.TypeUndefined:
	case e.InstanceOf(c.b.deps.date) && !math.IsNaN(e.Call("getTime").Float()):
		cr.ExpiresAt = time.UnixMilli(int64(e.Call("getTime").Float()))
	default:
		return nil, errors.New("connector.fetchCredentials: expiresAt: want a Date, got " + describe(e))
	}
	return &cr, nil
}

// UploadData awaits connector.uploadData(database), with the JS
// PowerSyncDatabase itself: the app reads getNextCrudTransaction() or
// getCrudBatch() and calls complete() as with PowerSync.
func (c *jsConnector) UploadData(ctx context.Context, _ *store.DB) error {
	_, err := c.await(ctx, "uploadData", c.database)
	return err
}

// await calls connector[method](args...) and awaits its result. A
// synchronous throw and a rejection both come back as the JS error.
func (c *jsConnector) await(ctx context.Context, method string, args ...any) (js.Value, error) {
	p, err := c.b.call(c.obj, method, args...)
	if err == nil {
		var v js.Value
		if v, err = c.b.await(ctx, p); err == nil { // watchPromise takes plain values too
			return v, nil
		}
	}
	if je := (*JSError)(nil); errors.As(err, &je) {
		err = &ConnectorError{Method: method, Err: err}
	}
	return js.Undefined(), err
}

// describe names a JS value's type for an error message, without its
// content (it could be a token).
func describe(v js.Value) string {
	if v.Type() == js.TypeString {
		if v.String() == "" {
			return "an empty string"
		}
		return "a string"
	}
	return v.Type().String()
}
