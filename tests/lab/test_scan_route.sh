#!/usr/bin/env bash
# scantrace scan follows the kernel's route to each target, as nmap does:
# the route's device is where probes leave and replies are read, even when
# the source address sits on another interface (lo, or the other LAN); a
# route without a gateway puts the target on the link (ARP), even from a
# /32 address. The lab is reshaped for it in its scanner and router:
#   IPv4: 198.18.250.1/32 on lo, the routed net via wan0 "src 198.18.250.1"
#   IPv6: wan0 with only link-local addresses, the routed net via fe80::fe
#         dev wan0, so the source (2001:2:0:1::1) is lan0's
#   /32: 198.18.9.1/32 on lan0 and "198.18.9.0/24 dev lan0"; h1 holds 198.18.9.10
# Then routes more specific than the block a route lookup is shared by
# (IPv4 /24, IPv6 /64) inside the routed /24 (/64), whose own route is a
# /24 via wan0: 198.18.3.7/32 on lan0's link, 198.18.3.8/32 via h1 (lan0),
# 198.18.3.128/25 on lan0's link, 2001:2:0:3::7/128 on lan0's link; h1 holds
# those addresses. Each of those targets goes its own way, as with nmap.
# usage: tests/lab/test_scan_route.sh SCANTRACE       (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap tshark jq
lab_start str
rtr=$(scripts/lab ns rtr --prefix "$P")
h1=$(scripts/lab ns h1 --prefix "$P")
up=$(scripts/lab addr routed-up)
up6=$(scripts/lab addr routed-up6)
absent=$(scripts/lab addr routed-absent)

ip -n "$ns" addr add 198.18.250.1/32 dev lo
ip -n "$ns" route replace "$(scripts/lab addr routed-net)" via "$(scripts/lab addr gateway)" dev wan0 src 198.18.250.1
ip -n "$rtr" route add 198.18.250.1/32 via "$(scripts/lab addr scanner-wan)" dev up0
ip -n "$ns" -6 addr del "$(scripts/lab addr scanner-wan6)/64" dev wan0
ip -n "$ns" -6 addr add fe80::1/64 dev wan0 nodad
ip -n "$ns" -6 route add "$(scripts/lab addr routed-net6)" via fe80::fe dev wan0
ip -n "$rtr" -6 addr add fe80::fe/64 dev up0 nodad
ip -n "$rtr" -6 route add "$(scripts/lab addr l2-net6)" via fe80::1 dev up0
ip -n "$ns" addr add 198.18.9.1/32 dev lan0
ip -n "$ns" route add 198.18.9.0/24 dev lan0 src 198.18.9.1
ip -n "$h1" addr add 198.18.9.10/24 dev eth0

scan() { # scan NAME OPTIONS...
  local name=$1
  shift
  ip netns exec "$ns" "$st" scan -o "$tmp/$name" "$@" >/dev/null 2>"$tmp/$name.err"
}
up_hosts() { jq -r '[.hosts[] | select(.verdict == "up") | .host] | join(" ")' "$1/run.json"; }
consistent() { "$st" compare "$1" >/dev/null 2>&1; }

scan src-lo "$up" "$absent"
check "source on lo, route via wan0: scan exits 0" test $? -eq 0
check "source on lo: the routed host is up" test "$(up_hosts "$tmp/src-lo")" = "$up"
check "source on lo: captured on the route's device" test "$(jq -c .interfaces "$tmp/src-lo/run.json")" = '["wan0"]'
check "source on lo: probes from the route's source" grep -q "198.18.250.1 > $up" "$tmp/src-lo/trace.log"
check "source on lo: consistent" consistent "$tmp/src-lo"
ip netns exec "$ns" "$st" record -o "$tmp/nmap-src-lo" -- nmap -n -sn --packet-trace "$up" "$absent" >/dev/null 2>&1
check "source on lo: the same as nmap" quiet "$st" diff "$tmp/nmap-src-lo" "$tmp/src-lo"

scan src6 -6 -PE "$up6"
check "IPv6 source of another interface: the routed host is up" test "$(up_hosts "$tmp/src6")" = "$up6"
check "IPv6: captured on the route's device" test "$(jq -c .interfaces "$tmp/src6/run.json")" = '["wan0"]'
check "IPv6: consistent" consistent "$tmp/src6"
ip netns exec "$ns" "$st" record -o "$tmp/nmap-src6" -- nmap -6 -n -sn --packet-trace -PE "$up6" >/dev/null 2>&1
check "IPv6: the same as nmap -6" quiet "$st" diff "$tmp/nmap-src6" "$tmp/src6"
scan src6-e -6 -PE -e wan0 "$up6"
check "IPv6: -e the route's device is taken (exit 0)" test $? -eq 0
check "IPv6 -e wan0: the routed host is up" test "$(up_hosts "$tmp/src6-e")" = "$up6"

scan onlink32 198.18.9.10 198.18.9.11
check "/32 address, on-link /24 route: ARP, as nmap" grep -q '^SENT.*ARP who-has 198.18.9.11 tell 198.18.9.1' "$tmp/onlink32/trace.log"
check "/32 address: no IP probe" test "$(grep -c '^SENT.*ICMP' "$tmp/onlink32/trace.log")" -eq 0
check "/32 address: the host on the link is up" test "$(up_hosts "$tmp/onlink32")" = 198.18.9.10
ip netns exec "$ns" "$st" record -o "$tmp/nmap-onlink32" -- nmap -n -sn --packet-trace 198.18.9.10 198.18.9.11 >/dev/null 2>&1
check "/32 address: the same as nmap" quiet "$st" diff "$tmp/nmap-onlink32" "$tmp/onlink32"

ip -n "$ns" route add 198.18.3.7/32 dev lan0
ip -n "$ns" route add 198.18.3.8/32 via "$(scripts/lab addr l2-up)" dev lan0
ip -n "$ns" route add 198.18.3.128/25 dev lan0
ip -n "$ns" -6 route add 2001:2:0:3::7/128 dev lan0
for a in 198.18.3.7 198.18.3.8 198.18.3.130; do ip -n "$h1" addr add "$a/32" dev eth0; done
ip -n "$h1" -6 addr add 2001:2:0:3::7/128 dev eth0 nodad
h1mac=$(ip -n "$h1" -j link show eth0 | jq -r '.[0].address')
wire_dst() { # wire_dst RUN DST: the Ethernet destinations of the probes to DST
  tshark -r "$1/capture.pcapng" -Y "ip.src != $2 && ip.dst == $2 && !arp" -T fields -e eth.dst 2>/dev/null | sort -u | tr '\n' ' '
}
inside="$up 198.18.3.7 198.18.3.8 198.18.3.130 $absent"
# shellcheck disable=SC2086 # the targets, one word each
scan inside $inside
check "routes inside the /24: scan exits 0" test $? -eq 0
check "routes inside the /24: every held address up" \
  test "$(up_hosts "$tmp/inside")" = "$up 198.18.3.7 198.18.3.8 198.18.3.130"
check "routes inside the /24: both interfaces captured" \
  test "$(jq -c '.interfaces | sort' "$tmp/inside/run.json")" = '["lan0","wan0"]'
check "/32 host route on lan0's link: ARPed for there" grep -q '^SENT.*ARP who-has 198.18.3.7 ' "$tmp/inside/trace.log"
check "/25 on lan0's link: ARPed for there" grep -q '^SENT.*ARP who-has 198.18.3.130 ' "$tmp/inside/trace.log"
check "/32 via h1: no ARP for it" test "$(grep -c '^SENT.*ARP who-has 198.18.3.8 ' "$tmp/inside/trace.log")" -eq 0
check "/32 via h1: its probes framed to h1" test "$(wire_dst "$tmp/inside" 198.18.3.8)" = "$h1mac "
check "the /24's own route still for the rest: pinged, not ARPed" \
  test "$(grep -c "^SENT.*ARP who-has \($up\|$absent\) " "$tmp/inside/trace.log")" -eq 0
check "routes inside the /24: consistent" consistent "$tmp/inside"
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" record -o "$tmp/nmap-inside" -- nmap -n -sn --packet-trace $inside >/dev/null 2>&1
check "routes inside the /24: the same as nmap" quiet "$st" diff "$tmp/nmap-inside" "$tmp/inside"

scan inside6 -6 -PE "$up6" 2001:2:0:3::7
check "IPv6 /128 inside the /64: both up" test "$(up_hosts "$tmp/inside6")" = "$up6 2001:2:0:3::7"
check "IPv6 /128 on lan0's link: a neighbour solicitation for it" \
  grep -q '^SENT.*ICMPv6.*> ff02::1:ff00:7 (type=135' "$tmp/inside6/trace.log"
check "IPv6 /128 inside the /64: consistent" consistent "$tmp/inside6"
ip netns exec "$ns" "$st" record -o "$tmp/nmap-inside6" -- nmap -6 -n -sn --packet-trace -PE "$up6" 2001:2:0:3::7 >/dev/null 2>&1
check "IPv6 /128 inside the /64: the same as nmap -6" quiet "$st" diff "$tmp/nmap-inside6" "$tmp/inside6"

tap_done
