#!/bin/bash
# Compares the JSON writers at two commits (BENCHMARKS.md, "JSON writing in
# jsontext"): usage `scripts/bench-json-write.sh BEFORE [AFTER]` from the
# repository's root (AFTER defaults to HEAD). Like scripts/bench-json.sh: it
# builds each package's test binary at both commits, runs them alternately
# six times (benchstat), then counts instructions per op with valgrind's
# cachegrind (a run of N+1 iterations minus a run of 1, over N;
# GOMAXPROCS=1 GOGC=off). Last, jsontext's BenchmarkWriters at AFTER: each
# writer beside the one it replaced, in one binary.
set -euo pipefail
before=$1 after=${2:-HEAD}
out=$(mktemp -d)
pkgs="bridge internal/protocol store"
for v in before after; do
	rev=${!v}
	mkdir "$out/$v"
	git archive "$rev" | tar -x -C "$out/$v"
	for p in $pkgs; do
		(cd "$out/$v" && go test -c -o "$out/$v.$(basename $p).test" "./$p")
	done
done
(cd "$out/after" && go test -c -o "$out/jsontext.test" ./internal/jsontext)
for i in 1 2 3 4 5 6; do
	for spec in "bridge EncodeRows1000" "internal/protocol AppendDataLine|AppendCheckpointLine" "store InsertThroughView"; do
		p=${spec%% *} b=${spec#* }
		for v in before after; do
			(cd "$out/$v/$p" && "$out/$v.$(basename $p).test" -test.run '^$' -test.bench "$b" -test.benchmem) >>"$out/$v.txt"
		done
	done
done
echo "load: $(uptime)"
benchstat "$out/before.txt" "$out/after.txt"
if command -v valgrind >/dev/null; then
	ir() { # test binary, package dir, benchmark, iterations: instructions of the run
		(cd "$2" && GOMAXPROCS=1 GOGC=off valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
			"$1" -test.run '^$' -test.bench "$3" -test.benchtime "${4}x" 2>&1 >/dev/null | awk '/I *refs/ {gsub(",", "", $4); print $4}')
	}
	echo "instructions per op (a run of N+1 iterations minus a run of 1, over N)"
	for spec in "bridge EncodeRows1000 50" "internal/protocol AppendDataLine/hand 50" \
		"internal/protocol AppendCheckpointLine/hand 50" "store InsertThroughView 2"; do
		set -- $spec
		for v in before after; do
			bin="$out/$v.$(basename $1).test"
			a=$(ir "$bin" "$out/$v/$1" "$2" 1) b=$(ir "$bin" "$out/$v/$1" "$2" $(($3 + 1)))
			echo "$2 $v $(((b - a) / $3))"
		done
	done
	for b in String/store String/bridge String/new StringEscapeHTML/protocol StringEscapeHTML/new \
		FloatSerde/store FloatSerde/new FloatES/bridge FloatES/new; do
		pat="^BenchmarkWriters\$/^${b%/*}\$/^${b#*/}\$"
		a=$(ir "$out/jsontext.test" "$out/after/internal/jsontext" "$pat" 1)
		c=$(ir "$out/jsontext.test" "$out/after/internal/jsontext" "$pat" 100001)
		echo "Writers/$b $(((c - a) / 100000))"
	done
fi
rm -rf "$out"
