#!/bin/bash
# Compares the JSON hot paths at two commits (BENCHMARKS.md, "JSON text in
# one package"): usage `scripts/bench-json.sh BEFORE [AFTER]` from the
# repository's root (AFTER defaults to HEAD). It builds each package's test
# binary at both commits (from `git archive` copies), runs them alternately
# six times (benchstat, which `go install golang.org/x/perf/cmd/benchstat`
# provides), then counts instructions per op with valgrind's cachegrind when
# valgrind is installed: a figure the machine's load does not move.
set -euo pipefail
before=$1 after=${2:-HEAD}
out=$(mktemp -d)
pkgs="internal/protocol collection/powersync bridge store"
bench='DecodeDataLine/hand|DecodeCheckpointLine/hand|DecodeRow$|DecodeObjects1000Rows|InsertThroughView|CrudBatch1000'
for v in before after; do
	rev=${!v}
	mkdir "$out/$v"
	git archive "$rev" | tar -x -C "$out/$v"
	for p in $pkgs; do
		(cd "$out/$v" && go test -c -o "$out/$v.$(basename $p).test" "./$p")
	done
done
for i in 1 2 3 4 5 6; do
	for p in $pkgs; do
		for v in before after; do
			(cd "$out/$v/$p" && "$out/$v.$(basename $p).test" -test.run '^$' -test.bench "$bench" -test.benchmem) >>"$out/$v.txt"
		done
	done
done
echo "load: $(uptime)"
benchstat "$out/before.txt" "$out/after.txt"
if command -v valgrind >/dev/null; then
	ir() { # test binary, package dir, benchmark, iterations, before|after: instructions of the run
		(cd "$out/$5/$2" && GOMAXPROCS=1 GOGC=off valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
			"$1" -test.run '^$' -test.bench "$3" -test.benchtime "${4}x" 2>&1 >/dev/null | awk '/I *refs/ {gsub(",", "", $4); print $4}')
	}
	echo "instructions per op (a run of N+1 iterations minus a run of 1, over N)"
	for spec in "internal/protocol DecodeDataLine/hand 20" "internal/protocol DecodeCheckpointLine/hand 50" \
		"collection/powersync DecodeRow\$ 20000" "bridge DecodeObjects1000Rows 100" "store CrudBatch1000 20"; do
		set -- $spec
		for v in before after; do
			bin="$out/$v.$(basename $1).test"
			a=$(ir "$bin" "$1" "$2" 1 $v) b=$(ir "$bin" "$1" "$2" $(($3 + 1)) $v)
			echo "$2 $v $(((b - a) / $3))"
		done
	done
fi
rm -rf "$out"
