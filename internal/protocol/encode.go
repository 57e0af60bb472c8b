package protocol

import "fmt"

// AppendLine appends l as one NDJSON line, newline included, to dst. The
// bytes are json.Marshal's for l (marshal.go writes them without
// reflection). The only error is a json.RawMessage in l that is not valid
// JSON; dst is then returned as it was.
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
