#!/usr/bin/env bash
# nmap's evasion options in host discovery, in a private lab: for each
# option, nmap 7.93 recorded (`scantrace record`) and `scantrace scan` with
# the same option, against an answering and a dropping routed host. Both
# compared consistent (nothing trace-only, no `unknown` cause), the same
# hosts up, the same probe kinds per host, fragments on scantrace's wire
# where nmap's has them (the same trains), and every fragment and decoy
# frame of scantrace's capture commented with its probe.
# usage: tests/lab/test_evasion.sh SCANTRACE            (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap tshark jq
lab_start ste
a() { scripts/lab addr "$1" --prefix "$P"; }
TARGETS="$(a routed-up) $(a routed-drop)"
me=$(a scanner-wan)
d1=${me%.*}.7
d2=${me%.*}.8

kinds() { # the sorted probe kinds sent to each host (report.json)
  jq -r '[.modes[].hosts[] | .host as $h | .probes[] | "\($h) \(.text)"] | unique | .[]' "$1"
}
up_hosts() { # nmap's report lines, or scantrace's run.json
  if jq -e '.subcommand == "scan"' "$1/run.json" >/dev/null 2>&1; then
    jq -r '.hosts[] | select(.verdict == "up") | .host' "$1/run.json" | sort
  else
    grep -oE '^Nmap scan report for [0-9a-f.:]+' "$1/trace.log" | awk '{print $5}' | sort
  fi
}
trains() { # the sizes of the fragment trains, per probe kind
  jq -r '[.packets[] | select(.fragments) | "\(.proto) \(.fragments | map(.bytes) | join("+"))"] | unique | .[]' "$1"
}
judged() { # judged NAME WHO: consistent, nothing trace-only, no unknown cause
  jq -e '.summary.passes and .summary.trace_only == 0 and (.summary.causes.unknown // 0) == 0' \
    "$tmp/$2-$1/report.json" >/dev/null
}

# evasion NAME OPTION...: with -PE -PS443 to $TARGETS, or the modes in
# $MODES and the targets in $TGTS (-6 among the options for IPv6 ones)
evasion() {
  local name=$1 modes=${MODES:--PE -PS443} tgts=${TGTS:-$TARGETS}
  shift
  # shellcheck disable=SC2086 # the modes and targets are words
  ip netns exec "$ns" "$st" record -o "$tmp/nmap-$name" -- \
    nmap -n -sn $modes --packet-trace "$@" $tgts >/dev/null 2>&1
  # shellcheck disable=SC2086 # the modes and targets are words
  ip netns exec "$ns" "$st" scan $modes "$@" -o "$tmp/st-$name" $tgts >/dev/null 2>"$tmp/st-$name.err"
  check "$name: scantrace scan exits 0" test $? -eq 0
  "$st" compare "$tmp/nmap-$name" >/dev/null 2>&1
  "$st" compare "$tmp/st-$name" >/dev/null 2>&1
  check "$name: nmap's run consistent, nothing trace-only, no unknown cause" judged "$name" nmap
  check "$name: scantrace's run consistent, nothing trace-only, no unknown cause" judged "$name" st
  check "$name: same hosts up as nmap" \
    test "$(up_hosts "$tmp/nmap-$name" | tr '\n' ' ')" = "$(up_hosts "$tmp/st-$name" | tr '\n' ' ')"
  check "$name: same probe kinds per host as nmap" \
    diff <(kinds "$tmp/nmap-$name/report.json") <(kinds "$tmp/st-$name/report.json")
  check "$name: the same fragment trains as nmap's" \
    diff <(trains "$tmp/nmap-$name/report.json") <(trains "$tmp/st-$name/report.json")
  # frames of ours that are fragments or from a decoy: each commented (a
  # reply is to us, an ARP frame has no IP); only options that make them
  case $name in f | ff | mtu16 | decoys) ;; *) return ;; esac
  local bad
  bad=$(tshark -r "$tmp/st-$name/capture.pcapng" -o ip.defragment:FALSE -T fields -e frame.number \
    -Y "ip.dst != $me && (ip.src != $me || ip.flags.mf == 1 || ip.frag_offset > 0) &&
        !(frame.comment contains \"fragment=\" || frame.comment contains \"decoy=\")" 2>/dev/null)
  check "$name: every fragment and decoy frame commented with its probe${bad:+ (not: $bad)}" test -z "$bad"
}

evasion f -f
evasion ff -ff
evasion mtu16 --mtu 16
evasion ipopts-R --ip-options R
evasion ipopts-T --ip-options T
evasion ipopts-S --ip-options "S $(a gateway)"
evasion ipopts-raw --ip-options '\x01\x01\x01\x01'
evasion decoys -D "$d1,ME,$d2"
evasion badsum --badsum
evasion data-length --data-length 20
evasion data-string --data-string hello
evasion g-ttl -g 5353 --ttl 33
# the SYN alone, to a host that answers no echo: its RST acks the payload
# too, and nmap counts it (scan once called that host down)
noecho="$(a routed-noecho) $(a routed-drop)"
MODES=-PS443 TGTS=$noecho evasion syn-data-string --data-string hello
check "syn-data-string: the host that resets is up" \
  grep -qx "$(a routed-noecho)" <(up_hosts "$tmp/st-syn-data-string")

# -6: nmap -6 appends payloads and spoils sums, ignores IP options
TARGETS6="$(a routed-up6) $(a routed-drop6)"
noecho6="$(a routed-noecho6) $(a routed-drop6)"
TGTS=$TARGETS6 evasion v6-data-length -6 --data-length 20
TGTS=$TARGETS6 evasion v6-badsum -6 --badsum
TGTS=$TARGETS6 evasion v6-ipopts -6 --ip-options R
MODES=-PS443 TGTS=$noecho6 evasion v6-syn-data-string -6 --data-string hello
check "v6-syn-data-string: the host that resets is up" \
  grep -qx "$(a routed-noecho6)" <(up_hosts "$tmp/st-v6-syn-data-string")
check "v6-data-length: the echo requests carry the payload (payloadlen=28)" \
  grep -q "^SENT .*type=128.*payloadlen=28" "$tmp/st-v6-data-length/trace.log"
check "v6-ipopts: scan says the IP options are ignored" grep -q "ignored with -6" "$tmp/st-v6-ipopts.err"
me6=$(a scanner-wan6)
d16=${me6%:*}:7
d26=${me6%:*}:8
TGTS=$TARGETS6 evasion v6-decoys -6 -D "$d16,ME,$d26"
bad=$(tshark -r "$tmp/st-v6-decoys/capture.pcapng" -T fields -e frame.number \
  -Y "(ipv6.src == $d16 || ipv6.src == $d26) && !(frame.comment contains \"decoy=\")" 2>/dev/null)
check "v6-decoys: every decoy frame commented with its probe${bad:+ (not: $bad)}" test -z "$bad"
check "v6-decoys: the decoy frames name their source" \
  test "$(tshark -r "$tmp/st-v6-decoys/capture.pcapng" -Y "frame.comment contains \"decoy=$d16\"" 2>/dev/null | wc -l)" -gt 0
# --dry-run prints what the trace would: a line per copy, decoys first as given
ip netns exec "$ns" "$st" scan --dry-run -6 -PE -D "$d16,ME" --data-length 4 "$(a routed-up6)" \
  >"$tmp/dry6.txt" 2>&1
check "--dry-run -6 -D: a SENT line per copy, from the decoy then from us, with the payload" \
  test "$(grep '^SENT' "$tmp/dry6.txt" | grep -oE "ICMPv6 \(58\) [0-9a-f:]+ .*payloadlen=12" | awk '{print $3}' | tr '\n' ' ')" = "$d16 $me6 "
# what nmap -6 refuses, or scan cannot do under -6: refused in one line, exit 2
for opt in -f --mtu=16 "-D ME,$(a routed-up)" "-D RND:2" "-D ME,ME"; do
  # shellcheck disable=SC2086 # an option and its value
  ip netns exec "$ns" "$st" scan -6 ${opt/=/ } -PE -o "$tmp/st-refused" "$(a routed-up6)" >/dev/null \
    2>"$tmp/refused.err"
  rc=$?
  check "-6 $opt: refused (exit 2, one line, no run directory)" \
    test "$rc" -eq 2 -a "$(wc -l <"$tmp/refused.err")" -eq 1 -a ! -e "$tmp/st-refused"
done
# the decoy and fragment comments say which copy and which part
check "decoys: a decoy frame names its probe and source" \
  test "$(tshark -r "$tmp/st-decoys/capture.pcapng" -Y "frame.comment contains \"decoy=$d1\"" 2>/dev/null | wc -l)" -gt 0
check "f: fragment frames say which of the train they are" \
  test "$(tshark -r "$tmp/st-f/capture.pcapng" -Y 'frame.comment contains "fragment=3/3"' 2>/dev/null | wc -l)" -gt 0
tap_done
