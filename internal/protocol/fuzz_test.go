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
// input, whole and line by line, must also decode as encoding/json decodes
// it (the same accept or reject, the same Line), and the Line must come
// back from AppendLine and DecodeLine unchanged (checkRoundTrip). Taken
// as a string and as a raw JSON value, the input must be escaped and
// compacted as json.Marshal does. The seed corpus is the sample stream's
// lines and trickyLines (testdata/fuzz/FuzzReader holds more, found by
// earlier runs and kept as regressions).
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
	for _, c := range trickyLines {
		if len(c.line) < 1000 {
			f.Add([]byte(c.line))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkAgainstStd(t, in)
		checkEscapingAgainstStd(t, in)
		for _, l := range bytes.Split(in, []byte("\n")) {
			checkAgainstStd(t, l)
		}
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
