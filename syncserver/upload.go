package syncserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/localfirst/gopowersync/syncserver/internal/rowjson"
	"github.com/localfirst/gopowersync/syncserver/internal/storage"
)

// Entry is one upload entry: a CrudEntry as the official client's
// toJSON writes it, {op_id, op, type, id, tx_id, data, old, metadata}
// (powersync-js shared-internals client/sync/bucket/CrudEntry.ts;
// powersync.md §2).
type Entry struct {
	// OpID is the entry's ps_crud id on the client, increasing per
	// client; 0 when unknown (seeding).
	OpID int64 `json:"op_id"`
	// Op is "PUT", "PATCH" or "DELETE".
	Op string `json:"op"`
	// Type is the table.
	Type string `json:"type"`
	// ID is the row id.
	ID string `json:"id"`
	// TxID is the client transaction; informational.
	TxID *int64 `json:"tx_id,omitempty"`
	// Data is a JSON object of columns: the whole row for PUT, the changed
	// columns for PATCH; absent or null for DELETE. Values are kept as
	// written, numbers included.
	Data json.RawMessage `json:"data,omitempty"`
	// Old holds previous values when the table tracks them; ignored.
	Old json.RawMessage `json:"old,omitempty"`
	// Metadata is the table's _metadata when tracked; ignored.
	Metadata *string `json:"metadata,omitempty"`
}

// EntryError reports an upload entry the server refuses; nothing of its
// batch was applied. /api/upload answers it with 400 and its message.
type EntryError struct {
	// Index is the entry's position in the batch.
	Index int
	// OpID, Type and ID are the entry's, as far as they could be read.
	OpID     int64
	Type, ID string
	Reason   string
}

// Error returns "syncserver: upload entry 2 (op_id 7, todos/t1): reason".
func (e *EntryError) Error() string {
	return fmt.Sprintf("syncserver: upload entry %d (op_id %d, %s/%s): %s", e.Index, e.OpID, e.Type, e.ID, e.Reason)
}

// Apply applies batch as /api/upload does, in one transaction, as the
// backend's own write: PUT replaces the row (id and data), PATCH merges
// its data into the row (creating it when missing), DELETE removes it;
// the last write wins. Each change appends ops to the buckets the row
// leaves (REMOVE) and is in (PUT), and wakes open streams; a write that
// leaves its row exactly as it was appends nothing. Rows keep "id" first
// and then their columns in the order first written.
//
// An invalid entry (unknown op, missing type or id, data that is not an
// object, an invalid table or column name) fails the whole batch with an
// *EntryError and nothing applied. Tests and demos use Apply to seed rows
// as if the backend had written them.
func (s *Server) Apply(ctx context.Context, batch []Entry) error {
	return s.apply(ctx, "", batch)
}

func (s *Server) apply(ctx context.Context, clientID string, batch []Entry) error {
	writes := make([]storage.Write, len(batch))
	for i, e := range batch {
		w, err := e.write(i)
		if err != nil {
			return err
		}
		writes[i] = w
	}
	n, err := s.db.Apply(ctx, clientID, writes)
	if err != nil {
		return fmt.Errorf("syncserver: apply upload: %w", err)
	}
	s.log.Info("syncserver: upload applied", "entries", len(batch), "ops", n, "client_id", clientID)
	return nil
}

func (e Entry) write(i int) (storage.Write, error) {
	fail := func(format string, args ...any) (storage.Write, error) {
		return storage.Write{}, &EntryError{Index: i, OpID: e.OpID, Type: e.Type, ID: e.ID, Reason: fmt.Sprintf(format, args...)}
	}
	switch e.Op {
	case "PUT", "PATCH", "DELETE":
	default:
		return fail("unknown op %q (want PUT, PATCH or DELETE)", e.Op)
	}
	switch {
	case e.Type == "":
		return fail("missing type")
	case !validName(e.Type):
		return fail("invalid table name %q", e.Type)
	case e.ID == "":
		return fail("missing id")
	}
	w := storage.Write{Op: e.Op, Type: e.Type, ID: e.ID, OpID: e.OpID}
	if e.Op == "DELETE" || len(e.Data) == 0 {
		return w, nil
	}
	obj, err := rowjson.Parse(e.Data)
	if err != nil {
		return fail("data: %v", strings.TrimPrefix(err.Error(), "rowjson: "))
	}
	for _, f := range obj {
		if f.Key == "id" {
			var id string
			if json.Unmarshal(f.Value, &id) != nil || id != e.ID {
				return fail("data.id %s differs from id %q", f.Value, e.ID)
			}
			continue
		}
		if !validName(f.Key) {
			return fail("invalid column name %q", f.Key)
		}
		w.Data = append(w.Data, f)
	}
	return w, nil
}

// validName applies the official client's rule for table and column
// names: none of " ' % , . # [ ] or white space (powersync-js
// common/src/db/schema/Table.ts; powersync.md §1), nor control
// characters.
func validName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if strings.ContainsRune(`"'%,.#[]`, r) || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// maxUploadBytes bounds an upload body; the official client uploads one
// transaction at a time.
const maxUploadBytes = 64 << 20

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Batch    []json.RawMessage `json:"batch"`
		ClientID string            `json:"client_id"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxUploadBytes)).Decode(&body); err != nil {
		badRequest(w, fmt.Sprintf(`syncserver: upload: the body is not {"batch":[...]}: %v`, err))
		return
	}
	if body.Batch == nil {
		badRequest(w, `syncserver: upload: the body has no "batch" list`)
		return
	}
	batch := make([]Entry, len(body.Batch))
	for i, raw := range body.Batch {
		if err := json.Unmarshal(raw, &batch[i]); err != nil {
			e := batch[i] // what decoded before the error, to name the entry
			badRequest(w, (&EntryError{Index: i, OpID: e.OpID, Type: e.Type, ID: e.ID, Reason: "bad JSON: " + err.Error()}).Error())
			return
		}
	}
	if err := s.apply(r.Context(), body.ClientID, batch); err != nil {
		if ee := (*EntryError)(nil); errors.As(err, &ee) {
			badRequest(w, ee.Error())
			return
		}
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
