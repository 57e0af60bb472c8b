package powersync

import (
	"context"
	"fmt"
	"strings"

	"encoding/json"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// Transactor persists collection transactions into a store.DB.
type Transactor struct {
	db *store.DB
}

// NewTransactor returns a Transactor writing to db.
func NewTransactor(db *store.DB) *Transactor { return &Transactor{db: db} }

// NotPowerSyncCollectionError reports a mutation of a collection that
// CollectionOptions did not configure (or configured for another database).
type NotPowerSyncCollectionError struct{ CollectionID string }

// Error describes the failure.
func (e *NotPowerSyncCollectionError) Error() string {
	return "powersync: collection " + e.CollectionID + " is not a PowerSync collection of this database"
}

// Name returns "NotPowerSyncCollectionError".
func (e *NotPowerSyncCollectionError) Name() string { return "NotPowerSyncCollectionError" }

// ApplyTransaction writes every mutation of tx, across any number of
// PowerSync collections of the database, in one SQLite write transaction
// (one transaction id in the upload queue): inserts as INSERTs into the
// view, updates as UPDATEs of only the changed fields, deletes as DELETEs
// (or, when the table tracks metadata and the delete carries some, an
// UPDATE setting _deleted and _metadata). The collections see the stored
// rows before the write returns (store.TrackRows); then ApplyTransaction
// waits until the write is durable. Transactions of one Runtime write in
// the order they committed (see collection.Transaction.AwaitPersistTurn).
// On any error nothing is written and the error is returned.
func (t *Transactor) ApplyTransaction(ctx context.Context, tx *collection.Transaction) error {
	ms := tx.Mutations()
	if len(ms) == 0 {
		return nil
	}
	// Transactions write in commit order: one committed later (say by a
	// change subscriber reacting to this one) must not reach SQLite first
	// and be overwritten by this older value.
	release, err := tx.AwaitPersistTurn(ctx, func(c *collection.Collection) bool {
		u, ok := utilsOf(c)
		return ok && u.open.database() == t.db
	})
	defer release()
	if err != nil {
		return fmt.Errorf("powersync: apply transaction %s: wait for earlier transactions: %w", tx.ID(), err)
	}
	// Every collection involved must be syncing, or the stored rows would
	// not reach it; waiting also starts an idle one.
	var seen []*collection.Collection
	for i := range ms {
		c := ms[i].Collection
		if containsColl(seen, c) {
			continue
		}
		seen = append(seen, c)
		u, ok := utilsOf(c)
		if !ok || u.open.database() != t.db {
			return &NotPowerSyncCollectionError{CollectionID: c.ID()}
		}
		if err := c.Preload(ctx); err != nil {
			return fmt.Errorf("powersync: apply transaction %s: %w", tx.ID(), err)
		}
	}
	var w writer
	err = t.db.WriteTx(ctx, func(q *store.Tx) error {
		for i := range ms {
			m := &ms[i]
			u, _ := utilsOf(m.Collection)
			sql, args, err := w.statement(u, m)
			if err != nil {
				return err
			}
			if sql == "" {
				continue
			}
			if _, err := q.Execute(ctx, sql, args...); err != nil {
				return fmt.Errorf("powersync: %s %s %q: %w", m.Type, u.table.View(), m.Key, err)
			}
		}
		return nil
	})
	release() // the write is in: later transactions may follow it
	if err != nil {
		return fmt.Errorf("powersync: apply transaction %s: %w", tx.ID(), err)
	}
	if err := t.db.Flush(ctx); err != nil {
		return fmt.Errorf("powersync: apply transaction %s: flush: %w", tx.ID(), err)
	}
	return nil
}

func containsColl(list []*collection.Collection, c *collection.Collection) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// writer builds the SQL of mutations, reusing its buffers.
type writer struct {
	b    strings.Builder
	args []any
}

// statement returns the SQL and arguments persisting m ("" to skip).
func (w *writer) statement(u *Utils, m *collection.PendingMutation) (string, []any, error) {
	t := u.table
	view := quoteIdent(t.View())
	meta, hasMeta, err := metadataText(t, m.Metadata)
	if err != nil {
		return "", nil, err
	}
	w.b.Reset()
	w.args = w.args[:0:0] // the arguments escape into the statement call
	switch m.Type {
	case collection.MutationInsert:
		if err := checkColumns(t, m.Modified); err != nil {
			return "", nil, err
		}
		w.b.WriteString("INSERT INTO ")
		w.b.WriteString(view)
		w.b.WriteString(` ("id"`)
		w.args = append(w.args, m.Key)
		for _, c := range t.Columns {
			v, ok := m.Modified[c.Name]
			if !ok {
				continue
			}
			sv, err := serializeField(t, u.serializer, c.Name, v)
			if err != nil {
				return "", nil, err
			}
			w.b.WriteString(", ")
			w.b.WriteString(quoteIdent(c.Name))
			w.args = append(w.args, sv)
		}
		if hasMeta {
			w.b.WriteString(`, "_metadata"`)
			w.args = append(w.args, meta)
		}
		w.b.WriteString(") VALUES (?")
		for i := 1; i < len(w.args); i++ {
			w.b.WriteString(", ?")
		}
		w.b.WriteByte(')')
	case collection.MutationUpdate:
		if err := checkColumns(t, m.Changes); err != nil {
			return "", nil, err
		}
		w.b.WriteString("UPDATE ")
		w.b.WriteString(view)
		w.b.WriteString(" SET ")
		n := 0
		for _, c := range t.Columns {
			v, ok := m.Changes[c.Name]
			if !ok {
				continue
			}
			sv, err := serializeField(t, u.serializer, c.Name, v)
			if err != nil {
				return "", nil, err
			}
			if n > 0 {
				w.b.WriteString(", ")
			}
			w.b.WriteString(quoteIdent(c.Name))
			w.b.WriteString(" = ?")
			w.args = append(w.args, sv)
			n++
		}
		if hasMeta {
			if n > 0 {
				w.b.WriteString(", ")
			}
			w.b.WriteString(`"_metadata" = ?`)
			w.args = append(w.args, meta)
			n++
		}
		if n == 0 {
			return "", nil, nil // nothing to write: no empty PATCH
		}
		w.b.WriteString(` WHERE "id" = ?`)
		w.args = append(w.args, m.Key)
	case collection.MutationDelete:
		if hasMeta {
			w.b.WriteString("UPDATE ")
			w.b.WriteString(view)
			w.b.WriteString(` SET "_deleted" = TRUE, "_metadata" = ? WHERE "id" = ?`)
			w.args = append(w.args, meta, m.Key)
		} else {
			w.b.WriteString("DELETE FROM ")
			w.b.WriteString(view)
			w.b.WriteString(` WHERE "id" = ?`)
			w.args = append(w.args, m.Key)
		}
	default:
		return "", nil, fmt.Errorf("powersync: unknown mutation type %q", m.Type)
	}
	return w.b.String(), w.args, nil
}

// checkColumns refuses fields the table does not have.
func checkColumns(t store.Table, item collection.Row) error {
	for k := range item {
		if k == "id" {
			continue
		}
		if _, ok := t.Column(k); !ok {
			return &SerializationError{Table: t.Name, Column: k, Reason: "no such column in the table"}
		}
	}
	return nil
}

// metadataText is the _metadata value of a mutation: strings as they are,
// JSON text (json.RawMessage, as the JS package passes it) unchanged,
// anything else as JSON without HTML escapes; none when the table does not
// track metadata.
func metadataText(t store.Table, md any) (string, bool, error) {
	if md == nil || !t.TrackMetadata {
		return "", false, nil
	}
	switch v := md.(type) {
	case string:
		return v, true, nil
	case json.RawMessage:
		return string(v), true, nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(md); err != nil {
		return "", false, fmt.Errorf("powersync: metadata: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), true, nil
}
