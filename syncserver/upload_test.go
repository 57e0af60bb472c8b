package syncserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

// checkpoint returns the first checkpoint a new stream of user gets.
func checkpoint(t *testing.T, ts *testServer, user string) *protocol.Checkpoint {
	t.Helper()
	s := openStream(t, ts, ts.token(t, user), protocol.StreamRequest{})
	defer s.close()
	l := s.next()
	if l.Checkpoint == nil {
		t.Fatalf("first line %s, want a checkpoint", lineJSON(l))
	}
	return l.Checkpoint
}

func upload(t *testing.T, ts *testServer, body string) (int, []byte) {
	t.Helper()
	return do(t, http.MethodPost, ts.URL+"/api/upload", http.Header{"Content-Type": {"application/json"}}, body)
}

func TestInvalidUploadsAreRefusedWholeWith400(t *testing.T) {
	good := `{"op_id":1,"op":"PUT","type":"todos","id":"t1","data":{"n":1}}`
	cases := []struct {
		name, body, want string
	}{
		{"unknown op", `{"batch":[` + good + `,{"op_id":2,"op":"UPSERT","type":"todos","id":"t2"}]}`, `upload entry 1 (op_id 2, todos/t2): unknown op "UPSERT"`},
		{"missing type", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","id":"t2","data":{}}]}`, `upload entry 1 (op_id 2, /t2): missing type`},
		{"missing id", `{"batch":[` + good + `,{"op_id":2,"op":"PATCH","type":"todos","data":{}}]}`, `upload entry 1 (op_id 2, todos/): missing id`},
		{"data not an object", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"todos","id":"t2","data":[1]}]}`, `upload entry 1 (op_id 2, todos/t2): data: not a JSON object`},
		{"data a string", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"todos","id":"t2","data":"{}"}]}`, `upload entry 1 (op_id 2, todos/t2): data: not a JSON object`},
		{"id of another type", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"todos","id":7}]}`, `upload entry 1 (op_id 2, todos/): bad JSON: json: cannot unmarshal number`},
		{"invalid table name", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"my todos","id":"t2"}]}`, `upload entry 1 (op_id 2, my todos/t2): invalid table name "my todos"`},
		{"invalid column name", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"todos","id":"t2","data":{"a.b":1}}]}`, `upload entry 1 (op_id 2, todos/t2): invalid column name "a.b"`},
		{"data.id not the id", `{"batch":[` + good + `,{"op_id":2,"op":"PUT","type":"todos","id":"t2","data":{"id":"t3"}}]}`, `data.id "t3" differs from id "t2"`},
		{"body not JSON", `{"batch":[` + good, `the body is not {"batch":[...]}`},
		{"no batch", `{"entries":[]}`, `the body has no "batch" list`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newServer(t, syncserver.Config{})
			status, body := upload(t, ts, c.body)
			e := errorBody(t, body)
			if status != http.StatusBadRequest || e.Status != 400 || e.Code != "PSYNC_S2001" || e.Name != "ValidationError" || !strings.Contains(e.Description, c.want) {
				t.Fatalf("HTTP %d %s, want 400 with %q", status, body, c.want)
			}
			if rows := serverRows(t, ts, "todos"); len(rows) != 0 {
				t.Fatalf("rows %v after a refused batch, want none", rows)
			}
			if cp := checkpoint(t, ts, "u1"); cp.LastOpID != 0 || len(cp.Buckets) != 0 {
				t.Fatalf("checkpoint %+v after a refused batch, want no ops", cp)
			}
		})
	}
}

func TestApplyReturnsAnEntryError(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	err := ts.Apply(context.Background(), []syncserver.Entry{put("todos", "t1", `{}`), {Op: "PUT", Type: "todos"}})
	var ee *syncserver.EntryError
	if !errors.As(err, &ee) || ee.Index != 1 || ee.Reason != "missing id" {
		t.Fatalf("Apply: %v, want an *EntryError for entry 1", err)
	}
}

func TestARetriedUploadAppendsNoOp(t *testing.T) {
	batch := `{"client_id":"c1","batch":[` +
		`{"op_id":1,"op":"PUT","type":"todos","id":"t1","tx_id":1,"data":{"n":1}},` +
		`{"op_id":2,"op":"PATCH","type":"todos","id":"t1","tx_id":1,"data":{"n":2}}]}`
	ts := newServer(t, syncserver.Config{})
	if status, body := upload(t, ts, batch); status != http.StatusOK {
		t.Fatalf("upload: HTTP %d %s", status, body)
	}
	before := checkpoint(t, ts, "u1")

	// (a) the same client's entries up to the op_id already applied are
	// skipped, even where applying them again would change the row.
	if status, body := upload(t, ts, batch); status != http.StatusOK {
		t.Fatalf("retry: HTTP %d %s", status, body)
	}
	// (b) without a client id, a write that leaves the row as it is
	// appends nothing.
	ts.apply(t, patch("todos", "t1", `{"n":2}`), put("todos", "t1", `{"n":2}`))
	if status, body := upload(t, ts, `{"batch":[{"op_id":2,"op":"PATCH","type":"todos","id":"t1","data":{"n":2}}]}`); status != http.StatusOK {
		t.Fatalf("retry without client id: HTTP %d %s", status, body)
	}
	after := checkpoint(t, ts, "u1")
	if lineJSON(protocol.Line{Checkpoint: after}) != lineJSON(protocol.Line{Checkpoint: before}) {
		t.Fatalf("checkpoint after retries %s\nwant %s", lineJSON(protocol.Line{Checkpoint: after}), lineJSON(protocol.Line{Checkpoint: before}))
	}

	// A later entry of the same client is applied.
	if status, body := upload(t, ts, `{"client_id":"c1","batch":[{"op_id":3,"op":"DELETE","type":"todos","id":"t1"}]}`); status != http.StatusOK {
		t.Fatalf("upload: HTTP %d %s", status, body)
	}
	if cp := checkpoint(t, ts, "u1"); cp.LastOpID != before.LastOpID+1 {
		t.Fatalf("head %d after a new entry, want %d", cp.LastOpID, before.LastOpID+1)
	}
}

// Rows keep "id" first and then their columns in the order first
// written, values as sent: the op's data string is that text.
func TestRowsKeepColumnOrderAndExactNumbers(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	ts.apply(t,
		put("things", "x", `{"b": 1, "a": 12345678901234567890, "c": 1.50, "s": "<é>", "id": "x"}`),
		patch("things", "x", `{"a": 2, "d": null, "b": 1e3}`),
		patch("things", "y", `{"z": true}`))
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	s.next()
	var data []string
	for l := s.next(); l.Data != nil; l = s.next() {
		for _, o := range l.Data.Data {
			data = append(data, *o.Data)
		}
	}
	want := []string{
		`{"id":"x","b":1,"a":12345678901234567890,"c":1.50,"s":"<é>"}`,
		`{"id":"x","b":1e3,"a":2,"c":1.50,"s":"<é>","d":null}`,
		`{"id":"y","z":true}`,
	}
	if strings.Join(data, "\n") != strings.Join(want, "\n") {
		t.Fatalf("op data:\n%s\nwant\n%s", strings.Join(data, "\n"), strings.Join(want, "\n"))
	}
	rows, err := ts.Rows(context.Background(), "things")
	if err != nil {
		t.Fatal(err)
	}
	if got := rows["x"]["c"]; got != json.Number("1.50") {
		t.Fatalf("Rows: c = %#v, want json.Number(\"1.50\")", got)
	}
}

func TestADeletedRowIsRemovedFromItsBucket(t *testing.T) {
	ts := newServer(t, syncserver.Config{})
	ts.apply(t, put("todos", "t1", `{}`), put("todos", "t2", `{}`))
	s := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	c := newClient(t)
	c.syncUntilComplete(s, 1)
	ts.apply(t, del("todos", "t1"), del("todos", "nope"))
	c.syncUntilComplete(s, 1)
	sameRows(t, c, ts, "todos")
	if rows := c.rows("todos"); len(rows) != 1 {
		t.Fatalf("client rows %v, want t2 only", rows)
	}
}
