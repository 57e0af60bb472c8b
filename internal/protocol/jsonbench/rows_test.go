package jsonbench

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	goccy "github.com/goccy/go-json"

	"github.com/localfirst/gopowersync/bridge"
)

// The other JSON our hot paths read besides the sync lines: rows as JS
// sends them to Go (an array of 1,000 objects, bridge.DecodeObjects), and
// one row of W7's table, the shape a synced row's data column holds. Each
// implementation decodes to []map[string]any or map[string]any; hand is
// the bridge's parser over internal/jsontext, which collection/powersync's
// row decoder and the store's object reader also walk (their own decoders
// are not exported, and they do more than decoding: casts, diffs).
var (
	rows1000 = func() []byte {
		b := []byte{'['}
		for i := range 1000 {
			if i > 0 {
				b = append(b, ',')
			}
			b = fmt.Appendf(b, `{"id":"r%d","name":"doc %d","content":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","n":%d,"score":%g}`, i, i, i, float64(i)/3)
		}
		return append(b, ']')
	}()
	w7Row = []byte(`{"owner":"00000007-7d1c-4b2a-9e5f-000000000007","description":"Buy item 000007","completed":1,"created_at":"2026-11-08T07:07:00.000Z","priority":2}`)
)

var rowImpls = []struct {
	name   string
	rows   func([]byte) ([]map[string]any, error)
	object func([]byte) (map[string]any, error)
}{
	{"hand", func(b []byte) ([]map[string]any, error) { return bridge.DecodeObjects(b, nil) },
		func(b []byte) (map[string]any, error) { return bridge.DecodeObject(b, nil) }},
	{"encoding-json", func(b []byte) (v []map[string]any, err error) { return v, json.Unmarshal(b, &v) },
		func(b []byte) (v map[string]any, err error) { return v, json.Unmarshal(b, &v) }},
	{"goccy", func(b []byte) (v []map[string]any, err error) { return v, goccy.Unmarshal(b, &v) },
		func(b []byte) (v map[string]any, err error) { return v, goccy.Unmarshal(b, &v) }},
}

func BenchmarkDecodeRows1000(b *testing.B) {
	for _, impl := range rowImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(rows1000)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.rows(rows1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeRow(b *testing.B) {
	for _, impl := range rowImpls {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(w7Row)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.object(w7Row); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEveryImplementationReadsTheRows: like with like (numbers compared
// as float64, the type encoding/json and goccy give them).
func TestEveryImplementationReadsTheRows(t *testing.T) {
	norm := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, v := range m {
			if i, ok := v.(int64); ok {
				v = float64(i)
			}
			out[k] = v
		}
		return out
	}
	var want []map[string]any
	for _, impl := range rowImpls {
		got, err := impl.rows(rows1000)
		if err != nil {
			t.Fatalf("%s: %v", impl.name, err)
		}
		for i := range got {
			got[i] = norm(got[i])
		}
		if want == nil {
			want = got
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded different rows", impl.name)
		}
		row, err := impl.object(w7Row)
		if err != nil || len(row) != 5 {
			t.Errorf("%s: W7 row %v, %v", impl.name, row, err)
		}
	}
}
