#!/bin/sh
# mpi.sh — one replication split across MPI ranks against one process:
# `make bench-mpi` (docs/metrics.md, "One replication across MPI ranks").
#
# The case: bulk-30 at N = 10^7 (make bench's bulk-30-1e7: baseline.xml's
# world at 10^7 people, degree 20, λ = 0.05, a 30-day log copied every 30
# days for 180 days; 1.8·10^9 lookups), one replication, run by the MPI
# program (make MPI=1) under `mpirun -np K` for each K given (default 1 2),
# alternated, ROUNDS times (default 2).  Each rank runs under
# /usr/bin/time; printed per run: the wall time of the whole mpirun, and per
# rank its CPU (user + system) and peak resident memory.  Then the median
# wall time of each K and the speed-up against the first K.  The result
# files of every run must be the same bytes (checked; a difference stops
# the benchmark).  About 2 minutes a run on a 2-core machine; 3.7 GiB at
# K = 1.
#
#   tests/bench/mpi.sh [K...]        e.g. tests/bench/mpi.sh 1 2
#   ROUNDS=3 N=1000000 tests/bench/mpi.sh
set -eu
MPIBIN=${MPIBIN:-build/exposim-mpi}
N=${N:-10000000}
ROUNDS=${ROUNDS:-2}
[ $# -gt 0 ] || set -- 1 2
TIME=/usr/bin/time
for x in "$MPIBIN" "$TIME"; do
    [ -x "$x" ] || { echo "mpi.sh: $x not found (make MPI=1 BUILD=build-mpi BIN=$MPIBIN $MPIBIN; GNU time)" >&2; exit 2; }
done
command -v mpirun >/dev/null || { echo "mpi.sh: mpirun not found (make deps installs Open MPI)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exposim-bench-mpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
mpirun="mpirun --allow-run-as-root --oversubscribe"
set_args="--set population@size=$N --set traffic@rate_per_day=0.05 --replications 1 -q"
echo "bulk-30 at N=$N, one replication: mpirun -np K $MPIBIN run scenarios/baseline.xml $set_args"
r=0
while [ $r -lt "$ROUNDS" ]; do
    r=$((r + 1))
    for k in "$@"; do
        out=$tmp/k$k-$r
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        $mpirun -np "$k" sh -c 'exec "$0" -f "%U %S %M" -o "$1.$OMPI_COMM_WORLD_RANK" "$2" run scenarios/baseline.xml '"$set_args"' -o "$3"' \
            "$TIME" "$tmp/time-k$k-$r" "$MPIBIN" "$out"
        end=$(date +%s.%N)
        wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
        ranks=""
        for f in "$tmp"/time-k$k-$r.*; do
            ranks="$ranks $(awk '{ printf "%.1f s CPU %.0f MiB;", $1 + $2, $3 / 1024 }' "$f")"
        done
        printf 'K=%s round %s: wall %.1f s; per rank:%s\n' "$k" "$r" "$wall" "$ranks"
        echo "$k $wall" >> "$tmp/walls"
        if [ -d "$tmp/first" ]; then
            cmp -s "$tmp/first/timeseries.csv" "$out/timeseries.csv" \
                || { echo "mpi.sh: K=$k wrote other results than the first run" >&2; exit 1; }
        else
            cp -r "$out" "$tmp/first"
        fi
        rm -rf "$out"
    done
done
first=$1
med() { grep "^$1 " "$tmp/walls" | awk '{ print $2 }' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
base=$(med "$first")
for k in "$@"; do
    m=$(med "$k")
    printf 'K=%s: median wall %.1f s, %.2fx K=%s\n' "$k" "$m" "$(awk -v a="$base" -v b="$m" 'BEGIN { print a / b }')" "$first"
done
