package protocol

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// This file writes lines for AppendLine without reflection, in the
// service's shape (see AppendLine): its field order, signed bucket and
// CLEAR checksums, arrays never null. Strings are escaped as
// encoding/json escapes them (HTML characters, U+2028 and U+2029, bad
// UTF-8 as \ufffd) and json.RawMessage values checked and compacted as
// json.Marshal does (FuzzReader compares both with it).

// encoder appends one line; the first error stops it.
type encoder struct {
	b   []byte
	err error
}

func (e *encoder) line(l *Line) {
	e.b = append(e.b, '{')
	sep := false
	if l.Checkpoint != nil {
		e.key(&sep, "checkpoint")
		e.checkpoint(l.Checkpoint)
	}
	if l.CheckpointDiff != nil {
		e.key(&sep, "checkpoint_diff")
		e.checkpointDiff(l.CheckpointDiff)
	}
	if l.Data != nil {
		e.key(&sep, "data")
		e.dataBatch(l.Data)
	}
	if c := l.CheckpointComplete; c != nil {
		e.key(&sep, "checkpoint_complete")
		e.b = append(e.b, `{"last_op_id":`...)
		e.b = appendOpID(e.b, c.LastOpID)
		e.b = append(e.b, '}')
	}
	if c := l.PartialCheckpointComplete; c != nil {
		e.key(&sep, "partial_checkpoint_complete")
		e.b = append(e.b, `{"last_op_id":`...)
		e.b = appendOpID(e.b, c.LastOpID)
		e.b = append(e.b, `,"priority":`...)
		e.b = strconv.AppendInt(e.b, int64(c.Priority), 10)
		e.b = append(e.b, '}')
	}
	if l.TokenExpiresIn != nil {
		e.key(&sep, "token_expires_in")
		e.b = strconv.AppendInt(e.b, *l.TokenExpiresIn, 10)
	}
	e.b = append(e.b, '}')
}

// key writes a member's key, after a comma unless it is the first.
func (e *encoder) key(sep *bool, name string) {
	if *sep {
		e.b = append(e.b, ',')
	}
	*sep = true
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

func (e *encoder) checkpoint(c *Checkpoint) {
	e.b = append(e.b, `{"last_op_id":`...)
	e.b = appendOpID(e.b, c.LastOpID)
	if c.WriteCheckpoint != nil {
		e.b = append(e.b, `,"write_checkpoint":`...)
		e.b = appendOpID(e.b, *c.WriteCheckpoint)
	}
	e.b = append(e.b, `,"buckets":`...)
	e.buckets(c.Buckets)
	if len(c.Streams) > 0 {
		e.b = append(e.b, `,"streams":[`...)
		for i := range c.Streams {
			if i > 0 {
				e.b = append(e.b, ',')
			}
			s := &c.Streams[i]
			e.b = append(e.b, `{"name":`...)
			e.b = jsontext.AppendStringEscapeHTML(e.b, s.Name)
			e.b = append(e.b, `,"is_default":`...)
			e.b = strconv.AppendBool(e.b, s.IsDefault)
			e.b = append(e.b, `,"errors":[`...)
			for j, m := range s.Errors {
				if j > 0 {
					e.b = append(e.b, ',')
				}
				e.rawMessage(m)
			}
			e.b = append(e.b, ']')
			e.b = append(e.b, '}')
		}
		e.b = append(e.b, ']')
	}
	e.b = append(e.b, '}')
}

func (e *encoder) buckets(bs []BucketChecksum) {
	e.b = append(e.b, '[')
	for i := range bs {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		b := &bs[i]
		e.b = append(e.b, `{"bucket":`...)
		e.b = jsontext.AppendStringEscapeHTML(e.b, b.Bucket)
		e.b = append(e.b, `,"checksum":`...)
		e.b = strconv.AppendInt(e.b, int64(b.Checksum.Signed()), 10)
		if b.Count != nil {
			e.b = append(e.b, `,"count":`...)
			e.b = strconv.AppendInt(e.b, *b.Count, 10)
		}
		if b.Priority != nil {
			e.b = append(e.b, `,"priority":`...)
			e.b = strconv.AppendInt(e.b, int64(*b.Priority), 10)
		}
		if len(b.Subscriptions) > 0 {
			e.b = append(e.b, `,"subscriptions":`...)
			e.rawMessage(b.Subscriptions)
		}
		e.b = append(e.b, '}')
	}
	e.b = append(e.b, ']')
}

func (e *encoder) checkpointDiff(c *CheckpointDiff) {
	e.b = append(e.b, `{"last_op_id":`...)
	e.b = appendOpID(e.b, c.LastOpID)
	if c.WriteCheckpoint != nil {
		e.b = append(e.b, `,"write_checkpoint":`...)
		e.b = appendOpID(e.b, *c.WriteCheckpoint)
	}
	e.b = append(e.b, `,"updated_buckets":`...)
	e.buckets(c.UpdatedBuckets)
	e.b = append(e.b, `,"removed_buckets":[`...)
	for i, s := range c.RemovedBuckets {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.b = jsontext.AppendStringEscapeHTML(e.b, s)
	}
	e.b = append(e.b, ']', '}')
}

func (e *encoder) dataBatch(d *DataBatch) {
	e.b = append(e.b, `{"bucket":`...)
	e.b = jsontext.AppendStringEscapeHTML(e.b, d.Bucket)
	e.b = append(e.b, `,"after":`...)
	e.b = appendOptionalOpID(e.b, d.After)
	e.b = append(e.b, `,"next_after":`...)
	e.b = appendOptionalOpID(e.b, d.NextAfter)
	e.b = append(e.b, `,"has_more":`...)
	e.b = strconv.AppendBool(e.b, d.HasMore)
	e.b = append(e.b, `,"data":[`...)
	for i := range d.Data {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.op(&d.Data[i])
	}
	e.b = append(e.b, ']', '}')
}

func (e *encoder) op(o *Op) {
	e.b = append(e.b, `{"op_id":`...)
	e.b = appendOpID(e.b, o.OpID)
	e.b = append(e.b, `,"op":`...)
	e.b = jsontext.AppendStringEscapeHTML(e.b, string(o.Op))
	if o.ObjectType != nil {
		e.b = append(e.b, `,"object_type":`...)
		e.b = jsontext.AppendStringEscapeHTML(e.b, *o.ObjectType)
	}
	if o.ObjectID != nil {
		e.b = append(e.b, `,"object_id":`...)
		e.b = jsontext.AppendStringEscapeHTML(e.b, *o.ObjectID)
	}
	if o.Data != nil {
		e.b = append(e.b, `,"data":`...)
		e.b = jsontext.AppendStringEscapeHTML(e.b, *o.Data)
	}
	e.b = append(e.b, `,"checksum":`...)
	if o.Op == OpClear {
		e.b = strconv.AppendInt(e.b, int64(o.Checksum.Signed()), 10)
	} else {
		e.b = strconv.AppendUint(e.b, uint64(o.Checksum), 10)
	}
	if o.Subkey != nil {
		e.b = append(e.b, `,"subkey":`...)
		e.b = jsontext.AppendStringEscapeHTML(e.b, *o.Subkey)
	}
	e.b = append(e.b, '}')
}

func appendOpID(b []byte, o OpID) []byte {
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(o), 10)
	return append(b, '"')
}

// appendOptionalOpID writes null for a missing op id.
func appendOptionalOpID(b []byte, o *OpID) []byte {
	if o == nil {
		return append(b, "null"...)
	}
	return appendOpID(b, *o)
}

// rawMessage writes a json.RawMessage as json.Marshal does: nil as null,
// anything else checked and compacted, with HTML characters escaped.
func (e *encoder) rawMessage(m json.RawMessage) {
	if m == nil {
		e.b = append(e.b, "null"...)
		return
	}
	var d jsontext.Decoder
	d.Reset(m)
	d.Space()
	err := d.Skip()
	if err == nil {
		if d.Space(); d.Offset() != len(m) {
			err = d.Unexpected("after the value")
		}
	}
	if err != nil {
		if e.err == nil {
			e.err = errors.New("json.RawMessage: " + err.Error())
		}
		return
	}
	e.b = jsontext.AppendCompactEscapeHTML(e.b, m)
}
