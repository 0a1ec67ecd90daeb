#!/usr/bin/env bash
# scantrace scan's polite timings against real nmap 7.93 on the wire, in a
# private lab: -T2 (a scan delay of 400 ms, one probe in flight; routed, local,
# a host group of each), -6 -T2,
# --scan-delay at -T3 and -T4, --max-parallelism 1. Both scan the same
# hosts (routed-up answers the echo, routed-noecho only TCP, routed-drop
# nothing); nmap is recorded by `scantrace record`. Per run: the same
# probes in the same order (host, kind; every try), each probe as long
# after the first as nmap's (within SLACK: the gaps between probes, the
# scan delay, the timeouts, the second before a host's first retry), and
# scan's trace consistent with its capture.
# usage: tests/lab/test_scan_polite.sh SCANTRACE   (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap jq tshark
lab_start po
a() { scripts/lab addr "$1" --prefix "$P"; }
ROUTED="$(a routed-up) $(a routed-noecho) $(a routed-drop)"
ROUTED6="$(a routed-up6) $(a routed-noecho6) $(a routed-drop6)"
SLACK=0.06 # seconds: each side's sends drift by about a millisecond a probe

# a trace's SENT lines as "TIME DESTINATION KIND" (KIND: the ICMP type's
# word, ICMPv6's (type=T/code=C), PORT/FLAGS for TCP)
probes() {
  awk '/^SENT \(/ {
    t = substr($2, 2) + 0; dst = ""; kind = ""
    if ($3 == "ICMP") { dst = $6; kind = $7 }
    else if ($3 == "ICMPv6") { dst = $7; kind = $8 }
    else if ($3 == "TCP") { n = split($6, p, ":"); dst = substr($6, 1, length($6) - length(p[n]) - 1); kind = p[n] "/" $7 }
    else if ($3 == "ARP") { dst = $5; kind = "who-has" }
    else { dst = $5; kind = $3 }
    sub(/^\[/, "", dst)
    printf "%.4f %s %s\n", t, dst, kind
  }' "$1/trace.log"
}

# every probe as long after the first as nmap's, within SLACK
same_times() { # same_times NAME
  paste -d' ' <(probes "$tmp/nmap-$1") <(probes "$tmp/st-$1") | awk -v slack="$SLACK" '
    NR == 1 { n0 = $1; s0 = $4 }
    { d = ($4 - s0) - ($1 - n0); if (d > slack || d < -slack) { bad = 1; printf "# probe %d (%s %s): %.4f s after the first, nmap %.4f s\n", NR, $2, $3, $4 - s0, $1 - n0 } }
    END { exit bad }'
}

run() { # run NAME OPTIONS TARGETS
  local name=$1 opts=$2 targets=$3
  # shellcheck disable=SC2086 # words
  ip netns exec "$ns" "$st" record -o "$tmp/nmap-$name" -- nmap -n -sn --packet-trace $opts $targets >/dev/null 2>&1
  ip netns exec "$ns" ip neigh flush dev lan0 >/dev/null 2>&1
  # shellcheck disable=SC2086
  ip netns exec "$ns" "$st" scan $opts -o "$tmp/st-$name" $targets >/dev/null 2>"$tmp/st-$name.err"
  check "$name: scantrace scan exits 0" test $? -eq 0
  # (not n: tap.sh's count)
  local by_nmap by_scan
  by_nmap=$(probes "$tmp/nmap-$name" | cut -d' ' -f2-)
  by_scan=$(probes "$tmp/st-$name" | cut -d' ' -f2-)
  check "$name: nmap's probes, in nmap's order ($(echo "$by_nmap" | grep -c .) probes)" \
    test "$by_nmap" = "$by_scan"
  [ "$by_nmap" = "$by_scan" ] || diff <(echo "$by_nmap") <(echo "$by_scan") | sed 's/^/# /'
  check "$name: each probe as long after the first as nmap's (within ${SLACK}s)" same_times "$name"
  "$st" compare "$tmp/st-$name" >/dev/null 2>&1
  check "$name: own trace against own capture: consistent" test $? -eq 0
}

# -T2: one probe at a time, 400 ms between two to a host (0.4 s at first),
# the timeout 400 ms once a reply came; a host's first retry a second late
run t2 -T2 "$ROUTED"
run t2-echo "-T2 -PE" "$ROUTED"
run t2-syn "-T2 -PS22,80" "$ROUTED"
# the targets in nmap's order (by address), not the command line's
run t2-order "-T2 -PE -PA80" "$(a routed-drop) $(a routed-noecho) $(a routed-up)"
run t2-v6 "-6 -T2" "$ROUTED6"
# the local segment: ARP, whose first retry waits the second too
run t2-arp -T2 "$(a l2-up) $(a l2-noicmp) $(a l2-absent)"
# nmap's host groups: a routed and a local target are scanned one after the
# other (the local one 0.4 s after the routed one was given up), not together
run t2-groups "-T2 -PE" "$(a routed-drop) $(a l2-up)"
# a scan delay with nmap's other windows: probes to different hosts together
run t3-delay "-T3 --scan-delay 200ms" "$ROUTED"
run t4-delay "-T4 --scan-delay 200ms" "$ROUTED"
# one probe in flight, no delay: the initial second as the timeout till a reply
run t3-par1 "-T3 --max-parallelism 1" "$ROUTED"

tap_done
