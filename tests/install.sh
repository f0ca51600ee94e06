#!/bin/sh
# install.sh — make install into a scratch DESTDIR, use what it installed,
# make uninstall, and nothing may be left.
#
#   tests/install.sh MAKE       (make check-install runs it)
#
# Checked: the program runs and validates an installed scenario that reads
# an installed data file; both man pages are there and name themselves;
# the bash completion completes a command and a --set path from the
# schema; the docs are there; after uninstall no file remains.
set -eu
make=$1
dest=$(mktemp -d "${TMPDIR:-/tmp}/exposim-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "check-install: $*" >&2; exit 1; }

$make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >/dev/null
p=$dest/usr
for f in bin/exposim share/man/man1/exposim.1 share/man/man5/exposim-scenario.5 \
         share/bash-completion/completions/exposim share/exposim/scenarios/baseline.xml \
         share/exposim/scenarios/scenario.xsd share/exposim/scenarios/sweep.xsd \
         share/exposim/scenarios/data/karate-club/karate_edges.txt share/doc/exposim/README.md \
         share/doc/exposim/metrics.md; do
  [ -f "$p/$f" ] || fail "make install did not install $f"
done
"$p/bin/exposim" validate "$p/share/exposim/scenarios/karate_import.xml" >/dev/null \
  || fail "the installed program does not validate an installed scenario"
"$p/bin/exposim" --version | grep -q '^exposim ' || fail "the installed program has no --version"
grep -q '^\.TH EXPOSIM 1 ' "$p/share/man/man1/exposim.1" || fail "exposim.1 is not a man page"
grep -q '^\.TH EXPOSIM-SCENARIO 5 ' "$p/share/man/man5/exposim-scenario.5" || fail "exposim-scenario.5 is not a man page"
if command -v bash >/dev/null; then
  comp=$p/share/bash-completion/completions/exposim
  got=$(bash -c '. "$1"; COMP_WORDS=(exposim ru); COMP_CWORD=1; _exposim; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp")
  [ "$got" = run ] || fail "completion of 'exposim ru' gave '$got'"
  got=$(bash -c '. "$1"; COMP_WORDS=(exposim run x.xml --set policy/ret); COMP_CWORD=4; _exposim;
                 printf "%s\n" "${COMPREPLY[@]}"' _ "$comp")
  echo "$got" | grep -qx 'policy/retention@days=' || fail "completion of --set policy/ret gave '$got'"
  got=$(bash -c '. "$1"; COMP_WORDS=(exposim plot dir --d); COMP_CWORD=3; _exposim; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$comp")
  [ "$got" = --dpi ] || fail "completion of 'exposim plot dir --d' gave '$got'"
fi
$make --no-print-directory uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null
left=$(find "$dest" -type f | head -5)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "check-install: make install and make uninstall (DESTDIR, PREFIX) leave what they should"
