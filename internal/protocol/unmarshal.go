package protocol

import (
	"encoding/json"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// This file reads each line shape with internal/jsontext (scan.go). Every
// reader mirrors what encoding/json does for its Go type: a pointer is
// set to nil by null and allocated (or reused, for a repeated key)
// otherwise; null leaves other fields as they are; a value of the wrong
// kind is an error.

// decodeLine reads one sync line as encoding/json's Unmarshal into a Line
// would, without the checks of Line.check.
func decodeLine(raw []byte) (Line, error) {
	var d decoder
	d.Reset(raw)
	var l Line
	d.Space()
	switch d.Peek() {
	case 'n':
		if err := d.Null(); err != nil {
			return Line{}, err
		}
	case '{':
		if err := d.line(&l); err != nil {
			return Line{}, err
		}
	default:
		return Line{}, d.Mismatch("a line object")
	}
	d.Space()
	if d.Offset() != len(raw) {
		return Line{}, d.Unexpected("after the line")
	}
	return l, nil
}

var lineFields = []string{"checkpoint", "checkpoint_diff", "data", "checkpoint_complete", "partial_checkpoint_complete", "token_expires_in"}

func (d *decoder) line(l *Line) error {
	return d.members(lineFields, func(i int) (err error) {
		switch i {
		case 0:
			err = object(d, &l.Checkpoint, (*decoder).checkpoint)
		case 1:
			err = object(d, &l.CheckpointDiff, (*decoder).checkpointDiff)
		case 2:
			err = object(d, &l.Data, (*decoder).dataBatch)
		case 3:
			err = object(d, &l.CheckpointComplete, (*decoder).checkpointComplete)
		case 4:
			err = object(d, &l.PartialCheckpointComplete, (*decoder).partialCheckpointComplete)
		case 5:
			err = d.int64Ptr(&l.TokenExpiresIn)
		}
		return err
	})
}

// members reads an object's members: member(i) reads the value of the
// member named fields[i]; members with other names are skipped, as
// encoding/json skips unknown fields.
func (d *decoder) members(fields []string, member func(i int) error) error {
	more, err := d.Open('}')
	for more && err == nil {
		var key []byte
		if key, err = d.Key(); err != nil {
			return err
		}
		if i := field(key, fields); i >= 0 {
			err = member(i)
		} else {
			err = d.Skip()
		}
		if err == nil {
			more, err = d.Next('}')
		}
	}
	return err
}

// object reads an optional object field with read, which is called at
// the object's opening brace.
func object[T any](d *decoder, p **T, read func(*decoder, *T) error) error {
	switch d.Peek() {
	case 'n':
		*p = nil
		return d.Null()
	case '{':
		if *p == nil {
			*p = new(T)
		}
		return read(d, *p)
	}
	return d.Mismatch("object")
}

// array reads a slice field: null makes it nil, [] empty, and elements
// are read into what the slice already holds, as encoding/json does.
func array[T any](d *decoder, p *[]T, read func(*decoder, *T) error) error {
	switch d.Peek() {
	case 'n':
		*p = nil
		return d.Null()
	case '[':
	default:
		return d.Mismatch("array")
	}
	s := *p
	n := 0
	more, err := d.Open(']')
	for more && err == nil {
		if n >= len(s) {
			if n >= cap(s) {
				var zero T
				s = append(s, zero)
			} else {
				s = s[:n+1]
			}
		}
		if err = read(d, &s[n]); err != nil {
			return err
		}
		n++
		more, err = d.Next(']')
	}
	if err != nil {
		return err
	}
	if n == 0 {
		s = []T{}
	}
	*p = s[:n]
	return nil
}

// element reads a struct element of an array: null leaves it as it is.
func element[T any](read func(*decoder, *T) error) func(*decoder, *T) error {
	return func(d *decoder, v *T) error {
		switch d.Peek() {
		case 'n':
			return d.Null()
		case '{':
			return read(d, v)
		}
		return d.Mismatch("object")
	}
}

var (
	bucketChecksumElement = element((*decoder).bucketChecksum)
	streamInfoElement     = element((*decoder).streamInfo)
	opElement             = element((*decoder).op)
)

var checkpointFields = []string{"last_op_id", "write_checkpoint", "buckets", "streams"}

func (d *decoder) checkpoint(c *Checkpoint) error {
	return d.members(checkpointFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.opID(&c.LastOpID)
		case 1:
			err = d.opIDPtr(&c.WriteCheckpoint)
		case 2:
			err = array(d, &c.Buckets, bucketChecksumElement)
		case 3:
			err = array(d, &c.Streams, streamInfoElement)
		}
		return err
	})
}

var bucketChecksumFields = []string{"bucket", "checksum", "priority", "count", "subscriptions"}

func (d *decoder) bucketChecksum(b *BucketChecksum) error {
	return d.members(bucketChecksumFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.stringField(&b.Bucket)
		case 1:
			err = d.checksum(&b.Checksum)
		case 2:
			err = d.intPtr(&b.Priority)
		case 3:
			err = d.int64Ptr(&b.Count)
		case 4:
			err = d.rawMessage(&b.Subscriptions)
		}
		return err
	})
}

var streamInfoFields = []string{"name", "is_default", "errors"}

func (d *decoder) streamInfo(s *StreamInfo) error {
	return d.members(streamInfoFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.stringField(&s.Name)
		case 1:
			err = d.boolField(&s.IsDefault)
		case 2:
			err = array(d, &s.Errors, (*decoder).rawMessage)
		}
		return err
	})
}

var checkpointDiffFields = []string{"last_op_id", "write_checkpoint", "updated_buckets", "removed_buckets"}

func (d *decoder) checkpointDiff(c *CheckpointDiff) error {
	return d.members(checkpointDiffFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.opID(&c.LastOpID)
		case 1:
			err = d.opIDPtr(&c.WriteCheckpoint)
		case 2:
			err = array(d, &c.UpdatedBuckets, bucketChecksumElement)
		case 3:
			err = array(d, &c.RemovedBuckets, (*decoder).stringField)
		}
		return err
	})
}

var dataBatchFields = []string{"bucket", "data", "has_more", "after", "next_after"}

func (d *decoder) dataBatch(b *DataBatch) error {
	return d.members(dataBatchFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.stringField(&b.Bucket)
		case 1:
			err = array(d, &b.Data, opElement)
		case 2:
			err = d.boolField(&b.HasMore)
		case 3:
			err = d.opIDPtr(&b.After)
		case 4:
			err = d.opIDPtr(&b.NextAfter)
		}
		return err
	})
}

var opFields = []string{"op_id", "op", "object_type", "object_id", "subkey", "data", "checksum"}

func (d *decoder) op(o *Op) error {
	return d.members(opFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.opID(&o.OpID)
		case 1:
			err = d.opType(&o.Op)
		case 2:
			err = d.stringPtr(&o.ObjectType)
		case 3:
			err = d.stringPtr(&o.ObjectID)
		case 4:
			err = d.stringPtr(&o.Subkey)
		case 5:
			err = d.stringPtr(&o.Data)
		case 6:
			err = d.checksum(&o.Checksum)
		}
		return err
	})
}

var checkpointCompleteFields = []string{"last_op_id"}

func (d *decoder) checkpointComplete(c *CheckpointComplete) error {
	return d.members(checkpointCompleteFields, func(int) error { return d.opID(&c.LastOpID) })
}

var partialCheckpointCompleteFields = []string{"last_op_id", "priority"}

func (d *decoder) partialCheckpointComplete(c *PartialCheckpointComplete) error {
	return d.members(partialCheckpointCompleteFields, func(i int) (err error) {
		switch i {
		case 0:
			err = d.opID(&c.LastOpID)
		case 1:
			if d.Peek() == 'n' {
				err = d.Null()
			} else {
				var v int64
				if v, err = d.integer(); err == nil {
					c.Priority = int(v)
				}
			}
		}
		return err
	})
}

// stringField reads a string; null leaves it as it is.
func (d *decoder) stringField(p *string) error {
	switch d.Peek() {
	case 'n':
		return d.Null()
	case '"':
		s, err := d.string()
		if err == nil {
			*p = s
		}
		return err
	}
	return d.Mismatch("string")
}

// stringPtr reads an optional string.
func (d *decoder) stringPtr(p **string) error {
	switch d.Peek() {
	case 'n':
		*p = nil
		return d.Null()
	case '"':
		s, err := d.string()
		if err != nil {
			return err
		}
		if *p == nil {
			*p = d.sptrs.new()
		}
		**p = s
		return nil
	}
	return d.Mismatch("string")
}

// opType reads an op's type; the four known ones take no memory.
func (d *decoder) opType(p *OpType) error {
	switch d.Peek() {
	case 'n':
		return d.Null()
	case '"':
		text, err := d.ReadString()
		if err != nil {
			return err
		}
		for _, t := range [...]OpType{OpPut, OpRemove, OpMove, OpClear} {
			if string(text) == string(t) {
				*p = t
				return nil
			}
		}
		*p = OpType(text)
		return nil
	}
	return d.Mismatch("string")
}

func (d *decoder) boolField(p *bool) error {
	switch d.Peek() {
	case 'n':
		return d.Null()
	case 't':
		*p = true
		return d.Literal("true")
	case 'f':
		*p = false
		return d.Literal("false")
	}
	return d.Mismatch("bool")
}

// integer reads a number that must be a 64-bit integer, as encoding/json
// reads one into an int or int64 (no fraction or exponent, even 1.0).
func (d *decoder) integer() (int64, error) {
	c := d.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, d.Mismatch("number")
	}
	start := d.Offset()
	text, err := d.Number()
	if err != nil {
		return 0, err
	}
	if v, ok := jsontext.SmallInt(text); ok {
		return v, nil
	}
	v, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return 0, &jsontext.SyntaxError{Offset: start, Msg: "number " + string(text) + " is not a 64-bit integer"}
	}
	return v, nil
}

func (d *decoder) intPtr(p **int) error {
	if d.Peek() == 'n' {
		*p = nil
		return d.Null()
	}
	v, err := d.integer()
	if err != nil {
		return err
	}
	if *p == nil {
		*p = d.iptrs.new()
	}
	**p = int(v)
	return nil
}

func (d *decoder) int64Ptr(p **int64) error {
	if d.Peek() == 'n' {
		*p = nil
		return d.Null()
	}
	v, err := d.integer()
	if err != nil {
		return err
	}
	if *p == nil {
		*p = d.lptrs.new()
	}
	**p = v
	return nil
}

// opID reads an op id as OpID.UnmarshalJSON does: a string holding a
// decimal integer (strconv.ParseInt's syntax, so "+7" and "007" pass).
func (d *decoder) opID(p *OpID) error {
	if d.Peek() != '"' {
		return d.Mismatch("an op id string")
	}
	start := d.Offset()
	raw, err := d.ReadString()
	if err != nil {
		return err
	}
	v, ok := jsontext.SmallInt(raw)
	if !ok {
		if v, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return &jsontext.SyntaxError{Offset: start, Msg: strconv.Quote(string(raw)) + " is not a decimal op id"}
		}
	}
	*p = OpID(v)
	return nil
}

func (d *decoder) opIDPtr(p **OpID) error {
	if d.Peek() == 'n' {
		*p = nil
		return d.Null()
	}
	if *p == nil {
		*p = d.optrs.new()
	}
	return d.opID(*p)
}

// checksum reads a checksum as Checksum.UnmarshalJSON does.
func (d *decoder) checksum(p *Checksum) error {
	c := d.Peek()
	if c != '-' && (c < '0' || c > '9') {
		return d.Mismatch("a checksum number")
	}
	start := d.Offset()
	text, err := d.Number()
	if err != nil {
		return err
	}
	v, err := ParseChecksum(text)
	if err != nil {
		return &jsontext.SyntaxError{Offset: start, Msg: err.Error()}
	}
	*p = v
	return nil
}

// rawMessage keeps a value's JSON text (null included) as
// json.RawMessage.UnmarshalJSON does, in the line's shared raw storage.
func (d *decoder) rawMessage(p *json.RawMessage) error {
	start := d.Offset()
	if err := d.Skip(); err != nil {
		return err
	}
	text := d.Input()[start:d.Offset()]
	if cap(d.raws)-len(d.raws) < len(text) {
		d.raws = make([]byte, 0, max(len(text), 1024))
	}
	n := len(d.raws)
	d.raws = append(d.raws, text...)
	*p = d.raws[n:len(d.raws):len(d.raws)]
	return nil
}
