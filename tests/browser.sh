#!/bin/sh
# browser.sh — report.html in a real browser: every image loads and the
# page logs no error.
#
#   tests/browser.sh BIN        (make browser-check runs it; needs chromium,
#                                chromium-driver and curl: make browser-deps)
#
# Makes the reports of a run (with a metric NA everywhere), a two-parameter
# sweep (lines and heat maps) and a comparison of two runs, opens each in
# headless Chromium through chromedriver (WebDriver over HTTP, with curl),
# and fails when an <img> has not loaded (complete with a natural width)
# or the browser's log has an entry of level SEVERE (a console error, a
# resource that failed to load).  The run's report must show its
# legal-process timeline (figures/timeline.svg) among them.  A copy of the
# run's report with one figure removed must fail the same check, so the
# check itself is tested.
set -eu
bin=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/exposim-browser.XXXXXX")
port=$((9515 + $$ % 400))
driver=
cleanup() { [ -n "$driver" ] && kill "$driver" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "browser-check: $*" >&2; exit 1; }
for c in chromium chromedriver curl; do
  command -v $c >/dev/null || fail "$c is not installed (make browser-deps)"
done

# --- the reports ---
"$bin" run -q scenarios/baseline.xml -o "$work/run" --replications 3 --set population@size=400
"$bin" plot -q "$work/run" --pdf
"$bin" run -q scenarios/no-ip.xml -o "$work/noip" --replications 2 --set population@size=300
"$bin" plot -q "$work/noip"
cat > "$work/grid.xml" <<XML
<sweep name="grid" replications="2">
  <base file="$(pwd)/scenarios/baseline.xml"/>
  <grid>
    <parameter path="policy/retention@days"><values>7 30</values></parameter>
    <parameter path="adversary/bulk_snapshot@period_days"><values>30 60</values></parameter>
  </grid>
</sweep>
XML
"$bin" sweep -q "$work/grid.xml" -o "$work/sweep"
"$bin" plot -q "$work/sweep"
"$bin" run -q scenarios/baseline.xml -o "$work/r7" --replications 3 --set population@size=400 \
  --set policy/retention@days=7
"$bin" compare -q "$work/run" "$work/r7" -o "$work/compare"
grep -q '<img src="figures/timeline.svg"' "$work/run/report.html" || fail "the run's report lacks its timeline"
cp -r "$work/run" "$work/broken"
rm "$work/broken/figures/edge_recall.svg"

# --- the browser ---
chromedriver --port=$port >"$work/driver.log" 2>&1 &
driver=$!
i=0
until curl -sf "http://127.0.0.1:$port/status" | grep -q '"ready": *true'; do
  i=$((i + 1)); [ $i -lt 100 ] || fail "chromedriver did not start: $(cat "$work/driver.log")"; sleep 0.1
done
api() { curl -sf -X "$1" -H 'Content-Type: application/json' "http://127.0.0.1:$port$2" ${3:+--data "$3"}; }
caps='{"capabilities":{"alwaysMatch":{"browserName":"chrome","goog:loggingPrefs":{"browser":"ALL"},
  "goog:chromeOptions":{"binary":"'"$(command -v chromium)"'","args":["--headless=new","--no-sandbox",
  "--disable-gpu","--disable-dev-shm-usage"]}}}}'
session=$(api POST /session "$caps" | sed -n 's/.*"sessionId": *"\([^"]*\)".*/\1/p')
[ -n "$session" ] || fail "no browser session: $(cat "$work/driver.log" | tail -5)"

# check DIR: "ok N" (N images) or the reasons
check() {
  api POST "/session/$session/url" '{"url":"file://'"$1"'/report.html"}' >/dev/null || { echo "cannot open"; return; }
  imgs=$(api POST "/session/$session/execute/sync" '{"script":"var b = Array.from(document.images).filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).map(function (i) { return i.getAttribute(\"src\"); }); return document.images.length + \" \" + b.join(\" \");","args":[]}' \
         | sed -n 's/.*"value": *"\([^"]*\)".*/\1/p')
  log=$(api POST "/session/$session/se/log" '{"type":"browser"}' | tr '{' '\n' | grep '"SEVERE"' || true)
  n=${imgs%% *}
  broken=${imgs#"$n"}
  if [ -z "$n" ] || [ "$n" = 0 ]; then echo "no images"
  elif [ -n "$(echo "$broken" | tr -d ' ')" ] || [ -n "$log" ]; then echo "broken:$broken log: $log"
  else echo "ok $n"; fi
}
for d in run noip sweep compare; do
  r=$(check "$work/$d")
  case $r in ok*) echo "browser-check: $d/report.html: ${r#ok } images, no error" ;;
             *) fail "$d/report.html: $r" ;; esac
done
r=$(check "$work/broken")
case $r in ok*) fail "a report with a missing figure passed the check" ;;
           *) echo "browser-check: a report with a missing figure fails the check, as it must" ;; esac
api DELETE "/session/$session" >/dev/null || true
