#!/usr/bin/env bash
# tests/lab/test_memcheck_scan.sh SCANTRACE: a whole privileged scan (capture
# thread, event engine, privilege drop; ARP, routed and silent hosts) under
# valgrind's memcheck, in a private lab: no memcheck error, no definite leak,
# a complete run. Runs under `meson test --setup valgrind` (the memcheck
# command in $SCANTRACE_MEMCHECK). TAP; skipped without root or the setup.
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require jq
needs_memcheck
lab_start stmc
a() { scripts/lab addr "$1" --prefix "$P"; }

ip netns exec "$ns" "${memcheck[@]}" "$st" scan -o "$tmp/vg" "$(a routed-up)" "$(a l2-up)" \
  "$(a routed-drop)" >/dev/null 2>"$tmp/vg.err"
rc=$?
check "valgrind scan: no memcheck error (exit $rc)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || head -30 "$tmp/vg.err" | sed 's/^/# /'
check "valgrind scan: the run is complete" quiet jq -e '.status == "done"' "$tmp/vg/run.json"
tap_done
