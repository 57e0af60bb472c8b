package collection

import (
	"errors"
	"time"
)

// Collection is a keyed set of items mirrored from a sync source, with an
// optimistic layer on top made of the mutations of active transactions.
// Its methods are safe for concurrent use.
type Collection struct {
	rt  *Runtime
	cfg Config
	id  string

	// Everything below is guarded by rt.mu.

	status              Status
	statusCh            chan struct{}         // closed and replaced on every status change
	readyWaiters        []*readyWaiter        // OnFirstReady callbacks, run at the next ready
	statusListeners     []*listener[Status]   // OnStatusChange callbacks
	subscriberListeners []*listener[int]      // OnSubscribersChange callbacks
	loadingListeners    []*listener[bool]     // OnLoadingSubsetChange callbacks
	indexListeners      []*listener[*Index]   // OnIndexChange callbacks
	truncateListeners   []*listener[struct{}] // OnTruncate callbacks
	loadingSubsets      int                   // LoadSubset calls in flight
	syncErr             error                 // the cause given to MarkError
	syncGen             uint64                // bumped by every start and cleanup of sync
	handle              SyncHandle            // of the running sync session
	hasHandle           bool

	synced      map[string]held     // the sync source's state (see packed.go)
	shapes      shapes              // the column lists of packed synced items
	optUpserts  map[string]Row      // optimistic items, recomputed per key
	optDeletes  map[string]struct{} // optimistic deletes
	sortedKeys  []string            // synced keys in order, valid when sortedOK
	sortedOK    bool
	pendingSync []*syncTx // sync transactions not yet applied

	subs     []*Subscription
	watchers []*keyWatch // WatchKeys callbacks
	indexes  []*Index    // kept up to date by every step (index.go)
	gcTimer  *time.Timer
	gcGen    uint64
}

func newCollection(rt *Runtime, cfg Config) *Collection {
	return &Collection{
		rt:         rt,
		cfg:        cfg,
		id:         cfg.ID,
		status:     StatusIdle,
		statusCh:   make(chan struct{}),
		synced:     make(map[string]held),
		optUpserts: make(map[string]Row),
		optDeletes: make(map[string]struct{}),
		sortedOK:   true,
	}
}

// ID returns the collection's id.
func (c *Collection) ID() string { return c.id }

// Config returns the configuration the collection was created with (with
// its ID filled in).
func (c *Collection) Config() Config { return c.cfg }

// Utils returns Config.Utils: the helpers of this kind of collection.
func (c *Collection) Utils() any { return c.cfg.Utils }

// Runtime returns the Runtime the collection belongs to.
func (c *Collection) Runtime() *Runtime { return c.rt }

// Status returns the lifecycle status.
func (c *Collection) Status() Status {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.status
}

// SyncError returns the error given to the sync source's MarkError, or nil.
func (c *Collection) SyncError() error {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.syncErr
}

// key derives the key of item with Config.GetKey or the "id" field. Every
// string is a key, "" too, as every text is a PowerSync id.
func (c *Collection) key(item Row) (string, error) {
	if c.cfg.GetKey != nil {
		k, err := c.cfg.GetKey(item)
		if errors.Is(err, ErrUndefinedKey) {
			return "", &UndefinedKeyError{Item: item}
		}
		if err != nil {
			return "", &InvalidKeyError{Cause: err}
		}
		return k, nil
	}
	switch v := item["id"].(type) {
	case string:
		return v, nil
	case nil:
		return "", &UndefinedKeyError{Item: item}
	default:
		return "", &InvalidKeyError{Cause: errNonStringID}
	}
}

type constError string

func (e constError) Error() string { return string(e) }

const errNonStringID = constError("the id field must be a string")

// globalKey is TanStack's collection-qualified key.
func (c *Collection) globalKey(key string) string { return "KEY::" + c.id + "/" + key }
