#!/usr/bin/env bash
# scantrace scan -6 against real nmap 7.93 -6, mode by mode, in a private
# lab: both scan the same IPv6 hosts (up, filtered, silent, absent; on the
# local segment and routed). For each mode: the same hosts up; per host the
# same probe kinds (for a host nmap found up, nmap may stop early: its kinds
# are a subset of scantrace's), and to a host nmap found down the same
# probes as many times; scantrace's own trace against its own capture:
# every SENT line has its frame with its probe comment, every RCVD line's
# sender is on the wire, run.json says the same hosts up as the report.
# The kinds are read from both traces' SENT lines (nmap's text), not from
# compare's report, so they do not depend on compare reading IPv6.
# usage: tests/lab/test_scan6.sh SCANTRACE            (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap tshark jq python3
lab_start st6s
a() { scripts/lab addr "$1" --prefix "$P"; }
ROUTED="$(a routed-up6) $(a routed-noecho6) $(a routed-drop6)"
LOCAL="$(a l2-up6) $(a l2-noicmp6) $(a l2-absent6)"

# An address and its solicited-node multicast address (where ND asks for it),
# one "addr sn" line per address.
solicited() {
  python3 -c 'import ipaddress, sys
for s in sys.argv[1:]:
    a = ipaddress.IPv6Address(s)
    sn = ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + a.packed[13:])
    print(a, sn)' "$@"
}

# "DST KIND" per SENT line of a trace in nmap's text: echo, nd, syn:PORT,
# ack:PORT, udp:PORT, sctp:PORT, proto:N (nmap prints "ICMP A > B [??]" for
# protocol 1 over IPv6, and "NAME (N) A > B:" for the others).
sent_kinds() {
  awk '$1 == "SENT" {
    line = $0
    sub(/^SENT \([0-9.]+s\) /, "", line)
    split(line, w, " ")
    if (w[1] == "ICMPv6") {
      dst = w[5]
      kind = line ~ /type=135\// ? "nd" : line ~ /type=128\// ? "echo" : "icmp6"
    } else if (w[1] == "TCP" || w[1] == "UDP" || w[1] == "SCTP") {
      dst = w[4]; port = dst
      sub(/.*:/, "", port); sub(/:[0-9]+$/, "", dst)
      kind = tolower(w[1])
      if (w[1] == "TCP") kind = w[5] == "S" ? "syn" : w[5] == "A" ? "ack" : "tcp-" w[5]
      kind = kind ":" port
    } else if (w[1] == "ICMP") {
      dst = w[4]; kind = "proto:1"
    } else if (w[2] ~ /^\([0-9]+\)$/) {
      dst = w[5]; sub(/:$/, "", dst)
      p = w[2]; gsub(/[()]/, "", p); kind = "proto:" p
    } else next
    print dst, kind
  }' "$1"
}

up_nmap() { grep -oE '^Nmap scan report for [0-9a-f:]+' "$1" | awk '{print $5}' | sort; }
up_st() { jq -r '.hosts[] | select(.verdict == "up") | .host' "$1/run.json" | sort; }

# per destination (an address, or the solicited-node address ND asked),
# nmap's probes against scantrace's
same_probes() { # same_probes NAME
  local name=$1 ok=0 d up n s
  # shellcheck disable=SC2046 # one address a word
  up=$(solicited $(up_nmap "$tmp/nmap-$name.txt") | tr ' ' '\n' | sort -u)
  sent_kinds "$tmp/nmap-$name.txt" | sort >"$tmp/$name.nk"
  sent_kinds "$tmp/st-$name/trace.log" | sort >"$tmp/$name.sk"
  while read -r d; do
    n=$(awk -v d="$d" '$1 == d {print $2}' "$tmp/$name.nk")
    s=$(awk -v d="$d" '$1 == d {print $2}' "$tmp/$name.sk")
    if grep -qxF "$d" <<<"$up"; then
      # nmap stops probing a host once it answered: its kinds a subset
      [ -z "$(comm -23 <(uniq <<<"$n") <(uniq <<<"$s"))" ] ||
        { echo "# $name $d (up): nmap sent [${n//$'\n'/ }], scantrace [${s//$'\n'/ }]"; ok=1; }
    else
      [ "$n" = "$s" ] || { echo "# $name $d (down): nmap sent [${n//$'\n'/ }], scantrace [${s//$'\n'/ }]"; ok=1; }
    fi
  done < <(awk '{print $1}' "$tmp/$name.nk" | sort -u)
  # and scantrace probed nothing nmap did not
  [ -z "$(comm -13 <(awk '{print $1}' "$tmp/$name.nk" | sort -u) \
    <(awk '{print $1}' "$tmp/$name.sk" | sort -u))" ] || ok=1
  return $ok
}

# every SENT line's frame carries its probe comment (with --send-ip the
# kernel drops the probes to an address whose neighbour discovery failed:
# those of hosts found down may be missing); every RCVD line's sender sent
# a frame on the wire
own_capture() { # own_capture DIR SEND_IP
  local d=$1 sent frames src dst
  sent=$(grep -c '^SENT' "$d/trace.log")
  frames=$(tshark -r "$d/capture.pcapng" -Y 'frame.comment contains "scantrace probe="' 2>/dev/null | wc -l)
  if [ "$2" = yes ]; then
    tshark -r "$d/capture.pcapng" -Y 'frame.comment contains "scantrace probe="' -T fields \
      -e ipv6.dst 2>/dev/null | sort -u >"$d.dsts"
    for dst in $(sent_kinds "$d/trace.log" | awk '{print $1}' | sort -u); do
      grep -qxF "$dst" "$d.dsts" || grep -qxF "$dst" <(up_st "$d") ||
        continue # down and never on the wire: the kernel's ND failed
      [ "$(sent_kinds "$d/trace.log" | awk -v d="$dst" '$1 == d' | wc -l)" -eq \
        "$(tshark -r "$d/capture.pcapng" -Y "frame.comment contains \"scantrace probe=\" && ipv6.dst == $dst" 2>/dev/null | wc -l)" ] ||
        { echo "# $d: probes to $dst missing on the wire"; return 1; }
    done
  else
    [ "$sent" -eq "$frames" ] || { echo "# $d: $sent SENT lines, $frames probe frames"; return 1; }
  fi
  tshark -r "$d/capture.pcapng" -T fields -E occurrence=f -e ipv6.src 2>/dev/null | sort -u >"$d.srcs"
  # RCVD (T) KIND [(N)] SRC[:PORT] > ..., or nmap's ND line: RCVD (T) neighbor advertisement SRC > ...
  # shellcheck disable=SC2013 # addresses, one a word
  for src in $(awk '$1 == "RCVD" {
      s = $3 == "neighbor" || $4 ~ /^\(/ ? $5 : $4
      if ($3 == "TCP" || $3 == "UDP" || $3 == "SCTP") sub(/:[0-9]+$/, "", s)
      print s }' "$d/trace.log" | sort -u); do
    grep -qxF "$src" "$d.srcs" || { echo "# $d: RCVD from $src, not on the wire"; return 1; }
  done
}

run_mode() { # run_mode NAME OPTIONS TARGETS
  local name=$1 opts=$2 targets=$3 rc
  # shellcheck disable=SC2086 # words
  ip netns exec "$ns" nmap -6 -n -sn --packet-trace $opts $targets >"$tmp/nmap-$name.txt" 2>&1
  # shellcheck disable=SC2086
  ip netns exec "$ns" "$st" scan -6 $opts -o "$tmp/st-$name" $targets >"$tmp/st-$name.out" 2>"$tmp/st-$name.err"
  rc=$?
  check "$name: scantrace scan -6 exits 0" test "$rc" -eq 0
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/st-$name.err"
  check "$name: same hosts up as nmap -6" \
    test "$(up_nmap "$tmp/nmap-$name.txt" | tr '\n' ' ')" = "$(up_st "$tmp/st-$name" | tr '\n' ' ')"
  check "$name: same probe kinds per host, the same probes to hosts found down" same_probes "$name"
  local send_ip=no
  [[ "$opts" == *--send-ip* ]] && send_ip=yes
  check "$name: own trace on own capture (probe comments, replies on the wire)" \
    own_capture "$tmp/st-$name" "$send_ip"
  if [ "$name" = nd ] || [ "$name" = default ]; then
    check "$name: the ND ping's answers traced as nmap's (neighbor advertisement ... is at)" \
      test "$(grep -c '^RCVD .* neighbor advertisement .* is at ' "$tmp/nmap-$name.txt")" -eq \
      "$(grep -c '^RCVD .* neighbor advertisement .* is at ' "$tmp/st-$name/trace.log")"
  fi
  check "$name: the report's hosts are run.json's" test \
    "$(up_nmap "$tmp/st-$name.out" | tr '\n' ' ')" = "$(up_st "$tmp/st-$name" | tr '\n' ' ')"
}

run_mode default "" "$ROUTED $LOCAL"
run_mode echo -PE "$ROUTED"
run_mode syn "-PS22,443" "$ROUTED"
run_mode ack -PA "$ROUTED"
run_mode udp -PU "$ROUTED"
run_mode sctp -PY "$(a routed-up6)"
run_mode proto -PO "$(a routed-up6) $(a routed-drop6)"
run_mode nd -PR "$LOCAL $(a routed-up6)"
# -6 -PO's protocols with a header (hop limit 255) and -PO58's echo
run_mode proto-hdr "-PO6,17,58,132" "$ROUTED"
run_mode send-ip "--send-ip -PE -PS22" "$LOCAL"
run_mode absent -PE "$(a routed-absent6)"
# link-local neighbours named with their zone, as nmap -6 takes them (fe80::X%lan0): one
# that answers (h1's own link-local address) and one that does not
ll=$(ip netns exec "${P}h1" ip -6 -o addr show scope link | awk '{sub(/\/.*/, "", $4); print $4; exit}')
run_mode link-local "" "$ll%lan0 fe80::1234%lan0"
run_mode link-local-echo "--send-ip -PE" "$ll%lan0"
check "link-local: the neighbour up" test "$(up_st "$tmp/st-link-local")" = "$ll"
sweep=$(a sweep-block6)
run_mode sweep "-PE --max-retries 1" "${sweep%/*}/120"
# a /126 from the subnet-router anycast address (::): the router answers it from its
# own address, which answers no probe (:: down, as nmap says); nmap traces that
# reply as it traces every ICMPv6 packet to it, and so must scan (compare said
# DISCREPANCIES when it did not)
any=$(a routed-net6)
run_mode anycast -PE "${any%/*}/126"
check "anycast: the router's echo reply (from $(a gateway6)) traced" \
  grep -q "^RCVD .* $(a gateway6) > .*(type=129/" "$tmp/st-anycast/trace.log"
check "anycast: compare consistent (exit 0)" quiet "$st" compare --no-write "$tmp/st-anycast"

# the unprivileged mode: connect() over IPv6, nmap's CONN lines
# shellcheck disable=SC2086 # words
ip netns exec "$ns" nmap -6 -n -sn --packet-trace --unprivileged $ROUTED >"$tmp/nmap-connect.txt" 2>&1
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" scan -6 --unprivileged -o "$tmp/st-connect" $ROUTED >/dev/null 2>&1
check "connect: scan -6 --unprivileged exits 0" test $? -eq 0
check "connect: same hosts up as nmap -6" \
  test "$(up_nmap "$tmp/nmap-connect.txt" | tr '\n' ' ')" = "$(up_st "$tmp/st-connect" | tr '\n' ' ')"
conn_lines() { grep -oE '^CONN \([0-9.]+s\) TCP localhost > [0-9a-f:]+ => Operation now in progress' "$1" | cut -d' ' -f3- | sort; }
check "connect: the same CONN attempts as nmap's (address:port glued)" \
  test "$(conn_lines "$tmp/nmap-connect.txt")" = "$(conn_lines "$tmp/st-connect/trace.log")"

# -R: the names of the IPv6 hosts up (ip6.arpa PTRs from the lab's DNS)
dns=$(a dns)
# shellcheck disable=SC2086
ip netns exec "$ns" nmap -6 -sn --dns-servers "$dns" $ROUTED 2>/dev/null | grep '^Nmap scan report' >"$tmp/nmap-names"
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" scan -6 -R --dns-servers "$dns" -o "$tmp/st-names" $ROUTED 2>/dev/null |
  grep '^Nmap scan report' >"$tmp/st-names.txt"
check "-R: the same names as nmap -6 (ip6.arpa)" diff "$tmp/nmap-names" "$tmp/st-names.txt"
check "-R: names found" grep -q '(' "$tmp/st-names.txt"

# what nmap -6 refuses, so does scan -6 (exit 2, nmap's words)
ip netns exec "$ns" "$st" scan -6 -PP -o "$tmp/pp" "$(a routed-up6)" >/dev/null 2>"$tmp/pp.err"
check "-PP with -6: refused (exit 2)" test $? -eq 2
check "-PP with -6: nmap's words" grep -q 'only valid for IPv4' "$tmp/pp.err"
"$st" scan -o "$tmp/no6" "$(a routed-up6)" >/dev/null 2>"$tmp/no6.err"
check "an IPv6 target without -6: refused (exit 2)" test $? -eq 2
"$st" scan -6 -o "$tmp/range6" 2001:2:0:3::1-9 >/dev/null 2>"$tmp/range6.err"
check "an IPv6 range: refused as nmap -6 does (exit 2)" test $? -eq 2

tap_done
