#!/usr/bin/env bash
# scantrace compare on real recordings: golden reports, fault injection
# (frames deleted with editcap, lines deleted from the trace: the report must
# name exactly those), the report formats, run directories, and bad input.
# usage: tests/compare/test_compare.sh SCANTRACE SOURCE_ROOT      (TAP-like)
set -uo pipefail

st=$(realpath "$1")
cd "$2" || exit 1
fx=fixtures/nmap-7.93
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=tests/tap.sh
. tests/tap.sh
jqt() { jq -e "$@" >/dev/null; }

# ---- golden reports: every fixture, byte for byte ---------------------------
for d in "$fx"/*/ fixtures/scantrace/*/; do
  d=${d%/}
  name=$(basename "$d")
  [ -f "$d/expected-report.json" ] || { check "$name has an expected report" false; continue; }
  "$st" compare --no-write -f json "$d" >"$tmp/got.json"
  rc=$?
  want_rc=0
  [ "$(jq '.summary.discrepancies' "$d/expected-report.json")" -gt 0 ] && want_rc=1
  check "golden $name: exit $want_rc" test "$rc" -eq "$want_rc"
  if ! diff -u "$d/expected-report.json" "$tmp/got.json" >"$tmp/diff"; then
    head -20 "$tmp/diff" | sed 's/^/# /'
    check "golden $name: report equals expected-report.json" false
  else
    check "golden $name: report equals expected-report.json" true
  fi
done

# every trace packet line exactly once, every frame at most once
for d in "$fx"/default-routed "$fx"/send-ip-local "$fx"/PE; do
  "$st" compare --no-write -f json "$d" >"$tmp/r.json"
  lines=$(grep -cE '^(SENT|RCVD) ' "$d/trace.log")
  check "$(basename "$d"): each trace line once" \
    test "$(jq '[.packets[] | select(.line) | .line] | unique | length' "$tmp/r.json")" -eq "$lines" -a \
    "$(jq '[.packets[] | select(.line)] | length' "$tmp/r.json")" -eq "$lines"
  check "$(basename "$d"): each frame at most once" \
    test "$(jq '[.packets[] | select(.frame) | .frame] | (length == (unique | length))' "$tmp/r.json")" = true
done

# ---- fault injection ---------------------------------------------------------
# Delete the frames of some matched packets: exactly those lines turn trace_only.
inject_frames() { # DIR LINE...: delete the frames matched to these trace lines
  local d=$1
  shift
  "$st" compare --no-write -f json "$d" >"$tmp/base.json"
  local frames=() l
  for l in "$@"; do
    frames+=("$(jq ".packets[] | select(.line == $l) | .frame" "$tmp/base.json")")
  done
  editcap "$d/capture.pcapng" "$tmp/cut.pcapng" "${frames[@]}" >/dev/null 2>&1
  "$st" compare --no-write -f json "$d/trace.log" "$tmp/cut.pcapng" >"$tmp/cut.json"
  echo $? >"$tmp/cut.rc"
  local want got
  want=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
  got=$(jq -r '.packets[] | select(.status == "trace_only") | .line' "$tmp/cut.json" | sort -n | tr '\n' ' ')
  [ "$want" = "$got" ] || { echo "# trace_only lines: want [$want] got [$got]"; return 1; }
  # nothing else changed: the other wire-only frames are the baseline's
  [ "$(jq '.summary.wire_only' "$tmp/cut.json")" = "$(jq '.summary.wire_only' "$tmp/base.json")" ]
}

check "faults: 3 probe frames deleted (default-routed) -> exactly those lines trace_only" \
  inject_frames "$fx/default-routed" 2 9 23
check "faults: exit 1 when frames are missing" test "$(cat "$tmp/cut.rc")" -eq 1
check "faults: a reply frame deleted (PP) -> that line trace_only" inject_frames "$fx/PP" \
  "$(grep -n '^RCVD' "$fx/PP/trace.log" | head -1 | cut -d: -f1)"
check "faults: ARP frames deleted (default-local)" inject_frames "$fx/default-local" 2 3

# Delete lines from the trace: exactly their frames turn wire_only (unknown cause).
inject_lines() { # DIR LINE...
  local d=$1
  shift
  "$st" compare --no-write -f json "$d" >"$tmp/base.json"
  local expr="" l frames=()
  for l in "$@"; do
    expr+="${l}d;"
    frames+=("$(jq ".packets[] | select(.line == $l) | .frame" "$tmp/base.json")")
  done
  sed "$expr" "$d/trace.log" >"$tmp/cut.log"
  "$st" compare --no-write -f json "$tmp/cut.log" "$d/capture.pcapng" >"$tmp/cut.json"
  echo $? >"$tmp/cut.rc"
  local want got
  want=$( (printf '%s\n' "${frames[@]}"; jq -r '.packets[] | select(.status == "wire_only") | .frame' "$tmp/base.json") | sort -n | tr '\n' ' ')
  got=$(jq -r '.packets[] | select(.status == "wire_only") | .frame' "$tmp/cut.json" | sort -n | tr '\n' ' ')
  [ "$want" = "$got" ] || { echo "# wire_only frames: want [$want] got [$got]"; return 1; }
  [ "$(jq '.summary.trace_only' "$tmp/cut.json")" = 0 ]
}

check "faults: 2 SENT lines deleted (default-routed) -> exactly their frames wire_only" \
  inject_lines "$fx/default-routed" 3 7
check "faults: deleted probe lines are discrepancies (exit 1)" test "$(cat "$tmp/cut.rc")" -eq 1
check "faults: a RCVD line deleted (PE) -> its frame wire_only" inject_lines "$fx/PE" \
  "$(grep -n '^RCVD' "$fx/PE/trace.log" | head -1 | cut -d: -f1)"
"$st" compare --no-write -f json "$tmp/cut.log" "$fx/PE/capture.pcapng" >"$tmp/cut.json"
check "faults: an untraced reply of an up host is a missed-reply" \
  test "$(jq -r '[.packets[] | select(.status == "wire_only" and .proto == "icmp" and (.text | test("Echo reply")))][0].cause' "$tmp/cut.json")" = missed-reply

# ---- formats -----------------------------------------------------------------
d=$fx/send-ip-local
"$st" compare --no-write -f junit "$d" >"$tmp/r.xml"
check "junit: well-formed XML" xmllint --noout "$tmp/r.xml"
check "junit: a testcase per mode x host" test "$(grep -c '<testcase classname="-PE' "$tmp/r.xml")" -eq 2
inject_frames "$fx/default-routed" 2 >/dev/null
"$st" compare --no-write -f junit "$fx/default-routed/trace.log" "$tmp/cut.pcapng" >"$tmp/f.xml"
check "junit: a failure for a missing probe frame, on its host" \
  grep -q 'failure type="trace_only" message="line 2: ' "$tmp/f.xml"
"$st" compare --no-write -f markdown "$d" >"$tmp/r.md"
check "markdown: a table per mode" grep -q '^| host | verdict | reason |' "$tmp/r.md"
"$st" compare --no-write "$d" >"$tmp/r.txt"
check "text: no colour when not a terminal" bash -c "! grep -q $'\033' '$tmp/r.txt'"
check "text: result line" grep -q 'result   10 matched, 0 trace-only, 9 wire-only' "$tmp/r.txt"
"$st" compare --no-write -o "$tmp/out.json" -f json "$d"
check "-o writes the report to a file" jqt '.scantrace_report == 1' "$tmp/out.json"

# ---- run directories ----------------------------------------------------------
run=$tmp/run
cp -r "$fx/default-routed" "$run"
rm -f "$run/expected-report.json"
"$st" compare "$run" >/dev/null
check "RUNDIR: report.json written" jqt '.summary.matched == 25' "$run/report.json"
echo '{"capture": {"received": 28, "dropped": 5}}' >"$run/run.json"
"$st" compare -f json "$run" >"$tmp/drop.json"
check "RUNDIR: capture drops from run.json make a discrepancy" test $? -eq 1
check "RUNDIR: drops reported" jqt '.capture.dropped == 5' "$tmp/drop.json"
# ---- bad input: tests/bad_input/cases.tsv (empty, binary, missing, truncated,
# pcap, frameless captures, CRLF, no tshark, tshark killed, bad run.json...)
c=$fx/default-routed/capture.pcapng
t=$fx/default-routed/trace.log
awk '{print} NR % 3 == 0 {print "NSOCK INFO [0.0340s] nsock_iod_new2(): nsock_iod_new (IOD #1)"}' "$t" >"$tmp/nsock.log"
"$st" compare --no-write -f json "$tmp/nsock.log" "$c" >"$tmp/nsock.json"
check "NSOCK lines (stderr merged) are skipped" \
  test $? -eq 0 -a "$(jq .summary.matched "$tmp/nsock.json")" -eq 25 -a "$(jq '.trace.warnings | length' "$tmp/nsock.json")" -eq 0
sed '5s/id=/ident=/' "$t" >"$tmp/bad-line.log"
"$st" compare --no-write -f json "$tmp/bad-line.log" "$c" >"$tmp/bl.json"
check "a malformed trace line is a warning with its line number, exit 1" \
  test $? -eq 1 -a "$(jq '.trace.warnings[0].line' "$tmp/bl.json")" -eq 5

tap_done
