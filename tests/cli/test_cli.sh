#!/usr/bin/env bash
# The scantrace command line: help, version, exit codes,
# and `decode` on real captures and on bad input. TAP output.
# usage: tests/cli/test_cli.sh SCANTRACE SOURCE_ROOT
set -uo pipefail

st=$1
src=$2
fx=$src/fixtures/nmap-7.93
# shellcheck source=tests/tap.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tap.sh"
tap_tmpdir

# run CMD... : sets $rc and $out; stderr is in $tmp/err
run() {
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  out=$(cat "$tmp/out")
}

run "$st" --help
check "--help exits 0" test "$rc" -eq 0
for c in scan record compare diff decode report explain; do
  check "--help lists $c" grep -q "^  $c " "$tmp/out"
done
run "$st" --version
check "--version" test "$rc" -eq 0 -a -n "$out"
run "$st"
check "no command: exit 2" test "$rc" -eq 2
run "$st" frobnicate
check "unknown command: exit 2, one line" test "$rc" -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1

# scan: bad options are one line and exit 2 (nothing is sent before parsing ends)
for bad in "-PZ" "-PS80,x" "-PE" "--ttl 256 198.18.3.2" "-T7 198.18.3.2" "198.18.3.300" \
  "--exclude 198.18.3.2 198.18.3.2" "--min-rate 10 --max-rate 5 198.18.3.2" \
  "--initial-rtt-timeout soon 198.18.3.2" "-iL $tmp/none.txt" "--frobnicate 198.18.3.2" \
  "--initial-rtt-timeout 1e300 198.18.3.2" "--max-rate nan 198.18.3.2" "--min-rate inf 198.18.3.2" \
  "198.18.3.2 --user" "--scan-delay soon 198.18.3.2" "--max-parallelism 0 198.18.3.2" \
  "--min-parallelism x 198.18.3.2"; do
  # shellcheck disable=SC2086 # the options are words
  run "$st" scan $bad
  check "scan $bad: exit 2, one line" test "$rc" -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
done

# nmap's probe order whatever the command line's (echo, SYN, ACK, timestamp, UDP, SCTP,
# -PO, mask: nextProbe in nmap's scan_engine.cc), and --ttl 0 taken as nmap takes it
run "$st" scan --dry-run --ttl 0 -PU -PA80 -PP -PS80 -PE -PM -PY -PO2 198.18.3.2
order=$(sed -n 's/^SENT ([0-9.]*s) \([A-Za-z]*\) .*\(Echo request\|Timestamp\|Address mask\| S \| A \).*/\1\2/p; s/^SENT ([0-9.]*s) \(UDP\|SCTP\|igmp\) .*/\1/p' "$tmp/out" | tr -d ' ' | paste -sd,)
check "scan -PU -PA80 -PP -PS80 -PE -PM -PY -PO2: nmap's order ($order)" \
  test "$rc" -eq 0 -a "$order" = "ICMPEchorequest,TCPS,TCPA,ICMPTimestamp,UDP,SCTP,igmp,ICMPAddressmask"
check "scan --ttl 0: every probe with TTL 0" \
  test "$(grep -c '^SENT' "$tmp/out")" -eq 8 -a "$(grep -c 'ttl=0 ' "$tmp/out")" -eq 8

# port and protocol ranges open at either end, as nmap reads them (-PS-3: 1-3; -PS65533-:
# 65533-65535; -PO-2: 0-2; were refused as bad lists)
run "$st" scan --dry-run --max-retries 0 -PS-3,65533- -PO-2 198.18.3.2
check "scan -PS-3,65533- -PO-2: ports 1-3 and 65533-65535, protocols 0-2" \
  test "$rc $(sed -n 's/^SENT .*:\([0-9]*\) S .*/\1/p' "$tmp/out" | paste -sd,) $(grep -cE '^SENT .* (hopopt \(0\)|ICMP|igmp \(2\))' "$tmp/out")" = \
  "0 1,2,3,65533,65534,65535 3"

# --scan-delay 0 is nmap's "no delay" (over -T2's); with a parallelism option nmap's
# warning that they are ignored (they are not: nmap applies them, and so does scan)
run "$st" scan --dry-run -T2 --scan-delay 0 --max-parallelism 1 -PE 198.18.3.2
check "scan --scan-delay 0 --max-parallelism 1: exit 0, nmap's warning" \
  test "$rc $(grep -c '^SENT' "$tmp/out") $(grep -c 'are ignored with --scan-delay' "$tmp/err")" = "0 1 1"

# -g 0 taken as nmap takes it, with its warning (was refused: "a port 1 to 65535")
run "$st" scan --dry-run -g 0 -PS80 -PU 198.18.3.2
check "scan -g 0: exit 0, every probe from port 0, nmap's warning on stderr" \
  test "$rc $(grep -c '^SENT .*:0 > ' "$tmp/out") $(grep -c 'source port of zero may not work' "$tmp/err")" = "0 2 1"

# a target list saved by PowerShell (UTF-16 with its mark, CRLF): read as the same list
printf '198.18.3.2\r\n198.18.3.3 # lab\r\n' | iconv -f UTF-8 -t UTF-16 >"$tmp/t16.txt"
run "$st" scan --dry-run -PE -iL "$tmp/t16.txt"
check "scan -iL of a UTF-16 list: exit 0, its two targets planned" \
  test "$rc" -eq 0 -a "$(grep -c '^SENT .* > 198\.18\.3\.[23] Echo request' "$tmp/out")" -eq 2

# -iL FILE and a target on the command line: nmap 7.93 scans the file's alone (and says
# nothing); scan says the word is not scanned, and refuses a second -iL as nmap does
run "$st" scan --dry-run -PE -iL "$tmp/t16.txt" 198.18.3.9
check "scan -iL FILE 198.18.3.9: the file's two targets planned, 198.18.3.9 not" \
  test "$rc" -eq 0 -a "$(grep -c '^SENT .* > 198\.18\.3\.[23] Echo request' "$tmp/out")" -eq 2 \
  -a "$(grep -c '198\.18\.3\.9 ' "$tmp/out")" -eq 0
check "scan -iL FILE 198.18.3.9: stderr says 198.18.3.9 is not scanned" \
  grep -q '^scantrace scan: 198.18.3.9: not scanned' "$tmp/err"
run "$st" scan --dry-run -PE -iL "$tmp/t16.txt" -iL "$tmp/t16.txt"
check "scan with two -iL: exit 2, one line" test "$rc" -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1

# --dry-run with an interface that does not exist: refused as the scan refuses it (exit 3,
# one line), with no PASS line printed before the error
run "$st" scan --dry-run -e st-no-such-if0 -PE 198.18.3.2
check "scan --dry-run -e NOSUCH: exit 3, one line, nothing on stdout" \
  test "$rc $(wc -l <"$tmp/err") $(wc -c <"$tmp/out")" = "3 1 0"

for c in scan record compare diff report explain; do
  run "$st" "$c" --help
  check "$c --help exits 0" test "$rc" -eq 0
  check "$c --help shows usage" grep -q "^usage: scantrace $c" "$tmp/out"
done

# decode reproduces every line nmap traced, from the frames alone
for d in "$fx"/*/; do
  name=$(basename "$d")
  level=low
  grep -q 'ver=4 ihl=' "$d/trace.log" && level=high
  [ $level = low ] && grep -q ' proto=' "$d/trace.log" && level=medium
  run "$st" decode --detail $level "$d/capture.pcapng"
  check "decode $name exits 0" test "$rc" -eq 0
  missing=0
  while IFS=: read -r no line; do
    # lines nmap traced but the kernel never sent, listed with their reason
    [ -f "$d/unmatched" ] && grep -q "^$no " "$d/unmatched" && continue
    desc=${line#* (*s) }
    grep -qF -- ") $desc" "$tmp/out" || { echo "# $name: not decoded: $desc"; missing=$((missing + 1)); }
  done < <(grep -nE '^(SENT|RCVD) ' "$d/trace.log")
  check "decode $name: every traced packet is a frame" test "$missing" -eq 0
done

run "$st" decode --scanner 198.18.2.1 "$fx/default-routed/capture.pcapng"
check "decode --scanner marks the kernel's RST as SENT" \
  grep -qE '^SENT \([0-9.]+s\) TCP 198\.18\.2\.1:[0-9]+ > 198\.18\.3\.2:443 R ' "$tmp/out"
check "decode --scanner marks replies RCVD" grep -q '^RCVD .* Echo reply' "$tmp/out"

# bad input: one clear line, exit 2, the good frames before the damage kept
run "$st" decode "$tmp/nonexistent.pcapng"
check "decode missing file: exit 2" test "$rc" -eq 2
check "decode missing file: names the file" grep -q "nonexistent.pcapng" "$tmp/err"
# random bytes, the same every run (/dev/urandom's could now and then look like a capture)
python3 -c 'import random, sys; r = random.Random(17); sys.stdout.buffer.write(r.randbytes(300))' >"$tmp/garbage"
run "$st" decode "$tmp/garbage"
check "decode garbage: exit 2, one line" test "$rc" -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
size=$(stat -c %s "$fx/default-routed/capture.pcapng")
head -c $((size - 150)) "$fx/default-routed/capture.pcapng" >"$tmp/cut.pcapng"
run "$st" decode "$tmp/cut.pcapng"
check "decode truncated capture: exit 2" test "$rc" -eq 2
check "decode truncated capture: names the frame" grep -q "frame [0-9]" "$tmp/err"
check "decode truncated capture: earlier frames printed" test "$(wc -l <"$tmp/out")" -gt 5
run "$st" decode --detail loud "$fx/PE/capture.pcapng"
check "decode bad --detail: exit 2" test "$rc" -eq 2
run "$st" decode --scanner 300.1.1.1 "$fx/PE/capture.pcapng"
check "decode bad --scanner: exit 2" test "$rc" -eq 2

# the man page: renders without groff warnings, documents every command, and
# `man scantrace` finds it where meson installs it (share/man/man1)
mkdir -p "$tmp/man/man1"
cp "$src/doc/scantrace.1" "$tmp/man/man1/"
check "man page: no groff warnings" test -z "$(groff -man -Tutf8 -ww -z "$src/doc/scantrace.1" 2>&1)"
MANPATH=$tmp/man MANPAGER=cat man scantrace >"$tmp/man.txt" 2>/dev/null
check "man scantrace works" grep -q 'SCANTRACE(1)' "$tmp/man.txt"
for c in scan record compare diff report explain decode; do
  check "man page documents $c" grep -qE "^ +$c\b|scantrace $c" "$tmp/man.txt"
done
# every command states its exit codes, in its --help and in the man page
sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$tmp/man.txt" >"$tmp/man-exit.txt"
for c in scan record compare diff report explain decode; do
  check "$c --help states its exit codes" quiet grep -q '^Exit: ' <("$st" "$c" --help)
  check "man page EXIT STATUS states $c's" grep -qw "$c" "$tmp/man-exit.txt"
done

tap_done
