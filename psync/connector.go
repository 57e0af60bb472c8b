package psync

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/store"
)

// Connector is the app's side of sync, PowerSync's
// PowerSyncBackendConnector.
type Connector interface {
	// FetchCredentials returns the sync service's endpoint and a token for
	// it. It is called when no credentials are cached: at the first
	// connect, after the service answers 401, and shortly before the token
	// expires (token_expires_in <= 30 s). Return (nil, nil) when the user
	// is signed out; return an error for a transient failure (retried
	// after RetryDelay).
	FetchCredentials(ctx context.Context) (*Credentials, error)
	// UploadData sends the upload queue to the app's backend: it reads
	// db.GetNextCrudTransaction or db.GetCrudBatch, posts the entries, and
	// calls Complete on what the backend accepted. An error means "retry
	// later": it is shown in SyncStatus.UploadError and the call repeats
	// after RetryDelay.
	UploadData(ctx context.Context, db *store.DB) error
}

// Credentials locate and authorize the sync service: Endpoint is its base
// URL (without /sync/stream), Token a JWT for it. ExpiresAt, when set, is
// informational.
type Credentials struct {
	Endpoint  string
	Token     string
	ExpiresAt time.Time
}

// ErrNotSignedIn is the download error while FetchCredentials returns no
// credentials.
var ErrNotSignedIn = errors.New("sync: not signed in: the connector returned no credentials")

// credentials caches the connector's credentials until invalidated (a
// 401, an expired token), as PowerSync's AbstractRemote does.
type credentials struct {
	connector Connector
	mu        sync.Mutex
	cached    *Credentials
}

func (c *credentials) get(ctx context.Context) (*Credentials, error) {
	c.mu.Lock()
	cached := c.cached
	c.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	return c.fetch(ctx)
}

// fetch asks the connector for new credentials and caches them.
func (c *credentials) fetch(ctx context.Context) (*Credentials, error) {
	cr, err := c.connector.FetchCredentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: fetch credentials: %w", err)
	}
	if cr == nil {
		return nil, ErrNotSignedIn
	}
	if cr.Endpoint == "" {
		return nil, errors.New("sync: fetch credentials: no endpoint")
	}
	c.mu.Lock()
	c.cached = cr
	c.mu.Unlock()
	return cr, nil
}

func (c *credentials) invalidate() {
	c.mu.Lock()
	c.cached = nil
	c.mu.Unlock()
}
