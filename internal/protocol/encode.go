package protocol

import "fmt"

// AppendLine appends l as one NDJSON line, newline included, to dst, in
// the shape the PowerSync service writes it:
//
//   - bucket checksums in checkpoint and checkpoint_diff lines, and the
//     checksums of CLEAR ops, are signed 32-bit integers (the service's
//     JavaScript `x & 0xffffffff`); PUT, REMOVE and MOVE op checksums stay
//     unsigned (protocol-vectors.md §2; storage_sync.test.ts.snap);
//   - data lines always carry after, next_after (null when unset) and
//     has_more, in the service's field order (bucket, after, next_after,
//     has_more, data);
//   - bucket entries are ordered bucket, checksum, count, priority,
//     subscriptions, and ops op_id, op, object_type, object_id, data,
//     checksum, subkey, as in protocol-vectors.md §3;
//   - arrays are never null: a nil bucket list, removed_buckets, op list
//     or stream errors list is written as [].
//
// Other optional fields are left out when nil or empty, every field of l
// that is set is written, strings are escaped as json.Marshal escapes them
// and json.RawMessage values compacted as it compacts them. DecodeLine
// reads the line back to l (nil lists and raw JSON's spaces aside), and
// the sample stream of
// protocol-vectors.md §3 comes back byte for byte. The dev sync server
// (package syncserver) writes every line with it; it does not allocate
// beyond growing dst (marshal.go). The only error is a json.RawMessage in
// l that is not valid JSON; dst is then returned as it was.
func AppendLine(dst []byte, l Line) ([]byte, error) {
	e := encoder{b: dst}
	e.line(&l)
	if e.err != nil {
		return dst, fmt.Errorf("protocol: encode line: %w", e.err)
	}
	return append(e.b, '\n'), nil
}

// ContentType is the media type of the NDJSON sync stream. The official
// client picks its decoder from the response's Content-Type, so a server
// must send exactly this.
const ContentType = "application/x-ndjson"
