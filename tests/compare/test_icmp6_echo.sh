#!/usr/bin/env bash
# ICMPv6 echo id and sequence (tests/data/icmp6-echo/README.md says how each run was
# made): the dissection reads icmpv6.echo.identifier and .sequence_number as it reads
# ICMP's, so an echo reply is tied to its own request, another program's ping to the
# same host is told apart, and two requests of one ping -6 are no copies of each other.
# Each check failed before (the dissection read no id: every ICMPv6 echo alike).
# usage: tests/compare/test_icmp6_echo.sh SCANTRACE SOURCE_ROOT   (TAP)
set -uo pipefail
# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"
d=tests/data/icmp6-echo

# ping -6 -c 3 while another ping -6 to the same host ran: that one's requests and
# replies (another id, still sent after this ping exited) are background, not this
# ping's (was COUNTS: "3 probes sent; the wire: 11", "3 replies received; the wire: 9")
for dissector in libwireshark tshark; do
  "$st" compare --no-write --dissector "$dissector" -f json "$d/ping6-beside" >"$tmp/pb.json"
  check "ping -6 beside another ($dissector): consistent, exit 0" test "$?" -eq 0
done
ids=$(tshark -r "$d/ping6-beside/capture.pcapng" -Y 'icmpv6.type == 128' -T fields \
  -e icmpv6.echo.identifier 2>/dev/null | sort | uniq -c | sort -n | awk '{ print $1 }' | paste -sd' ')
check "... the capture holds two ids' requests, 3 of this ping's ($ids)" test "${ids%% *}" = 3
# shellcheck disable=SC2016 # jq's variables
check "... its host's probes are its 3 requests, the other id's 16 frames background" \
  jqt '([.modes[0].hosts[0].probes[] | select(.text == "ICMPv6 echo request")] | length) == 3
    and .summary.causes.background == 16 and .summary.miscounted == null' "$tmp/pb.json"
# IPv4 alike (ping -c 3 beside ping -i 0.3 -c 12: was COUNTS, "the wire: 11")
"$st" compare --no-write -f json "$d/ping-beside" >"$tmp/p4.json"
check "ping beside another, IPv4: consistent, exit 0, the other id's frames background" \
  eval "test $? -eq 0 && jqt '.summary.causes.background == 16' $tmp/p4.json"

# the other ping ended before this one: nothing tells its requests from this ping's (one
# host, two ids of one ping): its statistics cannot be judged, neither "consistent" nor a
# miscount (was COUNTS: "5 probes sent; the wire: 8")
"$st" compare --no-write -f json "$d/ping6-beside-ended" >"$tmp/pe.json"
check "ping -6 beside another that ended first: UNJUDGED, exit 1 (no false pass)" \
  eval "test $? -eq 1 && jqt '.summary.passes == false and .summary.miscounted == null and
    .summary.echo_ids_mixed == 1 and (.summary.result | test(\"UNJUDGED: 1 host .*several ids\"))' \
    $tmp/pe.json"

# fping -6 -c 4 with sequences 0 and 1 answered twice (nft dup) and 2 dropped: fping
# counts a probe answered once, 3 of 4; the wire's 5 replies answer 3 requests (was
# COUNTS: "3 replies received; the wire: 4", every ICMPv6 reply counted new)
"$st" compare --no-write -f json --claims "$d/fping6-dup/stderr.txt" "$d/fping6-dup" >"$tmp/fd.json"
check "fping -6 with duplicated replies: consistent, exit 0" test "$?" -eq 0
check "... its statistics read, none miscounted" \
  jqt '.claims.format == "fping" and .summary.miscounted == null' "$tmp/fd.json"
nrep=$(tshark -r "$d/fping6-dup/capture.pcapng" -Y 'icmpv6.type == 129' 2>/dev/null | wc -l)
check "... the wire holds 5 replies ($nrep)" test "$nrep" = 5
sed 's|4/3/25%|4/4/0%|' "$d/fping6-dup/stderr.txt" >"$tmp/fd-4.txt"
"$st" compare --no-write -f json --claims "$tmp/fd-4.txt" "$d/fping6-dup" >"$tmp/fd4.json"
check "... its statistics edited to 4 received: COUNTS (a duplicate answers no other probe)" \
  eval "test $? -eq 1 && jqt '.summary.miscounted == 1' $tmp/fd4.json"

# ping -6 -i 0.002 recorded on the router (up0, br0, p-r1: each packet seen three times):
# the copies of a packet are the frames of its id and sequence, and the next request 2 ms
# later is no copy of the one before (was COUNTS: "20 probes sent; the wire: 15")
"$st" compare --no-write -f json "$d/ping6-router" >"$tmp/pr.json"
check "ping -6 every 2 ms captured on the router: consistent, exit 0" test "$?" -eq 0
check "... 40 packets matched (20 requests, 20 replies), each seen twice more: 80 copies" \
  jqt '.summary.matched == 40 and .summary.causes.copy == 80' "$tmp/pr.json"

# ping -6 ff02::1%lan0 -c 2 (fixtures/scanners/ping6-all-nodes): each member's answer to
# the second request is tied to it (was to the first: every ICMPv6 echo one key)
"$st" compare --no-write -f json fixtures/scanners/ping6-all-nodes >"$tmp/an.json"
# shellcheck disable=SC2016 # jq's variables
check "ping -6 of all nodes: each member's probes are both group requests" \
  jqt '[.modes[0].hosts[] | select(.member_of != null and .member_of != []) |
    ([.probes[] | select(.text == "ICMPv6 echo request") | .frame] == [1, 11])] |
    length == 3 and all' "$tmp/an.json"

tap_done
