//go:build js

// Command wasm2go is the spike's module with today's SQLite: the wasm2go
// translation (github.com/ncruces/go-sqlite3) compiled into the Go module.
package main

import (
	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike/gosqlite"
	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike/jsglue"
)

func main() { jsglue.Serve(gosqlite.Open) }
