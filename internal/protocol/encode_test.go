package protocol

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// The sample stream of protocol-vectors.md §3 is written in the service's
// shape; decoding each line and writing it again must give it back byte
// for byte.
func TestAppendLineWritesTheSampleStreamAsTheServiceDoes(t *testing.T) {
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
		got, err := AppendLine(nil, l)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, got, raw)
		}
	}
}

func TestAppendLineWritesTheServiceShape(t *testing.T) {
	s := func(v string) *string { return &v }
	count, prio, after, next := int64(2), 3, OpID(3), OpID(5)
	ck := Checksum(4201080675) // V1+V2, -93886621 signed (protocol-vectors.md §2)
	cases := []struct {
		name string
		line Line
		want string
	}{
		{"a checkpoint's bucket checksums are signed", Line{Checkpoint: &Checkpoint{LastOpID: 2, Buckets: []BucketChecksum{{Bucket: "b", Checksum: ck, Count: &count, Priority: &prio}}}},
			`{"checkpoint":{"last_op_id":"2","buckets":[{"bucket":"b","checksum":-93886621,"count":2,"priority":3}]}}`},
		{"a checkpoint_diff's bucket checksums are signed", Line{CheckpointDiff: &CheckpointDiff{LastOpID: 2, UpdatedBuckets: []BucketChecksum{{Bucket: "b", Checksum: ck}}}},
			`{"checkpoint_diff":{"last_op_id":"2","updated_buckets":[{"bucket":"b","checksum":-93886621}],"removed_buckets":[]}}`},
		{"CLEAR checksums are signed, MOVE checksums unsigned", Line{Data: &DataBatch{Bucket: "b", Data: []Op{{OpID: 2, Op: OpClear, Checksum: ck}, {OpID: 3, Op: OpMove, Checksum: ck}}}},
			`{"data":{"bucket":"b","after":null,"next_after":null,"has_more":false,"data":[{"op_id":"2","op":"CLEAR","checksum":-93886621},{"op_id":"3","op":"MOVE","checksum":4201080675}]}}`},
		{"every field of a data line, in the service's order", Line{Data: &DataBatch{Bucket: "b", HasMore: true, After: &after, NextAfter: &next, Data: []Op{
			{OpID: 4, Op: OpPut, ObjectType: s("t"), ObjectID: s("a"), Subkey: s("k"), Data: s(`{"x":1}`), Checksum: ck},
		}}},
			`{"data":{"bucket":"b","after":"3","next_after":"5","has_more":true,"data":[{"op_id":"4","op":"PUT","object_type":"t","object_id":"a","data":"{\"x\":1}","checksum":4201080675,"subkey":"k"}]}}`},
		{"nil lists are empty arrays", Line{Checkpoint: &Checkpoint{LastOpID: 1, Streams: []StreamInfo{{Name: "s", IsDefault: true}}}},
			`{"checkpoint":{"last_op_id":"1","buckets":[],"streams":[{"name":"s","is_default":true,"errors":[]}]}}`},
		{"a nil op list is an empty array", Line{Data: &DataBatch{Bucket: "b"}},
			`{"data":{"bucket":"b","after":null,"next_after":null,"has_more":false,"data":[]}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := AppendLine(nil, c.line)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want+"\n" {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
			checkRoundTrip(t, c.line)
		})
	}
}

func TestAppendLineEscapesAsJSONMarshalDoes(t *testing.T) {
	for _, s := range []string{
		"", "plain", "<a&b>", "\u2028\u2029", "\x00\x1f\x7f\b\f\n\r\t", `"\/`, "é🚀", "\xff", "\xed\xa0\x80", "\xe6\x97", `{"a":"<b>"}`,
	} {
		checkEscapingAgainstStd(t, []byte(s))
	}
	for _, m := range []string{
		" [ {\"a\" : \"<&> \u2028\\\" x\" } , 1 ] ", `"\u003c"`, "null", " 1 ", "{}", "",
		`{"a":}`, `{`, `1 2`, "\x00",
	} {
		checkEscapingAgainstStd(t, []byte(m))
	}
}

func TestAppendLineRejectsInvalidRawJSONAndLeavesDstAlone(t *testing.T) {
	cases := map[string]Line{
		"invalid subscriptions":   {Checkpoint: &Checkpoint{Buckets: []BucketChecksum{{Subscriptions: json.RawMessage(`{"a":}`)}}}},
		"an empty stream error":   {Checkpoint: &Checkpoint{Streams: []StreamInfo{{Errors: []json.RawMessage{{}}}}}},
		"two values in one error": {Checkpoint: &Checkpoint{Streams: []StreamInfo{{Errors: []json.RawMessage{json.RawMessage(`1 2`)}}}}},
	}
	for name, l := range cases {
		dst := []byte("kept\n")
		got, err := AppendLine(dst, l)
		if err == nil || string(got) != "kept\n" {
			t.Errorf("%s: got %q, %v; want the input and an error", name, got, err)
		}
	}
}

func TestAppendLineWritesLinesThatDecodeToTheSameLine(t *testing.T) {
	s := func(v string) *string { return &v }
	n, p, id := int64(-3), 2, OpID(9)
	cases := map[string]Line{
		"an empty line": {},
		"strings that need escapes": {Data: &DataBatch{Bucket: "<a&b>\u2028\u2029\x00\x1f\x7f\b\f\n\r\t\"\\/é🚀\xff\xed\xa0\x80", Data: []Op{{
			Op: "PUT", ObjectType: s(""), ObjectID: s("\xe6\x97"), Subkey: s("\u2028"), Data: s(`{"a":"<b>"}`), Checksum: 4294967295,
		}}}},
		"nil and empty slices": {Checkpoint: &Checkpoint{Streams: []StreamInfo{{Errors: nil}, {Errors: []json.RawMessage{}}}}},
		"empty slices":         {CheckpointDiff: &CheckpointDiff{UpdatedBuckets: []BucketChecksum{}, RemovedBuckets: []string{}}},
		"raw messages to compact": {Checkpoint: &Checkpoint{Buckets: []BucketChecksum{
			{Subscriptions: json.RawMessage(" [ {\"a\" : \"<&> \u2028\\\" x\" } , 1 ] ")}, {Subscriptions: json.RawMessage{}},
		}, Streams: []StreamInfo{{Name: "s", Errors: []json.RawMessage{nil, json.RawMessage(`"\u003c"`)}}}}},
		"signed checksums at the edges": {CheckpointDiff: &CheckpointDiff{UpdatedBuckets: []BucketChecksum{
			{Checksum: 0}, {Checksum: 1<<31 - 1}, {Checksum: 1 << 31}, {Checksum: 1<<32 - 1},
		}}},
		"every optional field": {
			Data:                      &DataBatch{HasMore: true, After: &id, NextAfter: &id, Data: []Op{{Op: OpClear, Checksum: 1 << 31}}},
			CheckpointComplete:        &CheckpointComplete{LastOpID: -1},
			PartialCheckpointComplete: &PartialCheckpointComplete{LastOpID: 1 << 62, Priority: 3},
			TokenExpiresIn:            &n,
			Checkpoint:                &Checkpoint{WriteCheckpoint: &id, Buckets: []BucketChecksum{{Priority: &p, Count: &n}}},
			CheckpointDiff:            &CheckpointDiff{WriteCheckpoint: &id},
		},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) { checkRoundTrip(t, l) })
	}
}

// checkRoundTrip fails t unless AppendLine writes l as one line that
// DecodeLine and encoding/json both decode to wireForm(l).
func checkRoundTrip(t testing.TB, l Line) {
	t.Helper()
	prefix := []byte("prefix\n")
	b, err := AppendLine(prefix[:len(prefix):len(prefix)], l)
	if err != nil {
		t.Fatalf("AppendLine(%+v): %v", l, err)
	}
	line, ok := bytes.CutPrefix(b, prefix)
	if !ok || bytes.IndexByte(line, '\n') != len(line)-1 {
		t.Fatalf("AppendLine(%+v) wrote %q, not one line after the prefix", l, b)
	}
	got, err := checkDecodeAgainstStd(t, line)
	if err != nil {
		t.Fatalf("AppendLine(%+v) wrote %s, which does not decode: %v", l, line, err)
	}
	if want := wireForm(l); !reflect.DeepEqual(got, want) {
		a, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("AppendLine wrote %s, which decodes to\n %s\nwant %s", line, a, w)
	}
}

// wireForm is l as it comes back from AppendLine's bytes: nil lists that
// are written as [] are empty, streams without any are nil, raw JSON is
// compacted and a nil raw value is null, empty subscriptions are nil, and
// strings have each byte of bad UTF-8 replaced by U+FFFD. It does not
// change l.
func wireForm(l Line) Line {
	str := func(s string) string { return string([]rune(s)) }
	strp := func(p *string) *string {
		if p == nil {
			return nil
		}
		v := str(*p)
		return &v
	}
	raw := func(m json.RawMessage) json.RawMessage {
		if b, err := json.Marshal(m); err == nil {
			return b
		}
		return m
	}
	buckets := func(bs []BucketChecksum) []BucketChecksum {
		out := make([]BucketChecksum, len(bs))
		for i, b := range bs {
			b.Bucket = str(b.Bucket)
			if len(b.Subscriptions) == 0 {
				b.Subscriptions = nil
			} else {
				b.Subscriptions = raw(b.Subscriptions)
			}
			out[i] = b
		}
		return out
	}
	if c := l.Checkpoint; c != nil {
		w := *c
		w.Buckets = buckets(c.Buckets)
		w.Streams = nil
		for _, s := range c.Streams {
			s.Name = str(s.Name)
			errs := make([]json.RawMessage, len(s.Errors))
			for i, m := range s.Errors {
				errs[i] = raw(m)
			}
			s.Errors = errs
			w.Streams = append(w.Streams, s)
		}
		l.Checkpoint = &w
	}
	if c := l.CheckpointDiff; c != nil {
		w := *c
		w.UpdatedBuckets = buckets(c.UpdatedBuckets)
		w.RemovedBuckets = make([]string, len(c.RemovedBuckets))
		for i, s := range c.RemovedBuckets {
			w.RemovedBuckets[i] = str(s)
		}
		l.CheckpointDiff = &w
	}
	if d := l.Data; d != nil {
		w := *d
		w.Bucket = str(d.Bucket)
		w.Data = make([]Op, len(d.Data))
		for i, o := range d.Data {
			o.ObjectType, o.ObjectID, o.Subkey, o.Data = strp(o.ObjectType), strp(o.ObjectID), strp(o.Subkey), strp(o.Data)
			w.Data[i] = o
		}
		l.Data = &w
	}
	return l
}

// checkEscapingAgainstStd fails t unless the appender writes in as a
// string as json.Marshal writes it, and compacts it as a raw JSON value
// as json.Marshal does, or fails where json.Marshal fails.
func checkEscapingAgainstStd(t testing.TB, in []byte) {
	t.Helper()
	want, _ := json.Marshal(string(in))
	if got := jsontext.AppendStringEscapeHTML(nil, string(in)); !bytes.Equal(got, want) {
		t.Fatalf("string %q:\n got %s\nwant %s", in, got, want)
	}
	want, wantErr := json.Marshal(json.RawMessage(in))
	e := encoder{}
	e.rawMessage(in)
	if (e.err == nil) != (wantErr == nil) || e.err == nil && !bytes.Equal(e.b, want) {
		t.Fatalf("raw value %q:\n got %q, %v\nwant %q, %v", in, e.b, e.err, want, wantErr)
	}
}
