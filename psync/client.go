package psync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/localfirst/gopowersync/store"
)

// Options configures a Client.
type Options struct {
	// HTTP sends requests to the sync service; nil means NetHTTP{}, except
	// under GOOS=js, which has no default (NetHTTP is not built there).
	HTTP HTTPClient
	// Yield, when set, is called between slices of long work (storing a
	// data line, applying a checkpoint: every few hundred rows), so that a
	// host with one thread can run other tasks. It is called often and
	// should return at once unless some milliseconds of work have run
	// since it last handed the thread over (the browser's pacer waits
	// after ~8 ms). It runs with the database's write lock held.
	Yield func()
	// Logger receives warnings (checksum failures, retries); nil discards.
	// A *slog.Logger is one.
	Logger Logger
	// UserAgent is sent as x-user-agent; "" means "gopowersync".
	UserAgent string
}

// Logger is where a Client reports warnings, with slog's key-value
// arguments. It is an interface, not *slog.Logger, so that the
// WebAssembly module, which discards them, does not link log/slog.
type Logger interface {
	Warn(msg string, args ...any)
}

// discard is the Logger of a Client without one.
type discard struct{}

func (discard) Warn(string, ...any) {}

// ConnectOptions are PowerSync's connection options.
type ConnectOptions struct {
	// Params are the client parameters sent with the sync request
	// (sync rules read them as request.parameters()).
	Params map[string]any
	// RetryDelay is the wait before reconnecting after an error or a
	// closed stream, and before retrying a failed upload, each with ±10%
	// jitter. Zero means 5 s.
	RetryDelay time.Duration
	// CrudUploadThrottle is the least time between two upload runs. Zero
	// means 1 s; negative means none.
	CrudUploadThrottle time.Duration
	// AppMetadata is sent with the sync request (the service logs it).
	AppMetadata map[string]string
}

const (
	defaultRetryDelay         = 5 * time.Second
	defaultCrudUploadThrottle = time.Second
)

func (o ConnectOptions) withDefaults() ConnectOptions {
	if o.RetryDelay <= 0 {
		o.RetryDelay = defaultRetryDelay
	}
	if o.CrudUploadThrottle == 0 {
		o.CrudUploadThrottle = defaultCrudUploadThrottle
	}
	return o
}

// jitter returns d ±10%, as PowerSync's retry delays.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// Client syncs one store.DB with a PowerSync service. It is safe for
// concurrent use. Create it with New; it is idle until Connect.
type Client struct {
	db     *store.DB
	opts   Options
	status *statusHub

	// lifecycle serializes Connect, Disconnect and DisconnectAndClear:
	// two Connects at once must not both start a connection.
	lifecycle sync.Mutex
	run       *connection // the current connection, nil when disconnected; guarded by lifecycle
}

// connection is one Connect's background work: the sync stream loop and
// the upload loop.
type connection struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a Client for db. Its status starts from what the database
// remembers (ps_sync_state): a database synced before reports HasSynced
// while offline.
func New(ctx context.Context, db *store.DB, opts *Options) (*Client, error) {
	c := &Client{db: db, status: newStatusHub()}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.HTTP == nil {
		c.opts.HTTP = defaultHTTP()
	}
	if c.opts.UserAgent == "" {
		c.opts.UserAgent = "gopowersync"
	}
	if err := readSyncState(ctx, db, &c.status.status); err != nil {
		return nil, fmt.Errorf("sync: read sync state: %w", err)
	}
	return c, nil
}

func (c *Client) logger() Logger {
	if c.opts.Logger != nil {
		return c.opts.Logger
	}
	return discard{}
}

// Connect starts syncing with the service the connector names and returns
// at once: downloads and uploads run in the background until Disconnect,
// DisconnectAndClear, or ctx ends. Connecting while connected replaces
// the connection (new connector and options), as in PowerSync.
func (c *Client) Connect(ctx context.Context, connector Connector, opts ConnectOptions) error {
	if connector == nil {
		return errors.New("sync: connect: nil connector")
	}
	c.lifecycle.Lock()
	defer c.lifecycle.Unlock()
	if err := c.disconnect(ctx); err != nil {
		return err
	}
	opts = opts.withDefaults()
	runCtx, cancel := context.WithCancel(ctx)
	conn := &connection{cancel: cancel, done: make(chan struct{})}
	s := &session{
		c: c, db: c.db, opts: opts, creds: &credentials{connector: connector}, connector: connector,
		uploadWake: make(chan struct{}, 1), uploaded: make(chan struct{}, 1),
	}
	c.run = conn
	c.status.update(func(st *SyncStatus) { st.Connecting = true })
	go func() {
		defer close(conn.done)
		s.run(runCtx)
	}()
	return nil
}

// Disconnect stops syncing and waits until the background work has
// stopped. Nothing downloaded or queued is lost: a later Connect resumes.
func (c *Client) Disconnect(ctx context.Context) error {
	c.lifecycle.Lock()
	defer c.lifecycle.Unlock()
	return c.disconnect(ctx)
}

func (c *Client) disconnect(ctx context.Context) error {
	conn := c.run
	c.run = nil
	if conn == nil {
		return nil
	}
	conn.cancel()
	select {
	case <-conn.done:
	case <-ctx.Done():
		return fmt.Errorf("sync: disconnect: %w", ctx.Err())
	}
	c.status.update(func(st *SyncStatus) {
		st.Connected, st.Connecting = false, false
		st.DataFlow.Downloading, st.DataFlow.Uploading = false, false
		st.DataFlow.DownloadProgress = nil
	})
	return nil
}

// ClearOptions configures DisconnectAndClear.
type ClearOptions struct {
	// KeepLocal keeps the rows of local-only tables (PowerSync's
	// clearLocal: false).
	KeepLocal bool
}

// DisconnectAndClear disconnects and deletes everything synced or queued:
// the rows of synced tables (and of local-only tables unless KeepLocal),
// the buckets and ops, the upload queue and the sync state, as PowerSync's
// powersync_clear does. The client id stays.
func (c *Client) DisconnectAndClear(ctx context.Context, opts ClearOptions) error {
	c.lifecycle.Lock()
	defer c.lifecycle.Unlock()
	if err := c.disconnect(ctx); err != nil {
		return err
	}
	err := c.db.WriteTx(ctx, func(tx *store.Tx) error {
		for _, t := range []string{"ps_oplog", "ps_buckets", "ps_updated_rows", "ps_untyped", "ps_crud", "ps_sync_state", "ps_stream_subscriptions"} {
			if _, err := tx.Execute(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		if _, err := tx.Execute(ctx, `DELETE FROM ps_kv WHERE key != 'client_id'`); err != nil {
			return err
		}
		tables, err := tx.GetAll(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND (name GLOB 'ps_data__*' OR (?1 AND name GLOB 'ps_data_local__*'))`, !opts.KeepLocal)
		if err != nil {
			return err
		}
		for _, r := range tables.Values {
			name, _ := r[0].(string)
			if _, err := tx.Execute(ctx, `DELETE FROM "`+name+`"`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync: disconnect and clear: %w", err)
	}
	c.status.update(func(st *SyncStatus) { *st = SyncStatus{} })
	return nil
}

// Status returns the current sync status.
func (c *Client) Status() SyncStatus { return c.status.get() }

// RegisterListener calls fn with the new status on every change, until
// the returned dispose function is called. fn runs on the goroutine that
// changed the status; it must not block for long.
func (c *Client) RegisterListener(fn func(SyncStatus)) (dispose func()) {
	return c.status.register(fn)
}

// WaitForFirstSync waits until a complete checkpoint has been applied
// (priority < 0), or until the buckets of the given priority and more
// urgent ones have been (PowerSync's waitForFirstSync({priority})). It
// returns at once when that happened before, even in an earlier run.
func (c *Client) WaitForFirstSync(ctx context.Context, priority int) error {
	return c.status.wait(ctx, func(s SyncStatus) bool {
		if priority < 0 {
			return s.HasSynced()
		}
		return s.StatusForPriority(priority).HasSynced
	})
}

// sleep waits d or until ctx ends, reporting whether it waited all of d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
