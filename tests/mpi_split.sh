#!/bin/sh
# mpi_split — `make check`'s test of one replication split across MPI
# ranks (`mpirun -np K exposim run`, docs/cluster.md): with 2 and 3 ranks
# every result file has the bytes one process writes, for scenarios of the
# library that can be split (the baseline, whose 5,000 people are two
# blocks of people, so that with 3 ranks one rank has none; a
# preferential-attachment graph, built from an edge list; a breach; and a
# scenario with every traffic and policy option that can be split).  The lookups are summed over the ranks, so a rank
# that generated more than its share, or a knowledge not merged, changes a
# number.  A scenario that cannot be split is refused, status 2, nothing
# written; so is a run whose ranks on one machine do not fit its memory
# together; a directory rank 0 cannot make stops every rank.  Usage: tests/mpi_split.sh MPI_BINARY PLAIN_BINARY (run from the
# top of the checkout).
set -eu
mpibin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/exposim-split-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mpirun="mpirun --allow-run-as-root --oversubscribe"
# the traffic and policy options docs/cluster.md says split: a profile, tie
# strengths, the client cache, group conversations, device changes with
# re-look-ups, SMS-only people, a weekly purge, hour resolution, a delivery
# delay; 9000 people (three blocks)
mkdir "$tmp/scenarios"
cat > "$tmp/scenarios/rich.xml" <<'XML'
<scenario name="split-rich">
  <run seed="7" replications="2" horizon_days="60"/>
  <population size="9000" client_share="0.9"/>
  <contacts><erdos_renyi mean_degree="12"/></contacts>
  <traffic rate_per_day="0.05" tie_strength="lognormal" sigma="1" cache_ttl_hours="168"
           group_share="0.1" group_size="4" device_changes_per_year="3" device_relookup="true">
    <profile hourly="0.2 0.1 0.1 0.1 0.1 0.2 0.5 1 1.5 1.5 1.5 1.5 2 1.5 1.5 1.5 1.5 2 2.5 3 3 2.5 1.5 0.8"
             weekly="1 1 1 1 1.2 1.5 1.3"/>
  </traffic>
  <policy>
    <retention days="20" purge="weekly"/>
    <logging time_resolution="hour" delivery_delay_minutes="60"/>
  </policy>
  <adversary><bulk_snapshot period_days="20"/></adversary>
</scenario>
XML
n=0
for s in scenarios/baseline:--replications=4 scenarios/barabasi_albert:--replications=2 \
         scenarios/breach-once:--replications=3 "$tmp/scenarios/rich:--replications=2"; do
  file=${s%%:*}.xml reps=${s#*:} name=$(basename "${s%%:*}")
  "$bin" run -q "$file" "$reps" -o "$tmp/$name-1"
  for k in 2 3; do
    $mpirun -np $k "$mpibin" run "$file" "$reps" -o "$tmp/$name-$k" > "$tmp/$name-$k.out"
    grep -q "each split across the MPI ranks" "$tmp/$name-$k.out" \
      || { echo "mpi_split: $name with $k ranks did not split the replications" >&2; exit 1; }
    for f in timeseries.csv summary.csv summary-day.csv timeline.csv; do
      [ -f "$tmp/$name-1/$f" ] || continue
      cmp "$tmp/$name-1/$f" "$tmp/$name-$k/$f"
      n=$((n + 1))
    done
    grep -v '<times \|<arg>' "$tmp/$name-1/manifest.xml" > "$tmp/m1"
    grep -v '<times \|<arg>' "$tmp/$name-$k/manifest.xml" > "$tmp/mk"
    cmp "$tmp/m1" "$tmp/mk"
  done
done
# refused before anything is written, with the reason
for s in "location-baseline:<mobility>" "stochastic_block:true communities"; do
  name=${s%%:*} why=${s#*:}
  if $mpirun -np 2 "$mpibin" run -q "scenarios/$name.xml" -o "$tmp/refused" 2> "$tmp/refused.err"; then
    echo "mpi_split: $name was split" >&2; exit 1
  else
    st=$?
  fi
  [ "$st" = 2 ] || { echo "mpi_split: status $st, not 2, for a refused split of $name" >&2; exit 1; }
  grep -q "cannot be split across 2 MPI ranks: .*$why" "$tmp/refused.err" \
    || { echo "mpi_split: $name refused without its reason:" >&2; cat "$tmp/refused.err" >&2; exit 1; }
  [ ! -e "$tmp/refused" ]
done
# the memory check counts every rank on the machine as one process: 225 MiB
# estimated for N = 10^6 fits 300 MiB, twice it does not
if $mpirun -np 2 "$mpibin" run -q scenarios/baseline.xml --set population@size=1000000 --replications 1 \
     --memory-limit 300M -o "$tmp/mem" 2> "$tmp/mem.err"; then
  echo "mpi_split: 2 ranks of 225 MiB ran within 300 MiB" >&2; exit 1
fi
grep -q "needs about 450 MiB for the 2 MPI ranks on one machine" "$tmp/mem.err" \
  || { echo "mpi_split: the memory refusal is not for both ranks:" >&2; cat "$tmp/mem.err" >&2; exit 1; }
[ ! -e "$tmp/mem" ]
# an output directory rank 0 cannot make (under a plain file) stops every
# rank: none waits for it
: > "$tmp/file"
if timeout 120 $mpirun -np 2 "$mpibin" run -q scenarios/baseline.xml -o "$tmp/file/out" 2> "$tmp/file.err"; then
  echo "mpi_split: a run into an impossible directory succeeded" >&2; exit 1
else
  st=$?
fi
[ "$st" != 124 ] || { echo "mpi_split: the ranks hung after rank 0 could not make its directory" >&2; exit 1; }
grep -q "exists and is not a directory" "$tmp/file.err" || { echo "mpi_split: no message for the directory" >&2; cat "$tmp/file.err" >&2; exit 1; }
echo "MPI split test: one replication over 2 and 3 ranks wrote the same bytes as one process ($n result files of 4 scenarios); scenarios with <mobility> and with true communities refused; 2 ranks that do not fit one machine together refused; a directory rank 0 cannot make stops every rank"
