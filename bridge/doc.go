// Package bridge connects the JavaScript package (js/index.js) to the Go
// engine when the module is built with GOOS=js. It holds no business logic:
// it converts JS values to Go values and back, runs blocking Go calls in
// goroutines that report through callbacks, awaits JS promises from Go,
// and turns Go errors into instances of the exported JS error classes.
//
// Calls between JS and Go are slow compared with work on either side, so
// the bridge batches: rows travel as one JSON text per call (see
// AppendRowsJSON) instead of one crossing per cell.
//
// The files without a build constraint (JSON conversion) are plain Go so
// that they can be tested natively.
package bridge
