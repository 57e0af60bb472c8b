// Package jsonbench compares the JSON implementations the sync protocol
// could use: its own scanner and appender, encoding/json and
// github.com/goccy/go-json. It is a module of its own so that goccy, which
// the protocol package does not use, stays out of the project's go.mod.
//
// Benchmarks (natively; under wazero and Node with the -exec runners of
// the Makefile):
//
//	cd internal/protocol/jsonbench && go test -bench . -benchmem
//
// The commands under size/ are the browser module (wasm/gopowersync) with
// one decoder more each, to measure what each adds to it (BENCHMARKS.md).
package jsonbench
