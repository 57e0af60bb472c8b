package syncserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

// The whole first sync of 100,000 ops over loopback HTTP, decoded.
func BenchmarkFirstSyncOf100000Ops(b *testing.B) {
	ctx := context.Background()
	s, err := syncserver.New(ctx, syncserver.Config{Path: ":memory:"})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	b.Cleanup(func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
		hs.Close()
	})
	for i := 0; i < 100_000; i += 1000 {
		var batch []syncserver.Entry
		for j := i; j < i+1000; j++ {
			batch = append(batch, syncserver.Entry{Op: "PUT", Type: "todos", ID: fmt.Sprintf("t%06d", j), Data: json.RawMessage(`{"description":"something to do","done":0}`)})
		}
		if err := s.Apply(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	tok, err := s.Token("u1", 0)
	if err != nil {
		b.Fatal(err)
	}
	ts := &testServer{Server: s, URL: hs.URL}
	for b.Loop() {
		resp, cancel := postStream(b, ts.URL, tok, protocol.StreamRequest{})
		r := protocol.NewReader(resp.Body)
		ops := 0
		for {
			l, err := r.Next()
			if err != nil {
				b.Fatal(err)
			}
			if l.Data != nil {
				ops += len(l.Data.Data)
			}
			if l.CheckpointComplete != nil {
				break
			}
		}
		cancel()
		resp.Body.Close()
		if ops != 100_000 {
			b.Fatalf("%d ops", ops)
		}
	}
}
