// Command tiny decodes the sync line in its first argument with the
// decoder its build tag names (std, goccy or hand; without a tag it only
// counts the bytes), so that its WebAssembly size shows what each decoder
// costs on its own:
//
//	GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -tags hand -o /tmp/tiny-hand.wasm ./size/tiny
package main

import (
	"os"
	"strconv"
)

func main() {
	if len(os.Args) > 1 {
		os.Stdout.WriteString(strconv.Itoa(decode([]byte(os.Args[1]))) + "\n")
	}
}
