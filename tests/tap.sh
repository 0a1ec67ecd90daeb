# shellcheck shell=bash
# TAP helpers of the shell tests (meson runs them with protocol 'tap'):
# `check NAME CMD...` passes when CMD succeeds; `tap_done` prints the plan
# and returns non-zero if one failed. A test that cannot run here skips as a
# whole: `tap_skip WHY` prints an empty plan and exits 0; `needs_root WHY`
# and `needs TOOL...` skip without root or without a tool on PATH.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() {
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
quiet() { "$@" >/dev/null 2>&1; }
# jqt [JQ OPTIONS] FILTER FILE: FILTER true on FILE. An empty or absent FILE
# fails: jq -e on no input exits 0, which passed every check of a report a
# crashed or refusing command never wrote.
jqt() {
  [ -s "${!#}" ] && jq -e "$@" >/dev/null
}
tap_done() {
  echo "1..$n"
  [ "$failed" -eq 0 ]
}
tap_skip() {
  echo "1..0 # SKIP $1"
  exit 0
}
needs_root() { [ "$(id -u)" -eq 0 ] || tap_skip "needs root ($1)"; }
needs() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || tap_skip "$tool missing (run scripts/deps)"
  done
}
# needs_memcheck: the memcheck command of `meson test --setup valgrind`
# (tests/meson.build) as the array `memcheck`; skip the test without it
needs_memcheck() {
  [ -n "${SCANTRACE_MEMCHECK:-}" ] || tap_skip "memcheck: meson test --setup valgrind --suite memcheck"
  # shellcheck disable=SC2034 # for the test that sources this
  read -ra memcheck <<<"$SCANTRACE_MEMCHECK"
}
# A temporary directory in $tmp, removed when the test exits.
tap_tmpdir() {
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
}
