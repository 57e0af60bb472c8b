// Package bridge connects the JavaScript package (js/index.js) to the Go
// engine when the module is built with GOOS=js. It holds no business logic:
// it converts JS values to Go values and back, runs blocking Go calls in
// goroutines that report through callbacks, awaits JS promises from Go,
// and turns Go errors into instances of the exported JS error classes.
//
// # The entry object
//
// main publishes Bridge.Exports as globalThis.__gopowersync. The JS package
// calls setup({makeError, watchPromise, nextTask}) once, then uses
// openDatabase, createCollection, createTransaction and the tx* functions.
// Objects that JS holds (a database, a collection) are plain JS objects
// whose methods are Go functions; transactions, subscriptions and upload
// batches travel as numeric ids, so no Go function is ever released while
// JS might still call it (a call to a released function ends the module).
//
// # Calling conventions
//
//   - A function that may block takes a callback as its last argument and
//     calls it as cb(true, value) or cb(false, error) from a goroutine:
//     the JS thread cannot wait inside a call, and Go's scheduler in a
//     GOOS=js module gives control back to JS only when every goroutine is
//     blocked.
//   - A function that returns at once returns its value, or an Error
//     instance that the JS package throws (Go cannot throw into JS).
//   - Bad arguments are TypeErrors naming the argument, raised before any
//     work starts.
//   - A panic is recovered and becomes an Error; an exception thrown by JS
//     code that Go called comes back to JS as the same object.
//   - A JS call must never wait for something only JS can finish, such as
//     the database lock while a writeTransaction awaits its callback: such
//     work (starting sync, cleanup, every query) runs in a goroutine.
//
// # Crossings
//
// A call between JS and Go costs about 10 µs, far more than the work on
// either side for one row, so the bridge batches: rows travel as one JSON
// text per call (Encoder, DecodeJSON), with binary values set aside beside
// the text, and the JS package caches converted rows until Go reports a
// change to their key (watchKeys).
//
// The files without a build constraint (JSON conversion) are plain Go so
// that they are tested natively.
package bridge
