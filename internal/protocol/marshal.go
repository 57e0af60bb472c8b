package protocol

import (
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

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
			e.b = appendString(e.b, s.Name)
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
		e.b = appendString(e.b, b.Bucket)
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
		e.b = appendString(e.b, s)
	}
	e.b = append(e.b, ']', '}')
}

func (e *encoder) dataBatch(d *DataBatch) {
	e.b = append(e.b, `{"bucket":`...)
	e.b = appendString(e.b, d.Bucket)
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
	e.b = appendString(e.b, string(o.Op))
	if o.ObjectType != nil {
		e.b = append(e.b, `,"object_type":`...)
		e.b = appendString(e.b, *o.ObjectType)
	}
	if o.ObjectID != nil {
		e.b = append(e.b, `,"object_id":`...)
		e.b = appendString(e.b, *o.ObjectID)
	}
	if o.Data != nil {
		e.b = append(e.b, `,"data":`...)
		e.b = appendString(e.b, *o.Data)
	}
	e.b = append(e.b, `,"checksum":`...)
	if o.Op == OpClear {
		e.b = strconv.AppendInt(e.b, int64(o.Checksum.Signed()), 10)
	} else {
		e.b = strconv.AppendUint(e.b, uint64(o.Checksum), 10)
	}
	if o.Subkey != nil {
		e.b = append(e.b, `,"subkey":`...)
		e.b = appendString(e.b, *o.Subkey)
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
	e.b = appendCompact(e.b, m)
}

// appendCompact appends valid JSON without the whitespace outside its
// strings, escaping <, >, & and U+2028, U+2029 inside them
// (encoding/json's appendCompact with escape set).
func appendCompact(b, m []byte) []byte {
	in := false
	start := 0
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case in && (c == '<' || c == '>' || c == '&'):
			b = append(b, m[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			start = i + 1
		case in && c == 0xE2 && i+2 < len(m) && m[i+1] == 0x80 && m[i+2]&^1 == 0xA8:
			b = append(b, m[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[m[i+2]&0xF])
			i += 2
			start = i + 1
		case !in && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			b = append(b, m[start:i]...)
			start = i + 1
		}
	}
	return append(b, m[start:]...)
}

const hexDigits = "0123456789abcdef"

// safe marks the ASCII bytes json.Marshal writes as they are inside a
// string: printable, other than the quote, the backslash and <, >, &.
var safe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString appends s as a JSON string, escaped as json.Marshal
// escapes it.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if safe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
