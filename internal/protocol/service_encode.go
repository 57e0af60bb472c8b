package protocol

import (
	"encoding/json"
	"fmt"
)

// AppendServiceLine appends l as one NDJSON line, newline included, to dst,
// in the shape the PowerSync service writes it, which differs from
// AppendLine's in three ways the client does not care about but a reader
// comparing with the service's output does:
//
//   - bucket checksums in checkpoint and checkpoint_diff lines, and the
//     checksums of CLEAR ops, are signed 32-bit integers (the service's
//     JavaScript `x & 0xffffffff`); PUT, REMOVE and MOVE op checksums stay
//     unsigned (protocol-vectors.md §2; storage_sync.test.ts.snap);
//   - data lines always carry after, next_after and has_more, in the
//     service's field order (bucket, after, next_after, has_more, data);
//   - bucket entries are ordered bucket, checksum, count, priority, and
//     ops op_id, op, object_type, object_id, data, checksum, subkey, as in
//     protocol-vectors.md §3.
//
// Other lines are written as AppendLine writes them. The dev sync server
// (package syncserver) writes every line with it.
func AppendServiceLine(dst []byte, l Line) ([]byte, error) {
	var v any
	switch {
	case l.Checkpoint != nil:
		c := l.Checkpoint
		v = struct {
			Checkpoint serviceCheckpoint `json:"checkpoint"`
		}{serviceCheckpoint{c.LastOpID, c.WriteCheckpoint, serviceBuckets(c.Buckets), c.Streams}}
	case l.CheckpointDiff != nil:
		d := l.CheckpointDiff
		removed := d.RemovedBuckets
		if removed == nil {
			removed = []string{}
		}
		v = struct {
			CheckpointDiff serviceCheckpointDiff `json:"checkpoint_diff"`
		}{serviceCheckpointDiff{d.LastOpID, d.WriteCheckpoint, serviceBuckets(d.UpdatedBuckets), removed}}
	case l.Data != nil:
		d := l.Data
		ops := make([]serviceOp, len(d.Data))
		for i, o := range d.Data {
			ck := int64(o.Checksum)
			if o.Op == OpClear {
				ck = int64(o.Checksum.Signed())
			}
			ops[i] = serviceOp{o.OpID, o.Op, o.ObjectType, o.ObjectID, o.Data, ck, o.Subkey}
		}
		v = struct {
			Data serviceData `json:"data"`
		}{serviceData{d.Bucket, d.After, d.NextAfter, d.HasMore, ops}}
	default:
		return AppendLine(dst, l)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, fmt.Errorf("protocol: encode line: %w", err)
	}
	dst = append(dst, b...)
	return append(dst, '\n'), nil
}

type serviceCheckpoint struct {
	LastOpID        OpID            `json:"last_op_id"`
	WriteCheckpoint *OpID           `json:"write_checkpoint,omitempty"`
	Buckets         []serviceBucket `json:"buckets"`
	Streams         []StreamInfo    `json:"streams,omitempty"`
}

type serviceCheckpointDiff struct {
	LastOpID        OpID            `json:"last_op_id"`
	WriteCheckpoint *OpID           `json:"write_checkpoint,omitempty"`
	UpdatedBuckets  []serviceBucket `json:"updated_buckets"`
	RemovedBuckets  []string        `json:"removed_buckets"`
}

type serviceBucket struct {
	Bucket        string          `json:"bucket"`
	Checksum      int32           `json:"checksum"`
	Count         *int64          `json:"count,omitempty"`
	Priority      *int            `json:"priority,omitempty"`
	Subscriptions json.RawMessage `json:"subscriptions,omitempty"`
}

func serviceBuckets(bs []BucketChecksum) []serviceBucket {
	out := make([]serviceBucket, len(bs))
	for i, b := range bs {
		out[i] = serviceBucket{b.Bucket, b.Checksum.Signed(), b.Count, b.Priority, b.Subscriptions}
	}
	return out
}

type serviceData struct {
	Bucket    string      `json:"bucket"`
	After     *OpID       `json:"after"`
	NextAfter *OpID       `json:"next_after"`
	HasMore   bool        `json:"has_more"`
	Data      []serviceOp `json:"data"`
}

type serviceOp struct {
	OpID       OpID    `json:"op_id"`
	Op         OpType  `json:"op"`
	ObjectType *string `json:"object_type,omitempty"`
	ObjectID   *string `json:"object_id,omitempty"`
	Data       *string `json:"data,omitempty"`
	Checksum   int64   `json:"checksum"`
	Subkey     *string `json:"subkey,omitempty"`
}
