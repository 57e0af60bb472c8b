package protocol

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/localfirst/gopowersync/internal/jsontext"
)

// OpID is an op id (also a checkpoint's last_op_id and a write
// checkpoint): a positive 64-bit integer that travels as a decimal string.
// The client core accepts only strings (line.rs, DisplayFromStr), and so
// does UnmarshalJSON.
type OpID int64

// UnmarshalJSON reads a decimal string.
func (o *OpID) UnmarshalJSON(b []byte) error {
	if len(b) > 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if v, ok := jsontext.SmallInt(b[1 : len(b)-1]); ok {
			*o = OpID(v) // the usual case, without allocating
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("protocol: op id %s is not a string", b)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("protocol: op id %q is not a decimal integer", s)
	}
	*o = OpID(v)
	return nil
}

// MarshalJSON writes a decimal string.
func (o OpID) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 22), '"')
	b = strconv.AppendInt(b, int64(o), 10)
	return append(b, '"'), nil
}

// String returns the decimal form.
func (o OpID) String() string { return strconv.FormatInt(int64(o), 10) }

// OpType is the kind of an op in a data line.
type OpType string

// The op types (sync-protocol.md): PUT stores a row version, REMOVE removes
// the row from the bucket, MOVE is a compacted op that only keeps its
// checksum, CLEAR drops every op before it and carries their checksum.
const (
	OpPut    OpType = "PUT"
	OpRemove OpType = "REMOVE"
	OpMove   OpType = "MOVE"
	OpClear  OpType = "CLEAR"
)

// DefaultPriority is a bucket's priority when the service names none;
// priorities run from 0 (most urgent) to 3.
const DefaultPriority = 3

// FullSyncPriority is the priority PowerSync records a complete
// checkpoint under in ps_sync_state (i32::MAX).
const FullSyncPriority = 2147483647

// StreamRequest is the JSON body posted to /sync/stream, as the client
// core builds it (streaming_sync.rs prepare_request).
type StreamRequest struct {
	Buckets         []BucketRequest `json:"buckets"`
	IncludeChecksum bool            `json:"include_checksum"`
	RawData         bool            `json:"raw_data"`
	BinaryData      bool            `json:"binary_data,omitempty"`
	ClientID        string          `json:"client_id,omitempty"`
	// Parameters are the client parameters; nil travels as null.
	Parameters  map[string]any    `json:"parameters"`
	Streams     *StreamsRequest   `json:"streams,omitempty"`
	AppMetadata map[string]string `json:"app_metadata,omitempty"`
}

// BucketRequest names a bucket the client holds and the last op it has
// stored for it (ps_buckets.last_op).
type BucketRequest struct {
	Name  string `json:"name"`
	After OpID   `json:"after"`
}

// StreamsRequest selects sync streams (edition 3 sync config); with
// bucket_definitions the service ignores it, but the core always sends it.
type StreamsRequest struct {
	IncludeDefaults bool                 `json:"include_defaults"`
	Subscriptions   []StreamSubscription `json:"subscriptions"`
}

// StreamSubscription is one explicit stream subscription.
type StreamSubscription struct {
	Stream           string         `json:"stream"`
	Parameters       map[string]any `json:"parameters"`
	OverridePriority *int           `json:"override_priority"`
}

// Line is one line of the sync stream. Exactly one field is set for a
// known line; a line of an unknown kind decodes with none set and is to
// be ignored (the protocol adds kinds over time).
type Line struct {
	Checkpoint                *Checkpoint                `json:"checkpoint,omitempty"`
	CheckpointDiff            *CheckpointDiff            `json:"checkpoint_diff,omitempty"`
	Data                      *DataBatch                 `json:"data,omitempty"`
	CheckpointComplete        *CheckpointComplete        `json:"checkpoint_complete,omitempty"`
	PartialCheckpointComplete *PartialCheckpointComplete `json:"partial_checkpoint_complete,omitempty"`
	// TokenExpiresIn is the seconds left before the token expires: a
	// keepalive about every 20 s, and 0 when it has expired (the stream
	// then ends).
	TokenExpiresIn *int64 `json:"token_expires_in,omitempty"`
}

// Checkpoint starts a new checkpoint: every bucket the client should hold,
// with its checksum and op count up to LastOpID. Buckets the client holds
// that are not listed are to be deleted.
type Checkpoint struct {
	LastOpID OpID `json:"last_op_id"`
	// WriteCheckpoint is the user's latest write checkpoint for this
	// client that the checkpoint includes, when there is one.
	WriteCheckpoint *OpID            `json:"write_checkpoint,omitempty"`
	Buckets         []BucketChecksum `json:"buckets"`
	Streams         []StreamInfo     `json:"streams,omitempty"`
}

// BucketChecksum is a bucket's state at a checkpoint.
type BucketChecksum struct {
	Bucket   string   `json:"bucket"`
	Checksum Checksum `json:"checksum"`
	// Priority is 0-3; nil means DefaultPriority.
	Priority *int `json:"priority,omitempty"`
	// Count is the number of ops (progress only).
	Count *int64 `json:"count,omitempty"`
	// Subscriptions lists why the client has the bucket (sync streams);
	// kept raw: the client does not use it.
	Subscriptions json.RawMessage `json:"subscriptions,omitempty"`
}

// BucketPriority returns the bucket's priority, DefaultPriority when unset.
func (b BucketChecksum) BucketPriority() int {
	if b.Priority == nil {
		return DefaultPriority
	}
	return *b.Priority
}

// StreamInfo describes a sync stream in a checkpoint (edition 3).
type StreamInfo struct {
	Name      string            `json:"name"`
	IsDefault bool              `json:"is_default"`
	Errors    []json.RawMessage `json:"errors"`
}

// CheckpointDiff changes the current checkpoint: updated buckets replace
// their entries, removed buckets are to be deleted.
type CheckpointDiff struct {
	LastOpID        OpID             `json:"last_op_id"`
	WriteCheckpoint *OpID            `json:"write_checkpoint,omitempty"`
	UpdatedBuckets  []BucketChecksum `json:"updated_buckets"`
	RemovedBuckets  []string         `json:"removed_buckets"`
}

// DataBatch is a run of ops of one bucket, in op id order. The service
// sends at most 1000 ops or 1 MiB per batch.
type DataBatch struct {
	Bucket    string `json:"bucket"`
	Data      []Op   `json:"data"`
	HasMore   bool   `json:"has_more,omitempty"`
	After     *OpID  `json:"after,omitempty"`
	NextAfter *OpID  `json:"next_after,omitempty"`
}

// Op is one entry of a bucket's op log.
type Op struct {
	OpID       OpID    `json:"op_id"`
	Op         OpType  `json:"op"`
	ObjectType *string `json:"object_type,omitempty"`
	ObjectID   *string `json:"object_id,omitempty"`
	// Subkey tells apart several rows one source row put in the same
	// bucket; a PUT and the REMOVE of the same row share it.
	Subkey *string `json:"subkey,omitempty"`
	// Data is the row as a JSON object in a string, for PUT.
	Data     *string  `json:"data,omitempty"`
	Checksum Checksum `json:"checksum"`
}

// CheckpointComplete says every op of the current checkpoint was sent.
type CheckpointComplete struct {
	LastOpID OpID `json:"last_op_id"`
}

// PartialCheckpointComplete says every op of the buckets with priority
// number Priority or less was sent: those may be applied before the rest.
type PartialCheckpointComplete struct {
	LastOpID OpID `json:"last_op_id"`
	Priority int  `json:"priority"`
}

// WriteCheckpointResponse is the body of GET /write-checkpoint2.json.
type WriteCheckpointResponse struct {
	Data struct {
		WriteCheckpoint OpID `json:"write_checkpoint"`
	} `json:"data"`
}

// ErrorResponse is the body of the service's error answers, such as
// {"error":{"code":"PSYNC_S2103","status":401,"description":"JWT has expired","name":"AuthorizationError"}}.
type ErrorResponse struct {
	Error ErrorBody `json:"error"`
}

// ErrorBody is the error of an ErrorResponse.
type ErrorBody struct {
	Code        string `json:"code"`
	Status      int    `json:"status"`
	Description string `json:"description"`
	Name        string `json:"name,omitempty"`
}
