package collection

import (
	"context"
	"sync"
)

// LoadSubset asks the sync source for the items matching where (nil: all)
// and returns the function that releases them again. For an on-demand
// collection this is how data arrives; an eager collection already holds
// everything, so without a LoadSubset in its source it returns at once.
func (c *Collection) LoadSubset(ctx context.Context, where Expr) (unload func(), err error) {
	return c.LoadSubsetWith(ctx, LoadSubsetOptions{Where: where})
}

// LoadSubsetWith is LoadSubset with all the options: a windowed query
// also passes its order and the number of rows its window needs.
func (c *Collection) LoadSubsetWith(ctx context.Context, opts LoadSubsetOptions) (unload func(), err error) {
	if err := c.usable("load subset"); err != nil {
		return nil, err
	}
	c.startSync()
	c.rt.mu.Lock()
	h, ok := c.handle, c.hasHandle
	gen := c.syncGen
	c.rt.mu.Unlock()
	if !ok || h.LoadSubset == nil {
		if c.cfg.SyncMode == SyncOnDemand {
			return nil, &CollectionConfigurationError{Message: "an on-demand collection needs a sync source with LoadSubset"}
		}
		return func() {}, nil
	}
	c.loadingSubset(+1)
	err = h.LoadSubset(ctx, opts)
	c.loadingSubset(-1)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.rt.mu.Lock()
			current := c.syncGen == gen
			c.rt.mu.Unlock()
			if current && h.UnloadSubset != nil {
				h.UnloadSubset(opts)
			}
		})
	}, nil
}

// IsLoadingSubset reports whether a LoadSubset call is waiting for its
// sync source: TanStack DB's collection.isLoadingSubset.
func (c *Collection) IsLoadingSubset() bool {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	return c.loadingSubsets > 0
}

// OnLoadingSubsetChange calls fn(previous, current) each time
// IsLoadingSubset changes (TanStack DB's loadingSubset:change event), in
// order, on a goroutine of its own, never with the collection's locks
// held. It returns a function that ends that.
func (c *Collection) OnLoadingSubsetChange(fn func(previous, current bool)) (cancel func()) {
	return addListener(c, &c.loadingListeners, fn)
}

// loadingSubset counts a LoadSubset call starting (+1) or ending (-1) and
// tells the listeners when the first starts or the last ends.
func (c *Collection) loadingSubset(delta int) {
	c.rt.mu.Lock()
	defer c.rt.mu.Unlock()
	before := c.loadingSubsets > 0
	c.loadingSubsets += delta
	if now := c.loadingSubsets > 0; now != before {
		for _, l := range c.loadingListeners {
			l.push(before, now)
		}
	}
}
