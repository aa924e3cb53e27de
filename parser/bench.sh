#!/bin/sh
# Compares csprbot's parser with pandoc on the same .docx files, in one run.
#   parser/bench.sh [ROUNDS]        (needs Go and pandoc: Debian package `pandoc`)
# csprbot parses every file in one process (as the daemon does); pandoc is one
# process per file (it reads one document at a time), so both rates include
# everything each tool needs to turn the files into structured output.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-20}
BIN=$(mktemp -d)/csprbot
go build -o "$BIN" ./cmd/csprbot
FILES=$(ls parser/testdata/*.docx | grep -v -e encrypted -e bad)
N=$(echo "$FILES" | wc -l)
ARGS=""
i=0
while [ $i -lt "$ROUNDS" ]; do ARGS="$ARGS $FILES"; i=$((i+1)); done
now() { date +%s.%N; }
t0=$(now)
# shellcheck disable=SC2086
"$BIN" parse $ARGS >/dev/null 2>&1 || true
t1=$(now)
for f in $ARGS; do pandoc -t json "$f" >/dev/null; done
t2=$(now)
awk -v n="$N" -v r="$ROUNDS" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	docs = n * r
	cs = docs / (b - a); pd = docs / (c - b)
	printf "%d documents (%d files x %d rounds)\n", docs, n, r
	printf "csprbot parse: %8.1f docs/s\n", cs
	printf "pandoc -t json: %8.1f docs/s\n", pd
	printf "ratio: %.1fx\n", cs / pd
}'
# One referral, one process each, as a person runs it (issue 11.4: csprbot parse at most
# 1/15 of pandoc's wall time on the same file): the median of RUNS runs each, interleaved.
ONE=parser/testdata/ar01_official.docx
RUNS=${RUNS:-30}
: >"$BIN.cs"; : >"$BIN.pd"
i=0
while [ $i -lt "$RUNS" ]; do
	a=$(now); "$BIN" parse "$ONE" >/dev/null 2>&1; b=$(now); pandoc -t json "$ONE" >/dev/null; c=$(now)
	echo "$a $b" | awk '{printf "%.6f\n", $2 - $1}' >>"$BIN.cs"
	echo "$b $c" | awk '{printf "%.6f\n", $2 - $1}' >>"$BIN.pd"
	i=$((i+1))
done
med() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
cs=$(med "$BIN.cs"); pd=$(med "$BIN.pd")
awk -v cs="$cs" -v pd="$pd" -v n="$RUNS" -v f="$ONE" 'BEGIN {
	printf "one referral (%s), median of %d runs each: csprbot parse %.1f ms, pandoc -t json %.1f ms: csprbot takes 1/%.1f of pandoc'"'"'s time\n", f, n, cs * 1000, pd * 1000, pd / cs
}'
go test -run XXX -bench ParseReferral -benchtime 2s -cpu 1 ./parser | grep Benchmark
