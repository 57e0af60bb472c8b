package store

import (
	"container/list"
	"errors"

	"github.com/ncruces/go-sqlite3"
)

// stmtCache keeps the most recently used prepared statements by SQL text,
// so that a query run again skips parsing and planning.
type stmtCache struct {
	max   int
	order *list.List // front: most recently used; values are *cachedStmt
	byKey map[string]*list.Element
}

type cachedStmt struct {
	sql    string
	stmt   *sqlite3.Stmt
	writes []string // tables the statement may write (see DB.authorize)
	// txControl is set for BEGIN, COMMIT, ROLLBACK, END, SAVEPOINT and
	// RELEASE (see DB.authorize): step refuses them (ErrTxControl).
	txControl bool
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), byKey: make(map[string]*list.Element, max)}
}

// get returns the cached statement for sql, if any.
func (c *stmtCache) get(sql string) *cachedStmt {
	if e, ok := c.byKey[sql]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt)
	}
	return nil
}

// put caches a statement, closing the least recently used one when full.
func (c *stmtCache) put(cs *cachedStmt) {
	c.byKey[cs.sql] = c.order.PushFront(cs)
	for c.order.Len() > c.max {
		e := c.order.Back()
		cs := c.order.Remove(e).(*cachedStmt)
		delete(c.byKey, cs.sql)
		cs.stmt.Close()
	}
}

// clear closes every cached statement.
func (c *stmtCache) clear() error {
	var errs []error
	for e := c.order.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.order.Init()
	clear(c.byKey)
	return errors.Join(errs...)
}
