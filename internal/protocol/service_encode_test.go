package protocol

import (
	"bytes"
	"os"
	"testing"
)

// The sample stream of protocol-vectors.md §3 is written in the service's
// shape; decoding each line and writing it again must give it back byte
// for byte.
func TestAppendServiceLineWritesTheSampleStreamAsTheServiceDoes(t *testing.T) {
	f, err := os.ReadFile("testdata/sample-stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for i, raw := range bytes.SplitAfter(f, []byte("\n")) {
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		l, err := DecodeLine(raw)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		got, err := AppendServiceLine(nil, l)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got, raw)
		}
	}
}

func TestAppendServiceLineWritesBucketAndClearChecksumsSigned(t *testing.T) {
	count := int64(2)
	prio := 3
	ck := Checksum(4201080675) // V1+V2, -93886621 signed (protocol-vectors.md §2)
	clear := Line{Data: &DataBatch{Bucket: "b", Data: []Op{
		{OpID: 2, Op: OpClear, Checksum: ck},
		{OpID: 3, Op: OpMove, Checksum: ck},
	}}}
	cases := []struct {
		name string
		line Line
		want string
	}{
		{"checkpoint", Line{Checkpoint: &Checkpoint{LastOpID: 2, Buckets: []BucketChecksum{{Bucket: "b", Checksum: ck, Count: &count, Priority: &prio}}}},
			`{"checkpoint":{"last_op_id":"2","buckets":[{"bucket":"b","checksum":-93886621,"count":2,"priority":3}]}}`},
		{"checkpoint_diff", Line{CheckpointDiff: &CheckpointDiff{LastOpID: 2, UpdatedBuckets: []BucketChecksum{{Bucket: "b", Checksum: ck}}}},
			`{"checkpoint_diff":{"last_op_id":"2","updated_buckets":[{"bucket":"b","checksum":-93886621}],"removed_buckets":[]}}`},
		{"CLEAR signed, MOVE unsigned", clear,
			`{"data":{"bucket":"b","after":null,"next_after":null,"has_more":false,"data":[{"op_id":"2","op":"CLEAR","checksum":-93886621},{"op_id":"3","op":"MOVE","checksum":4201080675}]}}`},
	}
	for _, c := range cases {
		got, err := AppendServiceLine(nil, c.line)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if string(got) != c.want+"\n" {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if _, err := DecodeLine(got); err != nil {
			t.Errorf("%s: does not decode: %v", c.name, err)
		}
	}
}
