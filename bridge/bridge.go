//go:build js

package bridge

import (
	"context"
	"sync"
	"syscall/js"

	"github.com/localfirst/gopowersync/collection"
	"github.com/localfirst/gopowersync/store"
)

// version is the module's version, also sent to sync services in
// x-user-agent.
const version = "0.1.0"

// Config configures New.
type Config struct {
	// OPFS turns the storage object that js/opfs.js creates in browsers
	// into store options (a VFS backed by the origin private file system).
	// It calls pace, when not nil, between slices of its work, so that the
	// caller can hand the thread back to the JS event loop. When nil,
	// browsers get an in-memory database.
	OPFS func(storage js.Value, pace func()) (*store.Options, error)
}

// Bridge is the Go side of the JS package. One Bridge serves one module
// instance; main creates it and publishes Exports on globalThis.
type Bridge struct {
	cfg  Config
	ctx  context.Context
	deps deps

	rt *collection.Runtime

	mu      sync.Mutex
	nextID  int64
	waiting map[int64]chan settlement
	nextDB  int
	dbs     map[int]*database
	nextTx  int
	txIDs   map[*collection.Transaction]int
	txByID  map[int]*collection.Transaction
	colls   map[string]*collection.Collection // by id: the sources a live query names

	nextOpening int
	openings    map[int]*opening // databases still opening, by id (see opening.go)
}

// deps are the JS values the bridge needs again and again, looked up once.
type deps struct {
	// makeError(name, message, issuesJSON) builds an instance of the
	// exported error class called name; set by the JS package in setup.
	makeError js.Value
	// watchPromise(promise, id) calls settle(id, ok, value) when the
	// promise settles; set by the JS package in setup.
	watchPromise js.Value
	// nextTask() returns a promise that resolves in a later task of the
	// JS event loop; set by the JS package in setup.
	nextTask      js.Value
	uint8Array    js.Value
	bigInt64Array js.Value
	float64Array  js.Value
	bigInt        js.Value
	date          js.Value
	array         js.Value
	object        js.Value
}

// New returns a bridge. Nothing is published until Exports is called.
func New(cfg Config) *Bridge {
	g := js.Global()
	return &Bridge{
		cfg: cfg,
		ctx: context.Background(),
		deps: deps{
			uint8Array:    g.Get("Uint8Array"),
			bigInt64Array: g.Get("BigInt64Array"),
			float64Array:  g.Get("Float64Array"),
			bigInt:        g.Get("BigInt"),
			date:          g.Get("Date"),
			array:         g.Get("Array"),
			object:        g.Get("Object"),
		},
		rt:      collection.NewRuntime(),
		waiting: make(map[int64]chan settlement),
		dbs:     make(map[int]*database),
		txIDs:   make(map[*collection.Transaction]int),
		txByID:  make(map[int]*collection.Transaction),
		colls:   make(map[string]*collection.Collection),

		openings: make(map[int]*opening),
	}
}

// Exports returns the entry object the JS package finds on globalThis:
// setup, settle and the constructors of the database, collection and
// transaction objects. Its functions live as long as the module.
func (b *Bridge) Exports() js.Value {
	obj := js.Global().Get("Object").New()
	obj.Set("version", version)
	obj.Set("setup", js.FuncOf(b.setup))
	obj.Set("settle", js.FuncOf(b.settle))
	obj.Set("openDatabase", b.async(b.openDatabase))
	obj.Set("validateSchema", b.sync(b.validateSchema))
	b.exportCollections(obj)
	b.exportLiveQueries(obj)
	return obj
}

// setup receives the JS package's helpers: setup({makeError, watchPromise}).
func (b *Bridge) setup(_ js.Value, args []js.Value) any {
	if len(args) != 1 || args[0].Type() != js.TypeObject {
		return "setup: want one object"
	}
	b.deps.makeError = args[0].Get("makeError")
	b.deps.watchPromise = args[0].Get("watchPromise")
	b.deps.nextTask = args[0].Get("nextTask")
	for _, f := range []js.Value{b.deps.makeError, b.deps.watchPromise, b.deps.nextTask} {
		if f.Type() != js.TypeFunction {
			return "setup: makeError, watchPromise and nextTask must be functions"
		}
	}
	return nil
}
