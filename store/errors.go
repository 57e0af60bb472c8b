package store

import (
	"errors"
	"fmt"
)

// ErrNoRows is returned (wrapped) by Get when the query returns no row.
var ErrNoRows = errors.New("store: no rows")

// ErrClosed is returned by operations on a closed database.
var ErrClosed = errors.New("store: database is closed")

// SchemaError reports an invalid schema: which table and column, and why.
type SchemaError struct {
	Table, Column, Reason string
}

// Error returns "store: schema: table "t" column "c": reason".
func (e *SchemaError) Error() string {
	switch {
	case e.Table != "" && e.Column != "":
		return fmt.Sprintf("store: schema: table %q column %q: %s", e.Table, e.Column, e.Reason)
	case e.Table != "":
		return fmt.Sprintf("store: schema: table %q: %s", e.Table, e.Reason)
	default:
		return "store: schema: " + e.Reason
	}
}
