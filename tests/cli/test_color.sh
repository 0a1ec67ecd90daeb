#!/usr/bin/env bash
# --color=auto|always|never of diff, compare and explain: always paints even
# into a pipe, never paints nothing even on a terminal, auto paints on a
# terminal (script(1) gives one) unless NO_COLOR is set, and a bad value is a
# usage error. TAP output.
# usage: tests/cli/test_color.sh SCANTRACE SOURCE_ROOT
set -uo pipefail

# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"

esc=$'\033['
painted() { grep -qF "$esc" "$1"; }
plain() { ! grep -qF "$esc" "$1"; }
# on_tty FILE CMD...: CMD's output on a pseudo-terminal, into FILE
on_tty() {
  local out=$1
  shift
  script -qec "$(printf '%q ' "$@")" /dev/null >"$out" 2>&1 </dev/null
}

# command: the arguments of one run of it (fixtures with discrepancies-free runs)
declare -A runs=(
  [diff]="$fx/PE $fx/PP"
  [compare]="--no-write $fx/PE"
  [explain]="$fx/PE"
)
for c in diff compare explain; do
  # shellcheck disable=SC2086 # the arguments are words
  set -- ${runs[$c]}
  "$st" "$c" --color=always "$@" >"$tmp/$c.always" 2>/dev/null
  check "$c --color=always: coloured in a pipe" painted "$tmp/$c.always"
  "$st" "$c" --color always "$@" >"$tmp/$c.always2" 2>/dev/null
  check "$c --color always (two words): the same" cmp -s "$tmp/$c.always" "$tmp/$c.always2"
  NO_COLOR=1 "$st" "$c" --color=always "$@" >"$tmp/$c.nc" 2>/dev/null
  check "$c --color=always wins over NO_COLOR" painted "$tmp/$c.nc"
  "$st" "$c" "$@" >"$tmp/$c.pipe" 2>/dev/null
  check "$c: no colour in a pipe by default" plain "$tmp/$c.pipe"
  sed "s/${esc}[0-9;]*m//g" "$tmp/$c.always" >"$tmp/$c.stripped"
  check "$c: the colours are all that --color=always adds" cmp -s "$tmp/$c.stripped" "$tmp/$c.pipe"
  "$st" "$c" --color=sometimes "$@" >/dev/null 2>"$tmp/err"
  check "$c --color=sometimes: exit 2, one line" \
    test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
  check "$c --color=sometimes: names the values" grep -q 'auto, always or never' "$tmp/err"
  if command -v script >/dev/null; then
    on_tty "$tmp/$c.tty" "$st" "$c" "$@"
    check "$c on a terminal: coloured" painted "$tmp/$c.tty"
    on_tty "$tmp/$c.never" "$st" "$c" --color=never "$@"
    check "$c --color=never on a terminal: no colour" plain "$tmp/$c.never"
    on_tty "$tmp/$c.notty" env NO_COLOR=1 "$st" "$c" "$@"
    check "$c on a terminal with NO_COLOR: no colour" plain "$tmp/$c.notty"
    on_tty "$tmp/$c.autonc" env NO_COLOR=1 "$st" "$c" --color=auto "$@"
    check "$c --color=auto with NO_COLOR: no colour" plain "$tmp/$c.autonc"
  else
    check "script(1) is installed (bsdutils)" false
  fi
done
# what is painted: diff's '-' lines red and '+' lines green; explain's verdicts
check "diff: A's line red" grep -qF "${esc}31m-$fx/PE" "$tmp/diff.always"
check "diff: B's line green" grep -qF "${esc}32m+$fx/PP" "$tmp/diff.always"
check "explain: UP in green" grep -qF "${esc}32mUP${esc}0m" "$tmp/explain.always"
check "explain: DOWN in red" grep -qF "${esc}31mDOWN${esc}0m" "$tmp/explain.always"

tap_done
