#!/usr/bin/env bash
# tests/lab/test_lab.sh: builds the network lab (scripts/lab) under a private prefix and
# proves every behaviour of it from the scanner namespace. TAP output; exit 0 when
# every check passes, 1 when one fails; skipped without root or a tool.
# The lab is always torn down on exit (trap), also after failures or Ctrl-C.
set -euo pipefail

cd "$(dirname "$0")/../.."
LAB=scripts/lab

# shellcheck source=tests/tap.sh
. tests/tap.sh
needs_root "network namespaces"
needs ip nft socat ss ping nmap timeout dnsmasq tshark

# short private prefixes; only namespace names carry them
base="stt$(($$ % 100000))"
P="${base}-"   # the main lab
P2="${base}b-" # a second lab, up at the same time
P3="${base}h-" # half-built / failing labs

cleanup() {
  local p
  for p in "$P" "$P2" "$P3"; do
    "$LAB" down --prefix "$p" >/dev/null 2>&1 || true
  done
  rm -rf "${FAKEBIN:-}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# status_ok PREFIX: status exits 0; otherwise what it found missing, as TAP comments
status_ok() {
  local out
  out=$("$LAB" status --prefix "$1" 2>&1) && return 0
  grep -E 'MISSING|INCOMPLETE' <<<"$out" | sed 's/^/# /'
  return 1
}
not() { ! "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# prefix-free names of the main lab
SCAN=$("$LAB" ns scan --prefix "$P")
addr() { "$LAB" addr "$1"; }
in_scan() { ip netns exec "$SCAN" "$@"; }

ping_ok() { in_scan ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1; }
ping_fails() { ! in_scan ping -n -q -c 1 -W 1 "$1" >/dev/null 2>&1; }
# silent: no echo reply AND no ICMP error of any kind ("Destination ... Unreachable")
ping_silent() {
  local out
  if out=$(in_scan ping -n -c 2 -i 0.2 -W 1 "$1" 2>&1); then return 1; fi
  ! grep -qi unreachable <<<"$out"
}

# tcp IP PORT: prints open, refused, timeout or other (with the error)
tcp() {
  local out rc=0
  # shellcheck disable=SC2016  # expanded by the inner bash
  out=$(in_scan timeout 1.5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' tcp "$1" "$2" 2>&1) || rc=$?
  if [ "$rc" -eq 0 ]; then
    echo open
  elif [ "$rc" -eq 124 ]; then
    echo timeout
  elif grep -q "Connection refused" <<<"$out"; then
    echo refused
  else
    echo "other: $out"
  fi
}
tcp_is() { [ "$(tcp "$1" "$2")" = "$3" ]; }

# ICMP timestamp request (-PP) with nmap; "Host is up" only if a timestamp reply came
ts_up() {
  in_scan nmap -n -sn -PP --send-ip --max-retries 1 "$1" 2>/dev/null | grep "Host is up" >/dev/null
}

no_ns_with_prefix() { ! ip netns list | awk '{print $1}' | grep "^$1" >/dev/null; }

t0=$(now)

# ------------------------------------------------------------- build and status
t=$(now)
if "$LAB" up --prefix "$P" >/dev/null; then
  ok "lab up --prefix $P ($(elapsed "$t") s)"
else
  not_ok "lab up --prefix $P"
  echo "Bail out! lab did not come up"
  exit 1
fi
check "status exits 0 after up" status_ok "$P"
check "ns scan names the prefixed namespace" [ "$SCAN" = "${P}scan" ]
check "SCANTRACE_LAB_PREFIX is used without --prefix" \
  [ "$(SCANTRACE_LAB_PREFIX="$P" "$LAB" ns rtr)" = "${P}rtr" ]
check "--prefix wins over SCANTRACE_LAB_PREFIX" \
  [ "$(SCANTRACE_LAB_PREFIX=zz- "$LAB" ns rtr --prefix "$P")" = "${P}rtr" ]

# ------------------------------------------------------------- behaviours from scan
h1=$(addr l2-up)
h2=$(addr l2-noicmp)
r1=$(addr routed-up)
r2=$(addr routed-noecho)
r3=$(addr routed-drop)

check "ping reaches l2-up $h1" ping_ok "$h1"
check "ping reaches routed-up $r1" ping_ok "$r1"
check "tcp connect to l2-up $h1:$("$LAB" port l2-up) succeeds" tcp_is "$h1" "$("$LAB" port l2-up)" open
check "tcp connect to routed-up $r1:$("$LAB" port routed-up) succeeds" \
  tcp_is "$r1" "$("$LAB" port routed-up)" open
check "tcp to a closed port of l2-up $h1:81 is refused" tcp_is "$h1" 81 refused

check "l2-noicmp $h2 answers no ping" ping_fails "$h2"
check "l2-noicmp $h2 answers no ICMP timestamp" not ts_up "$h2"
check "l2-noicmp $h2 refuses tcp to a closed port (RST)" tcp_is "$h2" 81 refused

check "routed-noecho $r2 answers no echo ping" ping_fails "$r2"
check "routed-noecho $r2 answers an ICMP timestamp request" ts_up "$r2"
check "routed-noecho $r2 refuses tcp to a closed port (RST)" tcp_is "$r2" 81 refused

check "routed-drop $r3 answers no ping" ping_fails "$r3"
check "routed-drop $r3 answers no ICMP timestamp" not ts_up "$r3"
check "routed-drop $r3: tcp times out (not refused)" tcp_is "$r3" 81 timeout

check "l2-absent $(addr l2-absent) does not answer" ping_fails "$(addr l2-absent)"
check "routed-absent $(addr routed-absent) does not answer" ping_fails "$(addr routed-absent)"

for _ in 1 2 3 4 5; do
  a="198.19.$((RANDOM % 256)).$((1 + RANDOM % 254))"
  check "sweep-block $a answers ping" ping_ok "$a"
  check "sweep-block $a refuses tcp/80 (RST)" tcp_is "$a" 80 refused
done

for _ in 1 2 3 4 5; do
  a="198.18.$((128 + RANDOM % 128)).$((1 + RANDOM % 254))"
  check "silent-block $a: ping fails without any ICMP error" ping_silent "$a"
  check "silent-block $a: tcp times out" tcp_is "$a" 80 timeout
done

# ------------------------------------------------------------- IPv6 behaviours from scan
h16=$(addr l2-up6)
h26=$(addr l2-noicmp6)
r16=$(addr routed-up6)
r26=$(addr routed-noecho6)
r36=$(addr routed-drop6)
# nd_ok NS-ROLE IPV6: the neighbour table of NS-ROLE holds IPV6 with a link-layer address
# (it answered neighbour discovery), after a ping from there
nd_ok() {
  ip netns exec "$("$LAB" ns "$1" --prefix "$P")" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1 || true
  ip -n "$("$LAB" ns "$1" --prefix "$P")" -6 neigh show "$2" | grep -q lladdr
}
# ND ping the way nmap does it: an up host is found by its advertisement alone
nd_up() {
  in_scan nmap -6 -n -sn -PR --max-retries 1 "$1" 2>/dev/null | grep "Host is up" >/dev/null
}
check "IPv6 ping reaches l2-up $h16" ping_ok "$h16"
check "IPv6 ping reaches routed-up $r16 (forwarded by rtr)" ping_ok "$r16"
check "IPv6 tcp connect to routed-up [$r16]:443 succeeds" tcp_is "$r16" "$("$LAB" port routed-up6)" open
check "IPv6 tcp connect to l2-up [$h16]:22 succeeds" tcp_is "$h16" "$("$LAB" port l2-up6)" open
check "IPv6 tcp to a closed port of l2-up [$h16]:81 is refused" tcp_is "$h16" 81 refused
check "l2-noicmp $h26 answers no ICMPv6 echo" ping_fails "$h26"
check "l2-noicmp $h26 answers neighbour discovery (nmap -6 -PR: up)" nd_up "$h26"
check "l2-absent $(addr l2-absent6) is not found by neighbour discovery" not nd_up "$(addr l2-absent6)"
check "routed-noecho $r26 answers no ICMPv6 echo" ping_fails "$r26"
check "routed-noecho $r26 refuses tcp to a closed port (RST)" tcp_is "$r26" 81 refused
check "routed-drop $r36 answers no ICMPv6 echo" ping_fails "$r36"
check "routed-drop $r36: tcp times out (not refused)" tcp_is "$r36" 81 timeout
check "routed-drop $r36 answers the router's neighbour discovery" nd_ok rtr "$r36"
check "routed-absent $(addr routed-absent6) does not answer" ping_fails "$(addr routed-absent6)"
for _ in 1 2 3; do
  a=$(printf '2001:2:0:100::%x:%x' $((RANDOM)) $((1 + RANDOM)))
  check "IPv6 sweep-block $a answers ping" ping_ok "$a"
  check "IPv6 sweep-block $a refuses tcp/80 (RST)" tcp_is "$a" 80 refused
done
for _ in 1 2 3; do
  a=$(printf '2001:2:0:%x::%x' $((0x8000 + RANDOM % 0x8000)) $((1 + RANDOM)))
  check "IPv6 silent-block $a: ping fails without any ICMPv6 error" ping_silent "$a"
done
check "scan has no IPv6 route outside the lab (2001:db8::1 unreachable locally)" \
  not quiet in_scan ip -6 route get 2001:db8::1
# no_chatter: once up, nobody on the scanner's wires sends IPv6 of its own accord (router
# solicitations, duplicate address detection, MLD), which an IPv4 capture would catch.
# (Neighbour discovery that earlier traffic causes is not chatter: it has a cause.)
no_chatter() {
  local n
  n=$(in_scan tshark -i lan0 -i wan0 -n -f ip6 -a duration:3 \
    -Y 'icmpv6.type in {130 131 133 143} || (icmpv6.type == 135 && ipv6.src == ::)' 2>/dev/null | wc -l)
  [ "$n" -eq 0 ] || { echo "# $n IPv6 frames"; return 1; }
}
check "no IPv6 chatter on the scanner's wires for 3 s" no_chatter

# the lab's DNS server (dnsmasq in ns dns on the L2 segment), checked with nmap's own resolver
dns=$(addr dns)
check "ns dns names the prefixed namespace" [ "$("$LAB" ns dns --prefix "$P")" = "${P}dns" ]
ptr_ok() {
  in_scan nmap -sL --dns-servers "$dns" "$1" 2>/dev/null | grep -xF "Nmap scan report for $2 ($1)" >/dev/null
}
check "dns $dns gives l2-up $h1 its PTR name $("$LAB" ptr l2-up)" ptr_ok "$h1" "$("$LAB" ptr l2-up)"
check "dns $dns gives routed-up $r1 its PTR name $("$LAB" ptr routed-up)" \
  ptr_ok "$r1" "$("$LAB" ptr routed-up)"
no_name() {
  in_scan nmap -sL --dns-servers "$dns" "$1" 2>/dev/null | grep -xF "Nmap scan report for $1" >/dev/null
}
check "dns $dns has no name for routed-absent" no_name "$(addr routed-absent)"
ptr6_ok() {
  in_scan nmap -6 -sL --dns-servers "$dns" "$1" 2>/dev/null | grep -xF "Nmap scan report for $2 ($1)" >/dev/null
}
check "dns $dns gives routed-up $r16 its PTR name" ptr6_ok "$r16" "$("$LAB" ptr routed-up6)"

check "scan has no route outside the lab (8.8.8.8 unreachable locally)" \
  not quiet in_scan ip route get 8.8.8.8

# ------------------------------------------------------------- re-up, second lab
t=$(now)
check "up again over a running lab (stale teardown) succeeds" quiet "$LAB" up --prefix "$P"
echo "# re-up took $(elapsed "$t") s"
check "status exits 0 after re-up" status_ok "$P"

check "second lab --prefix $P2 comes up beside the first" quiet "$LAB" up --prefix "$P2"
check "status of the first lab is OK with both up" status_ok "$P"
check "status of the second lab is OK with both up" status_ok "$P2"
check "the second lab works (ping routed-up from ${P2}scan)" \
  quiet ip netns exec "${P2}scan" ping -n -q -c 1 -W 1 "$r1"
check "the first lab still works (tcp to routed-up)" tcp_is "$r1" "$("$LAB" port routed-up)" open
check "down of the second lab succeeds" quiet "$LAB" down --prefix "$P2"
check "no namespace of the second lab is left" no_ns_with_prefix "$P2"
check "the first lab is still complete" status_ok "$P"

# ------------------------------------------------------------- down
t=$(now)
check "down succeeds" quiet "$LAB" down --prefix "$P"
echo "# down took $(elapsed "$t") s"
check "status exits non-zero after down" not quiet "$LAB" status --prefix "$P"
check "no namespace with prefix $P is left" no_ns_with_prefix "$P"
check "down is idempotent (nothing to remove)" quiet "$LAB" down --prefix "$P"

# ------------------------------------------------------------- half-built lab
ip netns add "${P3}scan"
ip netns exec "${P3}scan" sleep 300 </dev/null >/dev/null 2>&1 &
sleeper=$!
for _ in $(seq 1 50); do
  [ -z "$(ip netns pids "${P3}scan")" ] || break
  sleep 0.02
done
check "half-built lab has a process in ${P3}scan" [ -n "$(ip netns pids "${P3}scan")" ]
check "down of a half-built lab succeeds" quiet "$LAB" down --prefix "$P3"
check "no namespace of the half-built lab is left" no_ns_with_prefix "$P3"
# dead = gone or a zombie (our own child, reaped just below)
dead() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true); [ -z "$st" ] || [ "$st" = Z ]; }
check "the process in the half-built lab was killed" dead "$sleeper"
wait "$sleeper" 2>/dev/null || true

# ------------------------------------------------------------- up that fails mid-way
FAKEBIN=$(mktemp -d)
printf '#!/bin/sh\nexit 1\n' >"$FAKEBIN/socat"
chmod +x "$FAKEBIN/socat"
check "up fails when a listener cannot start" \
  not quiet env PATH="$FAKEBIN:$PATH" SCANTRACE_LAB_WAIT=1 "$LAB" up --prefix "$P3"
check "a failed up leaves no namespace behind" no_ns_with_prefix "$P3"

echo "1..$n"
echo "# $failed failed, total $(elapsed "$t0") s"
[ "$failed" -eq 0 ]
