//go:build js

// Command module is the browser module (wasm/gopowersync) with the
// decoder its build tag names linked in (std, goccy or hand; without a
// tag it is the browser module as it is), so that its size shows what each
// decoder adds to the module we ship:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -tags hand -o /tmp/module-hand.wasm ./size/module
package main

import (
	"os"
	"strconv"
	"syscall/js"

	"github.com/localfirst/gopowersync/bridge"
	"github.com/localfirst/gopowersync/bridge/opfs"
)

func main() {
	// Never true in a browser, but the linker cannot know that.
	if len(os.Args) > 100 {
		os.Stdout.WriteString(strconv.Itoa(decode([]byte(os.Args[1]))) + "\n")
	}
	b := bridge.New(bridge.Config{OPFS: opfs.Options})
	js.Global().Set("__gopowersync", b.Exports())
	if ready := js.Global().Get("__gopowersyncReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}
