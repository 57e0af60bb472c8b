// Command server serves the demo app and the files it loads (the JS package and
// the module in dist/) on a local address, with embedded defaults: nothing
// external is needed.
//
//	go run ./web-demo/server -addr 127.0.0.1:8181 -root .
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8181", "address to listen on")
	root := flag.String("root", ".", "the repository root (holds web-demo/, js/ and dist/)")
	flag.Parse()

	if err := run(*addr, *root); err != nil {
		log.Fatal(err)
	}
}

func run(addr, root string) error {
	if _, err := os.Stat(root + "/dist/gopowersync.wasm"); err != nil {
		return fmt.Errorf("demo: %w (run `make build` first)", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo: listen: %w", err)
	}
	srv := &http.Server{Handler: newHandler(os.DirFS(root))}
	log.Printf("demo: serving %s on http://%s/", root, ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
