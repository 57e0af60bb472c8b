package protocol_test

import (
	"reflect"
	"testing"

	"github.com/localfirst/gopowersync/internal/protocol"
	"github.com/localfirst/gopowersync/internal/protocol/protocoltest"
)

// The lines the benchmarks read and write: a data line of 1,000 PUT ops
// on rows of 172-197 bytes (412 kB), as the service sends during an
// initial sync, and a checkpoint over 1,000 buckets (146 kB).
var (
	dataLine       = protocoltest.DataLine(0, 1000)
	checkpointLine = protocoltest.CheckpointLine(1000)
)

// decoders are the implementations compared: the hand-written scanner and
// appender behind DecodeLine and AppendLine (hand), and encoding/json,
// which they replaced (json.Marshal writes the structs' shape rather than
// the service's, but the same content). The goccy/go-json figures come
// from the jsonbench module beside this package, which keeps goccy out of
// our go.mod.
var decoders = []struct {
	name   string
	decode func([]byte) (protocol.Line, error)
	append func([]byte, protocol.Line) ([]byte, error)
}{
	{"hand", protocol.DecodeLine, protocol.AppendLine},
	{"encoding-json", protocol.DecodeLineStd, protocol.AppendLineStd},
}

func BenchmarkDecodeDataLine(b *testing.B)       { benchmarkDecode(b, dataLine) }
func BenchmarkDecodeCheckpointLine(b *testing.B) { benchmarkDecode(b, checkpointLine) }
func BenchmarkAppendDataLine(b *testing.B)       { benchmarkAppend(b, dataLine) }
func BenchmarkAppendCheckpointLine(b *testing.B) { benchmarkAppend(b, checkpointLine) }

func benchmarkDecode(b *testing.B, l protocol.Line) {
	text := protocoltest.Text(l)
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.decode(text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchmarkAppend(b *testing.B, l protocol.Line) {
	for _, d := range decoders {
		b.Run(d.name, func(b *testing.B) {
			buf, err := d.append(nil, l)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = d.append(buf[:0], l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDecodeLineAgreesWithEncodingJSONOnGeneratedLines(t *testing.T) {
	for _, l := range []protocol.Line{protocoltest.DataLine(0, 200), protocoltest.CheckpointLine(200)} {
		protocol.CheckAgainstStd(t, protocoltest.Text(l))
	}
}

func TestAppendLineWritesGeneratedLinesThatDecodeToTheSameLine(t *testing.T) {
	for _, l := range []protocol.Line{protocoltest.DataLine(0, 200), protocoltest.CheckpointLine(200)} {
		b, err := protocol.AppendLine(nil, l)
		if err != nil {
			t.Fatal(err)
		}
		got, err := protocol.DecodeLine(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, l) {
			t.Errorf("%.200s... decodes to a different line", b)
		}
	}
}
