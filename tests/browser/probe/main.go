//go:build js

// Command probe is the smallest GOOS=js program that runs SQLite over
// pagevfs with the OPFS glue (package bridge/opfs), so the browser tests
// can drive the VFS and the storage worker end to end without the full JS
// package. It publishes globalThis.probe:
//
//	open(storage)          -> opens the database the storage object holds
//	exec(sql, ...args)     -> runs SQL, returns the number of changed rows
//	query(sql)             -> JSON array of rows (arrays of values)
//	durable()              -> Promise resolved when every commit is durable
//	close()
//
// The synchronous functions return {error: message} instead of throwing (a
// Go panic in a callback would end the program); pages/probe.html wraps
// them as window.db, whose functions throw.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/bridge/opfs"
	"github.com/localfirst/gopowersync/store"
)

type probe struct {
	conn *sqlite3.Conn
	opts *store.Options
}

func main() {
	p := &probe{}
	obj := js.Global().Get("Object").New()
	obj.Set("open", js.FuncOf(p.sync(p.open)))
	obj.Set("exec", js.FuncOf(p.sync(p.exec)))
	obj.Set("query", js.FuncOf(p.sync(p.query)))
	obj.Set("close", js.FuncOf(p.sync(p.close)))
	obj.Set("durable", js.FuncOf(p.durable))
	js.Global().Set("probe", obj)
	select {}
}

// sync wraps fn so that an error comes back as {error: message}.
func (p *probe) sync(fn func(args []js.Value) (any, error)) func(js.Value, []js.Value) any {
	return func(_ js.Value, args []js.Value) any {
		v, err := fn(args)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return map[string]any{"value": v}
	}
}

func (p *probe) open(args []js.Value) (any, error) {
	opts, err := opfs.Options(args[0], nil)
	if err != nil {
		return nil, err
	}
	name := args[0].Get("name").String()
	conn, err := sqlite3.Open("file:" + name + "?vfs=" + opts.VFS)
	if err != nil {
		return nil, fmt.Errorf("probe: open %q: %w", name, err)
	}
	p.conn, p.opts = conn, opts
	return nil, nil
}

// prepare prepares args[0] with args[1:] bound (numbers, strings, else NULL).
func (p *probe) prepare(args []js.Value) (*sqlite3.Stmt, error) {
	if p.conn == nil {
		return nil, errors.New("probe: not open")
	}
	stmt, _, err := p.conn.Prepare(args[0].String())
	if err != nil {
		return nil, err
	}
	for i, a := range args[1:] {
		switch a.Type() {
		case js.TypeNumber:
			stmt.BindFloat(i+1, a.Float())
		case js.TypeString:
			stmt.BindText(i+1, a.String())
		default:
			stmt.BindNull(i + 1)
		}
	}
	return stmt, nil
}

func (p *probe) exec(args []js.Value) (any, error) {
	stmt, err := p.prepare(args)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	if err := stmt.Exec(); err != nil {
		return nil, err
	}
	return p.conn.Changes(), nil
}

func (p *probe) query(args []js.Value) (any, error) {
	stmt, err := p.prepare(args)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	rows := [][]any{}
	for stmt.Step() {
		row := make([]any, stmt.ColumnCount())
		for i := range row {
			switch stmt.ColumnType(i) {
			case sqlite3.INTEGER:
				row[i] = stmt.ColumnInt64(i)
			case sqlite3.FLOAT:
				row[i] = stmt.ColumnFloat(i)
			case sqlite3.NULL:
				row[i] = nil
			default:
				row[i] = stmt.ColumnText(i)
			}
		}
		rows = append(rows, row)
	}
	if err := stmt.Err(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

func (p *probe) close(args []js.Value) (any, error) {
	if p.conn == nil {
		return nil, nil
	}
	err := p.conn.Close()
	p.conn = nil
	return nil, err
}

// durable returns a promise that settles when WaitDurable returns; the wait
// runs on its own goroutine so the JS event loop keeps turning.
func (p *probe) durable(js.Value, []js.Value) any {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		executor.Release()
		go func() {
			if p.opts == nil {
				reject.Invoke(js.Global().Get("Error").New("probe: not open"))
				return
			}
			if err := p.opts.Durability.WaitDurable(context.Background()); err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke()
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}
