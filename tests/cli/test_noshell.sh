#!/usr/bin/env bash
# No shell between scantrace and its children: tshark and recorded commands
# start from an argument vector, so no file name or argument is ever parsed
# by a shell (nothing to quote wrongly, nothing to inject). Fails when the
# sources outside tests/ call system(), popen() or name /bin/sh, and checks
# on a planted file that the search itself would see them.
# usage: tests/cli/test_noshell.sh SOURCE_ROOT          (TAP)
set -uo pipefail
cd "$1" || exit 1
# shellcheck source=tests/tap.sh
. tests/tap.sh
tap_tmpdir

# shell_calls DIR...: every line of C source under DIR that reaches for a shell
shell_calls() {
  grep -rnE --include='*.[ch]' '(^|[^_[:alnum:]])(system|popen)[[:space:]]*\(|"/bin/sh"' "$@"
}

dirs=()
for d in probes analyzer fuzz; do [ -d "$d" ] && dirs+=("$d"); done
found=$(shell_calls "${dirs[@]}")
check "no system(), popen() or \"/bin/sh\" in ${dirs[*]}" test -z "$found"
[ -z "$found" ] || printf "# %s\n" "$found"

# the search finds each form, and not st_system_ or a word that merely contains it
mkdir "$tmp/src"
printf '%s\n' 'int a(void) { return system("ls"); }' 'FILE *b(void) { return popen ("x", "r"); }' \
  'static const char *sh = "/bin/sh";' 'int st_system_ok(void);' 'int ecosystem(void);' >"$tmp/src/planted.c"
check "the search sees the three planted calls, and only them" \
  test "$(shell_calls "$tmp/src" | wc -l)" -eq 3
tap_done
