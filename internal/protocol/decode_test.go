package protocol

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t *testing.T, r io.Reader) ([]Line, error) {
	t.Helper()
	lr := NewReader(r)
	var out []Line
	for {
		l, err := lr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, l)
	}
}

func TestReaderDecodesTheSampleStream(t *testing.T) {
	f, err := os.ReadFile("testdata/sample-stream.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	// One byte at a time: a line split across reads must come out whole.
	lines, err := readAll(t, iotest.OneByteReader(bytes.NewReader(f)))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 8 {
		t.Fatalf("%d lines, want 8", len(lines))
	}
	cp := lines[0].Checkpoint
	if cp == nil || cp.LastOpID != 3 || len(cp.Buckets) != 2 || cp.Buckets[1].Bucket != `user_todos["u1"]` || cp.Buckets[1].Checksum != 2060070672 {
		t.Fatalf("checkpoint: %+v", cp)
	}
	d := lines[2].Data
	if d == nil || len(d.Data) != 2 || *d.Data[0].Data != `{"id":"t1","list_id":"l1","description":"Milk","completed":0}` || d.Data[0].Key() != "todos/t1/sk-todos-t1" {
		t.Fatalf("data: %+v", d)
	}
	if *lines[4].TokenExpiresIn != 3540 {
		t.Fatalf("token_expires_in: %+v", lines[4])
	}
	if diff := lines[5].CheckpointDiff; diff == nil || diff.LastOpID != 5 || diff.UpdatedBuckets[0].Checksum != 1254449376 {
		t.Fatalf("diff: %+v", diff)
	}
	if rm := lines[6].Data.Data[1]; rm.Op != OpRemove || rm.Data != nil {
		t.Fatalf("remove: %+v", rm)
	}
	if lines[7].CheckpointComplete == nil || lines[7].CheckpointComplete.LastOpID != 5 {
		t.Fatalf("complete: %+v", lines[7])
	}
}

func TestSampleStreamChecksumsAddUp(t *testing.T) {
	f, _ := os.ReadFile("testdata/sample-stream.ndjson")
	lines, err := readAll(t, bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.Data == nil {
			continue
		}
		for _, op := range l.Data.Data {
			var want Checksum
			if op.Op == OpPut {
				want = PutChecksum(*op.ObjectType, *op.ObjectID, *op.Data)
			} else {
				want = RemoveChecksum(*op.Subkey)
			}
			if op.Checksum != want {
				t.Errorf("op %d: wire checksum %d, computed %d", op.OpID, op.Checksum, want)
			}
		}
	}
}

func TestUnknownLinesAreIgnoredNotErrors(t *testing.T) {
	lines, err := readAll(t, strings.NewReader("{\"something_new\":{\"x\":1}}\n\n{\"token_expires_in\":0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0] != (Line{}) || *lines[1].TokenExpiresIn != 0 {
		t.Fatalf("lines: %+v", lines)
	}
}

func TestMalformedLinesAreTypedErrors(t *testing.T) {
	cases := map[string]string{
		"bad JSON":           "{\"checkpoint\":\n",
		"not an object":      "[1,2]\n",
		"unknown op":         `{"data":{"bucket":"b","data":[{"op_id":"1","op":"UPSERT","checksum":1}]}}` + "\n",
		"numeric op id":      `{"checkpoint_complete":{"last_op_id":3}}` + "\n",
		"checksum too large": `{"data":{"bucket":"b","data":[{"op_id":"1","op":"MOVE","checksum":4294967296}]}}` + "\n",
		"put without id":     `{"data":{"bucket":"b","data":[{"op_id":"1","op":"PUT","object_type":"t","data":"{}","checksum":1}]}}` + "\n",
		"bad priority":       `{"partial_checkpoint_complete":{"last_op_id":"1","priority":7}}` + "\n",
		"ends mid-line":      "{\"token_expires_in\":30}\n{\"checkpoint_complete\":{\"last_op",
	}
	for name, in := range cases {
		_, err := readAll(t, strings.NewReader(in))
		if !errors.Is(err, ErrMalformedLine) {
			t.Errorf("%s: error %v, want ErrMalformedLine", name, err)
		}
	}
	_, err := readAll(t, strings.NewReader("{\"token_expires_in\":30}\n{\"check"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a stream ending mid-line: %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestReaderReadsLinesLongerThanItsBuffer(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	in := `{"data":{"bucket":"b","data":[{"op_id":"1","op":"PUT","object_type":"t","object_id":"a","data":"` + long + `","checksum":1}]}}` + "\n"
	lines, err := readAll(t, strings.NewReader(in))
	if err != nil || len(lines) != 1 || len(*lines[0].Data.Data[0].Data) != len(long) {
		t.Fatalf("err %v", err)
	}
}

func TestEncodedLinesDecodeToTheSameLine(t *testing.T) {
	f, _ := os.ReadFile("testdata/sample-stream.ndjson")
	want, _ := readAll(t, bytes.NewReader(f))
	var buf []byte
	for _, l := range want {
		var err error
		if buf, err = AppendLine(buf, l); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readAll(t, bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := AppendLine(nil, got[2])
	b, _ := AppendLine(nil, want[2])
	if len(got) != len(want) || !bytes.Equal(a, b) {
		t.Fatalf("round trip changed the lines:\n%s\n%s", a, b)
	}
}
