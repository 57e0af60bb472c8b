package powersync

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// DefaultSyncBatchSize is the number of rows the initial load reads per
// batch unless Options.SyncBatchSize says otherwise.
const DefaultSyncBatchSize = 1000

// Options configures CollectionOptions.
type Options struct {
	// ID names the collection; "" gets a generated id.
	ID string
	// Schema validates inserted and updated items; nil means the
	// validator derived from the table (TableValidator). A Schema given
	// here also converts synced rows, unless DeserializationSchema is set.
	// Schemas that convert synced rows run while the database is locked:
	// they must not use the database.
	Schema collection.Validator
	// HostValidated says that the host already ran the application's
	// schema on each item (the JS package runs a Standard Schema in JS):
	// the collection then only checks that the fields are the table's.
	HostValidated bool
	// DeserializationSchema converts rows read from SQLite (as the view
	// shows them: nil, int64, float64, string) into items.
	DeserializationSchema collection.Validator
	// Serializer converts the named fields of items to SQLite values,
	// replacing the default conversion.
	Serializer map[string]func(any) (any, error)
	// OnDeserializationError receives the rows that the deserializing
	// schema rejects; such rows are left out and the collection goes on.
	// It is called without locks held.
	OnDeserializationError func(*DeserializationError)
	// SyncBatchSize is the number of rows per batch of the initial load
	// (DefaultSyncBatchSize when 0).
	SyncBatchSize int
	// SyncMode is collection.SyncEager (default) or collection.SyncOnDemand.
	SyncMode collection.SyncMode
	// AutoIndex: see collection.Config.AutoIndex.
	AutoIndex collection.AutoIndex
	// GCTime: see collection.Config.GCTime.
	GCTime time.Duration
	// StartSync, unless set to false, starts syncing at creation, as the
	// reference does.
	StartSync *bool
	// Yield, when set, is called before a collection's initial load and
	// between batches of a load, with no locks held. A host with an event loop (the browser) uses it to hand the
	// thread back between batches, so a large initial load does not block
	// the page in one long task.
	Yield func()
}

// DeserializationError reports a row of the table that the deserializing
// schema rejected.
type DeserializationError struct {
	Table  string
	Row    collection.Row // as read from SQLite
	Issues []collection.Issue
}

// Error describes the failure.
func (e *DeserializationError) Error() string {
	msg := "powersync: table " + e.Table + ": row " + fmt.Sprint(e.Row["id"]) + " rejected by the schema"
	for _, is := range e.Issues {
		msg += "; " + is.Message
	}
	return msg
}

// Name returns "DeserializationError".
func (e *DeserializationError) Name() string { return "DeserializationError" }

// CollectionOptions returns the configuration of a collection mirroring
// table in db: keyed by id, synced with store.TrackRows, persisted by a
// Transactor. Create it with collection.Runtime.CreateCollection.
func CollectionOptions(db *store.DB, table store.Table, opts Options) collection.Config {
	return CollectionOptionsOpening(Opened(db), table, opts)
}

// CollectionOptionsOpening is CollectionOptions for a database that may
// still be opening: the collection accepts mutations at once and persists
// them once open has settled (see Opening).
func CollectionOptionsOpening(open *Opening, table store.Table, opts Options) collection.Config {
	batch := opts.SyncBatchSize
	if batch <= 0 {
		batch = DefaultSyncBatchSize
	}
	utils := &Utils{
		meta: Meta{
			TableName:         table.View(),
			TrackedTableName:  "__" + table.View() + "_tracking_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:8],
			MetadataIsTracked: table.TrackMetadata,
		},
		table:      table,
		open:       open,
		serializer: opts.Serializer,
	}
	deser := opts.DeserializationSchema
	if deser == nil {
		deser = opts.Schema // nil: rows read through the typed view need no check
	}
	src := &source{
		open:     open,
		table:    table,
		dec:      newRowDecoder(table),
		deser:    deser,
		onErr:    opts.OnDeserializationError,
		batch:    batch,
		onDemand: opts.SyncMode == collection.SyncOnDemand,
		yield:    opts.Yield,
	}
	var schema collection.Validator
	switch {
	case opts.Schema != nil:
		schema = columnsValidator(table, opts.Schema)
	case opts.HostValidated:
		schema = columnsValidator(table, nil)
	default:
		schema = TableValidator(table)
	}
	handler := func(ctx context.Context, p collection.MutationParams) error {
		db, err := open.Wait(ctx)
		if err != nil {
			return fmt.Errorf("powersync: persist transaction %s: the database did not open: %w", p.Transaction.ID(), err)
		}
		return NewTransactor(db).ApplyTransaction(ctx, p.Transaction)
	}
	return collection.Config{
		ID:        opts.ID,
		GetKey:    getKey,
		Sync:      collection.SyncConfig{Sync: src.start, RowUpdateMode: collection.RowUpdateFull},
		Schema:    schema,
		OnInsert:  handler,
		OnUpdate:  handler,
		OnDelete:  handler,
		GCTime:    opts.GCTime,
		StartSync: opts.StartSync == nil || *opts.StartSync,
		SyncMode:  opts.SyncMode,
		AutoIndex: opts.AutoIndex,
		Utils:     utils,
	}
}

type keyError string

func (e keyError) Error() string { return string(e) }

func getKey(item collection.Row) (string, error) {
	v := item["id"]
	if v == nil {
		return "", collection.ErrUndefinedKey
	}
	id, ok := v.(string)
	if !ok {
		return "", keyError("powersync: the id field must be a string")
	}
	return id, nil
}
