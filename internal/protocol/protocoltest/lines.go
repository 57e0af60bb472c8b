// Package protocoltest makes realistic sync lines for tests and
// benchmarks: deterministic data lines of PUT ops on rows of about
// 150-200 bytes (some with quotes, backslashes, control characters and
// text outside ASCII), and checkpoints over many buckets.
package protocoltest

import (
	"encoding/json"
	"fmt"

	"github.com/localfirst/gopowersync/internal/protocol"
)

// descriptions are the rows' free text; one in three needs escapes or is
// not ASCII.
var descriptions = []string{
	"Milk", "Eggs and bread", `Say "hi" to the team`, "Buy coffee filters",
	"Call Zoë about the café", "Renew the passport", "日本語のメモを書く", "Water the plants",
	"Ship 🚀 v2 before Friday", `Clean C:\temp\notes`, "Fix the gate", "line one\nline two\ttabbed",
}

// id returns a deterministic UUID-shaped string for n (splitmix64).
func id(n uint64) string {
	next := func() uint64 {
		n += 0x9e3779b97f4a7c15
		z := n
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	a, b := next(), next()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, a>>16&0xffff, a&0xffff, b>>48, b&0xffffffffffff)
}

type todo struct {
	ID          string `json:"id"`
	ListID      string `json:"list_id"`
	Description string `json:"description"`
	Completed   int    `json:"completed"`
	CreatedAt   string `json:"created_at"`
}

// Row returns the JSON text of todo row n, as a PUT op's data carries it.
func Row(n int) string {
	t := todo{
		ID:          id(uint64(n)),
		ListID:      id(uint64(n / 50)),
		Description: fmt.Sprintf("%s #%d", descriptions[n%len(descriptions)], n),
		Completed:   n % 2,
		CreatedAt:   fmt.Sprintf("2026-11-%02dT%02d:%02d:%02d.000Z", 1+n%28, n%24, n%60, (n*7)%60),
	}
	b, err := json.Marshal(t)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// DataLine returns a data line of n PUT ops on the todos table, rows
// first..first+n-1, with the ids and checksums the service would send.
func DataLine(first, n int) protocol.Line {
	ops := make([]protocol.Op, n)
	for i := range ops {
		row := first + i
		objectType, objectID, data := "todos", id(uint64(row)), Row(row)
		subkey := fmt.Sprintf("%024x/%s", row, id(uint64(row)+1<<40))
		ops[i] = protocol.Op{
			OpID: protocol.OpID(row + 1), Op: protocol.OpPut,
			ObjectType: &objectType, ObjectID: &objectID, Subkey: &subkey, Data: &data,
			Checksum: protocol.PutChecksum(objectType, objectID, data),
		}
	}
	after, next := protocol.OpID(first), protocol.OpID(first+n)
	return protocol.Line{Data: &protocol.DataBatch{
		Bucket: `user_todos["` + id(1) + `"]`, Data: ops, HasMore: true, After: &after, NextAfter: &next,
	}}
}

// CheckpointLine returns a checkpoint over n buckets, each with a count,
// a priority and its subscriptions, as the service writes them.
func CheckpointLine(n int) protocol.Line {
	bs := make([]protocol.BucketChecksum, n)
	for i := range bs {
		count, priority := int64(1000+i), i%4
		bs[i] = protocol.BucketChecksum{
			Bucket:        fmt.Sprintf(`user_todos["%s"]`, id(uint64(i))),
			Checksum:      protocol.Checksum(uint32(i) * 2654435761),
			Count:         &count,
			Priority:      &priority,
			Subscriptions: json.RawMessage(fmt.Sprintf(`[{"default":%d}]`, i%3)),
		}
	}
	wc := protocol.OpID(7)
	return protocol.Line{Checkpoint: &protocol.Checkpoint{
		LastOpID: protocol.OpID(n * 1000), WriteCheckpoint: &wc, Buckets: bs,
		Streams: []protocol.StreamInfo{{Name: "user_todos", IsDefault: true, Errors: []json.RawMessage{}}},
	}}
}

// Text returns l as JSON text without the newline: json.Marshal's,
// independent of protocol.AppendLine, so in the structs' field order and
// with unsigned checksums rather than the service's shape, which the
// decoder reads all the same.
func Text(l protocol.Line) []byte {
	b, err := json.Marshal(l)
	if err != nil {
		panic(err)
	}
	return b
}
