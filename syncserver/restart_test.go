package syncserver_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

// A server reopened on the same file has the same rows, op ids, checksums
// and signing key: tokens and clients from before carry on.
func TestARestartedServerCarriesOn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sync.sqlite")
	ctx := context.Background()
	first, err := syncserver.New(ctx, syncserver.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	ts1 := &testServer{Server: first}
	churn(t, ts1, "todos", 5)
	ts1.apply(t, del("todos", rowID(4)))
	if _, err := first.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	tok, err := first.Token("u1", 0)
	if err != nil {
		t.Fatal(err)
	}
	rowsBefore := serverRows(t, ts1, "todos")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	ts := newServer(t, syncserver.Config{Path: path})
	if got := serverRows(t, ts, "todos"); len(got) != 4 || len(got) != len(rowsBefore) {
		t.Fatalf("rows after restart %v, want %v", got, rowsBefore)
	}
	// The token signed before the restart is accepted.
	s := openStream(t, ts, tok, protocol.StreamRequest{ClientID: "c1"})
	c := newClient(t)
	l := s.next()
	if l.Checkpoint == nil || l.Checkpoint.LastOpID != 11 {
		t.Fatalf("first line %s, want a checkpoint at op 11", lineJSON(l))
	}
	c.apply(l)
	c.syncUntilComplete(s, 1)
	sameRows(t, c, ts, "todos")
	s.close()

	// Op ids go on from the head, and a client resuming from it gets
	// only the new op.
	ts.apply(t, put("todos", "n", `{}`))
	s = openStream(t, ts, tok, c.request())
	var ops []protocol.OpID
	for c.completes < 2 {
		l := s.next()
		c.apply(l)
		if l.Data != nil {
			for _, o := range l.Data.Data {
				ops = append(ops, o.OpID)
			}
		}
	}
	if len(ops) != 1 || ops[0] != 12 {
		t.Fatalf("resumed client got ops %v, want [12]", ops)
	}
	sameRows(t, c, ts, "todos")
	if status, body := do(t, http.MethodGet, ts.URL+"/write-checkpoint2.json?client_id=c1", authHeader(tok), ""); status != http.StatusOK {
		t.Fatalf("write checkpoint after restart: %s", body)
	}
}
