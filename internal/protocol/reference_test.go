package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// decodeLineStd is DecodeLine as it was written with encoding/json: the
// reference the scanner must agree with, on what it rejects and on the
// Line it decodes.
func decodeLineStd(raw []byte) (Line, error) {
	var l Line
	if err := json.Unmarshal(raw, &l); err != nil {
		return Line{}, fmt.Errorf("%w: %v", ErrMalformedLine, err)
	}
	if err := l.check(); err != nil {
		return Line{}, fmt.Errorf("%w: %v", ErrMalformedLine, err)
	}
	return l, nil
}

// appendLineStd is AppendLine as it was written with encoding/json.
func appendLineStd(dst []byte, l Line) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return dst, fmt.Errorf("protocol: encode line: %w", err)
	}
	return append(append(dst, b...), '\n'), nil
}

// checkAgainstStd fails t unless DecodeLine and decodeLineStd agree on
// raw, and AppendLine and appendLineStd on the line it decodes to.
func checkAgainstStd(t testing.TB, raw []byte) {
	t.Helper()
	got, err := DecodeLine(raw)
	want, wantErr := decodeLineStd(raw)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("DecodeLine(%q): error %v, encoding/json's %v", raw, err, wantErr)
	case err != nil:
		if !errors.Is(err, ErrMalformedLine) {
			t.Fatalf("DecodeLine(%q): error %v does not wrap ErrMalformedLine", raw, err)
		}
		return
	case !reflect.DeepEqual(got, want):
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("DecodeLine(%q):\n got %s\nwant %s", raw, a, b)
	}
	checkEncodingAgainstStd(t, got)
}

// checkEncodingAgainstStd fails t unless AppendLine writes what
// json.Marshal writes for l, or both fail.
func checkEncodingAgainstStd(t testing.TB, l Line) {
	t.Helper()
	prefix := []byte("prefix\n")
	got, err := AppendLine(prefix[:len(prefix):len(prefix)], l)
	want, wantErr := appendLineStd(prefix[:len(prefix):len(prefix)], l)
	if (err == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("AppendLine(%+v):\n got %q, %v\nwant %q, %v", l, got, err, want, wantErr)
	}
}
