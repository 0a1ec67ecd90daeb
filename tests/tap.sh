# shellcheck shell=bash
# TAP-like helpers of the shell tests: `check NAME CMD...` passes when CMD
# succeeds; `tap_done` prints the plan and returns non-zero if one failed.
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
tap_done() {
  echo "1..$n"
  [ "$failed" -eq 0 ]
}
