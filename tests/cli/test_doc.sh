#!/usr/bin/env bash
# The man page and the bash completion against the command itself: every
# command `scantrace --help` lists, and every option each `scantrace CMD
# --help` lists, must be in doc/scantrace.1 and offered by the completion
# (run as bash runs it on <Tab>); `meson install` installs both. TAP output.
# usage: tests/cli/test_doc.sh SCANTRACE SOURCE_ROOT BUILD_ROOT
set -uo pipefail

st=$(realpath "$1")
src=$2
build=$3
# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
tap_tmpdir
man=$(realpath "$src/doc/scantrace.1")
comp=$(realpath "$src/doc/scantrace.bash-completion")

# The options a help text lists: every -x / --word on its usage lines and on
# the indented lines that start with an option ("  -PS[ports] -PA[ports] TCP
# SYN..."), but for examples in parentheses ("(default -T3)").
options_of() {
  grep -E '^([[:space:]]+-|usage:|[[:space:]]+scantrace )' | sed -E 's/\([^)]*\)//g' |
    grep -oE '(^|[][[:space:],|.])--?[A-Za-z][A-Za-z0-9-]*' |
    sed -E 's/^[^-]+//' | sort -u
}

# The man page as text: roff's font escapes and \- gone.
sed -E 's/\\f[BIRP]//g; s/\\-/-/g; s/\\\(em/-/g' "$man" >"$tmp/man.txt"
in_man() {
  grep -qE -- "(^|[^A-Za-z0-9-])$1([^A-Za-z0-9-]|\$)" "$tmp/man.txt"
}

# complete WORD...: what the completion offers for the command line
# "scantrace WORD..." with the cursor at its end, one per line; the words
# split as bash splits them (at ':' too).
complete_line() {
  bash -c '. "$1"; shift; COMP_LINE="scantrace $*"; COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"${COMP_LINE//:/ : }"
    [ "${COMP_LINE: -1}" = " " ] || [ -z "${!#}" ] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _scantrace
    printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" "$@" 2>/dev/null
}
offers() { # offers WANTED WORD...: the completion of WORD... offers WANTED
  local want=$1
  shift
  local got
  got=$(complete_line "$@") # not piped into grep -q: pipefail and SIGPIPE
  grep -qxF -- "$want" <<<"$got"
}

check "the completion file is valid bash" bash -n "$comp"

"$st" --help >"$tmp/help"
mapfile -t cmds < <(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NF > 1 { print $1 }')
check "--help lists the commands (${#cmds[@]})" test "${#cmds[@]}" -ge 7
for c in "${cmds[@]}"; do
  check "man page has a section for $c" grep -qx "\.SH ${c^^}" "$man"
  check "completion offers the command $c" offers "$c" "${c:0:2}"
done

total=0
for c in "${cmds[@]}"; do
  "$st" "$c" --help >"$tmp/$c.help" 2>&1
  mapfile -t opts < <(options_of <"$tmp/$c.help")
  total=$((total + ${#opts[@]}))
  for o in "${opts[@]}"; do
    check "$c $o: in the man page" in_man "$o"
    check "$c $o: offered by the completion" offers "$o" "$c" "$o"
  done
done
# the extraction itself: it finds scan's and record's options, and the checks
# can fail (an option nobody documents is neither in the page nor offered)
check "the help texts list options ($total)" test "$total" -ge 60
yields() { grep -qx -- "$2" <<<"$(options_of <"$tmp/$1.help")"; }
not() { ! "$@"; }
check "scan's help yields --event-trace" yields scan --event-trace
check "scan's help yields -PS (of -PS[ports])" yields scan -PS
check "record's help yields --buffer" yields record --buffer
check "an option nobody has is not in the man page" not in_man --frobnicate
check "nor offered by the completion" not offers --frobnicate scan --frob

# the values options take
check "completion: --color's values" offers always explain --color ''
check "completion: compare's formats" offers junit compare -f ''
check "completion: diff's formats are text and json" \
  test "$(complete_line diff --format '' | tr '\n' ' ')" = "text json "
check "completion: decode --detail" offers medium decode --detail m
check "completion: diff --compare fields" offers icmpid diff --compare i
check "completion: scan's modes (-P options)" offers -PY scan -P
# run directories, and a run's modes after PATH: (report.json, else run.json)
mkdir -p "$tmp/runs/r1" "$tmp/runs/r2"
cp "$src/fixtures/scantrace/each-mode/expected-report.json" "$tmp/runs/r1/report.json"
cp "$src/fixtures/scantrace/each-mode/run.json" "$tmp/runs/r2/run.json"
# (not in a subshell: the checks count in this one)
cd "$tmp/runs" || exit 1
check "completion: run directories" offers r1 explain r
# bash replaces the part after the last ':', so that is what is offered
check "completion: diff RUN: lists the run's modes (report.json)" offers -PS22,443 diff r1:
check "completion: diff RUN:MODE narrows" test "$(complete_line diff r1:-PU)" = -PU40125
check "completion: diff RUN:MODE past a ':' in the mode (an older run.json's names)" offers 22,443 diff r2:syn:2
check "completion: diff RUN: modes from run.json" offers echo diff r1 r2:e
check "completion: record's command after --" offers bash record -o x -- bas
cd - >/dev/null || exit 1

# meson install puts both where man and bash-completion look
if [ -f "$build/build.ninja" ] && command -v meson >/dev/null; then
  meson install -C "$build" --no-rebuild --destdir "$tmp/inst" >"$tmp/install.log" 2>&1
  check "meson install: exit 0" test $? -eq 0
  check "meson install: the man page" test -n "$(find "$tmp/inst" -path '*/man1/scantrace.1*')"
  check "meson install: the completion" \
    test -n "$(find "$tmp/inst" -path '*/share/bash-completion/completions/scantrace')"
  check "meson install: the command" test -n "$(find "$tmp/inst" -path '*/bin/scantrace')"
else
  check "meson install (no build directory given)" false
fi

tap_done
