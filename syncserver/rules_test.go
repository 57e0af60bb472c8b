package syncserver_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/syncserver"
)

const userRules = `# lists are per owner, tags for everyone
bucket_definitions:
  global:
    data:
      - SELECT * FROM tags
  user_lists:
    parameters: SELECT request.user_id() as user_id
    priority: 1
    data:
      - SELECT * FROM lists WHERE owner_id = bucket.user_id
      - SELECT * FROM todos WHERE bucket.user_id = "owner_id"
`

func bucketNames(cp *protocol.Checkpoint) string {
	var names []string
	for _, b := range cp.Buckets {
		names = append(names, b.Bucket)
	}
	return strings.Join(names, " ")
}

func TestEachUserSyncsTheirOwnParameterizedBucket(t *testing.T) {
	ts := newServer(t, syncserver.Config{Rules: userRules})
	ts.apply(t,
		put("tags", "g1", `{}`),
		put("lists", "a", `{"owner_id":"u1"}`),
		put("lists", "b", `{"owner_id":"u2"}`),
		put("lists", "c", `{"owner_id":null}`),
		put("todos", "t1", `{"owner_id":"u1"}`),
		put("notes", "n1", `{"owner_id":"u1"}`)) // in no bucket
	for _, c := range []struct{ user, buckets, lists string }{
		{"u1", `global[] user_lists["u1"]`, "a"},
		{"u2", `global[] user_lists["u2"]`, "b"},
		{`u"3`, `global[] user_lists["u\"3"]`, ""},
	} {
		s := openStream(t, ts, ts.token(t, c.user), protocol.StreamRequest{})
		cl := newClient(t)
		l := s.next()
		cl.apply(l)
		if got := bucketNames(l.Checkpoint); got != c.buckets {
			t.Errorf("%s: buckets %s, want %s", c.user, got, c.buckets)
		}
		cl.syncUntilComplete(s, 1)
		var lists []string
		for id := range cl.rows("lists") {
			lists = append(lists, id)
		}
		if strings.Join(lists, " ") != c.lists || len(cl.rows("tags")) != 1 || len(cl.rows("notes")) != 0 {
			t.Errorf("%s: lists %v tags %v notes %v", c.user, lists, cl.rows("tags"), cl.rows("notes"))
		}
	}
}

func TestARowThatChangesOwnerMovesBetweenBuckets(t *testing.T) {
	ts := newServer(t, syncserver.Config{Rules: userRules})
	ts.apply(t, put("lists", "a", `{"owner_id":"u1","name":"A"}`))
	s1 := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{})
	s2 := openStream(t, ts, ts.token(t, "u2"), protocol.StreamRequest{})
	c1, c2 := newClient(t), newClient(t)
	c1.syncUntilComplete(s1, 1)
	c2.syncUntilComplete(s2, 1)
	if len(c1.rows("lists")) != 1 || len(c2.rows("lists")) != 0 {
		t.Fatalf("before: u1 %v, u2 %v", c1.rows("lists"), c2.rows("lists"))
	}

	ts.apply(t, patch("lists", "a", `{"owner_id":"u2"}`))
	var ops1 []protocol.Op
	for c1.completes < 2 {
		l := s1.nextSkippingKeepalives()
		c1.apply(l)
		if l.Data != nil {
			ops1 = append(ops1, l.Data.Data...)
		}
	}
	c2.syncUntilComplete(s2, 1)
	if len(ops1) != 1 || ops1[0].Op != protocol.OpRemove || *ops1[0].ObjectID != "a" {
		t.Fatalf("u1 got ops %+v, want one REMOVE of a", ops1)
	}
	if len(c1.rows("lists")) != 0 {
		t.Fatalf("u1 still has %v", c1.rows("lists"))
	}
	if got := c2.rows("lists")["a"]; got != `{"id":"a","owner_id":"u2","name":"A"}` {
		t.Fatalf("u2 has a = %s", got)
	}
	// Deleting it removes it from u2's bucket.
	ts.apply(t, del("lists", "a"))
	c2.syncUntilComplete(s2, 1)
	if len(c2.rows("lists")) != 0 {
		t.Fatalf("u2 still has %v", c2.rows("lists"))
	}
}

func TestSyncRulesOutsideTheSubsetAreRefusedWithTheirLine(t *testing.T) {
	head := "bucket_definitions:\n  b:\n"
	cases := []struct{ name, yaml, want string }{
		{"streams", "config:\n  edition: 3\nstreams:\n  s:\n    query: SELECT * FROM t\n", `line 1: "config": only bucket_definitions`},
		{"join", head + "    data:\n      - SELECT * FROM todos JOIN lists ON todos.list_id = lists.id\n",
			`line 4: "SELECT * FROM todos JOIN lists ON todos.list_id = lists.id": only "SELECT * FROM <table>"`},
		{"columns", head + "    data:\n      - SELECT id, name FROM todos\n", `line 4: "SELECT id, name FROM todos"`},
		{"other function", head + "    parameters: SELECT request.jwt() ->> 'sub' as user_id\n    data: []\n",
			`line 3: "SELECT request.jwt() ->> 'sub' as user_id": only "SELECT request.user_id() as <name>"`},
		{"token_parameters", head + "    parameters: SELECT token_parameters.user_id as user_id\n    data: []\n", `line 3: "SELECT token_parameters.user_id as user_id"`},
		{"other key", head + "    data: []\n    accept_potentially_dangerous_queries: true\n", `line 4: "accept_potentially_dangerous_queries": only parameters, data and priority`},
		{"filter on a constant", head + "    data:\n      - SELECT * FROM todos WHERE done = 0\n", `line 4: "SELECT * FROM todos WHERE done = 0"`},
		{"unknown parameter", head + "    parameters: SELECT request.user_id() as user_id\n    data:\n      - SELECT * FROM todos WHERE owner = bucket.owner\n",
			`line 5: "SELECT * FROM todos WHERE owner = bucket.owner": bucket.owner is not a parameter of this definition (its parameter is user_id)`},
		{"unfiltered query with a parameter", head + "    parameters: SELECT request.user_id() as user_id\n    data:\n      - SELECT * FROM todos\n",
			`line 5: "SELECT * FROM todos": a query of a definition with parameters must filter on them`},
		{"two parameter queries", head + "    parameters:\n      - SELECT request.user_id() as a\n      - SELECT request.user_id() as b\n    data: []\n", `line 4: only one parameter query`},
		{"priority", head + "    priority: 7\n    data: []\n", `line 3: "7": priority must be an integer from 0 to 3`},
		{"no data", head + "    priority: 1\n", `line 2: "b": bucket definition has no data`},
		{"yaml syntax", head + "    data: [SELECT * FROM t\n", `yaml: line`},
		{"definition twice", "bucket_definitions:\n  b:\n    data: []\n  b:\n    data: []\n", `line 4: "b": defined twice`},
		{"key twice in a definition", head + "    data: []\n    data:\n      - SELECT * FROM t\n", `line 4: "data": defined twice`},
		{"bucket_definitions twice", "bucket_definitions:\n  a:\n    data: []\nbucket_definitions:\n  b:\n    data: []\n", `line 4: "bucket_definitions": defined twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := syncserver.New(context.Background(), syncserver.Config{Path: ":memory:", Rules: c.yaml})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "syncserver: sync rules: ") {
				t.Fatalf("New: %v\nwant an error with %q", err, c.want)
			}
		})
	}
}

// When the rules change between runs, rows are placed into the new
// buckets, and a client of the old buckets is told to drop them.
func TestNewRulesPlaceExistingRowsAgain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite")
	ctx := context.Background()
	s, err := syncserver.New(ctx, syncserver.Config{Path: path, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(ctx, []syncserver.Entry{put("lists", "a", `{"owner_id":"u1"}`), put("lists", "b", `{"owner_id":"u2"}`), put("tags", "g", `{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ts := newServer(t, syncserver.Config{Path: path, Secret: testSecret, Rules: userRules})
	s1 := openStream(t, ts, ts.token(t, "u1"), protocol.StreamRequest{Buckets: []protocol.BucketRequest{{Name: "lists[]", After: 3}}})
	c := newClient(t)
	c.syncUntilComplete(s1, 1)
	if got := c.rows("lists"); len(got) != 1 || got["a"] == "" {
		t.Fatalf("u1's lists %v, want a", got)
	}
	if len(c.rows("tags")) != 1 {
		t.Fatalf("u1's tags %v, want g", c.rows("tags"))
	}
}
