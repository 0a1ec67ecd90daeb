#!/usr/bin/env bash
# tests/lab/test_rdns.sh ST_RDNS: reverse DNS through the event engine (probes/dns/rdns.c, driven
# by the st-rdns test driver) against the lab's dnsmasq, from the scan namespace: every lab
# host with a PTR record gets its name (the one `scripts/lab ptr` gives, and the one real nmap
# resolves through the same server), an address without a record gets none, and an absent
# server makes every query time out after its tries. Both event engines. TAP output;
# exit 0 when every check passes, 1 when one fails; skipped without root or a tool.
set -euo pipefail

RDNS=$(realpath "${1:?usage: test_rdns.sh PATH-TO-st-rdns}") # before the cd: meson gives it relative
cd "$(dirname "$0")/../.."
LAB=scripts/lab

# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require ss nmap dnsmasq

lab_start stdn
OUT=$tmp
SCAN=$ns
in_scan() { ip netns exec "$SCAN" "$@"; }
DNS=$("$LAB" addr dns)

# IPv4 roles (the driver asks in-addr.arpa; the IPv6 twins are the IPv6 scan's)
mapfile -t roles < <("$LAB" ptr | awk '$2 !~ /:/ {print $1}')
addrs=()
for r in "${roles[@]}"; do addrs+=("$("$LAB" addr "$r")"); done
noname=$("$LAB" addr routed-absent)

in_scan nmap -sL --dns-servers "$DNS" "${addrs[@]}" "$noname" >"$OUT/nmap.txt" 2>&1
for engine in epoll poll; do
  in_scan "$RDNS" --event-engine "$engine" --server "$DNS" "${addrs[@]}" "$noname" \
    >"$OUT/$engine.txt"
  for i in "${!roles[@]}"; do
    r=${roles[$i]}
    a=${addrs[$i]}
    want=$("$LAB" ptr "$r")
    check "$engine: $r $a is $want" grep -qxF "PTR $a ok $want tries=1" "$OUT/$engine.txt"
    check "$engine: nmap also calls $a $want" grep -qxF "Nmap scan report for $want ($a)" \
      "$OUT/nmap.txt"
  done
  check "$engine: $noname has no name (NXDOMAIN)" \
    grep -qxF "PTR $noname nxdomain - tries=1" "$OUT/$engine.txt"
done

# an absent server (nobody at l2-absent): shortened timeouts, three tries, then timeout
absent=$("$LAB" addr l2-absent)
in_scan "$RDNS" --timeouts 100,100,150 --server "$absent" "${addrs[0]}" "${addrs[1]}" \
  >"$OUT/absent.txt"
check "absent server: both queries time out after 3 tries" \
  [ "$(grep -c ' timeout - tries=3$' "$OUT/absent.txt")" -eq 2 ]
# nmap_dns's tries for one server: 4000, 4000, 5000 ms; with two servers, the retry goes to
# the other one, which answers
in_scan "$RDNS" --timeouts 100,100 --server "$absent" --server "$DNS" "${addrs[0]}" "${addrs[1]}" \
  >"$OUT/two.txt"
check "absent + lab server: every query answered (a retry moved on)" \
  [ "$(grep -c ' ok ' "$OUT/two.txt")" -eq 2 ]

# the engine's trace of a lookup has nmap_dns's shape (doc/nmap-notes.md, "nsock's log lines")
in_scan "$RDNS" --event-trace --server "$DNS" "${addrs[0]}" >/dev/null 2>"$OUT/trace.txt"
shape() {
  sed -E 's/^EVENT INFO \[[0-9]+\.[0-9]{3}0s\] //; s/ EID [0-9]+/ EID N/; s/#[0-9]+/#N/g' \
    "$OUT/trace.txt" | grep -v 'nsock_timer_create\|nsock_event_cancel\|TIMER'
}
want_shape="nsock_iod_new2(): nsock_iod_new (IOD #N)
nsock_connect_udp(): UDP connection requested to $DNS:53 (IOD #N) EID N
nsock_read(): Read request from IOD #N [$DNS:53] (timeout: -1ms) EID N
nsock_write(): Write request for 41 bytes to IOD #N EID N [$DNS:53]
nsock_trace_handler_callback(): Callback: CONNECT SUCCESS for EID N [$DNS:53]
nsock_trace_handler_callback(): Callback: WRITE SUCCESS for EID N [$DNS:53]"
check "the trace starts as nmap_dns's does" [ "$(shape | head -6)" = "$want_shape" ]
name0=$("$LAB" ptr "${roles[0]}")
check "the trace shows the answer ($name0)" \
  grep -qE "Callback: READ SUCCESS for EID [0-9]+ \[$DNS:53\] \([0-9]+ bytes\): .*${name0//./\\.}\.$" \
  "$OUT/trace.txt"
check "the trace ends as nmap_dns's does (the re-armed read dropped)" \
  [ "$(shape | tail -2)" = "nsock_iod_delete(): nsock_iod_delete (IOD #N)
nevent_delete(): nevent_delete on event #N (type READ)" ]

check "nmap: $noname has no name either" grep -qxF "Nmap scan report for $noname" "$OUT/nmap.txt"

echo "1..$n"
echo "# $failed failed"
[ "$failed" -eq 0 ]
