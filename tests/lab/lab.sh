# shellcheck shell=bash
# What the lab tests start with, run from the repository's root:
# the TAP helpers (tests/tap.sh, sourced here); `lab_require TOOL...` skips
# the test when not root or a tool is missing;
# `lab_start NAME` makes a temporary directory ($tmp) and a lab of prefix
# NAME<pid>- ($P; its scanner namespace in $ns), and removes both at exit,
# also after a failure, Ctrl-C or TERM. A test with more to undo defines
# lab_cleanup_more, which runs first.
# shellcheck source=tests/tap.sh
. tests/tap.sh

lab_cleanup() {
  if declare -F lab_cleanup_more >/dev/null; then lab_cleanup_more; fi
  scripts/lab down --prefix "$P" >/dev/null 2>&1 || true
  # a failed check keeps its runs (captures, traces, reports) to look at
  if [ "${failed:-0}" -gt 0 ] && [ -d "$tmp" ]; then
    echo "# $failed failed: the runs are kept in $tmp"
  else
    rm -rf "$tmp"
  fi
}

# shellcheck disable=SC2034 # P, tmp and ns are for the test that sources this
lab_start() {
  P="$1$(($$ % 100000))-"
  tmp=$(mktemp -d) # 0700: other users cannot reach what the test keeps there by path
  trap lab_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  scripts/lab up --prefix "$P" >/dev/null || { echo "Bail out! lab up failed"; exit 1; }
  ns=$(scripts/lab ns scan --prefix "$P")
}

lab_require() {
  needs_root "network namespaces"
  needs ip nft socat "$@"
}
