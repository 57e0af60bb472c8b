//go:build !js && !wasip1

package psync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// devBackend is a connector for the dev sync server: it takes a token
// from /api/token and posts the upload queue to /api/upload, one local
// transaction at a time (the JS version is in the README, "The dev sync server").
type devBackend struct{ base string }

func (d devBackend) FetchCredentials(ctx context.Context) (*psync.Credentials, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", d.base+"/api/token", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var c struct{ Token, Endpoint string }
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil {
		return nil, err
	}
	return &psync.Credentials{Endpoint: c.Endpoint, Token: c.Token}, nil
}

func (d devBackend) UploadData(ctx context.Context, db *store.DB) error {
	tx, err := db.GetNextCrudTransaction(ctx)
	if err != nil || tx == nil {
		return err
	}
	body, err := json.Marshal(map[string]any{"batch": tx.Crud})
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", d.base+"/api/upload", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("upload: HTTP %d", res.StatusCode)
	}
	return tx.Complete(ctx)
}

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "psync-example")
	defer os.RemoveAll(dir)

	// A dev sync server on loopback, with a row the backend wrote.
	server, err := syncserver.New(ctx, syncserver.Config{Path: ":memory:"})
	if err != nil {
		panic(err)
	}
	defer server.Close()
	hs := httptest.NewServer(server.Handler())
	defer hs.Close()
	server.Apply(ctx, []syncserver.Entry{{Op: "PUT", Type: "todos", ID: "t1", Data: []byte(`{"description":"Milk"}`)}})

	// A client database with the same table, synced.
	schema := store.Schema{Tables: []store.Table{{Name: "todos", Columns: []store.Column{{Name: "description", Type: store.Text}}}}}
	db, err := store.Open(ctx, filepath.Join(dir, "app.sqlite"), schema, nil)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	client, err := psync.New(ctx, db, nil)
	if err != nil {
		panic(err)
	}
	if err := client.Connect(ctx, devBackend{hs.URL}, psync.ConnectOptions{}); err != nil {
		panic(err)
	}
	defer client.Disconnect(ctx)
	if err := client.WaitForFirstSync(ctx, -1); err != nil {
		panic(err)
	}
	row, _ := db.Get(ctx, `SELECT description FROM todos WHERE id = 't1'`)
	fmt.Println(row["description"], client.Status().HasSynced())
	// Output: Milk true
}
