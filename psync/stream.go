package psync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/store"
)

// session is the state of one Connect: its connector, options and cached
// credentials, shared by the stream loop and the upload loop.
type session struct {
	c         *Client
	db        *store.DB
	opts      ConnectOptions
	creds     *credentials
	connector Connector

	// uploadWake asks the upload loop to run; uploaded tells the stream
	// loop an upload finished with a new write checkpoint target, so a
	// checkpoint held back for local changes may now apply.
	uploadWake, uploaded chan struct{}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// run is the stream loop: one iteration per connection, reconnecting
// after RetryDelay (or at once after a token refresh) until ctx ends.
func (s *session) run(ctx context.Context) {
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		s.uploadLoop(ctx)
	}()
	defer func() { <-upDone }()
	for ctx.Err() == nil {
		s.c.status.update(func(st *SyncStatus) { st.Connecting = true })
		immediate, err := s.iterate(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.c.logger().Warn("sync: sync iteration failed", "err", err)
		}
		s.c.status.update(func(st *SyncStatus) {
			st.Connected, st.Connecting = false, true
			st.DataFlow.Downloading = false
			st.DataFlow.DownloadProgress = nil
			if err != nil {
				st.DataFlow.DownloadError = err
			}
		})
		if !immediate && !sleep(ctx, jitter(s.opts.RetryDelay)) {
			return
		}
	}
}

// streamItem is what the reader goroutine hands to the iteration.
type streamItem struct {
	line protocol.Line
	err  error
}

// errRefreshedToken ends an iteration whose credentials were refreshed:
// the next one starts at once with the new token.
var errRefreshedToken = errors.New("sync: token refreshed")

// iteration is the state of one sync stream.
type iteration struct {
	s       *session
	target  *checkpointState // the checkpoint being downloaded, nil before the first
	pending bool             // target is complete and valid but held back by local changes
}

// checkpointState is the current checkpoint: the announced state of each
// bucket, and its write checkpoint.
type checkpointState struct {
	lastOpID        protocol.OpID
	writeCheckpoint *protocol.OpID
	buckets         map[string]protocol.BucketChecksum
	progress        *DownloadProgress
}

func (cp *checkpointState) list(maxPriority int) []protocol.BucketChecksum {
	var out []protocol.BucketChecksum
	for _, name := range slices.Sorted(maps.Keys(cp.buckets)) {
		if b := cp.buckets[name]; b.BucketPriority() <= maxPriority {
			out = append(out, b)
		}
	}
	return out
}

func (cp *checkpointState) counts() map[string]int64 {
	out := make(map[string]int64, len(cp.buckets))
	for name, b := range cp.buckets {
		if b.Count != nil {
			out[name] = *b.Count
		}
	}
	return out
}

// iterate opens one sync stream and follows it until it ends, fails, or
// ctx ends. immediate asks for a reconnect without the retry delay.
func (s *session) iterate(ctx context.Context) (immediate bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	creds, err := s.creds.get(ctx)
	if err != nil {
		return false, err
	}
	body, err := s.request(ctx)
	if err != nil {
		return false, fmt.Errorf("sync: build sync request: %w", err)
	}
	req := &Request{
		Method: "POST",
		URL:    strings.TrimRight(creds.Endpoint, "/") + "/sync/stream",
		Header: map[string]string{
			"Authorization": "Token " + creds.Token,
			"Content-Type":  "application/json",
			"Accept":        protocol.ContentType,
			"x-user-agent":  s.c.opts.UserAgent,
		},
		Body: body,
	}
	res, err := s.c.opts.HTTP.Do(ctx, req)
	if err != nil {
		return false, fmt.Errorf("sync: open sync stream: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		herr := readHTTPError(req, res)
		if herr.StatusCode == 401 {
			s.creds.invalidate()
		}
		return false, herr
	}
	if ct := res.ContentType; ct != "" && !strings.HasPrefix(ct, protocol.ContentType) {
		return false, fmt.Errorf("sync: sync stream has content type %q, want %s", ct, protocol.ContentType)
	}
	s.c.status.update(func(st *SyncStatus) { st.Connected, st.Connecting = true, false })
	signal(s.uploadWake) // uploads wait for a working connection, as in PowerSync

	items := make(chan streamItem, 4)
	go func() {
		defer close(items)
		r := protocol.NewReader(res.Body)
		for {
			l, err := r.Next()
			select {
			case items <- streamItem{l, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	it := &iteration{s: s}
	refreshed := make(chan error, 1)
	refreshing := false
	for {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-s.uploaded:
			if it.pending {
				if err := it.applyComplete(ctx); err != nil {
					return false, err
				}
			}
		case err := <-refreshed:
			if err != nil {
				// Keep the stream until the token expires; the expiry
				// line makes the next iteration fetch again.
				s.c.logger().Warn("sync: prefetch credentials failed", "err", err)
				refreshing = false
				continue
			}
			return true, nil
		case item, ok := <-items:
			if !ok {
				return false, nil
			}
			if item.err == io.EOF {
				return false, nil // the service closed the stream
			}
			if item.err != nil {
				return false, fmt.Errorf("sync: read sync stream: %w", item.err)
			}
			l := item.line
			if t := l.TokenExpiresIn; t != nil {
				switch {
				case *t <= 0:
					s.creds.invalidate()
					return true, nil
				case *t <= 30 && !refreshing:
					refreshing = true
					go func() { _, err := s.creds.fetch(ctx); refreshed <- err }()
				}
				continue
			}
			if y := s.c.opts.Yield; y != nil && l.Data != nil {
				// The line was decoded in this task: storing it starts
				// in the next, so the two never add up to one long task.
				y()
			}
			if err := it.handle(ctx, l); err != nil {
				return false, err
			}
		}
	}
}

// request builds the JSON body of POST /sync/stream as the core does.
func (s *session) request(ctx context.Context) ([]byte, error) {
	buckets, err := localBuckets(ctx, s.db)
	if err != nil {
		return nil, err
	}
	params := s.opts.Params
	if params == nil {
		params = map[string]any{}
	}
	return json.Marshal(protocol.StreamRequest{
		Buckets:         buckets,
		IncludeChecksum: true,
		RawData:         true,
		ClientID:        s.db.ClientID(),
		Parameters:      params,
		Streams:         &protocol.StreamsRequest{IncludeDefaults: true, Subscriptions: []protocol.StreamSubscription{}},
		AppMetadata:     s.opts.AppMetadata,
	})
}

// handle processes one line of the stream (token lines aside).
func (it *iteration) handle(ctx context.Context, l protocol.Line) error {
	s := it.s
	switch {
	case l.Checkpoint != nil:
		cp := l.Checkpoint
		st := &checkpointState{lastOpID: cp.LastOpID, writeCheckpoint: cp.WriteCheckpoint, buckets: make(map[string]protocol.BucketChecksum, len(cp.Buckets))}
		for _, b := range cp.Buckets {
			st.buckets[b.Bucket] = b
		}
		return it.begin(ctx, st, nil)
	case l.CheckpointDiff != nil:
		d := l.CheckpointDiff
		if it.target == nil {
			return fmt.Errorf("sync: checkpoint_diff %d before any checkpoint", d.LastOpID)
		}
		st := &checkpointState{lastOpID: d.LastOpID, writeCheckpoint: d.WriteCheckpoint, buckets: maps.Clone(it.target.buckets)}
		if st.writeCheckpoint == nil {
			st.writeCheckpoint = it.target.writeCheckpoint
		}
		for _, b := range d.UpdatedBuckets {
			st.buckets[b.Bucket] = b
		}
		for _, name := range d.RemovedBuckets {
			delete(st.buckets, name)
		}
		return it.begin(ctx, st, d.RemovedBuckets)
	case l.Data != nil:
		err := s.db.WriteTx(ctx, func(tx *store.Tx) error { return storeData(ctx, tx, l.Data, s.c.opts.Yield) })
		if err != nil {
			return fmt.Errorf("sync: store data of bucket %q: %w", l.Data.Bucket, err)
		}
		if it.target != nil && it.target.progress != nil {
			if bp, ok := it.target.progress.Buckets[l.Data.Bucket]; ok {
				bp.SinceLast += int64(len(l.Data.Data))
				it.target.progress.Buckets[l.Data.Bucket] = bp
				p := it.target.progress.clone()
				s.c.status.update(func(st *SyncStatus) { st.DataFlow.DownloadProgress = p })
			}
		}
		return nil
	case l.CheckpointComplete != nil:
		if it.target == nil {
			return fmt.Errorf("sync: checkpoint_complete %d before any checkpoint", l.CheckpointComplete.LastOpID)
		}
		return it.applyComplete(ctx)
	case l.PartialCheckpointComplete != nil:
		if it.target == nil {
			return fmt.Errorf("sync: partial_checkpoint_complete %d before any checkpoint", l.PartialCheckpointComplete.LastOpID)
		}
		return it.applyPartial(ctx, l.PartialCheckpointComplete.Priority)
	}
	return nil // a line of a kind this client does not know
}

// begin makes st the checkpoint being downloaded: buckets it no longer
// holds are deleted, and download progress starts from the stored counts.
func (it *iteration) begin(ctx context.Context, st *checkpointState, removed []string) error {
	s := it.s
	progress := &DownloadProgress{Buckets: make(map[string]BucketProgress, len(st.buckets))}
	err := s.db.WriteTx(ctx, func(tx *store.Tx) error {
		rows, err := tx.GetAll(ctx, `SELECT name, count_at_last, count_since_last FROM ps_buckets WHERE name != '$local'`)
		if err != nil {
			return err
		}
		var gone []string
		for _, r := range rows.Values {
			name, _ := r[0].(string)
			b, ok := st.buckets[name]
			if !ok {
				gone = append(gone, name)
				continue
			}
			var target int64
			if b.Count != nil {
				target = *b.Count
			}
			progress.Buckets[name] = BucketProgress{Priority: b.BucketPriority(), AtLast: asInt(r[1]), SinceLast: asInt(r[2]), TargetCount: target}
		}
		for name, b := range st.buckets {
			if _, ok := progress.Buckets[name]; !ok {
				var target int64
				if b.Count != nil {
					target = *b.Count
				}
				progress.Buckets[name] = BucketProgress{Priority: b.BucketPriority(), TargetCount: target}
			}
		}
		return deleteBuckets(ctx, tx, append(gone, removed...))
	})
	if err != nil {
		return fmt.Errorf("sync: begin checkpoint %d: %w", st.lastOpID, err)
	}
	st.progress = progress
	it.target, it.pending = st, false
	p := progress.clone()
	s.c.status.update(func(st *SyncStatus) {
		st.DataFlow.Downloading = true
		st.DataFlow.DownloadProgress = p
	})
	return nil
}

// applyComplete validates the whole checkpoint and applies it when no
// local change is waiting; otherwise it stays pending until an upload
// completes or a newer checkpoint arrives.
func (it *iteration) applyComplete(ctx context.Context) error {
	s, cp := it.s, it.target
	var bad *ChecksumError
	applied := false
	schema := s.db.Schema() // before WriteTx: the transaction holds the connection
	err := s.db.WriteTx(ctx, func(tx *store.Tx) error {
		var err error
		if bad, err = validate(ctx, tx, cp.lastOpID, cp.list(protocol.FullSyncPriority)); err != nil || bad != nil {
			if err == nil {
				err = deleteBuckets(ctx, tx, mismatched(bad))
			}
			return err
		}
		if err := markDownloaded(ctx, tx, cp.lastOpID, nil); err != nil {
			return err
		}
		if cp.writeCheckpoint != nil {
			if err := setKV(ctx, tx, "last_seen_checkpoint_request_id", int64(*cp.writeCheckpoint)); err != nil {
				return err
			}
		}
		ok, err := canApply(ctx, tx)
		if err != nil || !ok {
			return err
		}
		applied = true
		return syncLocal(ctx, tx, schema, applyScope{}, cp.counts(), time.Now(), s.c.opts.Yield)
	})
	if err != nil {
		return fmt.Errorf("sync: apply checkpoint %d: %w", cp.lastOpID, err)
	}
	if bad != nil {
		it.target = nil
		return bad
	}
	it.pending = !applied
	if !applied {
		return nil
	}
	var synced SyncStatus
	if err := readSyncState(ctx, s.db, &synced); err != nil {
		return fmt.Errorf("sync: apply checkpoint %d: %w", cp.lastOpID, err)
	}
	s.c.status.update(func(st *SyncStatus) {
		st.LastSyncedAt, st.PriorityStatusEntries = synced.LastSyncedAt, synced.PriorityStatusEntries
		st.DataFlow.Downloading = false
		st.DataFlow.DownloadProgress = nil
		st.DataFlow.DownloadError = nil
	})
	return nil
}

// applyPartial validates and applies the buckets of priority p and more
// urgent ones. Priority 0 applies even with local changes waiting.
func (it *iteration) applyPartial(ctx context.Context, p int) error {
	s, cp := it.s, it.target
	inScope := cp.list(p)
	names := make([]string, len(inScope))
	for i, b := range inScope {
		names[i] = b.Bucket
	}
	var bad *ChecksumError
	applied := false
	schema := s.db.Schema()
	err := s.db.WriteTx(ctx, func(tx *store.Tx) error {
		var err error
		if bad, err = validate(ctx, tx, cp.lastOpID, inScope); err != nil || bad != nil {
			if err == nil {
				err = deleteBuckets(ctx, tx, mismatched(bad))
			}
			return err
		}
		if err := markDownloaded(ctx, tx, cp.lastOpID, names); err != nil {
			return err
		}
		if p > 0 {
			ok, err := canApply(ctx, tx)
			if err != nil || !ok {
				return err
			}
		}
		applied = true
		return syncLocal(ctx, tx, schema, applyScope{partial: true, priority: p, buckets: names}, cp.counts(), time.Now(), s.c.opts.Yield)
	})
	if err != nil {
		return fmt.Errorf("sync: apply checkpoint %d up to priority %d: %w", cp.lastOpID, p, err)
	}
	if bad != nil {
		it.target = nil
		return bad
	}
	if !applied {
		return nil
	}
	var synced SyncStatus
	if err := readSyncState(ctx, s.db, &synced); err != nil {
		return fmt.Errorf("sync: apply checkpoint %d up to priority %d: %w", cp.lastOpID, p, err)
	}
	s.c.status.update(func(st *SyncStatus) { st.PriorityStatusEntries = synced.PriorityStatusEntries })
	return nil
}

func mismatched(e *ChecksumError) []string {
	out := make([]string, len(e.Buckets))
	for i, b := range e.Buckets {
		out[i] = b.Bucket
	}
	return out
}
