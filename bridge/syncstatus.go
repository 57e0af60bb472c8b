package bridge

import (
	"errors"
	"slices"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/psync"
)

// SyncStatus appends s as the JSON text the JS package's SyncStatus
// revives (js/sync-status.js), the one place that shape is made:
//
//	{"connected": bool, "connecting": bool, "hasSynced": bool,
//	 "lastSyncedAt": ms since 1970 | null,
//	 "dataFlow": {"uploading": bool, "downloading": bool,
//	   "downloadError"?: error, "uploadError"?: error,
//	   "downloadProgress"?: {"downloadedOperations", "totalOperations",
//	     "downloadedFraction", "priorities": [{"priority", ...the same
//	     three counting buckets of that priority or more urgent}]}},
//	 "priorityStatusEntries": [{"priority", "hasSynced", "lastSyncedAt"}]}
//
// An error is {"message", "status"?, "code"?, "thrown"?}: status and code
// are an HTTP error's status and the service's error code (PSYNC_...);
// thrown names the connector method that threw it (ConnectorError).
func (e *Encoder) SyncStatus(s psync.SyncStatus) error {
	df := s.DataFlow
	flow := map[string]any{"uploading": df.Uploading, "downloading": df.Downloading}
	if df.DownloadError != nil {
		flow["downloadError"] = syncError(df.DownloadError)
	}
	if df.UploadError != nil {
		flow["uploadError"] = syncError(df.UploadError)
	}
	if p := df.DownloadProgress; p != nil {
		flow["downloadProgress"] = downloadProgress(p)
	}
	entries := make([]any, len(s.PriorityStatusEntries))
	for i, p := range s.PriorityStatusEntries {
		entries[i] = map[string]any{"priority": p.Priority, "hasSynced": p.HasSynced, "lastSyncedAt": unixMilli(p.LastSyncedAt)}
	}
	return e.Object(map[string]any{
		"connected":             s.Connected,
		"connecting":            s.Connecting,
		"hasSynced":             s.HasSynced(),
		"lastSyncedAt":          unixMilli(s.LastSyncedAt),
		"dataFlow":              flow,
		"priorityStatusEntries": entries,
	})
}

// unixMilli is t in milliseconds since 1970, or nil for the zero time.
func unixMilli(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// ConnectorError is a value the app's connector threw (or rejected with)
// from Method, "fetchCredentials" or "uploadData". The status names the
// method ("thrown"), so that JS shows the app's own value as the error,
// as PowerSync does; errors of our own sync client stay ours.
type ConnectorError struct {
	Method string
	Err    error
}

// Error returns the thrown value's message.
func (e *ConnectorError) Error() string { return e.Err.Error() }

// Unwrap returns the thrown value as a Go error.
func (e *ConnectorError) Unwrap() error { return e.Err }

func syncError(err error) map[string]any {
	_, msg := userText(err)
	m := map[string]any{"message": msg}
	var ce *ConnectorError
	if errors.As(err, &ce) {
		m["thrown"] = ce.Method
	}
	var he *psync.HTTPError
	if errors.As(err, &he) {
		m["status"] = he.StatusCode
		if he.Code != "" {
			m["code"] = he.Code
		}
	}
	return m
}

// downloadProgress is PowerSync's SyncProgress: the counts until the
// checkpoint is complete, and per bucket priority the counts until the
// buckets of that priority and more urgent ones are (untilPriority).
func downloadProgress(p *psync.DownloadProgress) map[string]any {
	progress := func(d, t int64) map[string]any {
		f := 1.0 // as DownloadedFraction: nothing to download is done
		if t > 0 {
			f = float64(d) / float64(t)
		}
		return map[string]any{"downloadedOperations": d, "totalOperations": t, "downloadedFraction": f}
	}
	var prios []int
	for _, b := range p.Buckets {
		if !slices.Contains(prios, b.Priority) {
			prios = append(prios, b.Priority)
		}
	}
	slices.Sort(prios)
	until := make([]any, len(prios))
	for i, prio := range prios {
		m := progress(p.UntilPriority(prio))
		m["priority"] = prio
		until[i] = m
	}
	all := progress(p.UntilPriority(protocol.FullSyncPriority))
	all["priorities"] = until
	return all
}
