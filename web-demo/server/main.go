// Command server serves the demo app, the files it loads (the JS package and
// the module in dist/) and the dev sync server (package syncserver) it syncs
// with, all on one local origin: nothing external is needed.
//
//	go run ./web-demo/server -addr 127.0.0.1:8181 -root . -db .cache/demo-sync.sqlite
//
// The sync server's routes are /sync/stream, /write-checkpoint2.json and
// /api/* (token, upload, compact); its data persists in -db, which a first
// start seeds with two items (-seed=false for none). It is for development
// only; production apps use a PowerSync service.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8181", "address to listen on")
	root := flag.String("root", ".", "the repository root (holds web-demo/, js/ and dist/)")
	dbPath := flag.String("db", ".cache/demo-sync.sqlite", `the sync server's SQLite file (":memory:" for none)`)
	seed := flag.Bool("seed", true, "start a new sync database with two items")
	flag.Parse()

	if err := run(*addr, *root, *dbPath, *seed); err != nil {
		log.Fatal(err)
	}
}

func run(addr, root, dbPath string, seed bool) error {
	if _, err := os.Stat(root + "/dist/gopowersync.wasm"); err != nil {
		return fmt.Errorf("demo: %w (run `make build` first)", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	syncSrv, err := openSync(ctx, dbPath, seed, slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		return err
	}
	defer syncSrv.Close()

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo: listen: %w", err)
	}
	srv := &http.Server{Handler: newHandler(os.DirFS(root), syncSrv.Handler()), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("demo: sync server data in %s (development only)", dbPath)
	log.Printf("demo: serving %s on http://%s/", root, ln.Addr())

	go func() {
		<-ctx.Done()
		// Sync streams never end by themselves: close the sync server first
		// so they do, then give the other requests a moment.
		syncSrv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
