package store

import (
	"slices"
	"strings"
	"sync"

	"github.com/ncruces/go-sqlite3"
)

// changeSet collects the tables a write transaction changes (see
// authorize). It is guarded by the DB lock.
type changeSet struct {
	tables  map[string]struct{}
	collect *[]string // set while DB.prepare compiles a statement
	// txControl is set when a statement DB.prepare compiles is transaction
	// control (SQLite's authorizer reports those at prepare time).
	txControl bool
}

func (c *changeSet) addAll(tables []string) {
	for _, t := range tables {
		c.add(t)
	}
}

func (c *changeSet) has(table string) bool {
	_, ok := c.tables[table]
	return ok
}

// authorize is SQLite's authorizer, called while a statement is compiled
// (including the trigger programs it will run). It records the tables the
// statement may write; step adds them to the transaction's change set when
// the statement changed rows. This costs nothing per row: a per-row hook
// (update or pre-update) is a call into Go for every row written, which
// is slow under WebAssembly. The price is that a statement reports every
// table it may write, such as ps_crud for an UPDATE whose entry
// IgnoreEmptyUpdates skipped: a spurious notification, never a missed one.
// Statements compiled outside DB.prepare (schema changes, or SQLite
// recompiling after one) add their tables directly.
func (db *DB) authorize(action sqlite3.AuthorizerActionCode, table, _, schema, _ string) sqlite3.AuthorizerReturnCode {
	switch action {
	case sqlite3.AUTH_TRANSACTION, sqlite3.AUTH_SAVEPOINT:
		if db.changes.collect != nil {
			db.changes.txControl = true
		}
	case sqlite3.AUTH_INSERT, sqlite3.AUTH_UPDATE, sqlite3.AUTH_DELETE:
		if schema != "main" || table == "" || strings.HasPrefix(table, "sqlite_") {
			break
		}
		if c := db.changes.collect; c != nil {
			if !slices.Contains(*c, table) {
				*c = append(*c, table)
			}
		} else {
			db.changes.add(table)
		}
	}
	return sqlite3.AUTH_OK
}

func (c *changeSet) add(table string) {
	if c.tables == nil {
		c.tables = make(map[string]struct{})
	}
	c.tables[table] = struct{}{}
}

func (c *changeSet) reset() { clear(c.tables) }

// take returns the changed tables, sorted, with data tables named as the
// user declared them (ps_data__todos -> todos), and empties the set.
func (c *changeSet) take(_ Schema) []string {
	if len(c.tables) == 0 {
		return nil
	}
	out := make([]string, 0, len(c.tables))
	for t := range c.tables {
		if name, _, ok := userTableName(t); ok {
			t = name
		}
		out = append(out, t)
	}
	clear(c.tables)
	slices.Sort(out)
	return slices.Compact(out)
}

// notifier hands committed changes to OnChange subscribers, once per
// transaction and in commit order. Delivery happens outside the DB lock so
// that subscribers may use the database; whoever finds the queue idle
// delivers everything queued, so a subscriber that writes (and so queues a
// new change) has it delivered after it returns rather than recursively.
type notifier struct {
	mu         sync.Mutex
	subs       []*subscription
	queue      [][]string
	delivering bool
}

type subscription struct {
	tables    map[string]bool // nil: any table
	fn        func([]string)
	cancelled bool // guarded by notifier.mu
}

func (n *notifier) enqueue(tables []string) {
	n.mu.Lock()
	if len(n.subs) > 0 {
		n.queue = append(n.queue, tables)
	}
	n.mu.Unlock()
}

func (n *notifier) deliver() {
	n.mu.Lock()
	if n.delivering || len(n.queue) == 0 {
		n.mu.Unlock()
		return
	}
	n.delivering = true
	defer func() {
		n.delivering = false
		n.mu.Unlock()
	}()
	for len(n.queue) > 0 {
		changed := n.queue[0]
		n.queue[0] = nil
		n.queue = n.queue[1:]
		subs := slices.Clone(n.subs)
		for _, s := range subs {
			if s.cancelled {
				continue
			}
			seen := s.filter(changed)
			if len(seen) == 0 {
				continue
			}
			n.mu.Unlock()
			s.fn(seen)
			n.mu.Lock()
		}
	}
}

// filter returns the changed tables s watches, in a new slice: all but
// PowerSync's own tables (ps_*) when it watches every table, else those it
// named (PowerSync reports the watched tables among the changed ones).
func (s *subscription) filter(changed []string) []string {
	var out []string
	for _, t := range changed {
		if s.tables == nil && !strings.HasPrefix(t, "ps_") || s.tables[t] {
			out = append(out, t)
		}
	}
	return out
}

// OnChange calls fn with the names of the tables among tables (user tables
// by their declared names, internal ones such as ps_crud as they are,
// sorted) that each committed write transaction changed, when it changed
// any of them. nil tables means every table of the application, and not
// PowerSync's own (ps_*), which are reported only to whoever names them. fn runs once per transaction, in commit order, never for a
// rolled back one, after the database lock is released, so fn may use the
// database. The returned function cancels the subscription.
func (db *DB) OnChange(tables []string, fn func(changed []string)) (cancel func()) {
	s := &subscription{fn: fn}
	if tables != nil {
		s.tables = make(map[string]bool, len(tables))
		for _, t := range tables {
			if name, _, ok := userTableName(t); ok {
				t = name
			}
			s.tables[t] = true
		}
	}
	n := &db.notify
	n.mu.Lock()
	n.subs = append(n.subs, s)
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		s.cancelled = true
		if i := slices.Index(n.subs, s); i >= 0 {
			n.subs = slices.Delete(n.subs, i, i+1)
		}
	}
}
