package protocol

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the line reader: it must never panic,
// and every failure must be a read error or wrap ErrMalformedLine. The
// seed corpus is the sample stream's lines (testdata/fuzz/FuzzReader holds
// more, found by earlier runs and kept as regressions).
func FuzzReader(f *testing.F) {
	sample, err := os.ReadFile("testdata/sample-stream.ndjson")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	for _, l := range bytes.Split(sample, []byte("\n")) {
		f.Add(l)
	}
	f.Add([]byte(`{"data":{"bucket":"b","data":[{"op_id":"1","op":"CLEAR","checksum":-1.0}]}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		for {
			l, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				if !errors.Is(err, ErrMalformedLine) {
					t.Fatalf("error not typed: %v", err)
				}
				return
			}
			if l.Data != nil {
				for _, op := range l.Data.Data {
					_ = op.Key()
				}
			}
		}
	})
}
