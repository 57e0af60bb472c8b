//go:build js

package bridge

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/psync"
	"github.com/localfirst/gopowersync/store"
)

// database is the Go side of one PowerSyncDatabase.
type database struct {
	b   *Bridge
	db  *store.DB
	obj *object

	// ctx lives as long as the database; the sync client runs in it.
	ctx    context.Context
	cancel context.CancelFunc
	sync   *psync.Client

	mu      sync.Mutex
	schema  store.Schema // as opened or last updated; db.Schema() would wait for the lock
	nextID  int
	cancels map[int]func()           // live onChange and watch subscriptions
	txs     map[int]*txServer        // open transactions, by the id JS holds
	batches map[int]*store.CrudBatch // handed-out upload batches
}

// openDatabase(schemaJSON, dbFilename, storage, cb): opens the database
// and passes cb the object whose methods the JS PowerSyncDatabase calls.
func (b *Bridge) openDatabase(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 3, "openDatabase(schema, dbFilename, storage)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "schema")
	if err != nil {
		return nil, err
	}
	var schema store.Schema
	if err := schema.UnmarshalJSON([]byte(text)); err != nil {
		return nil, err
	}
	name, err := goString(args[1], "dbFilename")
	if err != nil {
		return nil, err
	}
	storage := args[2]
	return func() (any, error) {
		// Taking the image and opening SQLite run in slices and tasks of
		// their own, not in the task that delivered the storage object.
		pace := b.pacer()
		path, opts, err := b.location(name, storage, pace)
		if err != nil {
			return nil, err
		}
		pace()
		if opts == nil {
			opts = &store.Options{}
		}
		// Row trackers (collections) take a large sync's changes in
		// slices, the thread handed back between them.
		opts.Yield = b.pacer()
		db, err := store.Open(b.ctx, path, schema, opts)
		if err != nil {
			return nil, err
		}
		d, err := b.newDatabase(db, schema)
		if err != nil {
			db.Close()
			return nil, err
		}
		return d.obj.value, nil
	}, nil
}

// location decides where the database lives. A browser passes the storage
// object of js/opfs.js; Node passes none and gets a file through Node's fs.
func (b *Bridge) location(name string, storage js.Value, pace func()) (string, *store.Options, error) {
	if name == ":memory:" {
		return name, nil, nil
	}
	if storage.Type() == js.TypeObject {
		if b.cfg.OPFS == nil {
			return "", nil, errors.New("bridge: open " + name + ": this module has no OPFS support")
		}
		opts, err := b.cfg.OPFS(storage, pace)
		return name, opts, err
	}
	if !isNode() {
		return "", nil, errors.New("bridge: open " + name + ": no storage for a file outside Node")
	}
	// The store opens files without locking where the platform has none;
	// the JS package has taken the file's lock (js/node-lock.js), so this
	// database is its sole user, and the store may keep it in WAL mode.
	return name, &store.Options{SoleUser: true}, nil
}

func isNode() bool {
	p := js.Global().Get("process")
	return p.Type() == js.TypeObject && p.Get("versions").Get("node").Type() == js.TypeString
}

func (b *Bridge) newDatabase(db *store.DB, schema store.Schema) (*database, error) {
	ctx, cancel := context.WithCancel(b.ctx)
	client, err := b.newSyncClient(ctx, db)
	if err != nil {
		cancel()
		return nil, err
	}
	d := &database{b: b, db: db, schema: schema, obj: b.newObject(), ctx: ctx, cancel: cancel, sync: client,
		cancels: make(map[int]func()), txs: make(map[int]*txServer), batches: make(map[int]*store.CrudBatch)}
	b.mu.Lock()
	b.nextDB++
	id := b.nextDB
	b.dbs[id] = d
	b.mu.Unlock()
	o := d.obj
	o.value.Set("id", id)
	o.method("execute", b.async(d.querier(d.db, execute)))
	o.method("getAll", b.async(d.querier(d.db, getAll)))
	o.method("get", b.async(d.querier(d.db, get)))
	o.method("getOptional", b.async(d.querier(d.db, getOptional)))
	o.method("executeRaw", b.async(d.querier(d.db, executeRaw)))
	o.method("writeTransaction", b.async(d.transaction(true)))
	o.method("readTransaction", b.async(d.transaction(false)))
	o.method("writeLock", b.async(d.lock(true)))
	o.method("readLock", b.async(d.lock(false)))
	o.method("txQuery", b.async(d.txQuery))
	o.method("onChange", b.sync(d.onChange))
	o.method("watch", b.sync(d.watch))
	o.method("unsubscribe", b.sync(d.unsubscribe))
	o.method("getCrudBatch", b.async(d.getCrudBatch))
	o.method("getNextCrudTransaction", b.async(d.getNextCrudTransaction))
	o.method("completeCrud", b.async(d.completeCrud))
	o.method("uploadQueueStats", b.async(func([]js.Value) (func() (any, error), error) {
		return func() (any, error) {
			count, size, err := db.UploadQueueStats(b.ctx)
			return []any{count, size}, err
		}, nil
	}))
	o.method("clientId", b.sync(func([]js.Value) (any, error) { return db.ClientID(), nil }))
	o.method("connect", b.async(d.connect))
	o.method("disconnect", b.async(d.disconnect))
	o.method("disconnectAndClear", b.async(d.disconnectAndClear))
	o.method("onSyncStatus", b.sync(d.onSyncStatus))
	o.method("close", b.async(d.close))
	o.method("updateSchema", b.async(d.updateSchema))
	return d, nil
}

// queryKind selects what a querier call returns.
type queryKind int

const (
	execute queryKind = iota
	getAll
	get
	getOptional
	executeRaw
)

// querier returns the bridged form of one Querier method: (sql, params, cb).
// The JS side gets [rowsJSON, blobs, rowsAffected, insertId] for execute,
// [rowsJSON, blobs] for the others (JSON null when getOptional finds none);
// executeRaw's rows are arrays of values in column order.
func (d *database) querier(q store.Querier, kind queryKind) asyncFn {
	return func(args []js.Value) (func() (any, error), error) {
		sql, params, err := d.b.sqlArgs(args)
		if err != nil {
			return nil, err
		}
		return func() (any, error) { return d.b.query(d.b.ctx, q, kind, sql, params) }, nil
	}
}

// sqlArgs reads (sql, params).
func (b *Bridge) sqlArgs(args []js.Value) (string, []any, error) {
	if err := argCount(args, 1, "sql"); err != nil {
		return "", nil, err
	}
	sql, err := goString(args[0], "sql")
	if err != nil {
		return "", nil, err
	}
	var params []any
	if len(args) > 1 {
		if params, err = b.goParams(args[1]); err != nil {
			return "", nil, err
		}
	}
	return sql, params, nil
}

// query runs one statement and converts its result for JS.
func (b *Bridge) query(ctx context.Context, q store.Querier, kind queryKind, sql string, params []any) (any, error) {
	var e Encoder
	switch kind {
	case execute:
		res, err := q.Execute(ctx, sql, params...)
		if err != nil {
			return nil, err
		}
		if err := e.Rows(res.Rows.Columns, res.Rows.Values); err != nil {
			return nil, err
		}
		p := b.jsonArray(&e)
		p.SetIndex(2, float64(res.RowsAffected))
		p.SetIndex(3, float64(res.InsertID))
		return p, nil
	case executeRaw:
		// Arrays keep what objects cannot: column order, and columns that
		// share a name.
		res, err := q.Execute(ctx, sql, params...)
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(res.Rows.Values))
		for i, r := range res.Rows.Values {
			vals[i] = r
		}
		if err := e.Value(vals); err != nil {
			return nil, err
		}
	case getAll:
		rows, err := q.GetAll(ctx, sql, params...)
		if err != nil {
			return nil, err
		}
		if err := e.Rows(rows.Columns, rows.Values); err != nil {
			return nil, err
		}
	default:
		var row map[string]any
		var err error
		if kind == get {
			row, err = q.Get(ctx, sql, params...)
		} else {
			row, err = q.GetOptional(ctx, sql, params...)
		}
		if err != nil {
			return nil, err
		}
		if err := e.Object(row); err != nil {
			return nil, err
		}
	}
	return b.jsonPayload(&e), nil
}

// id returns a fresh id for a subscription, transaction or batch.
// Callers hold d.mu.
func (d *database) id() int {
	d.nextID++
	return d.nextID
}

// subscribe records a cancel function and returns the id JS passes to
// unsubscribe.
func (d *database) subscribe(cancel func()) any {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := d.id()
	d.cancels[id] = cancel
	return id
}

// unsubscribe(id) ends a subscription; unknown ids are ignored, so
// disposing twice is harmless.
func (d *database) unsubscribe(args []js.Value) (any, error) {
	if len(args) < 1 || args[0].Type() != js.TypeNumber {
		return nil, typeErrorf("id", "want a subscription id")
	}
	d.mu.Lock()
	c := d.cancels[args[0].Int()]
	delete(d.cancels, args[0].Int())
	d.mu.Unlock()
	if c != nil {
		c()
	}
	return nil, nil
}

// onChange(tables, fn): fn(changedTables[]) after each committed write
// transaction touching tables (null: any). Returns a subscription id.
func (d *database) onChange(args []js.Value) (any, error) {
	if err := argCount(args, 2, "onChange(tables, handler)"); err != nil {
		return nil, err
	}
	tables, err := d.b.goStrings(args[0], "tables")
	if err != nil {
		return nil, err
	}
	fn, err := goFunc(args[1], "handler")
	if err != nil {
		return nil, err
	}
	cancel := d.db.OnChange(tables, func(changed []string) {
		list := make([]any, len(changed))
		for i, t := range changed {
			list[i] = t
		}
		d.b.invoke(fn, list)
	})
	return d.subscribe(cancel), nil
}

// close(cb) disconnects, ends every subscription and closes the database.
func (d *database) close(args []js.Value) (func() (any, error), error) {
	return func() (any, error) {
		d.sync.Disconnect(context.Background()) // waits for the sync loops, which end at once
		d.cancel()
		d.mu.Lock()
		cancels := d.cancels
		d.cancels = map[int]func(){}
		d.mu.Unlock()
		for _, c := range cancels {
			c()
		}
		d.b.mu.Lock()
		for id, x := range d.b.dbs {
			if x == d {
				delete(d.b.dbs, id)
			}
		}
		d.b.mu.Unlock()
		return nil, d.db.Close()
	}, nil
}

// databaseOf finds the database behind the object openDatabase returned.
func (b *Bridge) databaseOf(v js.Value) (*database, error) {
	if v.Type() != js.TypeObject || v.Get("id").Type() != js.TypeNumber {
		return nil, typeErrorf("database", "want an open PowerSyncDatabase")
	}
	b.mu.Lock()
	d := b.dbs[v.Get("id").Int()]
	b.mu.Unlock()
	if d == nil {
		return nil, store.ErrClosed
	}
	return d, nil
}

// updateSchema(schemaJSON, cb): replaces the schema (store.DB.UpdateSchema):
// views, triggers and indexes follow it, and no row is lost.
func (d *database) updateSchema(args []js.Value) (func() (any, error), error) {
	if err := argCount(args, 1, "updateSchema(schema)"); err != nil {
		return nil, err
	}
	text, err := goString(args[0], "schema")
	if err != nil {
		return nil, err
	}
	var schema store.Schema
	if err := schema.UnmarshalJSON([]byte(text)); err != nil {
		return nil, typeErrorf("schema", "%v", err)
	}
	return func() (any, error) {
		if err := d.db.UpdateSchema(d.b.ctx, schema); err != nil {
			return nil, err
		}
		d.mu.Lock()
		d.schema = schema
		d.mu.Unlock()
		return nil, nil
	}, nil
}
