package jsonbench

import (
	"encoding/json"
	"reflect"
	"testing"

	goccy "github.com/goccy/go-json"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/internal/protocol/protocoltest"
)

// The same lines as the protocol package's benchmarks.
var (
	dataLine       = protocoltest.DataLine(0, 1000)
	checkpointLine = protocoltest.CheckpointLine(1000)
)

var impls = []struct {
	name   string
	decode func([]byte, *protocol.Line) error
	encode func([]byte, protocol.Line) ([]byte, error) // as AppendLine
}{
	{"hand", func(b []byte, l *protocol.Line) (err error) { *l, err = protocol.DecodeLine(b); return err },
		protocol.AppendLine},
	{"encoding-json", func(b []byte, l *protocol.Line) error { return json.Unmarshal(b, l) },
		func(dst []byte, l protocol.Line) ([]byte, error) {
			b, err := json.Marshal(l)
			return append(append(dst, b...), '\n'), err
		}},
	{"goccy", func(b []byte, l *protocol.Line) error { return goccy.Unmarshal(b, l) },
		func(dst []byte, l protocol.Line) ([]byte, error) {
			b, err := goccy.Marshal(l)
			return append(append(dst, b...), '\n'), err
		}},
}

func BenchmarkDecodeDataLine(b *testing.B)       { benchmarkDecode(b, dataLine) }
func BenchmarkDecodeCheckpointLine(b *testing.B) { benchmarkDecode(b, checkpointLine) }
func BenchmarkEncodeDataLine(b *testing.B)       { benchmarkEncode(b, dataLine) }
func BenchmarkEncodeCheckpointLine(b *testing.B) { benchmarkEncode(b, checkpointLine) }

func benchmarkDecode(b *testing.B, l protocol.Line) {
	text := protocoltest.Text(l)
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				var l protocol.Line
				if err := impl.decode(text, &l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchmarkEncode(b *testing.B, l protocol.Line) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			buf, err := impl.encode(nil, l) // a server reuses its buffer
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = impl.encode(buf[:0], l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEveryImplementationReadsTheGeneratedLines makes sure the benchmarks
// compare like with like: each implementation decodes the lines to the
// same Line and encodes them to text that decodes to it again (hand
// writes the service's shape, the others the structs').
func TestEveryImplementationReadsTheGeneratedLines(t *testing.T) {
	for _, l := range []protocol.Line{dataLine, checkpointLine} {
		text := protocoltest.Text(l)
		for _, impl := range impls {
			var got protocol.Line
			if err := impl.decode(text, &got); err != nil || !reflect.DeepEqual(got, l) {
				t.Errorf("%s: decoded a different line (%v)", impl.name, err)
			}
			b, err := impl.encode(nil, l)
			if err == nil {
				got, err = protocol.DecodeLine(b)
			}
			if err != nil || !reflect.DeepEqual(got, l) {
				t.Errorf("%s: encoded a different line (%v)", impl.name, err)
			}
		}
	}
}
