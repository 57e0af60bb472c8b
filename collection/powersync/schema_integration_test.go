package powersync

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/internal/testutil"
	"github.com/localfirst/gopowersync/store"
)

// A missing id is UndefinedKeyError (issue 10: only a missing key is), a
// non-string one and a field that is no column are SchemaValidationError.
func TestTheAutomaticSchemaRejectsBadIDsAndUnknownColumns(t *testing.T) {
	db := openDB(t)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{})
	_, err := c.Insert([]collection.Row{{}}, nil)
	testutil.WantErr[*collection.UndefinedKeyError](t, err)
	_, err = c.Insert([]collection.Row{{"id": int64(7)}}, nil)
	e := testutil.WantErr[*collection.SchemaValidationError](t, err)
	if len(e.Issues) != 1 || e.Issues[0].Message != "id field must be a string" {
		t.Fatalf("issues %v", e.Issues)
	}
	_, err = c.Insert([]collection.Row{{"id": "a", "color": "red"}}, nil)
	e = testutil.WantErr[*collection.SchemaValidationError](t, err)
	if len(e.Issues) != 1 || !reflect.DeepEqual(e.Issues[0].Path, []string{"color"}) {
		t.Fatalf("issues %v", e.Issues)
	}
	_, err = c.Insert([]collection.Row{{"id": "a", "n": "not a number"}}, nil)
	testutil.WantErr[*collection.SchemaValidationError](t, err)
	if c.Size() != 0 || len(crud(t, db)) != 0 {
		t.Fatal("a rejected insert changed something")
	}
}

func TestACustomSchemaRejectsBeforeAnythingIsWritten(t *testing.T) {
	db := openDB(t)
	minName := collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		if s, _ := item["name"].(string); len(s) < 3 {
			return nil, []collection.Issue{{Message: "name must have at least 3 characters", Path: []string{"name"}}}
		}
		return item, nil
	})
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{Schema: minName, OnDeserializationError: func(*DeserializationError) {}})
	_, err := c.Insert([]collection.Row{{"id": "a", "name": "ab"}}, nil)
	if e := testutil.WantErr[*collection.SchemaValidationError](t, err); !reflect.DeepEqual(e.Issues[0].Path, []string{"name"}) {
		t.Fatalf("issues %v", e.Issues)
	}
	if c.Size() != 0 || sqlRow(t, db, "documents", "a") != nil {
		t.Fatal("rejected row written")
	}
}

// isoToTime is a schema whose input is SQLite's (ISO text) and whose output
// is a time.Time.
var isoToTime = collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
	out := make(collection.Row, len(item))
	for k, v := range item {
		out[k] = v
	}
	switch v := item["content"].(type) {
	case string:
		ts, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, []collection.Issue{{Message: "content must be an ISO date", Path: []string{"content"}}}
		}
		out["content"] = ts
	case time.Time, nil:
	default:
		return nil, []collection.Issue{{Message: "content must be an ISO date", Path: []string{"content"}}}
	}
	return out, nil
})

func TestASchemaTransformsSQLiteInputIntoRicherOutput(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, content) VALUES ('synced', '2024-01-02T03:04:05.000Z')`)
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{Schema: isoToTime, OnDeserializationError: func(*DeserializationError) {}})
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	if got, _ := c.Get("synced"); !want.Equal(got["content"].(time.Time)) {
		t.Fatalf("synced row %v", got)
	}
	mustInsert(t, c, collection.Row{"id": "mine", "content": "2025-06-07T08:09:10.000Z"})
	got, _ := c.Get("mine")
	if ts, ok := got["content"].(time.Time); !ok || ts.Year() != 2025 {
		t.Fatalf("inserted row %v", got)
	}
	if r := sqlRow(t, db, "documents", "mine"); r["content"] != "2025-06-07T08:09:10.000Z" {
		t.Fatalf("SQLite %v", r)
	}
}

// tasks has a boolean and a date stored as INTEGER and TEXT.
var tasks = store.Table{Name: "tasks", Columns: []store.Column{
	{Name: "done", Type: store.Integer}, {Name: "due", Type: store.Text}, {Name: "tag", Type: store.Text},
}}

func TestADeserializationSchemaConvertsRowsWhoseInputDiffersFromSQLite(t *testing.T) {
	db, err := store.Open(ctx(t), ":memory:", store.Schema{Tables: []store.Table{tasks}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	exec(t, db, `INSERT INTO tasks (id, done, due) VALUES ('s', 1, '2024-01-02T00:00:00.000Z')`)
	// The app works with bool and time.Time.
	input := collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		if _, ok := item["done"].(bool); !ok && item["done"] != nil {
			return nil, []collection.Issue{{Message: "done must be a boolean", Path: []string{"done"}}}
		}
		return item, nil
	})
	fromSQLite := collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		out := collection.Row{"id": item["id"], "tag": item["tag"]}
		out["done"] = item["done"] == int64(1)
		if s, ok := item["due"].(string); ok {
			ts, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, []collection.Issue{{Message: "due must be a date", Path: []string{"due"}}}
			}
			out["due"] = ts
		} else {
			out["due"] = nil
		}
		return out, nil
	})
	c := newCollection(t, collection.NewRuntime(), db, tasks, Options{Schema: input, DeserializationSchema: fromSQLite, OnDeserializationError: func(*DeserializationError) {}})
	if got, _ := c.Get("s"); got["done"] != true {
		t.Fatalf("synced %v", got)
	}
	due := time.Date(2030, 3, 4, 5, 6, 7, 0, time.UTC)
	mustInsert(t, c, collection.Row{"id": "m", "done": false, "due": due})
	if r := sqlRow(t, db, "tasks", "m"); r["done"] != int64(0) || r["due"] != "2030-03-04T05:06:07.000Z" {
		t.Fatalf("SQLite %v", r)
	}
	got, _ := c.Get("m")
	if got["done"] != false || !due.Equal(got["due"].(time.Time)) {
		t.Fatalf("collection %v", got)
	}
}

type point struct{ X, Y int }

func TestCustomSerializersRoundTripAValueType(t *testing.T) {
	db, err := store.Open(ctx(t), ":memory:", store.Schema{Tables: []store.Table{tasks}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ser := map[string]func(any) (any, error){"tag": func(v any) (any, error) {
		p := v.(point)
		return strings.Repeat("x", p.X) + "," + strings.Repeat("y", p.Y), nil
	}}
	deser := collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) {
		out := collection.Row{"id": item["id"], "done": item["done"], "due": item["due"]}
		if s, ok := item["tag"].(string); ok {
			parts := strings.Split(s, ",")
			out["tag"] = point{len(parts[0]), len(parts[1])}
		}
		return out, nil
	})
	anything := collection.ValidatorFunc(func(item collection.Row) (collection.Row, []collection.Issue) { return item, nil })
	c := newCollection(t, collection.NewRuntime(), db, tasks, Options{Schema: anything, DeserializationSchema: deser, Serializer: ser, OnDeserializationError: func(*DeserializationError) {}})
	mustInsert(t, c, collection.Row{"id": "p", "tag": point{2, 3}})
	if r := sqlRow(t, db, "tasks", "p"); r["tag"] != "xx,yyy" {
		t.Fatalf("SQLite %v", r)
	}
	if got, _ := c.Get("p"); got["tag"] != (point{2, 3}) {
		t.Fatalf("collection %v", got)
	}
}

func TestRowsThatFailDeserializationGoToTheHandlerAndTheCollectionGoesOn(t *testing.T) {
	db := openDB(t)
	exec(t, db, `INSERT INTO documents (id, content) VALUES ('good', '2024-01-02T03:04:05.000Z'), ('bad1', 'yesterday'), ('bad2', 'soon')`)
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	var failed []string
	var issues int
	onErr := func(e *DeserializationError) {
		<-mu
		failed = append(failed, e.Row["id"].(string))
		issues += len(e.Issues)
		mu <- struct{}{}
	}
	c := newCollection(t, collection.NewRuntime(), db, documents, Options{Schema: isoToTime, OnDeserializationError: onErr})
	if c.Status() != collection.StatusReady || c.Size() != 1 || !c.Has("good") {
		t.Fatalf("status %s keys %v", c.Status(), c.Keys())
	}
	exec(t, db, `INSERT INTO documents (id, content) VALUES ('bad3', 'never'), ('good2', '2024-02-02T00:00:00.000Z')`)
	if !c.Has("good2") {
		t.Fatal("a good row after a bad one was not mirrored")
	}
	<-mu
	defer func() { mu <- struct{}{} }()
	if !reflect.DeepEqual(failed, []string{"bad1", "bad2", "bad3"}) || issues != 3 {
		t.Fatalf("failed %v issues %d", failed, issues)
	}
}
