module github.com/localfirst/gopowersync/internal/protocol/jsonbench

go 1.26.8

require github.com/localfirst/gopowersync v0.0.0

require github.com/goccy/go-json v0.10.6

require (
	github.com/google/btree v1.1.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/ncruces/go-sqlite3 v0.37.0 // indirect
	github.com/ncruces/go-sqlite3-wasm/v6 v6.5.35401 // indirect
	github.com/ncruces/julianday v1.0.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)

replace github.com/localfirst/gopowersync => ../../..
