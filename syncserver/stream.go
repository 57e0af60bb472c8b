package syncserver

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver/internal/storage"
)

// streamRequest is protocol.StreamRequest made tolerant of what this
// server does not use: parameters, app_metadata and streams may have any
// shape (protocol-vectors.md §5), and unknown fields are ignored.
type streamRequest struct {
	protocol.StreamRequest
	Parameters  json.RawMessage `json:"parameters"`
	AppMetadata json.RawMessage `json:"app_metadata"`
	Streams     json.RawMessage `json:"streams"`
}

// maxStreamRequestBytes bounds the request body: a bucket list.
const maxStreamRequestBytes = 8 << 20

// handleStream serves POST /sync/stream. The body is checked before the
// token, as the service does (lib-services router/endpoint.ts), then the
// stream runs until the client goes away, the token expires or the
// server closes.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	var req streamRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxStreamRequestBytes)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		badRequest(w, fmt.Sprintf("syncserver: sync stream: bad request body: %v", err))
		return
	}
	claims, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", protocol.ContentType)
	h.Set("X-Accel-Buffering", "no")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)

	st := &stream{
		s:         s,
		out:       lineWriter{w: w, rc: rc},
		user:      claims.UserID,
		client:    req.ClientID,
		exp:       claims.ExpiresAt,
		pos:       map[string]int64{},
		announced: map[string]storage.BucketState{},
	}
	for _, b := range req.Buckets {
		st.pos[b.Name] = int64(b.After)
	}
	s.log.Info("syncserver: stream opened", "user", st.user, "client_id", st.client, "buckets", len(req.Buckets))
	err := st.run(r.Context())
	switch {
	case err == nil, errors.Is(err, errTokenExpired), errors.Is(err, errServerClosed), r.Context().Err() != nil:
		s.log.Info("syncserver: stream closed", "user", st.user, "client_id", st.client, "reason", reason(r.Context(), err))
	default:
		// The status line is gone: ending the stream is all that is left,
		// and the client reconnects.
		s.log.Error("syncserver: stream failed", "user", st.user, "client_id", st.client, "err", err)
	}
}

func reason(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "client went away"
	case err == nil:
		return "done"
	default:
		return err.Error()
	}
}

var (
	errTokenExpired = errors.New("token expired")
	errServerClosed = errors.New("server closed")
)

// lineWriter writes one NDJSON line at a time and flushes it, holding
// one line in memory.
type lineWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	buf []byte
}

func (lw *lineWriter) write(l protocol.Line) error {
	var err error
	if lw.buf, err = protocol.AppendLine(lw.buf[:0], l); err != nil {
		return err
	}
	if _, err := lw.w.Write(lw.buf); err != nil {
		return fmt.Errorf("write line: %w", err)
	}
	if err := lw.rc.Flush(); err != nil {
		return fmt.Errorf("flush line: %w", err)
	}
	return nil
}

// stream is one open sync stream.
type stream struct {
	s      *Server
	out    lineWriter
	user   string
	client string
	exp    time.Time

	// pos is, per bucket, the last op id the client holds: from the
	// request's "after", then advanced by every data line sent.
	pos map[string]int64
	// announced is the bucket states of the last checkpoint or diff
	// sent, wc its write checkpoint.
	announced map[string]storage.BucketState
	wc        int64

	keepalive *time.Ticker
	expiry    *time.Timer
}

// run sends checkpoints until the stream ends (powersync.md §3; the
// service's sync.ts streamResponse):
//
//  1. a checkpoint line: last_op_id is the op log's head, every bucket of
//     the user with its checksum and count up to it, and the client's
//     write checkpoint;
//  2. data lines with the ops after the client's position up to the
//     head, buckets of more urgent priority first, a
//     partial_checkpoint_complete after each priority but the last, then
//     checkpoint_complete;
//  3. on each change (an upload, a write checkpoint): a checkpoint_diff
//     with the buckets whose checksum changed, the new ops, and
//     checkpoint_complete.
//
// A token_expires_in line goes out every KeepaliveInterval, and at the
// token's expiry {"token_expires_in":0} ends the stream.
func (st *stream) run(ctx context.Context) error {
	if !st.s.now().Before(st.exp) {
		return st.expire()
	}
	st.keepalive = time.NewTicker(st.s.cfg.KeepaliveInterval)
	defer st.keepalive.Stop()
	st.expiry = time.NewTimer(st.exp.Sub(st.s.now()))
	defer st.expiry.Stop()

	first, resend := true, false
	for {
		snap, err := st.s.db.Snapshot(ctx, st.user, st.client)
		if err != nil {
			return st.dbErr(err)
		}
		send, ok, err := st.announce(snap, first, resend)
		if err != nil {
			return err
		}
		if !ok {
			if err := st.wait(ctx, snap.Changed); err != nil {
				return err
			}
			continue
		}
		first = false
		complete, err := st.sendData(ctx, snap, send)
		if err != nil {
			return err
		}
		// Ops read after a compaction may not add up to the checkpoint
		// just announced: leave it incomplete and announce another at
		// once, as the service does when compaction invalidates a
		// checkpoint (powersync.md §3 "Compacting").
		resend = !complete
		if complete {
			if err := st.out.write(protocol.Line{CheckpointComplete: &protocol.CheckpointComplete{LastOpID: protocol.OpID(snap.Head)}}); err != nil {
				return err
			}
		}
	}
}

func (st *stream) dbErr(err error) error {
	if errors.Is(err, storage.ErrClosed) {
		return errServerClosed
	}
	return err
}

// announce writes the checkpoint (first) or the checkpoint_diff for snap
// and returns the buckets whose ops to send, or ok false when nothing
// changed for this client. resend forces a diff and sends every bucket.
func (st *stream) announce(snap storage.Snapshot, first, resend bool) ([]storage.BucketState, bool, error) {
	var wc *protocol.OpID
	if snap.WriteCheckpoint > 0 {
		v := protocol.OpID(snap.WriteCheckpoint)
		wc = &v
	}
	current := make(map[string]storage.BucketState, len(snap.Buckets))
	for _, b := range snap.Buckets {
		current[b.Name] = b
	}
	var line protocol.Line
	send := snap.Buckets
	if first {
		line.Checkpoint = &protocol.Checkpoint{LastOpID: protocol.OpID(snap.Head), WriteCheckpoint: wc, Buckets: bucketChecksums(snap.Buckets)}
	} else {
		var updated []storage.BucketState
		for _, b := range snap.Buckets {
			if old, ok := st.announced[b.Name]; !ok || old != b {
				updated = append(updated, b)
			}
		}
		removed := []string{}
		for name := range st.announced {
			if _, ok := current[name]; !ok {
				removed = append(removed, name)
			}
		}
		slices.Sort(removed)
		if len(updated) == 0 && len(removed) == 0 && snap.WriteCheckpoint == st.wc && !resend {
			return nil, false, nil
		}
		line.CheckpointDiff = &protocol.CheckpointDiff{LastOpID: protocol.OpID(snap.Head), WriteCheckpoint: wc,
			UpdatedBuckets: bucketChecksums(updated), RemovedBuckets: removed}
		for _, name := range removed {
			delete(st.pos, name)
		}
		if !resend {
			send = updated
		}
	}
	if err := st.out.write(line); err != nil {
		return nil, false, err
	}
	st.announced, st.wc = current, snap.WriteCheckpoint
	return send, true, nil
}

func bucketChecksums(bs []storage.BucketState) []protocol.BucketChecksum {
	out := make([]protocol.BucketChecksum, len(bs))
	for i, b := range bs {
		count, prio := b.Count, b.Priority
		out[i] = protocol.BucketChecksum{Bucket: b.Name, Checksum: b.Checksum, Count: &count, Priority: &prio}
	}
	return out
}

// sendData sends the ops of buckets up to snap.Head, by priority, with a
// partial_checkpoint_complete after each priority but the last. It
// returns false when a compaction changed ops since snap was read.
func (st *stream) sendData(ctx context.Context, snap storage.Snapshot, buckets []storage.BucketState) (bool, error) {
	buckets = slices.Clone(buckets)
	slices.SortFunc(buckets, func(a, b storage.BucketState) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Name, b.Name))
	})
	for i, b := range buckets {
		ok, err := st.sendBucket(ctx, b.Name, snap)
		if err != nil || !ok {
			return false, err
		}
		if i+1 < len(buckets) && buckets[i+1].Priority != b.Priority {
			if err := st.out.write(protocol.Line{PartialCheckpointComplete: &protocol.PartialCheckpointComplete{
				LastOpID: protocol.OpID(snap.Head), Priority: b.Priority}}); err != nil {
				return false, err
			}
		}
	}
	return true, nil
}

// sendBucket sends bucket's ops after the client's position up to
// snap.Head, MaxOpsPerLine at a time, reading each line's ops just
// before sending it.
func (st *stream) sendBucket(ctx context.Context, bucket string, snap storage.Snapshot) (bool, error) {
	for {
		after := st.pos[bucket]
		if after >= snap.Head {
			return true, nil
		}
		ops, more, gen, err := st.s.db.ReadOps(ctx, bucket, after, snap.Head, st.s.cfg.MaxOpsPerLine)
		if err != nil {
			return false, st.dbErr(err)
		}
		if gen != snap.Generation {
			return false, nil
		}
		if len(ops) == 0 {
			return true, nil
		}
		a, next := protocol.OpID(after), ops[len(ops)-1].OpID
		if err := st.out.write(protocol.Line{Data: &protocol.DataBatch{Bucket: bucket, Data: ops, HasMore: more, After: &a, NextAfter: &next}}); err != nil {
			return false, err
		}
		st.pos[bucket] = int64(next)
		if st.s.afterDataLine != nil {
			st.s.afterDataLine()
		}
		if err := st.between(ctx); err != nil {
			return false, err
		}
		if !more {
			return true, nil
		}
	}
}

// between keeps the stream's timers while a checkpoint is being sent: a
// due keepalive goes out, an expired token ends the stream.
func (st *stream) between(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-st.s.done:
		return errServerClosed
	case <-st.expiry.C:
		return st.expire()
	case <-st.keepalive.C:
		return st.sendKeepalive()
	default:
		return nil
	}
}

// wait blocks until changed is closed, sending keepalives meanwhile.
func (st *stream) wait(ctx context.Context, changed <-chan struct{}) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-st.s.done:
			return errServerClosed
		case <-st.expiry.C:
			return st.expire()
		case <-st.keepalive.C:
			if err := st.sendKeepalive(); err != nil {
				return err
			}
		case <-changed:
			return nil
		}
	}
}

// sendKeepalive sends the seconds left on the token, rounded up, as the
// service's keepalive line (service-core src/sync/util.ts).
func (st *stream) sendKeepalive() error {
	left := int64(math.Ceil(st.exp.Sub(st.s.now()).Seconds()))
	if left <= 0 {
		return st.expire()
	}
	return st.out.write(protocol.Line{TokenExpiresIn: &left})
}

// expire sends {"token_expires_in":0}, after which the client fetches a
// new token and reconnects, and ends the stream.
func (st *stream) expire() error {
	zero := int64(0)
	if err := st.out.write(protocol.Line{TokenExpiresIn: &zero}); err != nil {
		return err
	}
	return errTokenExpired
}
