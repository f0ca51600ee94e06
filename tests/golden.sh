#!/bin/sh
# golden.sh — the scenario library's result files, byte for byte.
#
#   tests/golden.sh BIN record FILE   run every scenario and sweep in
#                                     scenarios/ and write FILE: one line
#                                     "sha256  NAME/RESULT-FILE" per file
#   tests/golden.sh BIN check FILE    run them again and compare with FILE;
#                                     exit 1 and list what differs
#
# Every scenario runs as `BIN run -q SCENARIO -o build/golden/NAME` and, for
# its generated world, `BIN generate -q --graphml SCENARIO -o
# build/golden/NAME/generate`; every sweep as `BIN sweep -q -j 2`.  Hashed:
# timeseries.csv, summary.csv, summary-day.csv, timeline.csv, targets.csv, contacts.csv, population.csv, edges.csv, graph.graphml,
# sweep.csv, sweep-summary.csv, sweep-marginal.csv, and manifest.xml without its <times> line
# and its <arg> lines (the wall clock, the command line).  Run from the top of the project (make golden does).
# A change that moves a number must record the new file in the same commit
# and say why in its message.
set -eu
bin=$1 mode=$2 file=$3
out=build/golden
rm -rf "$out"
mkdir -p "$out"

# One job per scenario, two at a time: the results do not depend on it.
for f in scenarios/*.xml; do echo "$f"; done | xargs -P 2 -I{} sh -c '
  f={}; n=$(basename "$f" .xml); o='"$out"'/$n
  if grep -q "<sweep[ >]" "$f"; then
    '"$bin"' sweep -q -j 1 "$f" -o "$o" >"$o.log" 2>&1 || { echo "$f: sweep failed" >&2; cat "$o.log" >&2; exit 1; }
  else
    '"$bin"' run -q "$f" -o "$o" >"$o.log" 2>&1 || { echo "$f: run failed" >&2; cat "$o.log" >&2; exit 1; }
    '"$bin"' generate -q --graphml "$f" -o "$o/generate" >>"$o.log" 2>&1 \
      || { echo "$f: generate failed" >&2; cat "$o.log" >&2; exit 1; }
  fi'

list=$out/golden.sha256
: >"$list"
for d in "$out"/*/; do
  n=$(basename "$d")
  for r in timeseries.csv summary.csv summary-day.csv timeline.csv targets.csv contacts.csv sweep.csv sweep-summary.csv sweep-marginal.csv \
           generate/population.csv generate/edges.csv generate/graph.graphml; do
    [ -f "$d$r" ] && (cd "$out" && sha256sum "$n/$r") >>"$list"
  done
  grep -v -e '<times ' -e '<arg>' "$d/manifest.xml" | sha256sum | sed "s#-\$#$n/manifest.xml#" >>"$list"
done

case $mode in
record)
  cp "$list" "$file"
  echo "golden: $(wc -l <"$file") result files recorded in $file" ;;
check)
  if diff "$file" "$list" >"$out/golden.diff"; then
    echo "golden: the scenario library's $(wc -l <"$file") result files have the recorded bytes"
  else
    echo "golden: result files differ from $file (< recorded, > now):" >&2
    cat "$out/golden.diff" >&2
    exit 1
  fi ;;
*) echo "usage: tests/golden.sh BIN record|check FILE" >&2; exit 2 ;;
esac
