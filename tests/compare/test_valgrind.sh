#!/usr/bin/env bash
# scantrace compare under valgrind's memcheck on every golden fixture: no
# memcheck error, no definite leak, and the same exit status and report as
# without it. Runs under `meson test --setup valgrind` (the memcheck command
# in $SCANTRACE_MEMCHECK), skipped otherwise.
# usage: tests/compare/test_valgrind.sh SCANTRACE SOURCE_ROOT        (TAP)
set -uo pipefail

st=$(realpath "$1")
cd "$2" || exit 1
# shellcheck source=tests/tap.sh
. tests/tap.sh
tap_tmpdir
needs_memcheck

for d in fixtures/nmap-7.93/*/ fixtures/scantrace/*/; do
  d=${d%/}
  name=$(basename "$d")
  "${memcheck[@]}" "$st" compare --dissector tshark --no-write -f json "$d" >"$tmp/got.json" 2>"$tmp/err"
  rc=$?
  want=0
  # (a result not consistent without a discrepancy: unjudged hosts, say)
  [ "$(jq '.summary.passes' "$d/expected-report.json")" = false ] && want=1
  check "valgrind compare $name: exit $want, no memcheck error" test "$rc" -eq "$want"
  [ "$rc" -eq "$want" ] || head -20 "$tmp/err" | sed 's/^/# /'
  check "valgrind compare $name: the golden report" cmp -s "$d/expected-report.json" "$tmp/got.json"
done
tap_done
