package syncserver

import (
	"context"
	"fmt"
	"net/http"
)

// CompactStats says what Compact did.
type CompactStats struct {
	// Buckets is the number of buckets whose ops changed.
	Buckets int `json:"buckets"`
	// Moved is the number of superseded PUT and REMOVE ops turned into
	// MOVE ops.
	Moved int `json:"moved"`
	// Cleared is the number of ops folded into CLEAR ops.
	Cleared int `json:"cleared"`
	// OpsBefore and OpsAfter count the ops of every bucket.
	OpsBefore int64 `json:"ops_before"`
	OpsAfter  int64 `json:"ops_after"`
}

// Compact compacts every bucket's ops as the service does
// (powersync-service docs/storage/compacting-operations.md; powersync.md
// §3 "Compacting"): a PUT or REMOVE superseded by a later op of the same
// row in its bucket becomes a MOVE (data dropped, checksum kept), then
// the bucket's leading run of REMOVE, MOVE and CLEAR ops becomes one
// CLEAR op with the run's last op id and the wrapping sum of its
// checksums. Bucket checksums are unchanged, so clients holding part of
// a bucket stay correct; a stream that was sending a checkpoint when
// the ops changed under it sends a new checkpoint before completing one.
func (s *Server) Compact(ctx context.Context) (CompactStats, error) {
	st, err := s.db.Compact(ctx)
	if err != nil {
		return CompactStats{}, fmt.Errorf("syncserver: %w", err)
	}
	s.log.Info("syncserver: compacted", "buckets", st.Buckets, "moved", st.Moved, "cleared", st.Cleared, "ops_before", st.OpsBefore, "ops_after", st.OpsAfter)
	return CompactStats(st), nil
}

// handleCompact serves POST /api/compact: it compacts and answers the
// CompactStats.
func (s *Server) handleCompact(w http.ResponseWriter, r *http.Request) {
	st, err := s.Compact(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
