#!/bin/sh
# mpi_sweep — `make check`'s MPI test: a sweep spread over 2 MPI ranks must
# write the same sweep.csv and sweep-summary.csv bytes as one process, also
# for one shard of it and for a sweep over two bases.  Usage: tests/mpi_sweep.sh MPI_BINARY PLAIN_BINARY
# (run from the top of the checkout).  As root, Open MPI needs
# --allow-run-as-root; --oversubscribe lets 2 ranks run on any machine.
set -eu
mpibin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exposim-mpi-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cat > "$tmp/base.xml" <<'XML'
<scenario name="mpi">
  <run seed="5" replications="3" horizon_days="60"/>
  <population size="400"/>
  <contacts><erdos_renyi mean_degree="8"/></contacts>
  <traffic rate_per_day="0.02"/>
  <policy><retention days="20"/></policy>
  <adversary><bulk_snapshot period_days="20"/></adversary>
</scenario>
XML
cat > "$tmp/sweep.xml" <<'XML'
<sweep name="mpi" replications="3" seed="9">
  <base file="base.xml"/>
  <grid>
    <parameter path="policy/retention@days"><values>10 20 40</values></parameter>
    <parameter path="adversary/bulk_snapshot@period_days"><range from="10" to="30" step="10"/></parameter>
  </grid>
</sweep>
XML
mpirun="mpirun --allow-run-as-root --oversubscribe -np 2"
"$bin" sweep "$tmp/sweep.xml" -q -o "$tmp/one"
$mpirun "$mpibin" sweep "$tmp/sweep.xml" -q -o "$tmp/mpi"
"$bin" sweep "$tmp/sweep.xml" -q --shard 2/3 -o "$tmp/one-shard"
$mpirun "$mpibin" sweep "$tmp/sweep.xml" -q --shard 2/3 -o "$tmp/mpi-shard"
for f in sweep.csv sweep-summary.csv; do
  cmp "$tmp/one/$f" "$tmp/mpi/$f"
  cmp "$tmp/one-shard/$f" "$tmp/mpi-shard/$f"
done
# the MPI binary run without mpirun is a single process
"$mpibin" sweep "$tmp/sweep.xml" -q -j 2 -o "$tmp/mpi-alone"
cmp "$tmp/one/sweep.csv" "$tmp/mpi-alone/sweep.csv"
# several bases (docs/sweeps.md): every rank loads every base
sed 's/size="400"/size="300"/' "$tmp/base.xml" > "$tmp/base2.xml"
cat > "$tmp/bases.xml" <<'XML'
<sweep name="mpi-bases" replications="2" seed="9">
  <base name="a" file="base.xml"/>
  <base name="b" file="base2.xml"/>
  <grid><parameter path="policy/retention@days"><values>10 20</values></parameter></grid>
</sweep>
XML
"$bin" sweep "$tmp/bases.xml" -q -o "$tmp/bases-one"
$mpirun "$mpibin" sweep "$tmp/bases.xml" -q -o "$tmp/bases-mpi"
for f in sweep.csv sweep-summary.csv sweep-marginal.csv; do
  cmp "$tmp/bases-one/$f" "$tmp/bases-mpi/$f"
done
rows=$(($(wc -l < "$tmp/mpi/sweep.csv") - 1))
brows=$(($(wc -l < "$tmp/bases-mpi/sweep.csv") - 1))
echo "MPI sweep test: 2 ranks wrote the same $rows rows as one process (whole sweep and shard 2/3), and the same $brows rows of a sweep over 2 bases"
