package syncserver_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

// Rules that put the rows of protocol-vectors.md §3 into buckets named as
// there, except that user_todos has no parameter (its rows have no user
// column), so it is user_todos[] rather than user_todos["u1"].
const vectorRules = `
bucket_definitions:
  global:
    data:
      - SELECT * FROM lists
  user_todos:
    data:
      - SELECT * FROM todos
`

// The server's stream, byte for byte, is the constructed sample stream of
// protocol-vectors.md §3 (in internal/protocol/testdata), less what this
// server leaves out: sync-stream subscriptions, and the u1 parameter.
func TestStreamReproducesTheProtocolVectorsSampleStream(t *testing.T) {
	sample, err := os.ReadFile("../internal/protocol/testdata/sample-stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(sample)), "\n") {
		if strings.HasPrefix(l, `{"token_expires_in"`) {
			continue
		}
		l = strings.ReplaceAll(l, `user_todos[\"u1\"]`, `user_todos[]`)
		l = strings.ReplaceAll(l, `,"subscriptions":[{"default":0}]`, "")
		l = strings.ReplaceAll(l, `,"subscriptions":[{"default":1}]`, "")
		l = strings.ReplaceAll(l, `,"streams":[{"name":"global","is_default":true,"errors":[]},{"name":"user_todos","is_default":true,"errors":[]}]`, "")
		want = append(want, l)
	}

	ts := newServer(t, syncserver.Config{Rules: vectorRules})
	ts.apply(t,
		put("lists", "l1", `{"name":"Groceries"}`),
		put("todos", "t1", `{"list_id":"l1","description":"Milk","completed":0}`),
		put("todos", "t2", `{"list_id":"l1","description":"Eggs","completed":0}`))
	resp, cancel := postStream(t, ts.URL, ts.token(t, "u1"), protocol.StreamRequest{IncludeChecksum: true, RawData: true, ClientID: "c1"})
	defer cancel()
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q, want application/x-ndjson", ct)
	}
	if v := resp.Header.Get("X-Accel-Buffering"); v != "no" {
		t.Errorf("X-Accel-Buffering %q, want no", v)
	}
	r := bufio.NewReader(resp.Body)
	readLine := func() string {
		t.Helper()
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read line: %v", err)
		}
		return strings.TrimSuffix(l, "\n")
	}
	check := func(i int) {
		t.Helper()
		if got := readLine(); got != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got, want[i])
		}
	}
	for i := range 4 {
		check(i)
	}
	// Ops 4 and 5: t1 completed, t2 deleted, in one upload.
	ts.apply(t, patch("todos", "t1", `{"completed":1}`), del("todos", "t2"))
	for i := 4; i < len(want); i++ {
		check(i)
	}
}

func TestAnUploadReachesAnOpenStreamAtOnce(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	ts.apply(t, put("todos", "t1", `{"n":1}`))
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{ClientID: "c1"})
	c := newClient(t)
	c.syncUntilComplete(s, 1)

	start := time.Now()
	status, body := do(t, http.MethodPost, ts.URL+"/api/upload", nil,
		`{"batch":[{"op_id":1,"op":"PUT","type":"todos","id":"t2","data":{"n":2}},{"op_id":2,"op":"PUT","type":"lists","id":"l1","data":{}}]}`)
	if status != http.StatusOK || string(body) != "{}\n" {
		t.Fatalf("upload: HTTP %d %s", status, body)
	}
	diff := s.nextSkippingKeepalives()
	// Far below any polling interval worth having; a broadcast takes
	// well under a millisecond here.
	if d := time.Since(start); d > time.Second {
		t.Errorf("the diff came %v after the upload", d)
	}
	if diff.CheckpointDiff == nil {
		t.Fatalf("got %s, want a checkpoint_diff", lineJSON(diff))
	}
	d := diff.CheckpointDiff
	if d.LastOpID != 3 || len(d.UpdatedBuckets) != 2 || d.UpdatedBuckets[0].Bucket != "lists[]" || d.UpdatedBuckets[1].Bucket != "todos[]" || len(d.RemovedBuckets) != 0 {
		t.Fatalf("diff %s, want lists[] (new) and todos[] updated at op 3", lineJSON(diff))
	}
	c.apply(diff)
	c.syncUntilComplete(s, 1)
	sameRows(t, c, ts, "todos")
	sameRows(t, c, ts, "lists")
}

func TestAWriteCheckpointIsAcknowledgedOnTheClientsStreamOnly(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	ts.apply(t, put("todos", "t1", `{"n":1}`))
	tok := ts.token(t, "u1")
	mine := openStream(t, ts, tok, protocol.StreamRequest{ClientID: "c1"})
	other := openStream(t, ts, tok, protocol.StreamRequest{ClientID: "c2"})
	c := newClient(t)
	c.syncUntilComplete(mine, 1)
	newClient(t).syncUntilComplete(other, 1)

	status, body := do(t, http.MethodGet, ts.URL+"/write-checkpoint2.json?client_id=c1", authHeader(tok), "")
	if status != http.StatusOK || string(body) != `{"data":{"write_checkpoint":"1"}}`+"\n" {
		t.Fatalf("write checkpoint: HTTP %d %s", status, body)
	}
	l := mine.nextSkippingKeepalives()
	if got, want := lineJSON(l), `{"checkpoint_diff":{"last_op_id":"1","write_checkpoint":"1","updated_buckets":[],"removed_buckets":[]}}`; got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	c.apply(l)
	c.syncUntilComplete(mine, 1)
	if c.writeCheckpoint != 1 {
		t.Fatalf("client's write checkpoint %d, want 1", c.writeCheckpoint)
	}

	// The counter goes on per client, and a new stream's first
	// checkpoint carries the latest value.
	if _, body := do(t, http.MethodGet, ts.URL+"/write-checkpoint2.json?client_id=c1", authHeader(tok), ""); !strings.Contains(string(body), `"2"`) {
		t.Fatalf("second write checkpoint %s, want 2", body)
	}
	again := openStream(t, ts, tok, protocol.StreamRequest{ClientID: "c1"})
	if cp := again.next().Checkpoint; cp == nil || cp.WriteCheckpoint == nil || *cp.WriteCheckpoint != 2 {
		t.Fatalf("new stream's checkpoint lacks write checkpoint 2")
	}
	other.quiet()
}

const priorityRules = `
bucket_definitions:
  settings:
    priority: 0
    data: [SELECT * FROM settings]
  lists:
    priority: 1
    data: [SELECT * FROM lists]
  todos:
    data: [SELECT * FROM todos]
`

func TestBucketsAreSentByPriorityWithPartialCompletes(t *testing.T) {
	ts := newServer(t, syncserver.Config{Rules: priorityRules})
	ts.apply(t, put("todos", "t1", `{}`), put("lists", "l1", `{}`), put("settings", "s1", `{}`))
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	c := newClient(t)
	var got []string
	for c.completes == 0 {
		l := s.next()
		c.apply(l) // validates each partial_checkpoint_complete
		switch {
		case l.Data != nil:
			got = append(got, "data "+l.Data.Bucket)
		case l.PartialCheckpointComplete != nil:
			got = append(got, "partial "+lineJSON(l))
		case l.Checkpoint != nil:
			got = append(got, "checkpoint")
		case l.CheckpointComplete != nil:
			got = append(got, "complete")
		}
	}
	want := []string{
		"checkpoint",
		"data settings[]", `partial {"partial_checkpoint_complete":{"last_op_id":"3","priority":0}}`,
		"data lists[]", `partial {"partial_checkpoint_complete":{"last_op_id":"3","priority":1}}`,
		"data todos[]", "complete",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestABigBucketIsSentInLinesOfMaxOpsPerLine(t *testing.T) {
	ts := newServer(t, syncserver.Config{MaxOpsPerLine: 10})
	var batch []syncserver.Entry
	for i := range 25 {
		batch = append(batch, put("todos", string(rune('a'+i)), `{}`))
	}
	ts.apply(t, batch...)
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	c := newClient(t)
	c.apply(s.next())
	type page struct {
		after, next protocol.OpID
		n           int
		more        bool
	}
	var got []page
	for c.completes == 0 {
		l := s.next()
		c.apply(l)
		if d := l.Data; d != nil {
			got = append(got, page{*d.After, *d.NextAfter, len(d.Data), d.HasMore})
		}
	}
	want := []page{{0, 10, 10, true}, {10, 20, 10, true}, {20, 25, 5, false}}
	if len(got) != len(want) {
		t.Fatalf("pages %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pages %+v, want %+v", got, want)
		}
	}
}

func TestKeepalivesCountDownTheToken(t *testing.T) {
	ts := newServer(t, syncserver.Config{KeepaliveInterval: 20 * time.Millisecond})
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	newClient(t).syncUntilComplete(s, 1)
	l := s.next()
	if l.TokenExpiresIn == nil || *l.TokenExpiresIn <= 3500 || *l.TokenExpiresIn > 3600 {
		t.Fatalf("got %s, want token_expires_in about 3600", lineJSON(l))
	}
}

func TestTheStreamEndsWhenTheTokenExpires(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	tok, err := ts.Token("u1", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := openStream(t, ts, tok, protocol.StreamRequest{})
	newClient(t).syncUntilComplete(s, 1)
	if l := s.next(); lineJSON(l) != `{"token_expires_in":0}` {
		t.Fatalf("got %s, want token_expires_in 0", lineJSON(l))
	}
	wantEOF(t, s.ended())
}

// The service accepts a token up to 60 s past exp, and answers its
// stream with only {"token_expires_in":0} (protocol-vectors.md §6).
func TestAJustExpiredTokenGetsOnlyTokenExpiresInZero(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	ts.apply(t, put("todos", "t1", `{}`))
	tok, err := ts.Token("u1", -5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := openStream(t, ts, tok, protocol.StreamRequest{})
	if l := s.next(); lineJSON(l) != `{"token_expires_in":0}` {
		t.Fatalf("got %s, want token_expires_in 0", lineJSON(l))
	}
	wantEOF(t, s.ended())
}

func TestStreamsEndWhenTheServerCloses(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	newClient(t).syncUntilComplete(s, 1)
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	wantEOF(t, s.ended())
}

func TestTheStreamToleratesWhatTheOfficialClientSends(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	// The golden request of powersync-sqlite-core simple_iteration.json,
	// with app_metadata and an unknown field.
	body := `{"buckets":[],"include_checksum":true,"raw_data":true,"binary_data":true,"client_id":"test-test-test-test","parameters":null,` +
		`"streams":{"include_defaults":true,"subscriptions":[]},"app_metadata":{"app":"x"},"future_field":[1,2]}`
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.URL+"/sync/stream", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Token "+ts.token(t, "u1"))
	req.Header.Set("Accept", "application/vnd.powersync.bson-stream;q=0.9,application/x-ndjson;q=0.8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	l, err := protocol.NewReader(resp.Body).Next()
	if err != nil || l.Checkpoint == nil {
		t.Fatalf("first line %s, %v: want a checkpoint", lineJSON(l), err)
	}
}
