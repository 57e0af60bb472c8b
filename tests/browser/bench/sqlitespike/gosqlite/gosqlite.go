// Package gosqlite is the spike's DB over github.com/ncruces/go-sqlite3:
// SQLite translated to Go (wasm2go) and compiled into the Go module, as the
// store runs it today.
package gosqlite

import (
	"errors"

	"github.com/ncruces/go-sqlite3"

	"github.com/localfirst/gopowersync/tests/browser/bench/sqlitespike"
)

// Open opens an in-memory database.
func Open() (sqlitespike.DB, error) {
	c, err := sqlite3.Open(":memory:")
	if err != nil {
		return nil, err
	}
	return conn{c}, nil
}

type conn struct{ c *sqlite3.Conn }

func (c conn) Exec(sql string) error { return c.c.Exec(sql) }
func (c conn) Changes() int64        { return c.c.Changes() }
func (c conn) Close() error          { return c.c.Close() }

func (c conn) Prepare(sql string) (sqlitespike.Stmt, error) {
	s, _, err := c.c.Prepare(sql)
	if err != nil {
		return nil, err
	}
	return stmt{s}, nil
}

type stmt struct{ s *sqlite3.Stmt }

func (s stmt) BindInt64(p int, v int64) error { return s.s.BindInt64(p, v) }
func (s stmt) BindText(p int, v string) error { return s.s.BindText(p, v) }
func (s stmt) ColumnInt64(col int) int64      { return s.s.ColumnInt64(col) }
func (s stmt) ColumnText(col int) string      { return s.s.ColumnText(col) }
func (s stmt) Reset() error                   { return s.s.Reset() }
func (s stmt) Close() error                   { return s.s.Close() }
func (s stmt) Rows(fn func(row []any)) error {
	row := make([]any, s.s.ColumnCount())
	for s.s.Step() {
		if err := s.s.Columns(row...); err != nil {
			return errors.Join(err, s.s.Reset())
		}
		fn(row)
	}
	return errors.Join(s.s.Err(), s.s.Reset())
}

func (s stmt) Step() (bool, error) { return s.s.Step(), s.s.Err() }
