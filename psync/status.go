package psync

import (
	"context"
	"slices"
	"sync"
	"time"
)

// SyncStatus is the state of sync, with the fields of PowerSync's
// SyncStatus (powersync-js packages/common/src/db/crud/SyncStatus.ts).
// It is a value: a listener may keep it.
type SyncStatus struct {
	// Connected is true while a sync stream is open.
	Connected bool
	// Connecting is true while a stream is being opened (also while
	// waiting to retry after an error, as in PowerSync).
	Connecting bool
	// LastSyncedAt is when a complete checkpoint was last applied; zero
	// when never (also across restarts: it is read from ps_sync_state).
	LastSyncedAt time.Time
	// DataFlow says what is moving and what failed last.
	DataFlow DataFlowStatus
	// PriorityStatusEntries holds, per priority that was synced on its
	// own (partial checkpoints), when that happened; most urgent first.
	PriorityStatusEntries []PriorityStatus
}

// DataFlowStatus is SyncStatus.dataFlowStatus.
type DataFlowStatus struct {
	Uploading   bool
	Downloading bool
	// DownloadError is the error that ended the last sync iteration
	// (connection, credentials, protocol, checksum), cleared by the next
	// checkpoint applied.
	DownloadError error
	// UploadError is the last error of UploadData or of the write
	// checkpoint request, cleared by the next successful upload.
	UploadError error
	// DownloadProgress is set while a checkpoint is being downloaded.
	DownloadProgress *DownloadProgress
}

// PriorityStatus is the sync state of the buckets of one priority.
type PriorityStatus struct {
	Priority     int
	HasSynced    bool
	LastSyncedAt time.Time
}

// HasSynced reports whether a complete checkpoint was ever applied.
func (s SyncStatus) HasSynced() bool { return !s.LastSyncedAt.IsZero() }

// StatusForPriority returns the sync state of the buckets with the given
// priority: the entry of the least urgent priority that is at least as
// urgent, or the complete sync's state (PowerSync's statusForPriority).
func (s SyncStatus) StatusForPriority(priority int) PriorityStatus {
	for _, e := range s.PriorityStatusEntries { // sorted most urgent first
		if e.Priority >= priority {
			return PriorityStatus{Priority: priority, HasSynced: e.HasSynced, LastSyncedAt: e.LastSyncedAt}
		}
	}
	return PriorityStatus{Priority: priority, HasSynced: s.HasSynced(), LastSyncedAt: s.LastSyncedAt}
}

// DownloadProgress counts the ops of the checkpoint being downloaded, per
// bucket, as PowerSync does (core sync/sync_status.rs).
type DownloadProgress struct {
	Buckets map[string]BucketProgress
}

// BucketProgress is one bucket's share of DownloadProgress: the bucket's
// op count at the last applied checkpoint (AtLast), the ops received
// since (SinceLast), and the count the current checkpoint announced
// (TargetCount).
type BucketProgress struct {
	Priority                       int
	AtLast, SinceLast, TargetCount int64
}

// UntilPriority returns the ops downloaded and to download for buckets
// with priority number priority or less; a negative priority counts every
// bucket (as WaitForFirstSync's does).
func (p *DownloadProgress) UntilPriority(priority int) (downloaded, total int64) {
	if p == nil {
		return 0, 0
	}
	for _, b := range p.Buckets {
		if priority >= 0 && b.Priority > priority {
			continue
		}
		downloaded += b.SinceLast
		total += max(b.TargetCount-b.AtLast, b.SinceLast)
	}
	return downloaded, total
}

// DownloadedFraction is downloaded/total over all buckets, 1 when there is
// nothing to download.
func (p *DownloadProgress) DownloadedFraction() float64 {
	d, t := p.UntilPriority(-1)
	if t == 0 {
		return 1
	}
	return float64(d) / float64(t)
}

func (p *DownloadProgress) clone() *DownloadProgress {
	if p == nil {
		return nil
	}
	c := &DownloadProgress{Buckets: make(map[string]BucketProgress, len(p.Buckets))}
	for k, v := range p.Buckets {
		c.Buckets[k] = v
	}
	return c
}

// statusHub holds the current status and its listeners. Listeners run on
// the goroutine that changed the status, after the hub's lock is released,
// in registration order.
type statusHub struct {
	mu        sync.Mutex
	status    SyncStatus
	listeners []*listener
	changed   chan struct{} // closed and replaced on every change
	// notifying serializes listener calls so they see changes in order.
	notifying sync.Mutex
}

type listener struct{ fn func(SyncStatus) }

func newStatusHub() *statusHub { return &statusHub{changed: make(chan struct{})} }

func (h *statusHub) get() SyncStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.status.copy()
}

func (s SyncStatus) copy() SyncStatus {
	s.PriorityStatusEntries = slices.Clone(s.PriorityStatusEntries)
	s.DataFlow.DownloadProgress = s.DataFlow.DownloadProgress.clone()
	return s
}

// update applies fn to the status and tells the listeners.
func (h *statusHub) update(fn func(s *SyncStatus)) {
	h.notifying.Lock()
	defer h.notifying.Unlock()
	h.mu.Lock()
	fn(&h.status)
	s := h.status.copy()
	close(h.changed)
	h.changed = make(chan struct{})
	ls := slices.Clone(h.listeners)
	h.mu.Unlock()
	for _, l := range ls {
		l.fn(s)
	}
}

func (h *statusHub) register(fn func(SyncStatus)) (dispose func()) {
	l := &listener{fn: fn}
	h.mu.Lock()
	h.listeners = append(h.listeners, l)
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if i := slices.Index(h.listeners, l); i >= 0 {
			h.listeners = slices.Delete(h.listeners, i, i+1)
		}
	}
}

// wait blocks until cond holds for the status, or ctx ends.
func (h *statusHub) wait(ctx context.Context, cond func(SyncStatus) bool) error {
	for {
		h.mu.Lock()
		ok := cond(h.status)
		ch := h.changed
		h.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
