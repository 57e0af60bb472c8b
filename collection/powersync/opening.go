package powersync

import (
	"context"
	"sync"

	"github.com/localfirst/gopowersync/store"
)

// Opening is a database that is still being opened. Collections made with
// CollectionOptionsOpening before it opens behave as TanStack DB's do while
// their source loads: they are 'loading', inserts, updates and deletes
// apply optimistically at once (reads show them), and each transaction
// persists once Open hands over the database. If the open fails (Fail),
// those transactions fail with that error, their optimistic state is
// rolled back, and the collections' status is 'error'.
//
// An Opening settles once: the first Open or Fail wins.
type Opening struct {
	once sync.Once
	done chan struct{}
	db   *store.DB
	err  error
}

// NewOpening returns an Opening that has not settled.
func NewOpening() *Opening { return &Opening{done: make(chan struct{})} }

// Opened returns an Opening already settled with db.
func Opened(db *store.DB) *Opening {
	o := NewOpening()
	o.Open(db)
	return o
}

// Open settles o with the opened database.
func (o *Opening) Open(db *store.DB) {
	o.once.Do(func() {
		o.db = db
		close(o.done)
	})
}

// Fail settles o with the error the open failed with (non-nil).
func (o *Opening) Fail(err error) {
	o.once.Do(func() {
		o.err = err
		close(o.done)
	})
}

// Wait returns the database once o has settled, or o's failure, or ctx's
// error if ctx ends first.
func (o *Opening) Wait(ctx context.Context) (*store.DB, error) {
	select {
	case <-o.done:
		return o.db, o.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// result is Wait without waiting: settled reports whether o has settled.
func (o *Opening) result() (db *store.DB, err error, settled bool) {
	select {
	case <-o.done:
		return o.db, o.err, true
	default:
		return nil, nil, false
	}
}

// database is the opened database, or nil while opening or after a failure.
func (o *Opening) database() *store.DB {
	db, _, _ := o.result()
	return db
}
