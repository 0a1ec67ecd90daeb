#!/usr/bin/env bash
# Probes the kernel refuses are in the trace and decide no host: over the
# scanner's lan0, its MTU lowered to 1400, --data-length 1390 makes every
# IP probe to the L2 segment EMSGSIZE. The host is then down for
# send-failed (not no-response), the trace holds nmap's "sendto in ... =>
# Message too long" and "Offending packet:" lines, scan exits 1, and compare
# calls the run UNJUDGED (never consistent), also when no probe went out at
# all. A broadcast target is sent to, as nmap's raw socket does (SO_BROADCAST).
# ARP and ND frames the kernel refuses (nft's netdev egress hook on lan0
# drops ARP and neighbour solicitations: the packet socket's sendto fails)
# are accounted alike: send-failed, run.json's send, exit 1, nmap's lines.
# usage: tests/lab/test_scan_refused.sh SCANTRACE     (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require jq
lab_start stf
l2=$(scripts/lab addr l2-up)
routed=$(scripts/lab addr routed-up)
ip -n "$ns" link set lan0 mtu 1400

scan() { # scan NAME OPTIONS...: its exit status
  local name=$1
  shift
  ip netns exec "$ns" "$st" scan -o "$tmp/$name" "$@" >/dev/null 2>"$tmp/$name.err"
}
reason() { jq -r --arg h "$2" '.hosts[] | select(.host == $h) | .reason' "$1/run.json"; }
result() { "$st" compare "$1" 2>&1 | grep '^  result'; }

scan mtu --send-ip -PE --data-length 1390 "$l2" "$routed"
check "refused probes: scan exits 1" test $? -eq 1
check "refused probes: the L2 host is send-failed, not no-response" test "$(reason "$tmp/mtu" "$l2")" = send-failed
check "refused probes: the routed host is still up" test "$(reason "$tmp/mtu" "$routed")" = echo-reply
check "refused probes: run.json says how many and why" \
  test "$(jq -c .send "$tmp/mtu/run.json")" = '{"refused":2,"error":"Message too long"}'
check "refused probes: nmap's lines in the trace" \
  test "$(grep -c "^sendto in send_ip_packet_sd: .* $l2, 16) => Message too long" "$tmp/mtu/trace.log")" -eq 2
check "refused probes: the probe named" grep -q "^Offending packet: ICMP \[.* > $l2 Echo request" "$tmp/mtu/trace.log"
check "refused probes: stderr says so" grep -q '2 probes could not be sent (Message too long)' "$tmp/mtu.err"
"$st" compare "$tmp/mtu" >/dev/null 2>&1
check "refused probes: compare is not consistent (exit 1)" test $? -eq 1
check "refused probes: compare's result says why" \
  quiet grep -E 'UNJUDGED: 1 of 2 hosts .*send-failed.*2 probes the kernel refused to send \(Message too long' <(result "$tmp/mtu")

scan mtu-all --send-ip -PE --data-length 1390 "$l2"
check "every probe refused: scan exits 1" test $? -eq 1
"$st" compare "$tmp/mtu-all" >/dev/null 2>&1
check "every probe refused: compare reads the run (exit 1, not 2)" test $? -eq 1
check "every probe refused: UNJUDGED" quiet grep -q 'UNJUDGED: 1 of 1 host ' <(result "$tmp/mtu-all")

bcast=198.18.1.255
scan bcast --send-ip -PE "$bcast"
check "broadcast target, --send-ip -PE: scan exits 0" test $? -eq 0
check "broadcast target: the echo request went out" grep -q "^SENT .* > $bcast Echo request" "$tmp/bcast/trace.log"
check "broadcast target: nothing refused" test "$(jq .send.refused "$tmp/bcast/run.json")" -eq 0
scan bcast-arp "$bcast"
check "broadcast target alone, default: scanned (exit 0), ARP as nmap" \
  grep -q "^SENT .*ARP who-has $bcast" "$tmp/bcast-arp/trace.log"

# the egress hook is Linux 5.16's: an older kernel skips these checks
l26=$(scripts/lab addr l2-up6)
routed6=$(scripts/lab addr routed-up6)
refuse_frames() {
  ip netns exec "$ns" nft -f - <<'EOF'
table netdev refuse {
  chain out {
    type filter hook egress device lan0 priority 0;
    meta protocol arp drop
    icmpv6 type nd-neighbor-solicit drop
  }
}
EOF
}
frame_checks() { # frame_checks WHAT RUN TARGET ROUTED PROBE: the run's checks
  local what=$1 run=$2 target=$3 routed_up=$4 probe=$5
  check "$what refused: scan exits 1" test "$(cat "$run.rc")" -eq 1
  check "$what refused: the L2 host is send-failed" test "$(reason "$run" "$target")" = send-failed
  check "$what refused: the routed host is still up" test "$(reason "$run" "$routed_up")" = echo-reply
  check "$what refused: run.json counts both tries, says why" \
    jqt '.send.refused == 2 and (.send.error | length) > 0' "$run/run.json"
  check "$what refused: nmap's sendto line, the frame's interface" \
    test "$(grep -c '^sendto in send_frame: sendto([0-9]*, packet, [0-9]*, 0, lan0, 20) => ' "$run/trace.log")" -eq 2
  check "$what refused: the frame named" grep -q "^Offending packet: $probe" "$run/trace.log"
  check "$what refused: no SENT line for it" test "$(grep -c "^SENT.*$probe" "$run/trace.log")" -eq 0
  check "$what refused: stderr says so" grep -q '2 probes could not be sent' "$run.err"
  check "$what refused: compare's result UNJUDGED, send-failed" \
    quiet grep -E 'UNJUDGED: 1 of 2 hosts .*send-failed.*2 probes the kernel refused' <(result "$run")
}
if refuse_frames 2>/dev/null; then
  scan arp -PE "$l2" "$routed"
  echo $? >"$tmp/arp.rc"
  frame_checks ARP "$tmp/arp" "$l2" "$routed" "ARP who-has $l2 tell"
  scan nd -6 -PE "$l26" "$routed6"
  echo $? >"$tmp/nd.rc"
  frame_checks ND "$tmp/nd" "$l26" "$routed6" "ICMPv6 (58) .* > ff02::1:ff00:2 (type=135"
else
  for i in $(seq 18); do echo "ok $((n + i)) # SKIP no netdev egress hook (Linux 5.16)"; done
  n=$((n + 18))
fi

tap_done
