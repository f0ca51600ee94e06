#!/bin/sh
# estimate.sh — the estimate against what a run costs: the rows of the
# table "Measured against it" in docs/metrics.md ("The estimate").
#
# For each row, one replication of a scenario (with its --set options):
#   - the estimate: the `estimate:` line of
#       bin/exposim validate SCENARIO --replications 1 [--set ...]
#     (lookups, events, peak memory, CPU a replication);
#   - the run: bin/exposim run SCENARIO -q --replications 1 -o TMPDIR [--set ...]
#     under /usr/bin/time -f "%M %U" (peak resident set, user CPU), its
#     summary.csv (the mean of `lookups`, plus `sync_lookups` and
#     `enumeration_lookups` when present)
#     and manifest.xml (events="...").
# Prints the table's rows (markdown), then the range of the ratios
# estimate / measured of peak memory and of CPU.
#
#   tests/bench/estimate.sh [PATTERN...]   only the rows whose label holds a PATTERN
#   EXPOSIM=path/to/exposim tests/bench/estimate.sh
#
# `make bench-estimate` runs it.  It takes a few minutes of CPU and peaks at
# about 1 GiB (the address books at N = 5·10⁴, the 30-person scenario at
# rate 10⁵).
set -eu

EXPOSIM=${EXPOSIM:-bin/exposim}
TIME=/usr/bin/time
SCEN=${SCENARIOS:-scenarios}

if [ ! -x "$EXPOSIM" ]; then
    echo "estimate.sh: $EXPOSIM not found or not executable (build it with make)" >&2
    exit 2
fi
if [ ! -x "$TIME" ]; then
    echo "estimate.sh: $TIME not found (GNU time, Debian package time)" >&2
    exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/exposim-estimate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The 30-person, 10-day scenario of docs/reliability.md ("Rates without
# bound"), the one tests/models/check_hostile.c calls tiny.xml.
cat >"$tmp/tiny.xml" <<'EOF'
<?xml version="1.0"?>
<scenario name="tiny">
  <run seed="1" replications="2" horizon_days="10"/>
  <population size="30">
    <region name="a" weight="1" lat="52.5" lon="13.4" radius_km="10"/>
  </population>
  <contacts><erdos_renyi mean_degree="4"/></contacts>
  <traffic rate_per_day="0.1"/>
  <policy><retention days="5"/></policy>
  <adversary><bulk_snapshot period_days="5"/></adversary>
</scenario>
EOF

# label|scenario|options|counted lookups
# The last field is "-" where the `lookups` metric does not count what the
# estimate does: a group send is a record but not a lookup (groups), and
# the other services' lookups are not in the main service's `lookups`
# (services-fusion).
rows() {
    cat <<EOF
baseline|$SCEN/baseline.xml||
bulk-monthly|$SCEN/bulk-monthly.xml||
baseline, N = 10⁴|$SCEN/baseline.xml|--set population@size=10000|
baseline, N = 10⁵|$SCEN/baseline.xml|--set population@size=100000|
baseline, N = 10⁶|$SCEN/baseline.xml|--set population@size=1000000|
bulk-monthly, N = 10⁶|$SCEN/bulk-monthly.xml|--set population@size=1000000|
location-baseline (N = 2·10⁴)|$SCEN/location-baseline.xml||
location-baseline, N = 10⁵|$SCEN/location-baseline.xml|--set population@size=100000|
location-baseline, N = 3·10⁵|$SCEN/location-baseline.xml|--set population@size=300000|
address-books (N = 5000)|$SCEN/address-books.xml||
address-books, N = 5·10⁴|$SCEN/address-books.xml|--set population@size=50000|
enumeration|$SCEN/enumeration.xml||
groups|$SCEN/groups.xml||-
services-fusion|$SCEN/services-fusion.xml||-
changing-graph|$SCEN/changing-graph.xml||
stochastic_block, N = 10⁵ (degree 300, communities)|$SCEN/stochastic_block.xml|--set population@size=100000|
a 30-person scenario at rate 10⁵ (docs/reliability.md)|$tmp/tiny.xml|--set traffic@rate_per_day=100000|
EOF
}

# selected LABEL: true when no pattern was given or LABEL holds one
selected() {
    [ $# -eq 1 ] && return 0
    l=$1
    shift
    for p in "$@"; do
        case $l in *"$p"*) return 0 ;; esac
    done
    return 1
}

out="$tmp/rows"
: >"$out"
n=0
rows | while IFS='|' read -r label scenario opts nolookups; do
    selected "$label" "$@" || continue
    n=$((n + 1))
    # $opts is split on blanks on purpose: "--set PATH=VALUE" pairs
    # shellcheck disable=SC2086
    est=$("$EXPOSIM" validate "$scenario" --replications 1 $opts | grep '^estimate:') || {
        echo "estimate.sh: $label: bin/exposim validate $scenario $opts failed" >&2
        exit 1
    }
    dir="$tmp/run$n"
    # shellcheck disable=SC2086
    if ! "$TIME" -o "$tmp/time" -f "%M %U" \
            "$EXPOSIM" run "$scenario" -q --replications 1 -o "$dir" $opts >/dev/null; then
        echo "estimate.sh: $label: bin/exposim run $scenario $opts failed" >&2
        exit 1
    fi
    if [ -z "$nolookups" ]; then
        lookups=$(awk -F, '$1 == "\"lookups\"" || $1 == "\"sync_lookups\"" ||
                           $1 == "\"enumeration_lookups\"" { s += $2; seen = 1 }
                           END { if (seen) printf "%.0f", s }' "$dir/summary.csv")
    else
        lookups=
    fi
    events=$(sed -n 's/.* events="\([0-9]*\)".*/\1/p' "$dir/manifest.xml" | head -n 1)
    time=$(tail -n 1 "$tmp/time")
    rm -rf "$dir"
    printf '%s|%s|%s|%s|%s\n' "$label" "$est" "$lookups" "$events" "$time" >>"$out"
done

awk -F'|' '
function sci(s) { sub(/e\+0*/, "e", s); if (s !~ /\./) sub(/e/, ".0e", s); return s }
function commas(x,   s, r) {
    if (x == "") return "—"
    s = sprintf("%.0f", x); r = ""
    while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
    return s r
}
function tobytes(v, u) {
    return v * (u == "KiB" ? 1024 : u == "MiB" ? 1048576 : u == "GiB" ? 1073741824 : u == "TiB" ? 1099511627776 : 1)
}
function unitof(b,   i, u) {  # as sim/budget.c writes bytes
    split("B KiB MiB GiB TiB", u, " "); i = 1
    while (i < 5 && b >= 1024) { b /= 1024; i++ }
    VAL = sprintf(b < 10 && i > 1 ? "%.1f" : "%.0f", b); return u[i]
}
function secs(s) { return sprintf(s < 1 ? "%.2f" : s < 10 ? "%.1f" : "%.0f", s) }
function tosecs(v, u) { return v * (u == "min" ? 60 : u == "h" ? 3600 : u == "d" ? 86400 : 1) }
{
    split($2, e, " ")      # estimate: L lookups, E events, peak memory M U, C S of CPU ...
    elook = sci(e[2]); eev = sci(e[4])
    emem = e[8]; eunit = e[9]; sub(/,$/, "", eunit)
    ecpu = e[10]; ecu = e[11]
    split($5, t, " ")      # %M (KiB) %U (s)
    mu = unitof(t[1] * 1024); mv = VAL
    mem = (mu == eunit) ? emem " / " mv " " mu : emem " " eunit " / " mv " " mu
    cpu = (ecu == "s") ? ecpu " / " secs(t[2]) " s" : ecpu " " ecu " / " secs(t[2]) " s"
    printf "| %s | %s / %s | %s / %s | %s | %s |\n", $1, elook, commas($3), eev, commas($4), mem, cpu
    r = tobytes(emem, eunit) / (t[1] * 1024)
    if (NR == 1 || r < rmin) { rmin = r; lmin = $1 }
    if (NR == 1 || r > rmax) { rmax = r; lmax = $1 }
    if (t[2] > 0 && tosecs(ecpu, ecu) > 0) {   # an estimate of 0.0 s has no ratio
        c = tosecs(ecpu, ecu) / t[2]
        if (!cn++ || c < cmin) { cmin = c; cl = $1 }
        if (cn == 1 || c > cmax) { cmax = c; ch = $1 }
    }
}
END {
    if (NR == 0) exit
    printf "\npeak memory, estimate / measured: %+.0f%% (%s) to %+.0f%% (%s)\n", \
        100 * (rmin - 1), lmin, 100 * (rmax - 1), lmax
    if (cn)
        printf "CPU, estimate / measured: %.2f (%s) to %.2f (%s)\n", cmin, cl, cmax, ch
}' "$out"
