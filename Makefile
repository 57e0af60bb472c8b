# The project's commands. `make demo` runs the demo, `make test` runs every test.
# Everything lands in dist/ (the module users load) and .cache/ (tools); both are ignored by git.

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT)
WASM_EXEC := $(firstword $(wildcard $(GOROOT)/lib/wasm/wasm_exec.js $(GOROOT)/misc/wasm/wasm_exec.js))
JS_EXEC   := $(firstword $(wildcard $(GOROOT)/lib/wasm/go_js_wasm_exec $(GOROOT)/misc/wasm/go_js_wasm_exec))
WAZERO    := $(CURDIR)/.cache/bin/wazero-exec
export WAZERO_CACHE := $(CURDIR)/.cache/wazero

# Packages that must behave the same natively, under wazero (wasip1) and under Node (js).
PORTABLE  := ./store/... ./collection/... ./psync/... ./internal/protocol/... ./internal/jsontext/...
ADDR      ?= 127.0.0.1:8181

.PHONY: build test test-native test-wasip1 test-js test-node test-interop test-browser bench bench-native bench-wasip1 bench-browser demo sync-server clean

## build: the browser module and its loader support in dist/
build: dist/gopowersync.wasm dist/wasm_exec.js dist/gopowersync.wasm.gz dist/gopowersync.wasm.br

# The browser module. SQLite's package is built without bounds checks, and
# after linking wasm/striplines strips the line tables and inline trees and
# merges the data segments: RATIONALE.md says why each is acceptable,
# BENCHMARKS.md what each saves.
dist/gopowersync.wasm: Makefile go.mod go.sum $(shell find store collection psync internal bridge wasm/gopowersync wasm/striplines -name '*.go' 2>/dev/null)
	@mkdir -p dist
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags='-s -w' -gcflags='github.com/ncruces/go-sqlite3-wasm/v6=-B' -o $@.linked ./wasm/gopowersync
	$(GO) run ./wasm/striplines $@.linked $@
	rm -f $@.linked

dist/wasm_exec.js: $(WASM_EXEC)
	@mkdir -p dist
	cp $< $@

# Precompressed copies: the demo server sends them to browsers that accept them.
dist/gopowersync.wasm.gz: dist/gopowersync.wasm
	gzip -9 -k -f $<

dist/gopowersync.wasm.br: dist/gopowersync.wasm
	node scripts/brotli.mjs $<

$(WAZERO): go.mod go.sum wasm/wazero-exec/main.go
	@mkdir -p $(dir $@)
	$(GO) build -o $@ ./wasm/wazero-exec

## test: every test: Go natively, under wazero and under Node, the JS contract in Node, interop with the official client, the browser end to end
test: test-native test-wasip1 test-js test-node test-interop test-browser

test-native:
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	# Short fuzz runs on top of the seed corpora (testdata/fuzz): the sync
	# line reader, the JSON text scanner under all our JSON, the JSON parser
	# of the JS bridge, the packed row format and the storage journal.
	$(GO) test -run '^$$' -fuzz '^FuzzReader$$' -fuzztime 15s ./internal/protocol
	$(GO) test -run '^$$' -fuzz '^FuzzDecoder$$' -fuzztime 5s ./internal/jsontext
	$(GO) test -run '^$$' -fuzz '^FuzzWriters$$' -fuzztime 5s ./internal/jsontext
	$(GO) test -run '^$$' -fuzz '^FuzzParseJSON$$' -fuzztime 5s ./bridge
	$(GO) test -run '^$$' -fuzz '^FuzzPacked$$' -fuzztime 5s ./collection
	$(GO) test -run '^$$' -fuzz '^FuzzReplay$$' -fuzztime 5s ./store/pagevfs
	$(GO) test -run '^$$' -fuzz '^FuzzRecord$$' -fuzztime 5s ./store/pagevfs

test-wasip1: $(WAZERO)
	GOOS=wasip1 GOARCH=wasm $(GO) test -count=1 -exec $(WAZERO) $(PORTABLE)

test-js:
	GOOS=js GOARCH=wasm $(GO) test -count=1 -exec $(JS_EXEC) $(PORTABLE)

# The JS contract in Node, and js/index.d.ts type-checked against a small typed app
# (js/test/types) with the TypeScript that js/package-lock.json pins.
test-node: build
	npm ci --prefix js --no-audit --no-fund
	js/node_modules/.bin/tsc -p js/test/types
	node --test js/test/

# better-sqlite3 (under @powersync/node) compiles from source: its prebuilt binary is not reachable.
# node-gyp needs the running Node's headers, and without nodedir it would download them: point it at
# the headers next to the node binary (Debian's and NodeSource's packages put them in /usr/include/node).
NODE_PREFIX := $(shell node -p 'require("path").resolve(process.execPath, "../..")' 2>/dev/null)
NODE_DIR    := $(if $(wildcard $(NODE_PREFIX)/include/node/node.h),$(NODE_PREFIX))

## test-interop: the official PowerSync client (@powersync/node) and our Go client against our dev sync server
test-interop:
	$(if $(NODE_DIR),npm_config_nodedir="$${npm_config_nodedir:-$(NODE_DIR)}") npm ci --prefix tests/interop --no-audit --no-fund
	node --test tests/interop/

test-browser: build
	@if [ -f tests/browser/package.json ]; then \
		bash scripts/install-chromium.sh && \
		npm ci --prefix tests/browser --no-audit --no-fund && \
		node --test tests/browser/; \
	else echo "no tests/browser yet"; fi

## bench: Go benchmarks natively and under wazero (figures go to BENCHMARKS.md)
bench: bench-native bench-wasip1

bench-native:
	$(GO) test -run '^$$' -bench . -benchtime 3x $(PORTABLE)

bench-wasip1: $(WAZERO)
	GOOS=wasip1 GOARCH=wasm $(GO) test -run '^$$' -bench . -benchtime 3x -exec $(WAZERO) $(PORTABLE)

## bench-browser: W1-W7 in headless Chromium, ours and the reference stack side by side in one run, one table (BENCHMARKS.md); 15-30 minutes, not part of test
bench-browser: build
	bash scripts/install-chromium.sh
	npm ci --prefix tests/browser --no-audit --no-fund
	node tests/browser/bench/browser-bench.js $(BENCH_ARGS)

## demo: build the module and serve the demo app with its dev sync server on http://$(ADDR)/ (sync data in .cache/demo-sync.sqlite)
demo: build
	$(GO) run ./web-demo/server -addr $(ADDR)

## sync-server: the development sync server alone on http://$(ADDR)/ (database in .cache/)
sync-server:
	$(GO) run ./syncserver/cmd/sync-server -addr $(ADDR)

clean:
	rm -rf dist .cache
