package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/localfirst/gopowersync/syncserver"
)

// openSync opens the dev sync server the demo syncs with, its data in the
// SQLite file at path (":memory:" for none). When the file is new and seed
// is set, the server starts with a couple of items, as if the backend had
// written them, so that a first visit shows rows that came through sync.
func openSync(ctx context.Context, path string, seed bool, logger *slog.Logger) (*syncserver.Server, error) {
	fresh := path == ":memory:"
	if !fresh {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("demo: sync database directory: %w", err)
		}
		_, err := os.Stat(path)
		fresh = errors.Is(err, fs.ErrNotExist)
	}
	srv, err := syncserver.New(ctx, syncserver.Config{Path: path, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("demo: sync server: %w", err)
	}
	if fresh && seed {
		if err := srv.Apply(ctx, seedItems(time.Now())); err != nil {
			return nil, errors.Join(fmt.Errorf("demo: seed: %w", err), srv.Close())
		}
	}
	return srv, nil
}

// seedItems are the items a new sync database starts with: they double as
// a short tour of what to try.
func seedItems(now time.Time) []syncserver.Entry {
	texts := []string{
		"Open a second client (the link at the top) and edit there",
		"Switch this client offline, change a few items, switch back",
	}
	batch := make([]syncserver.Entry, len(texts))
	for i, text := range texts {
		data, _ := json.Marshal(map[string]any{
			"description": text,
			"completed":   0,
			"created_at":  now.Add(time.Duration(i) * time.Millisecond).UTC().Format(time.RFC3339Nano),
		})
		batch[i] = syncserver.Entry{Op: "PUT", Type: "todos", ID: fmt.Sprintf("welcome-%d", i+1), Data: data}
	}
	return batch
}
