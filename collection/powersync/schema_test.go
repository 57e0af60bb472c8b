package powersync

import (
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

var docs = store.Table{Name: "documents", Columns: []store.Column{
	{Name: "name", Type: store.Text},
	{Name: "count", Type: store.Integer},
	{Name: "score", Type: store.Real},
}}

func issues(t *testing.T, v collection.Validator, item collection.Row) []collection.Issue {
	t.Helper()
	out, is := v.Validate(item)
	if len(is) == 0 && !reflect.DeepEqual(out, item) {
		t.Fatalf("a valid item came back changed: %v", out)
	}
	return is
}

func TestTableValidatorAcceptsEveryColumnTypeAndNulls(t *testing.T) {
	v := TableValidator(docs)
	for _, item := range []collection.Row{
		{"id": "a", "name": "x", "count": int64(1), "score": 1.5},
		{"id": "a", "name": nil, "count": nil, "score": nil},
		{"id": "a"}, // missing optional columns
		{"id": "a", "count": 2.0, "score": int64(3)},
	} {
		if is := issues(t, v, item); len(is) != 0 {
			t.Errorf("%v: %v", item, is)
		}
	}
}

func TestTableValidatorReportsTypeIssuesWithTheirPath(t *testing.T) {
	v := TableValidator(docs)
	cases := []struct {
		item collection.Row
		want []collection.Issue
	}{
		{collection.Row{}, nil}, // the key check reports UndefinedKeyError
		{collection.Row{"id": "a", "color": "red"}, []collection.Issue{{Message: `"color" is not a column of table "documents"`, Path: []string{"color"}}}},
		{collection.Row{"id": 1}, []collection.Issue{{Message: "id field must be a string", Path: []string{"id"}}}},
		{collection.Row{"id": "a", "name": 12}, []collection.Issue{{Message: "name field must be a string", Path: []string{"name"}}}},
		{collection.Row{"id": "a", "count": "12"}, []collection.Issue{{Message: "count field must be a number", Path: []string{"count"}}}},
		{collection.Row{"id": "a", "score": true}, []collection.Issue{{Message: "score field must be a number", Path: []string{"score"}}}},
	}
	for _, tc := range cases {
		if got := issues(t, v, tc.item); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: got %v, want %v", tc.item, got, tc.want)
		}
	}
}

func TestTablesAreValidatedIndependently(t *testing.T) {
	other := store.Table{Name: "other", Columns: []store.Column{{Name: "name", Type: store.Integer}}}
	item := collection.Row{"id": "a", "name": "text"}
	if is := issues(t, TableValidator(docs), item); len(is) != 0 {
		t.Fatal(is)
	}
	if is := issues(t, TableValidator(other), item); len(is) != 1 {
		t.Fatalf("other table: %v", is)
	}
}
