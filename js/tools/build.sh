#!/bin/sh
# Builds dist/ for the Node tests and benchmarks: the module, Go's loader
# support and compressed copies. `make build` (the lead's Makefile) is the
# supported entry point; this script is for working on the bridge alone.
set -eu
cd "$(dirname "$0")/../.."
mkdir -p dist
GOOS=js GOARCH=wasm go build -trimpath -ldflags="-s -w" -o dist/gopowersync.wasm ./wasm/gopowersync
cp "$(go env GOROOT)/lib/wasm/wasm_exec.js" dist/wasm_exec.js
gzip -9 -k -f dist/gopowersync.wasm
# Debian has no brotli CLI by default; Node's zlib has brotli.
node -e '
const fs = require("fs"), zlib = require("zlib");
const raw = fs.readFileSync("dist/gopowersync.wasm");
fs.writeFileSync("dist/gopowersync.wasm.br", zlib.brotliCompressSync(raw, { params: {
  [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
'
ls -l dist/gopowersync.wasm dist/gopowersync.wasm.gz dist/gopowersync.wasm.br
