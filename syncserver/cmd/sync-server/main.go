// Command sync-server runs the development sync server (package
// syncserver) on a local address:
//
//	go run ./syncserver/cmd/sync-server -addr 127.0.0.1:8181 -db .cache/sync-server.sqlite [-rules rules.yaml]
//	go run ./syncserver/cmd/sync-server -compact   # compact the op log, then exit
//
// It is for development only; production apps use a PowerSync service.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/localfirst/gopowersync/syncserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8181", "address to listen on")
	dbPath := flag.String("db", ".cache/sync-server.sqlite", `SQLite database file (":memory:" for none)`)
	rulesPath := flag.String("rules", "", "sync-rules YAML file (bucket_definitions); none: one bucket per table for every user")
	compact := flag.Bool("compact", false, "compact the op log, print what changed, and exit")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(*addr, *dbPath, *rulesPath, *compact, logger); err != nil {
		logger.Error(err.Error())
		os.Exit(1)
	}
}

func run(addr, dbPath, rulesPath string, compact bool, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg := syncserver.Config{Path: dbPath, Logger: logger}
	if rulesPath != "" {
		b, err := os.ReadFile(rulesPath)
		if err != nil {
			return fmt.Errorf("sync-server: rules: %w", err)
		}
		cfg.Rules = string(b)
	}
	if dbPath != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(dbPath), 0o755); err != nil {
			return fmt.Errorf("sync-server: database directory: %w", err)
		}
	}
	srv, err := syncserver.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := srv.Close(); err != nil {
			logger.Error(err.Error())
		}
	}()

	if compact {
		st, err := srv.Compact(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("compacted %d buckets: %d ops moved, %d cleared, %d ops before, %d after\n",
			st.Buckets, st.Moved, st.Cleared, st.OpsBefore, st.OpsAfter)
		return nil
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sync-server: listen: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	logger.Info(fmt.Sprintf("sync-server: serving http://%s/ (database %s; development only)", ln.Addr(), dbPath))
	go func() {
		<-ctx.Done()
		// Streams never end by themselves: close the server first so they
		// do, then give the other requests a moment.
		if err := srv.Close(); err != nil {
			logger.Error(err.Error())
		}
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			logger.Error("sync-server: shutdown: " + err.Error())
		}
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("sync-server: %w", err)
	}
	return nil
}
