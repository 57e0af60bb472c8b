package psync

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/store"
)

// maxOpID is the checkpoint target a local write sets: "a write checkpoint
// not known yet" (the store sets it; see store's queue_commit.go).
const maxOpID = 9223372036854775807

// uploadLoop runs UploadData whenever the upload queue gains entries (and
// once at start), at most once per CrudUploadThrottle, until ctx ends
// (PowerSync's crudUploadLoop).
func (s *session) uploadLoop(ctx context.Context) {
	cancel := s.db.OnChange([]string{"ps_crud"}, func([]string) { signal(s.uploadWake) })
	defer cancel()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.uploadWake:
		}
		if wait := s.opts.CrudUploadThrottle - time.Since(last); wait > 0 && !sleep(ctx, wait) {
			return
		}
		last = time.Now()
		s.uploadAll(ctx)
	}
}

// uploadAll uploads until the queue is empty, retrying failures after
// RetryDelay, then asks the service for a write checkpoint.
func (s *session) uploadAll(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.uploadOnce(ctx)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		s.c.logger().Warn("sync: upload failed", "err", err)
		s.c.status.update(func(st *SyncStatus) {
			st.DataFlow.Uploading = false
			st.DataFlow.UploadError = err
		})
		if !sleep(ctx, jitter(s.opts.RetryDelay)) {
			return
		}
	}
}

// errUploadStuck is the upload error when UploadData returned without
// completing the first queued entry.
type errUploadStuck struct{ id int64 }

func (e errUploadStuck) Error() string {
	return fmt.Sprintf("sync: upload: uploadData returned without completing queue entry %d: call complete() on the transaction or batch", e.id)
}

func (s *session) uploadOnce(ctx context.Context) error {
	for {
		first, err := s.firstQueued(ctx)
		if err != nil {
			return err
		}
		if first == 0 {
			break
		}
		s.c.status.update(func(st *SyncStatus) { st.DataFlow.Uploading = true })
		if err := s.connector.UploadData(ctx, s.db); err != nil {
			return fmt.Errorf("sync: upload: %w", err)
		}
		next, err := s.firstQueued(ctx)
		if err != nil {
			return err
		}
		if next == first {
			return errUploadStuck{first}
		}
	}
	if err := s.writeCheckpoint(ctx); err != nil {
		return err
	}
	s.c.status.update(func(st *SyncStatus) {
		st.DataFlow.Uploading = false
		st.DataFlow.UploadError = nil
	})
	return nil
}

func (s *session) firstQueued(ctx context.Context) (int64, error) {
	row, err := s.db.Get(ctx, `SELECT ifnull(min(id), 0) AS id FROM ps_crud`)
	if err != nil {
		return 0, fmt.Errorf("sync: upload: %w", err)
	}
	return asInt(row["id"]), nil
}

// writeCheckpoint runs when the queue is empty and the target is still
// "unknown" (maxOpID): it asks the service for a write checkpoint covering
// the uploads, and makes it the target, unless new entries were queued
// meanwhile (PowerSync's updateLocalTarget). Downloads then apply once a
// checkpoint carries that write checkpoint.
func (s *session) writeCheckpoint(ctx context.Context) error {
	row, err := s.db.Get(ctx, `SELECT ifnull((SELECT CAST(value AS INTEGER) FROM ps_kv WHERE key = 'target_checkpoint_request_id'), 0) AS target,
  ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'), 0) AS seq`)
	if err != nil {
		return fmt.Errorf("sync: write checkpoint: %w", err)
	}
	if asInt(row["target"]) != maxOpID {
		return nil
	}
	seq := asInt(row["seq"])
	wc, err := s.fetchWriteCheckpoint(ctx)
	if err != nil {
		return err
	}
	err = s.db.WriteTx(ctx, func(tx *store.Tx) error {
		r, err := tx.Get(ctx, `SELECT EXISTS(SELECT 1 FROM ps_crud) AS queued, ifnull((SELECT seq FROM sqlite_sequence WHERE name = 'ps_crud'), 0) AS seq`)
		if err != nil {
			return err
		}
		if asInt(r["queued"]) != 0 || asInt(r["seq"]) != seq {
			return nil // written meanwhile: the next upload asks again
		}
		return setKV(ctx, tx, "target_checkpoint_request_id", int64(wc))
	})
	if err != nil {
		return fmt.Errorf("sync: write checkpoint: %w", err)
	}
	signal(s.uploaded)
	return nil
}

// fetchWriteCheckpoint is GET /write-checkpoint2.json?client_id=.
func (s *session) fetchWriteCheckpoint(ctx context.Context) (protocol.OpID, error) {
	creds, err := s.creds.get(ctx)
	if err != nil {
		return 0, err
	}
	req := &Request{
		Method: "GET",
		URL:    strings.TrimRight(creds.Endpoint, "/") + "/write-checkpoint2.json?client_id=" + url.QueryEscape(s.db.ClientID()),
		Header: map[string]string{"Authorization": "Token " + creds.Token, "x-user-agent": s.c.opts.UserAgent},
	}
	res, err := s.c.opts.HTTP.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("sync: write checkpoint: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		herr := readHTTPError(req, res)
		if herr.StatusCode == 401 {
			s.creds.invalidate()
		}
		return 0, herr
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return 0, fmt.Errorf("sync: write checkpoint: %w", err)
	}
	var wr protocol.WriteCheckpointResponse
	if err := json.Unmarshal(body, &wr); err != nil {
		return 0, fmt.Errorf("sync: write checkpoint: bad answer %q: %w", body, err)
	}
	return wr.Data.WriteCheckpoint, nil
}
