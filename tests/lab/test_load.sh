#!/usr/bin/env bash
# tests/lab/test_load.sh SCANTRACE: a sweep of the lab's whole answering /16
# (198.19.0.0/16, every address replies) with scantrace pinned to one core
# while a busy loop holds the other. Every host must be found up, OR the
# loss must be reported: run.json's capture.dropped or receive.dropped, and
# compare's report (capture-drop or missed-reply discrepancies, exit 1).
# Silent loss is the failure. Not a timing test: only what was seen counts.
# TAP; skipped without root or a second core.
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require jq tshark
[ "$(nproc)" -ge 2 ] || tap_skip "needs two cores (one busy, one scanning)"
busy=
lab_cleanup_more() { [ -n "$busy" ] && kill "$busy" 2>/dev/null; }
lab_start stload
block=$(scripts/lab addr sweep-block)
cores=$(taskset -pc $$ | awk -F': ' '{print $2}')
scan_core=$(cut -d, -f1 <<<"$cores" | cut -d- -f1)
busy_core=$(nproc --all)
for c in $(seq 0 $((busy_core - 1))); do [ "$c" != "$scan_core" ] && { busy_core=$c; break; }; done

# the other core busy for the whole sweep (bounded: it stops by itself)
timeout 600 taskset -c "$busy_core" bash -c 'while :; do :; done' &
busy=$!
taskset -c "$scan_core" ip netns exec "$ns" "$st" scan -PE -o "$tmp/run" "$block" \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
kill "$busy" 2>/dev/null
wait "$busy" 2>/dev/null
busy=
check "sweep under load: scan exits 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/err"
j=$tmp/run/run.json
total=$(jq '.hosts | length' "$j")
up=$(jq '[.hosts[] | select(.verdict == "up")] | length' "$j")
capdrop=$(jq '.capture.dropped' "$j")
rxdrop=$(jq '.receive.dropped' "$j")
echo "# $up of $total hosts up; capture dropped $capdrop, engine dropped $rxdrop"
check "every address of the block was scanned" test "$total" -eq 65536

"$st" compare -f json -o "$tmp/report.json" "$tmp/run" >/dev/null 2>"$tmp/cmp.err"
crc=$?
disc=$(jq '.summary.discrepancies' "$tmp/report.json")
missed=$(jq '.summary.causes["missed-reply"] // 0' "$tmp/report.json")
cdrop=$(jq '.capture.dropped // 0' "$tmp/report.json")
echo "# compare: exit $crc, $disc discrepancies ($missed missed replies), capture dropped $cdrop"
if [ "$up" -eq "$total" ]; then
  check "every host up: nothing lost" true
  check "compare: consistent, or only the capture's own reported drops" \
    test "$crc" -eq 0 -o "$cdrop" -gt 0
else
  check "hosts down in an all-answering block: the loss is in run.json" \
    test "$capdrop" -gt 0 -o "$rxdrop" -gt 0
  check "hosts down: compare reports the loss (exit 1, drops or missed replies)" \
    test "$crc" -eq 1 -a \( "$cdrop" -gt 0 -o "$missed" -gt 0 \)
fi
# a host that compare saw answer on the wire but scan calls down is a missed
# reply; each must be explained by a reported engine drop
check "missed replies only where the engine reported drops" test "$missed" -eq 0 -o "$rxdrop" -gt 0

# probes go to the kernel in batches, and a reply can be captured before the
# send call returns: no echo reply may be traced before its request
read -r paired early < <(awk '
  /^SENT .*Echo request/ { sent[$6] = substr($2, 2) + 0 }
  /^RCVD .*Echo reply/ { a = substr($4, 2); if (a in sent) { p++; if (substr($2, 2) + 0 < sent[a]) n++ } }
  END { print p + 0, n + 0 }' "$tmp/run/trace.log")
echo "# $paired echo replies paired with their request, $early of them traced before it"
check "every echo reply is traced at or after its request ($paired paired)" \
  test "$paired" -eq "$up" -a "$early" -eq 0

scripts/lab down --prefix "$P" >/dev/null 2>&1
check "no namespace of this test is left" bash -c "! ip netns list | grep -q '^$P'"
tap_done
