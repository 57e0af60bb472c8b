package protocol

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrMalformedLine is wrapped by every error DecodeLine and Reader.Next
// return for a line that is not a valid sync line: bad JSON, a known
// line with a missing or mistyped field, an unknown op type, or a stream
// that ended in the middle of a line.
var ErrMalformedLine = errors.New("protocol: malformed sync line")

// MaxLineSize bounds one line: PowerSync rows are at most 15 MB, and the
// service sends at most 1 MiB of ops per data line, but one row can pass
// that alone. A longer line is malformed rather than a reason to grow
// without bound.
const MaxLineSize = 32 << 20

// Reader reads the sync stream's lines one at a time without holding
// more than one line in memory.
type Reader struct {
	r    *bufio.Reader
	buf  []byte
	line int
}

// NewReader returns a Reader over an NDJSON sync stream.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next line, decoded. Blank lines are skipped. At the end
// of the stream it returns io.EOF; a stream that ends inside a line
// returns an error wrapping ErrMalformedLine and io.ErrUnexpectedEOF.
// Errors reading the underlying stream are returned as they are.
func (r *Reader) Next() (Line, error) {
	for {
		raw, err := r.readLine()
		if err != nil {
			return Line{}, err
		}
		if len(bytes.TrimSpace(raw)) == 0 {
			continue
		}
		l, err := DecodeLine(raw)
		if err != nil {
			return Line{}, fmt.Errorf("line %d: %w", r.line, err)
		}
		return l, nil
	}
}

// readLine returns the next line without its newline. The returned slice
// is valid until the next call.
func (r *Reader) readLine() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.r.ReadSlice('\n')
		if len(r.buf)+len(chunk) > MaxLineSize {
			return nil, fmt.Errorf("line %d: longer than %d bytes: %w", r.line+1, MaxLineSize, ErrMalformedLine)
		}
		switch {
		case err == nil:
			r.line++
			if len(r.buf) == 0 {
				return chunk[:len(chunk)-1], nil
			}
			r.buf = append(r.buf, chunk[:len(chunk)-1]...)
			return r.buf, nil
		case errors.Is(err, bufio.ErrBufferFull):
			r.buf = append(r.buf, chunk...)
		case errors.Is(err, io.EOF):
			r.buf = append(r.buf, chunk...)
			if len(bytes.TrimSpace(r.buf)) == 0 {
				return nil, io.EOF
			}
			r.line++
			return nil, fmt.Errorf("line %d: stream ended inside the line: %w", r.line, errors.Join(ErrMalformedLine, io.ErrUnexpectedEOF))
		default:
			return nil, err
		}
	}
}

// DecodeLine decodes and checks one sync line. A JSON object of an
// unknown kind decodes to a zero Line and no error. It accepts and
// decodes exactly what encoding/json's Unmarshal into a Line does, about
// five times as fast, with a few dozen allocations per line instead of
// ten per op (scan.go, RATIONALE.md). The line's strings share one
// allocation: keeping one of them keeps the line's text alive.
func DecodeLine(raw []byte) (Line, error) {
	l, err := decodeLine(raw)
	if err != nil {
		return Line{}, fmt.Errorf("%w: %v", ErrMalformedLine, err)
	}
	if err := l.check(); err != nil {
		return Line{}, fmt.Errorf("%w: %v", ErrMalformedLine, err)
	}
	return l, nil
}

// check enforces what the client core's parser enforces beyond JSON types.
func (l *Line) check() error {
	switch {
	case l.Checkpoint != nil:
		return checkBuckets(l.Checkpoint.Buckets)
	case l.CheckpointDiff != nil:
		return checkBuckets(l.CheckpointDiff.UpdatedBuckets)
	case l.Data != nil:
		for i := range l.Data.Data {
			if err := l.Data.Data[i].check(); err != nil {
				return fmt.Errorf("data for bucket %q: %w", l.Data.Bucket, err)
			}
		}
	case l.PartialCheckpointComplete != nil:
		if p := l.PartialCheckpointComplete.Priority; p < 0 || p > 3 {
			return fmt.Errorf("partial_checkpoint_complete: priority %d outside 0-3", p)
		}
	}
	return nil
}

func checkBuckets(bs []BucketChecksum) error {
	for _, b := range bs {
		if b.Priority != nil && (*b.Priority < 0 || *b.Priority > 3) {
			return fmt.Errorf("bucket %q: priority %d outside 0-3", b.Bucket, *b.Priority)
		}
	}
	return nil
}

func (o *Op) check() error {
	switch o.Op {
	case OpPut, OpRemove:
		if o.ObjectType == nil || o.ObjectID == nil {
			return fmt.Errorf("op %d: %s without object_type and object_id", o.OpID, o.Op)
		}
	case OpMove, OpClear:
	default:
		return fmt.Errorf("op %d: unknown op %q", o.OpID, o.Op)
	}
	return nil
}

// Key is the op's row key within its bucket, as the client core stores it
// in ps_oplog.key: "<object_type>/<object_id>/<subkey>", with the literal
// "null" when there is no subkey.
func (o *Op) Key() string {
	sub := "null"
	if o.Subkey != nil {
		sub = *o.Subkey
	}
	return deref(o.ObjectType) + "/" + deref(o.ObjectID) + "/" + sub
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
