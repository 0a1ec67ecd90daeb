#!/usr/bin/env bash
# scantrace report (the self-contained HTML page, rendered in a real headless
# Chromium and looked at) and scantrace explain, on recorded runs.
# usage: tests/report/test_report.sh SCANTRACE SOURCE_ROOT [ST_GENCAP]     (TAP)
set -uo pipefail

gencap=${3:+$(realpath "$3")} # before in_tree.sh goes to the source tree
# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"

# shot HTML PNG: Chromium as the project installs it, headless, no network
shot() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --hide-scrollbars --window-size=1000,1400 \
    --screenshot="$2" "file://$(realpath "$1")" >/dev/null 2>&1
}
# drawn PNG: the page shows a ladder: ink, and arrows of each colour asked for
drawn() {
  local png=$1
  shift
  python3 tests/tools/png_stats.py "$png" >"$tmp/stats" || return 1
  awk '$1 == "nonwhite" && $2 < 0.02 { bad = 1 } END { exit bad }' "$tmp/stats" || return 1
  local c
  for c in "$@"; do
    awk -v c="$c" '$1 == "colour" && $2 == c && $3 < 100 { bad = 1 } END { exit bad }' \
      "$tmp/stats" || { echo "# no $c arrows"; return 1; }
  done
}

not_drawn() { ! drawn "$@" >/dev/null; }
# dom HTML[#FRAGMENT] OUT: the page as Chromium has it once its script ran (the
# script itself left out: its text has the markup it writes)
dom() {
  local page=${1%%#*} frag=
  [[ $1 == *#* ]] && frag=#${1#*#}
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --dump-dom "file://$(realpath "$page")$frag" 2>/dev/null |
    sed '/^<script>$/,/^<\/script>/d' >"$2"
}
# count PATTERN FILE: how many times the fixed string PATTERN is in FILE
count() { grep -oF -- "$1" "$2" | wc -l; }
# the ladder data of a page: one line per ladder (host, verdict, number of packets)
ladders() { grep -o '"h":"[^"]*","peer":"[^"]*","v":"[a-z]*"' "$1"; }

run=$fx/send-ip-absent
"$st" report -o "$tmp/r.html" "$run"
check "report: exit 0 and a page" test $? -eq 0 -a -s "$tmp/r.html"
check "report: self-contained (inline script only, no link, no remote resource)" \
  bash -c "! grep -Eiq '<script[^>]*src|<link|@import|src=|href=\"(https?:)?//|url\\((https?:)?//' '$tmp/r.html'"
check "report: its script and data are inline" \
  test "$(count '<script>' "$tmp/r.html")" -eq 1 -a "$(count '<script type="application/json" id="st-data">' "$tmp/r.html")" -eq 1
hosts=$(jq '[.modes[].hosts[]] | length' "$run/expected-report.json")
check "report: the data has a ladder per mode and host ($hosts)" test "$(ladders "$tmp/r.html" | wc -l)" -eq "$hosts"
if command -v chromium >/dev/null && command -v python3 >/dev/null; then
  dom "$tmp/r.html" "$tmp/r.dom"
  check "report: drawn, a ladder per mode and host ($hosts)" \
    test "$(count '<details class="host"' "$tmp/r.dom")" -eq "$hosts" -a "$(count '<svg class="ladder"' "$tmp/r.dom")" -ge "$hosts"
  check "report: the summary table has every host" test "$(count '<tr><td>' "$tmp/r.dom")" -eq "$hosts"
  shot "$tmp/r.html" "$tmp/r.png"
  check "chromium renders the page" test -s "$tmp/r.png"
  # traced-but-never-sent probes are red, the kernel's ARP purple, matched ones dark
  check "the screenshot shows the ladders (matched, trace-only, kernel arrows)" \
    drawn "$tmp/r.png" matched traceonly kernel
  "$st" report -o "$tmp/late.html" "$fx/send-ip-local"
  shot "$tmp/late.html" "$tmp/late.png"
  check "the screenshot of another run shows late replies in grey" drawn "$tmp/late.png" matched late
  # the checks fail on an empty or broken page
  printf '<!DOCTYPE html><html><body></body></html>' >"$tmp/empty.html"
  shot "$tmp/empty.html" "$tmp/empty.png"
  check "an empty page fails the screenshot check" not_drawn "$tmp/empty.png" matched
  head -c 3000 "$tmp/r.html" >"$tmp/broken.html"
  shot "$tmp/broken.html" "$tmp/broken.png"
  check "a page cut before its ladders fails it" not_drawn "$tmp/broken.png" matched traceonly kernel

  # ---- the page's parts, as drawn (default-routed: 2 hosts up, 2 down after a 1 s retry,
  # the gateway's ARP about no single host) ------------------------------------------
  page=$tmp/routed.html
  "$st" report -o "$page" "$fx/default-routed"
  dom "$page" "$tmp/routed.dom"
  # the drawn section about no single host
  sed -n '/id="st-nosingle"/,/<\/section>/p' "$tmp/routed.dom" >"$tmp/ns.dom"
  check "page: the scanner's address on every lifeline (4 hosts + 1)" \
    test "$(count 'scanner-addr" x="170" y="34">198.18.2.1<' "$tmp/routed.dom")" -eq 5
  check "page: a ladder of the packets about no single host" \
    test "$(count '<svg class="ladder"' "$tmp/ns.dom")" -eq 1
  check "page: it has the kernel's ARP for the gateway and the gateway's reply" \
    bash -c "grep -qF 'ARP who-has 198.18.2.254 tell 198.18.2.1' '$tmp/ns.dom' && grep -qF 'ARP reply 198.18.2.254 is-at' '$tmp/ns.dom'"
  check "page: the ARP who-has drawn as a broadcast, the reply not" \
    test "$(count '<g class="kernel bcast">' "$tmp/ns.dom")" -eq 1 -a "$(count 'bcast' "$tmp/ns.dom")" -eq 1
  check "page: the 1 s wait before the retry is a gap with its length (one per down host)" \
    test "$(count '1.099 s with nothing on the wire' "$tmp/routed.dom")" -eq 2
  check "page: the deciding reply highlighted, once per host up" \
    test "$(count ' deciding">' "$tmp/routed.dom")" -eq 2
  check "page: the highlight says what it decided" grep -qF 'decided: up (echo-reply)' "$tmp/routed.dom"
  "$st" report -o "$tmp/local.html" "$fx/default-local"
  dom "$tmp/local.html" "$tmp/local.dom"
  check "page: ARP ping probes drawn as broadcasts (one per who-has)" \
    test "$(count '<g class="matched bcast">' "$tmp/local.dom")" -eq "$(grep -c 'SENT.*ARP who-has' "$fx/default-local/trace.log")"
  # the filter, offline, from the page's #fragment as from its inputs
  # filtered FRAGMENT: how many hosts the page shows under that filter
  filtered() {
    dom "$page#$1" "$tmp/f.dom"
    test "$(count '<details class="host"' "$tmp/f.dom")" -eq "$(count '<tr><td>' "$tmp/f.dom")" &&
      count '<details class="host"' "$tmp/f.dom"
  }
  check "filter: an address" test "$(filtered addr=198.18.3.9)" = 1
  check "filter: the start of an address" test "$(filtered addr=198.18.3.)" = 4
  check "filter: a verdict" test "$(filtered verdict=up)" = 2
  check "filter: a cause" test "$(filtered cause=os-rst)" = 1
  check "filter: a mode and a verdict" test "$(filtered 'mode=default&verdict=down')" = 2
  check "filter: nothing matches" test "$(filtered addr=10.)" = 0
  # without its script the page shows no ladder, and says why
  sed '/^<script>$/,/^<\/script>$/d' "$page" >"$tmp/noscript.html"
  dom "$tmp/noscript.html" "$tmp/noscript.dom"
  check "page without its script: no ladder (the checks above can fail)" \
    test "$(count '<svg class="ladder"' "$tmp/noscript.dom")" -eq 0
  check "page without its script: it says so" grep -qF 'allow JavaScript' "$tmp/noscript.dom"
  # thousands of hosts: the table and a closed block per host, ladders drawn on demand
  if [ -n "$gencap" ]; then
    mkdir "$tmp/big"
    "$gencap" 8100 "$tmp/big" >/dev/null
    "$st" report -o "$tmp/big.html" "$tmp/big"
    nbig=$(ladders "$tmp/big.html" | wc -l)
    dom "$tmp/big.html" "$tmp/big.dom"
    check "a /22 ($nbig hosts): every host listed" \
      test "$nbig" -gt 1000 -a "$(count '<details class="host"' "$tmp/big.dom")" -eq "$nbig"
    check "a /22: no ladder drawn before it is asked for" \
      test "$(count '<svg class="ladder"' "$tmp/big.dom")" -le 1
    dom "$tmp/big.html#addr=10.0.0.7" "$tmp/big1.dom"
    check "a /22 filtered to one host: its ladder drawn" \
      test "$(count '<svg class="ladder"' "$tmp/big1.dom")" -ge 1 -a "$(count '<details class="host"' "$tmp/big1.dom")" -eq 1
  fi
else
  echo "# chromium or python3 missing: run scripts/deps"
  check "chromium is installed (scripts/deps)" false
fi

"$st" report -f json "$fx/default-routed" >"$tmp/r.json"
"$st" compare --no-write -f json "$fx/default-routed" >"$tmp/c.json"
check "report -f json is compare's report" cmp -s "$tmp/r.json" "$tmp/c.json"
"$st" report -f markdown "$fx/PE/trace.log" "$fx/PE/capture.pcapng" >"$tmp/r.md"
check "report TRACE CAPTURE, markdown" grep -q '^| host | verdict' "$tmp/r.md"
"$st" report -f yaml "$fx/PE" >/dev/null 2>"$tmp/err"
check "report: unknown format, exit 2" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
"$st" report "$tmp/nothere" >/dev/null 2>"$tmp/err"
check "report: no such run, exit 2" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1

# ---- one table of formats: every name through both commands -----------------------
# format:what its page has (an ERE)
formats=("text:^  result " "json:\"scantrace_report\": ?1," "junit:<testsuites" \
  "markdown:^\\| host \\| verdict" "md:^\\| host \\| verdict" "html:<svg class=\"ladder\"" \
  "explain:^  Why up: ")
run=$fx/default-routed
for fw in "${formats[@]}"; do
  f=${fw%%:*}
  "$st" compare --no-write -f "$f" -o "$tmp/c.$f" "$run" 2>"$tmp/err"
  check "compare -f $f: exit 0, no message" test $? -eq 0 -a ! -s "$tmp/err"
  "$st" report -f "$f" -o "$tmp/r.$f" "$run" 2>"$tmp/err"
  check "report -f $f: exit 0, no message" test $? -eq 0 -a ! -s "$tmp/err"
  check "-f $f: the $f page" grep -qE -- "${fw#*:}" "$tmp/r.$f"
  check "-f $f: compare and report write the same bytes" cmp -s "$tmp/c.$f" "$tmp/r.$f"
done
check "md is markdown" cmp -s "$tmp/r.md" "$tmp/r.markdown"
# JUnit feeds CI by its exit status: report -f junit fails exactly as compare does, for a
# claim the wire contradicts (a host nmap's output says up that never answered, added to
# its report here) and for an interrupted run (its run.json says so), not only for
# discrepancies
mkdir -p "$tmp/cl" "$tmp/int"
cp "$run/capture.pcapng" "$tmp/cl/"
awk '/^Nmap done/ { print "Nmap scan report for 198.18.3.9"; print "Host is up (0.00010s latency)." } { print }' \
  "$run/trace.log" >"$tmp/cl/trace.log"
sd=fixtures/scantrace/default
cp "$sd/capture.pcapng" "$sd/trace.log" "$tmp/int/"
jq '.status = "interrupted"' "$sd/run.json" >"$tmp/int/run.json"
for d in cl int; do
  "$st" compare --no-write "$tmp/$d" >/dev/null 2>&1
  want=$?
  "$st" report -f junit -o "$tmp/$d.junit" "$tmp/$d" 2>/dev/null
  check "report -f junit exits as compare does ($d: $want), 1" test "$? $want" = "1 1"
done
# "-o -" is standard output, as other tools read it: no file named "-"
(cd "$tmp" && "$st" report -f junit -o - "$OLDPWD/$run" >"$tmp/dash.junit")
check "report -o -: the page on standard output, no file named -" \
  test ! -e "$tmp/-" -a -s "$tmp/dash.junit"
check "... the same bytes as -o FILE" cmp -s "$tmp/dash.junit" "$tmp/r.junit"
"$st" explain "$run" >"$tmp/x.txt"
check "explain is report -f explain" cmp -s "$tmp/x.txt" "$tmp/r.explain"
"$st" report "$run" >"$tmp/default"
check "report: html by default" cmp -s "$tmp/default" "$tmp/r.html"
"$st" compare --no-write "$run" >"$tmp/default"
check "compare: text by default" cmp -s "$tmp/default" "$tmp/r.text"
for c in compare report; do
  "$st" "$c" -f yaml "$run" >/dev/null 2>"$tmp/err"
  check "$c: an unknown format lists the same names" \
    grep -qx "scantrace $c: --format: text, json, junit, markdown, html or explain, not 'yaml'" "$tmp/err"
done

# ---- a write that fails midway leaves nothing half-written --------------------------
# past the file size limit (ulimit -f 4: 4 KiB, the page is bigger): with SIGXFSZ
# ignored the write fails (exit 3, one line naming the file); with it, the signal
# kills the command, but only once the temporary file is gone
# cut ignore|signal CMD...: CMD under the limit, SIGXFSZ ignored or not; sets rc
cut() {
  local trap_xfsz=$1
  shift
  { (
    [ "$trap_xfsz" = ignore ] && trap '' XFSZ
    ulimit -f 4
    export TMPDIR=$tmp/wsd # where the private Wireshark directory goes
    exec "$@"
  ) >/dev/null 2>"$tmp/err"; } 2>/dev/null # not the shell's "File size limit exceeded"
  rc=$?
}
left() { find "$tmp/w" "$tmp/wsd" -mindepth 1 -printf '%f ' -quit; }
mkdir -p "$tmp/wsd"
for c in "compare --no-write" report; do
  rm -rf "$tmp/w" && mkdir "$tmp/w"
  # shellcheck disable=SC2086 # $c is the command and its option
  cut ignore "$st" $c -f html -o "$tmp/w/r.html" "$run"
  check "$c: write fails midway: exit 3, one line naming the file" \
    test "$rc" -eq 3 -a "$(grep -c 'r.html: File too large' "$tmp/err")" -eq 1
  check "$c: write fails midway: nothing left ($(left))" test -z "$(left)"
  echo earlier >"$tmp/w/r.html"
  # shellcheck disable=SC2086
  cut ignore "$st" $c -f html -o "$tmp/w/r.html" "$run"
  check "$c: write fails midway: the earlier file kept, no temporary" \
    test "$rc" -eq 3 -a "$(cat "$tmp/w/r.html")" = earlier -a "$(find "$tmp/w" -type f | wc -l)" -eq 1
  rm -f "$tmp/w/r.html"
  # shellcheck disable=SC2086
  cut signal "$st" $c -f html -o "$tmp/w/r.html" "$run"
  check "$c: killed by SIGXFSZ while writing: nothing left ($(left))" \
    test "$rc" -eq $((128 + $(kill -l XFSZ))) -a -z "$(left)"
done

"$st" explain "$fx/default-routed" >"$tmp/x.txt"
check "explain: exit 0" test $? -eq 0
check "explain: a paragraph per host" test "$(grep -cE '^198\.18\.[0-9.]+ \(mode ' "$tmp/x.txt")" -eq 4
check "explain: why a host is up" grep -q 'Why up: it answered an ICMP echo request' "$tmp/x.txt"
check "explain: why a host is down" grep -q 'Why down: nothing came back' "$tmp/x.txt"
check "explain: the kernel's RST" grep -q 'your kernel answered the SYN/ACK with a RST' "$tmp/x.txt"
check "explain: the kernel's ARP for the gateway" grep -q 'ARP who-has 198.18.2.254' "$tmp/x.txt"
"$st" explain "$fx/send-ip-absent" >"$tmp/y.txt"
check "explain: probes the kernel dropped (no ARP answer)" grep -q 'never reached the wire' "$tmp/y.txt"
check "explain: a host none of whose probes left is not 'silent'" \
  grep -q 'Why down: none of its probes reached the wire (below), so nothing could come back' "$tmp/y.txt"
"$st" explain "$fx/unprivileged" >"$tmp/z.txt"
check "explain: connect() pings" grep -q "connect() was refused" "$tmp/z.txt"
"$st" explain >/dev/null 2>&1
check "explain without a run: exit 2" test $? -eq 2

# ---- explain is right about every host of every fixture ----------------------------
# From report.json (compare's, not explain's, view): per mode and host how many
# packets came back (traced replies, and wire-only frames towards the scanner).
# explain must never say "nothing came back" of a host something came back to,
# and must say it (or that nothing could: no probe left) of a host down with
# no-response and nothing back.
# paragraph FILE HOST MODE: explain's paragraph about HOST in MODE
paragraph() {
  awk -v h="$2 (mode $3): " 'index($0, h) == 1 { on = 1 } on && /^$/ { exit } on' "$1"
}
wrong=
for run in fixtures/*/*; do
  "$st" explain "$run" >"$tmp/ex.txt" 2>/dev/null || { wrong+=" $run(exit)"; continue; }
  while IFS=$'\t' read -r host mode back verdict reason; do
    p=$(paragraph "$tmp/ex.txt" "$host" "$mode")
    [ -n "$p" ] || { wrong+=" $run:$host(no paragraph)"; continue; }
    if [ "$back" -gt 0 ] && grep -q 'nothing came back' <<<"$p"; then
      wrong+=" $run:$host"
    elif [ "$back" -eq 0 ] && [ "$verdict:$reason" = down:no-response ] &&
      ! grep -qE 'nothing (came|could come) back' <<<"$p"; then
      wrong+=" $run:$host(silent)"
    fi
  done < <(jq -r '.modes[] | .mode as $m | .hosts[] | [.host, $m,
      ((.replies | length) + ([.wire_only[] | select(.dir == "rcvd")] | length)),
      .verdict, .reason] | @tsv' "$run/expected-report.json")
done
check "explain: 'nothing came back' only when nothing did, in every fixture${wrong:+ (wrong:$wrong)}" \
  test -z "$wrong"
"$st" explain "$fx/PE" >"$tmp/pe.txt"
check "explain: a down host with late answers says they came back" \
  grep -q 'Why down: no answer that counts came back in time: 2 packets about it did come back' "$tmp/pe.txt"
check "explain: the router's ICMP errors are the router's" \
  grep -q 'unreachable (frame 17): sent by the router 198.18.2.254, not by the host' "$tmp/pe.txt"
check "explain: the ARP for the gateway is the kernel's, asking for the router" \
  grep -q 'who-has 198.18.2.254 tell 198.18.2.1 (frame 1): your kernel asked for the MAC address of the router 198.18.2.254' "$tmp/x.txt"
check "explain: the gateway's ARP reply is the router's, not the kernel's" \
  grep -q 'is-at .* (frame 2): the router 198.18.2.254 answered your kernel.s ARP' "$tmp/x.txt"
check "explain: nothing the router sent is called the kernel's doing" \
  bash -c "! grep -E 'router .*kernel did on its own' '$tmp/x.txt'"
"$st" explain "$fx/PE-own" >"$tmp/own.txt"
check "explain: the scanner's own addresses are up through loopback, on no wire" \
  test "$(grep -c 'Why up: it is the scanning machine.s own address' "$tmp/own.txt")" -eq 3
"$st" explain "$fx/send-ip-local" >"$tmp/l.txt"
check "explain: on the local segment the host answers the ARP" \
  grep -q 'ARP reply (frame 5): the host answered your kernel.s ARP' "$tmp/l.txt"

# ---- explain --host -----------------------------------------------------------------
"$st" explain --host 198.18.3.4 "$fx/default-routed" >"$tmp/h.txt"
check "explain --host: exit 0" test $? -eq 0
check "explain --host: only that host" \
  test "$(grep -cE '^198\.18\.[0-9.]+ \(mode ' "$tmp/h.txt")" -eq 1 -a "$(grep -c '^198.18.3.4 (mode' "$tmp/h.txt")" -eq 1
check "explain --host: its paragraph is the one of the whole account" \
  test "$(paragraph "$tmp/h.txt" 198.18.3.4 default)" = "$(paragraph "$tmp/x.txt" 198.18.3.4 default)"
check "explain --host: no packets about no single host" bash -c "! grep -q 'About no single host' '$tmp/h.txt'"
"$st" explain --host 198.18.3.2 --host 198.18.3.9 "$fx/default-routed" >"$tmp/h2.txt"
check "explain --host twice: both hosts" test "$(grep -cE '^198\.18\.3\.(2|9) \(mode ' "$tmp/h2.txt")" -eq 2
"$st" explain --host 198.18.7.7 "$fx/default-routed" >"$tmp/out" 2>"$tmp/err"
check "explain --host of a host the run does not have: exit 2, one line, nothing told" \
  test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1 -a ! -s "$tmp/out"
"$st" explain --host nonsense "$fx/default-routed" >/dev/null 2>"$tmp/err"
check "explain --host nonsense: exit 2, one line" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1

tap_done
