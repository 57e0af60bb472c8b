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
	sql  string
	stmt *sqlite3.Stmt
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, order: list.New(), byKey: make(map[string]*list.Element, max)}
}

// get returns the cached statement for sql, if any.
func (c *stmtCache) get(sql string) *sqlite3.Stmt {
	if e, ok := c.byKey[sql]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cachedStmt).stmt
	}
	return nil
}

// put caches stmt, closing the least recently used one when full.
func (c *stmtCache) put(sql string, stmt *sqlite3.Stmt) {
	c.byKey[sql] = c.order.PushFront(&cachedStmt{sql: sql, stmt: stmt})
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
