//go:build js

// Command gopowersync is the WebAssembly module behind the JS package in
// js/. It publishes one entry object, globalThis.__gopowersync, made by
// package bridge, and then keeps running so that JS can call into it.
//
// Build:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o dist/gopowersync.wasm ./wasm/gopowersync
package main

import (
	"syscall/js"

	"github.com/google/uuid"

	"github.com/localfirst/gopowersync/bridge"
	"github.com/localfirst/gopowersync/bridge/opfs"
)

func main() {
	// Random UUIDs (transaction, queue and row ids) from a pool filled 256
	// bytes at a time: in js/wasm each crypto/rand read is a call out to
	// crypto.getRandomValues, and a 1-row update made one (BENCHMARKS.md,
	// W1 profile). The ids are identifiers, not secrets. Before anything
	// can make one: the switch is not safe against concurrent use.
	uuid.EnableRandPool()
	b := bridge.New(bridge.Config{OPFS: opfs.Options})
	js.Global().Set("__gopowersync", b.Exports())
	if ready := js.Global().Get("__gopowersyncReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
