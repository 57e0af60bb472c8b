package query_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/collection/query"
)

func TestParseIRReadsTheJSONFormTheJSBuilderSends(t *testing.T) {
	w := newWorld(t, 9)
	text := `{"from":{"alias":"a","collection":0},
		"joins":[{"source":{"alias":"b","collection":1},"type":"left","on":{"type":"func","name":"eq","args":[{"type":"ref","path":["a","ref"]},{"type":"ref","path":["b","id"]}]}}],
		"where":[{"type":"func","name":"gt","args":[{"type":"ref","path":["a","n"]},{"type":"val","value":0}]}],
		"select":[{"name":"id","expr":{"type":"ref","path":["a","id"]}},{"name":"inner","nested":[{"name":"bs","expr":{"type":"ref","path":["b","s"]}}]},{"spread":"b"}],
		"orderBy":[{"expr":{"type":"ref","path":["a","n"]},"direction":"desc","nulls":"last","stringSort":"lexical"}],
		"limit":4,"offset":1}`
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	srcs := []*collection.Collection{w.a.c, w.b.c}
	ir, err := query.ParseIR(v, func(i int) (*collection.Collection, error) { return srcs[i], nil })
	if err != nil {
		t.Fatal(err)
	}
	if ir.Limit == nil || *ir.Limit != 4 || ir.Offset != 1 || len(ir.Joins) != 1 || ir.OrderBy[0].Nulls != query.NullsLast || ir.Select[2].Spread != "b" {
		t.Fatalf("parsed %+v", ir)
	}
	lq, err := query.NewLiveQuery(query.FromIR(ir), query.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		if got, want := lq.Entries(), judge(ir); !same(got, want) {
			t.Fatalf("step %d: live\n%swant\n%s", i, show(got), show(want))
		}
		w.step()
	}
}

func TestParseIRRefusesMalformedNodes(t *testing.T) {
	none := func(int) (*collection.Collection, error) { return nil, errors.New("no sources") }
	for text, name := range map[string]string{
		`{}`:                                    "QueryMustHaveFromClauseError",
		`{"from":{"alias":"a","collection":0}}`: "",
		`{"from":{"alias":"a"}}`:                "InvalidSourceError",
		`{"from":{"alias":"a","query":{"from":{"alias":"b","query":{}}}}}`:                                "QueryMustHaveFromClauseError",
		`{"from":{"alias":"a","query":{}},"where":[{"type":"sql","name":"x"}]}`:                           "QueryMustHaveFromClauseError",
		`{"from":{"alias":"a","query":{"from":{"alias":"b","query":{"from":1}}}}}`:                        "QueryCompilationError",
		`{"from":{"alias":"a","query":{"from":{"alias":"b","query":{"from":{"alias":"c"}}}}},"limit":-1}`: "InvalidSourceError",
	} {
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Fatal(err)
		}
		_, err := query.ParseIR(v, none)
		var qe *query.Error
		switch {
		case name == "" && err == nil:
			t.Errorf("%s: no error", text)
		case name != "" && (!errors.As(err, &qe) || qe.Name() != name):
			t.Errorf("%s: got %v, want %s", text, err, name)
		}
	}
	var v any
	if err := json.Unmarshal([]byte(`{"from":{"alias":"a","collection":0},"where":[{"type":"sql"}]}`), &v); err != nil {
		t.Fatal(err)
	}
	one := func(int) (*collection.Collection, error) { return nil, nil }
	var qe *query.Error
	if _, err := query.ParseIR(v, one); !errors.As(err, &qe) || qe.Name() != "UnknownExpressionTypeError" {
		t.Errorf("an unknown expression type: %v", err)
	}
}
