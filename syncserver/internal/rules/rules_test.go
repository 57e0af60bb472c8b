package rules

import (
	"testing"

	"github.com/localfirst/gopowersync/syncserver/internal/rowjson"
)

func row(t *testing.T, s string) rowjson.Object {
	t.Helper()
	o, err := rowjson.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestDefaultRulesPutEachTableInOneBucketForEveryone(t *testing.T) {
	r := Default()
	if got := r.BucketsForRow("todos", row(t, `{"id":"t1"}`)); len(got) != 1 || got[0] != "todos[]" {
		t.Fatalf("BucketsForRow: %v", got)
	}
	got := r.BucketsForUser("anyone", []string{"lists", "todos"})
	if len(got) != 2 || got[0] != (UserBucket{"lists[]", 3}) || got[1] != (UserBucket{"todos[]", 3}) {
		t.Fatalf("BucketsForUser: %v", got)
	}
}

func TestRulesNameBucketsAsTheServiceDoes(t *testing.T) {
	r, err := Parse(`
bucket_definitions:
  by_owner:
    parameters:
      - select request.user_id() AS "owner"
    priority: 2
    data:
      - select * from "lists" where owner_id = bucket.owner;
      - SELECT * FROM todos WHERE bucket.owner = assignee
  everything:
    data: [SELECT * FROM lists]
`)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		table, row string
		want       []string
	}{
		{"lists", `{"id":"l1","owner_id":"u1"}`, []string{`by_owner["u1"]`, "everything[]"}},
		{"lists", `{"id":"l1","owner_id":7}`, []string{"everything[]"}},
		{"lists", `{"id":"l1"}`, []string{"everything[]"}},
		{"todos", `{"id":"t1","assignee":"a\"b"}`, []string{`by_owner["a\"b"]`}},
		{"other", `{"id":"x"}`, nil},
	}
	for _, c := range cases {
		got := r.BucketsForRow(c.table, row(t, c.row))
		if len(got) != len(c.want) {
			t.Fatalf("%s %s: %v, want %v", c.table, c.row, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%s %s: %v, want %v", c.table, c.row, got, c.want)
			}
		}
	}
	if got := r.BucketsForUser("u1", nil); len(got) != 2 || got[0] != (UserBucket{`by_owner["u1"]`, 2}) || got[1] != (UserBucket{"everything[]", 3}) {
		t.Fatalf("BucketsForUser: %v", got)
	}
	if r.Fingerprint() == Default().Fingerprint() {
		t.Fatalf("fingerprint does not tell rules from the default")
	}
}
