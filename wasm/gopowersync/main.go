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

	"github.com/localfirst/gopowersync/bridge"
	"github.com/localfirst/gopowersync/bridge/opfs"
)

func main() {
	b := bridge.New(bridge.Config{OPFS: opfs.Options})
	js.Global().Set("__gopowersync", b.Exports())
	if ready := js.Global().Get("__gopowersyncReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
