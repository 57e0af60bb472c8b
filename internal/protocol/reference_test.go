package protocol

import (
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

// appendLineStd is AppendLine's work done with encoding/json, as the
// package did before the appender: json.Marshal of the Line, in the
// structs' field order with unsigned checksums rather than the service's
// shape, but the same content (for the benchmarks).
func appendLineStd(dst []byte, l Line) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return dst, fmt.Errorf("protocol: encode line: %w", err)
	}
	return append(append(dst, b...), '\n'), nil
}

// checkAgainstStd fails t unless DecodeLine and decodeLineStd agree on
// raw, and the line it decodes to, if any, survives AppendLine and
// DecodeLine (checkRoundTrip).
func checkAgainstStd(t testing.TB, raw []byte) {
	t.Helper()
	if l, err := checkDecodeAgainstStd(t, raw); err == nil {
		checkRoundTrip(t, l)
	}
}

// checkDecodeAgainstStd fails t unless DecodeLine and decodeLineStd agree
// on raw: the same error or none, and the same Line. It returns
// DecodeLine's result.
func checkDecodeAgainstStd(t testing.TB, raw []byte) (Line, error) {
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
	case !reflect.DeepEqual(got, want):
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		t.Fatalf("DecodeLine(%q):\n got %s\nwant %s", raw, a, b)
	}
	return got, err
}
