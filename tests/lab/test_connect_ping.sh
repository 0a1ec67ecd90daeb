#!/usr/bin/env bash
# tests/lab/test_connect_ping.sh ST_CPING: the unprivileged connect ping (probes/scan/connect_ping.c,
# driven by the st-cping test driver) against real nmap 7.93 --unprivileged in the lab's scan
# namespace. Per target: the same verdict as nmap, and the same CONN lines in the same order
# (times left out: no timing claims here). Both event engines. TAP output; exit 0 when
# every check passes, 1 when one fails; skipped without root or a tool.
set -euo pipefail

CPING=$(realpath "${1:?usage: test_connect_ping.sh PATH-TO-st-cping}") # before the cd: meson gives it relative
cd "$(dirname "$0")/../.."
LAB=scripts/lab

# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require ss nmap

lab_start stev
OUT=$tmp
SCAN=$ns
addr() { "$LAB" addr "$1"; }

up1=$(addr routed-up)       # tcp/443 open, RST on 80
up2=$(addr routed-noecho)   # RST on 80 and 443
drop=$(addr routed-drop)    # silent: two tries, then down
l2up=$(addr l2-up)          # RST on 80 and 443
l2nc=$(addr l2-noicmp)      # RST on 80 and 443
absent=$(addr routed-absent) # silent or "No route to host" (the router's ARP state decides)
# 5 targets, 10 probes: nmap's first congestion window (10) sends them all before it looks
# at an answer, so which probes go out does not depend on how fast the answers come
targets=("$up1" "$up2" "$drop" "$l2up" "$absent")

ip netns exec "$SCAN" nmap -n -sn --unprivileged --packet-trace "${targets[@]}" >"$OUT/nmap.txt" 2>&1
for engine in epoll poll; do
  ip netns exec "$SCAN" "$CPING" --event-engine "$engine" "${targets[@]}" >"$OUT/$engine.txt"
done

# conn FILE IP: the CONN lines of IP without their times, in order
conn() { grep -F "CONN " "$1" | grep -F "> $2:" | sed -E 's/^CONN \([0-9.]+s\) //'; }
nmap_up() { grep -qxF "Nmap scan report for $1" "$OUT/nmap.txt"; }
st_up() { grep -qE "^HOST $2 up " "$OUT/$1.txt"; }
same_verdict() {
  if nmap_up "$2"; then st_up "$1" "$2"; else st_up "$1" "$2" && return 1; return 0; fi
}
same_conn() {
  [ "$(conn "$OUT/nmap.txt" "$2")" = "$(conn "$OUT/$1.txt" "$2")" ] && return 0
  diff <(conn "$OUT/nmap.txt" "$2") <(conn "$OUT/$1.txt" "$2") | sed 's/^/# /'
  return 1
}
# routed-up answers on both ports: whichever answer comes first decides, in nmap as here
first_answer_ok() {
  local f=$1 ip=$2 lines
  lines=$(conn "$f" "$ip")
  [ "$(sed -n 1,2p <<<"$lines")" = "TCP localhost > $ip:80 => Operation now in progress
TCP localhost > $ip:443 => Operation now in progress" ] || return 1
  [ "$(wc -l <<<"$lines")" -eq 3 ] || return 1
  grep -qxE "TCP localhost > $ip:(80 => Connection refused|443 => Connected)" <<<"$(sed -n 3p <<<"$lines")"
}

check "nmap saw $up1 $up2 $l2up up and $drop $absent down" \
  bash -c "grep -c 'Nmap scan report for' '$OUT/nmap.txt' | grep -qx 3"
for engine in epoll poll; do
  for ip in "${targets[@]}"; do
    check "$engine: verdict for $ip is nmap's ($(grep "^HOST $ip " "$OUT/$engine.txt" | cut -d' ' -f3-4))" \
      same_verdict "$engine" "$ip"
  done
  for ip in "$up2" "$drop" "$l2up"; do
    check "$engine: CONN lines for $ip are nmap's ($(conn "$OUT/$engine.txt" "$ip" | wc -l) lines)" \
      same_conn "$engine" "$ip"
  done
  check "$engine: $up1 gets two probes and the first answer, as nmap did" \
    first_answer_ok "$OUT/$engine.txt" "$up1"
  check "$engine: a CONN line's layout is nmap's" \
    grep -qE '^CONN \([0-9]+\.[0-9]{4}s\) TCP localhost > [0-9.]+:[0-9]+ => ' "$OUT/$engine.txt"
done
check "nmap: $up1 also got two probes and one answer" first_answer_ok "$OUT/nmap.txt" "$up1"

# many targets (sweep-block answers with RST everywhere, silent-block never): verdicts only
many=("$l2nc")
for i in 1 2 3 4 5 6 7 8; do many+=("198.19.7.$i" "198.18.200.$i"); done
ip netns exec "$SCAN" nmap -n -sn --unprivileged "${many[@]}" >"$OUT/nmap-many.txt" 2>&1
ip netns exec "$SCAN" "$CPING" "${many[@]}" >"$OUT/many.txt"
many_same() {
  local ip
  for ip in "${many[@]}"; do
    if grep -qxF "Nmap scan report for $ip" "$OUT/nmap-many.txt"; then
      grep -qE "^HOST $ip up " "$OUT/many.txt" || return 1
    else
      grep -qE "^HOST $ip down " "$OUT/many.txt" || return 1
    fi
  done
}
check "17 targets: every verdict is nmap's ($(grep -c ' up ' "$OUT/many.txt") up)" many_same

# the retry shape, for the record (no assertion on times)
echo "# nmap  retry of $drop: $(grep -F "> $drop:443 => Operation" "$OUT/nmap.txt" | tail -1)"
echo "# ours  retry of $drop: $(grep -F "> $drop:443 => Operation" "$OUT/epoll.txt" | tail -1)"

echo "1..$n"
echo "# $failed failed"
[ "$failed" -eq 0 ]
