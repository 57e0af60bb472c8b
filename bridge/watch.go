//go:build js

package bridge

import (
	"context"
	"syscall/js"

	"github.com/localfirst/gopowersync/store"
)

// watch(sql, params, fn): fn(ok, payloadOrError) with each result of sql,
// first at once, then after each committed change to a table it reads
// (store.DB.Watch). Returns a subscription id.
//
// Watch runs the query before it returns, and a JS call must not wait for
// the database (a writeTransaction may hold it while awaiting JS), so it
// starts from a goroutine.
func (d *database) watch(args []js.Value) (any, error) {
	if err := argCount(args, 3, "watch(sql, params, handler)"); err != nil {
		return nil, err
	}
	sql, params, err := d.b.sqlArgs(args[:2])
	if err != nil {
		return nil, err
	}
	fn, err := goFunc(args[2], "handler")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(d.b.ctx)
	go func() {
		// Watch ends when ctx does; its own cancel is not needed.
		_, err := d.db.Watch(ctx, sql, params, func(rows store.Rows, err error) {
			if err == nil {
				var e Encoder
				if err = e.Rows(rows.Columns, rows.Values); err == nil {
					d.b.invoke(fn, true, d.b.jsonPayload(&e))
					return
				}
			}
			if ctx.Err() == nil {
				d.b.invoke(fn, false, d.b.jsError(err))
			}
		})
		if err != nil && ctx.Err() == nil {
			d.b.invoke(fn, false, d.b.jsError(err))
		}
	}()
	return d.subscribe(stop), nil
}
