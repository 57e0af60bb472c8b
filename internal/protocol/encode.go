package protocol

import (
	"encoding/json"
	"fmt"
)

// AppendLine appends l as one NDJSON line, newline included, to dst.
func AppendLine(dst []byte, l Line) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return dst, fmt.Errorf("protocol: encode line: %w", err)
	}
	dst = append(dst, b...)
	return append(dst, '\n'), nil
}

// ContentType is the media type of the NDJSON sync stream. The official
// client picks its decoder from the response's Content-Type, so a server
// must send exactly this.
const ContentType = "application/x-ndjson"
