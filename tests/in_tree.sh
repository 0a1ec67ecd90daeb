# shellcheck shell=bash
# The start of a test that runs scantrace on the recorded fixtures, sourced
# with the test's arguments SCANTRACE SOURCE_ROOT: $st (the binary, made
# absolute), the working directory the source root, the TAP helpers, a
# temporary directory ($tmp) and the fixtures ($fx; nmap -6's: $fx6).
# shellcheck disable=SC2034 # st and fx are for the test that sources this
st=$(realpath "$1")
cd "$2" || exit 1
# shellcheck source=tests/tap.sh
. tests/tap.sh
tap_tmpdir
fx=fixtures/nmap-7.93
fx6=fixtures/nmap-7.93-ipv6
