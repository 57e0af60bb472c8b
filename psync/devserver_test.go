package psync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/localfirst/gopowersync/store"
	"github.com/localfirst/gopowersync/syncserver"
)

// devServer runs the dev sync server on loopback.
type devServer struct {
	*syncserver.Server
	testServer
}

func startDevServer(t testing.TB, cfg syncserver.Config) *devServer {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = ":memory:"
	}
	srv, err := syncserver.New(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &devServer{Server: srv, testServer: serve(t, srv.Handler())}
}

// devConnector is the connector of the README's "The dev sync server",
// in Go: tokens from /api/token, uploads to /api/upload one transaction
// at a time. failUploads makes the next n uploads fail; drop makes
// uploads complete without reaching the server (a backend that rejects
// the writes and keeps its state). lifetimes, when set, are the token
// lifetimes of the next fetches, one each, before lifetime applies.
type devConnector struct {
	base        string
	http        HTTPClient
	user        string
	fetches     atomic.Int64
	uploads     atomic.Int64
	failUploads atomic.Int64
	drop        atomic.Bool

	mu        sync.Mutex
	badTokens int   // the next n credentials carry a broken token
	lifetime  int   // seconds; 0 = the server's default
	lifetimes []int // seconds, one per fetch, before lifetime
}

// connector returns a devConnector for srv.
func (srv *devServer) connector() *devConnector {
	return &devConnector{base: srv.URL, http: srv.Client}
}

func (c *devConnector) FetchCredentials(ctx context.Context) (*Credentials, error) {
	c.fetches.Add(1)
	q := url.Values{}
	if c.user != "" {
		q.Set("user_id", c.user)
	}
	c.mu.Lock()
	lifetime := c.lifetime
	if len(c.lifetimes) > 0 {
		lifetime, c.lifetimes = c.lifetimes[0], c.lifetimes[1:]
	}
	if lifetime != 0 { // negative: an expired token
		q.Set("expires_in", fmt.Sprint(lifetime))
	}
	bad := c.badTokens > 0
	if bad {
		c.badTokens--
	}
	c.mu.Unlock()
	res, err := c.http.Do(ctx, &Request{Method: "GET", URL: c.base + "/api/token?" + q.Encode()})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var tr struct{ Token, Endpoint string }
	if err := json.NewDecoder(res.Body).Decode(&tr); err != nil {
		return nil, err
	}
	if bad {
		tr.Token = "not.a.jwt"
	}
	return &Credentials{Endpoint: tr.Endpoint, Token: tr.Token}, nil
}

func (c *devConnector) UploadData(ctx context.Context, db *store.DB) error {
	tx, err := db.GetNextCrudTransaction(ctx)
	if err != nil || tx == nil {
		return err
	}
	if c.failUploads.Load() > 0 {
		c.failUploads.Add(-1)
		return fmt.Errorf("backend unavailable (simulated)")
	}
	if !c.drop.Load() {
		body, err := json.Marshal(map[string]any{"batch": tx.Crud, "client_id": db.ClientID()})
		if err != nil {
			return err
		}
		res, err := c.http.Do(ctx, &Request{Method: "POST", URL: c.base + "/api/upload", Header: map[string]string{"Content-Type": "application/json"}, Body: body})
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			// the body was read above
			return fmt.Errorf("upload: HTTP %d: %s", res.StatusCode, msg)
		}
	}
	c.uploads.Add(1)
	return tx.Complete(ctx)
}
