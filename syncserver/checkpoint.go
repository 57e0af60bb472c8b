package syncserver

import (
	"net/http"

	"github.com/localfirst/gopowersync/internal/protocol"
)

// handleWriteCheckpoint serves GET /write-checkpoint2.json?client_id=ID
// (the SDK's default "legacy" checkpoint mode; protocol-vectors.md §5):
// it increments and stores the (user, client) counter and answers
// {"data":{"write_checkpoint":"N"}}. Uploads are applied before their
// request returns, so every upload made before this call is in the op
// log up to the current head, and any checkpoint that carries N covers
// them. Open streams of the same user and client are woken and send a
// checkpoint_diff carrying N at once.
func (s *Server) handleWriteCheckpoint(w http.ResponseWriter, r *http.Request) {
	claims, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	n, err := s.db.NextWriteCheckpoint(r.Context(), claims.UserID, r.URL.Query().Get("client_id"))
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	var resp protocol.WriteCheckpointResponse
	resp.Data.WriteCheckpoint = protocol.OpID(n)
	writeJSON(w, http.StatusOK, resp)
}
