//go:build js

// Package jsglue publishes the spike's workloads to the page as
// globalThis.spike, over a DB that open gives: the same glue for both
// SQLite builds, so that only the build differs between them.
//
//	firstUse(ddlJSON) -> {title}          the schema, a first insert, its read back
//	w1(warm, n)       -> {ms: [n]}        per update-and-read-back
//	w3(prefix, rows)  -> {ms}             rows inserts in one transaction
//	calls(n)          -> {ns}             per sqlite3_changes64 call
//	scan()            -> {ms, rows}       a step and three column reads per row
//	scanRows()        -> {ms, rows}       the same rows through Stmt.Rows
//
// Each returns {error} instead when it fails. Once published it calls
// globalThis.spikeReady().
package jsglue

import (
	"encoding/json"
	"fmt"
	"syscall/js"
	"time"

	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike"
)

// Serve opens the database with open on firstUse and serves the page
// until it goes away.
func Serve(open func() (sqlitespike.DB, error)) {
	var db *sqlitespike.Session
	obj := js.Global().Get("Object").New()
	fn := func(name string, f func(args []js.Value) (map[string]any, error)) {
		obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any {
			if db == nil && name != "firstUse" {
				return map[string]any{"error": fmt.Sprintf("%s before firstUse", name)}
			}
			r, err := f(args)
			if err != nil {
				return map[string]any{"error": err.Error()}
			}
			return r
		}))
	}
	fn("firstUse", func(args []js.Value) (map[string]any, error) {
		var ddl []string
		if err := json.Unmarshal([]byte(args[0].String()), &ddl); err != nil {
			return nil, err
		}
		conn, err := open()
		if err != nil {
			return nil, err
		}
		db = sqlitespike.NewSession(conn)
		title, err := db.FirstUse(ddl)
		return map[string]any{"title": title}, err
	})
	fn("w1", func(args []js.Value) (map[string]any, error) {
		ds, err := db.W1("one", args[0].Int(), args[1].Int())
		ms := make([]any, len(ds))
		for i, d := range ds {
			ms[i] = millis(d)
		}
		return map[string]any{"ms": ms}, err
	})
	fn("w3", func(args []js.Value) (map[string]any, error) {
		d, err := db.W3(args[0].String(), args[1].Int())
		return map[string]any{"ms": millis(d)}, err
	})
	fn("calls", func(args []js.Value) (map[string]any, error) {
		return map[string]any{"ns": float64(db.Calls(args[0].Int()).Nanoseconds())}, nil
	})
	fn("scan", func(args []js.Value) (map[string]any, error) {
		d, rows, err := db.Scan()
		return map[string]any{"ms": millis(d), "rows": rows}, err
	})
	fn("scanRows", func(args []js.Value) (map[string]any, error) {
		d, rows, err := db.ScanRows()
		return map[string]any{"ms": millis(d), "rows": rows}, err
	})
	js.Global().Set("spike", obj)
	js.Global().Call("spikeReady")
	select {}
}

func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
