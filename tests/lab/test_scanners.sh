#!/usr/bin/env bash
# tests/lab/test_scanners.sh SCANTRACE: runs of other scanners recorded without a packet
# trace (fping, zmap, masscan, hping3, nmap without --packet-trace), compared: the scanner
# side is built from the wire, every probed host judged, and what the scanner printed (its
# claims) checked against the wire. TAP; skipped without root or a tool (masscan and
# hping3 are optional: their checks are skipped when missing). The lab is torn down at exit.
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
LAB=scripts/lab

# shellcheck source=tests/lab/scanners.sh
. tests/lab/scanners.sh
lab_require fping zmap nmap jq ping

lab_start stsc
src=$("$LAB" addr scanner-wan)
gw=$("$LAB" addr gateway)
up=$("$LAB" addr routed-up)
noecho=$("$LAB" addr routed-noecho)
drop=$("$LAB" addr routed-drop)
l2up=$("$LAB" addr l2-up)

# claims_match NAME FORMAT: the claims were read in FORMAT and agree with the wire
claims_match() {
  local name=$1
  # fping exits 1 when a host was unreachable, and record passes its status on
  if [ "$name" = fping ] && [ "$rec" = 1 ]; then rec=0; fi
  # masscan 1.3.2 now and then never leaves its wait after the scan ("waiting
  # -2-secs"): its lines are out by then, and timeout ends it (124)
  if [ "$name" = masscan ] && [ "$rec" = 124 ]; then rec=0; fi
  eq "$name: recorded" "$rec" 0
  eq "$name: compare exits 0" "$cmp" 0
  eq "$name: scanner side from the wire" "$(j "$name" .trace.dialect)" wire
  eq "$name: claims format" "$(j "$name" .claims.format)" "$2"
  eq "$name: claimed up = answered" "$(j "$name" .claims.claimed_up)" "$(j "$name" .claims.answered)"
  eq "$name: nothing missed or unfounded" \
    "$(j "$name" '"\(.claims.missed) \(.claims.unfounded)"')" "0 0"
  check "$name: the text says it was built from the wire" \
    grep -q "scanner side built from the wire" "$tmp/$name.txt"
  echo "# $name: $(j "$name" '"\(.claims.answered) answered, \(.claims.claimed_up) claimed up"')"
}

# fping: one echo request per host and retries
run fping fping -a -r 1 "$up" "$noecho" "$drop"
claims_match fping address-list
eq "fping: mode" "$(j fping '.modes[0].mode')" fping
eq "fping: $up" "$(verdict fping "$up")" "up echo-reply"
eq "fping: $noecho" "$(verdict fping "$noecho")" "down no-response"
eq "fping: $drop" "$(verdict fping "$drop")" "down no-response"
eq "fping: claims per host" "$(j fping '[.modes[0].hosts[].claim] | map(. // "null") | join(",")')" \
  "up,null,null"

# zmap on the answering block: it writes Ethernet frames itself, so it needs the
# gateway's MAC, and its default blocklist excludes 198.18.0.0/15
# (a loaded machine may miss one ping: the MAC is asked for until the kernel has it)
gwmac=$(gateway_mac)
echo "# gateway $gw is at ${gwmac:-(unknown)}"
: >"$tmp/empty.blocklist"
run zmap zmap -M icmp_echoscan -i wan0 -S "$src" -G "$gwmac" -b "$tmp/empty.blocklist" \
  -r 2000 -c 1 -q -o - 198.19.0.0/24
[ "$rec" = 0 ] || sed 's/^/# zmap: /' "$tmp/zmap.out" | head -20
claims_match zmap address-list
eq "zmap: mode" "$(j zmap '.modes[0].mode')" "zmap -M icmp_echoscan"
eq "zmap: 256 hosts judged" "$(j zmap '.modes[0].hosts | length')" 256
eq "zmap: all up by echo reply" "$(j zmap '[.modes[0].hosts[] | select(.reason == "echo-reply")] | length')" 256

# nmap without --packet-trace: its report lines are the claims
run nmap nmap -n -sn -PE "$up" "$noecho" "$drop" "$l2up"
claims_match nmap nmap-normal
eq "nmap: mode" "$(j nmap '.modes[0].mode')" "nmap -sn -PE"
eq "nmap: $l2up (on the LAN: ARP)" "$(verdict nmap "$l2up")" "up arp-response"
eq "nmap: $drop" "$(verdict nmap "$drop")" "down no-response"
check "nmap: explain works" quiet "$st" explain "$tmp/nmap"
check "nmap: report works" quiet "$st" report -o "$tmp/nmap.html" "$tmp/nmap"
check "nmap: diff of a run with itself is equal" quiet "$st" diff "$tmp/nmap" "$tmp/nmap"

# claims that disagree with the wire: one unfounded, one missed, exit 1
echo "$drop is alive" >"$tmp/wrong.txt"
"$st" compare --claims "$tmp/wrong.txt" "$tmp/fping" >"$tmp/wrong.out" 2>&1
eq "wrong claims: compare exits 1" "$?" 1
eq "wrong claims: 1 missed, 1 unfounded" \
  "$(j fping '"\(.claims.missed) \(.claims.unfounded) \(.claims.source)"')" "1 1 $tmp/wrong.txt"
"$st" compare --format junit --no-write --claims "$tmp/wrong.txt" "$tmp/fping" >"$tmp/wrong.xml"
eq "wrong claims: a JUnit failure per host" "$(grep -c '<failure type="\(missed\|unfounded\)"' "$tmp/wrong.xml")" 2

if command -v masscan >/dev/null; then
  # masscan's rate limiter starts slowly: at 100 pps three hosts took minutes
  run masscan timeout 20 masscan --ping "$up" "$noecho" "$drop" --rate 1000 --wait 2 -e wan0 \
    --adapter-ip "$src" --router-mac "$gwmac"
  claims_match masscan masscan-console
  eq "masscan: $up" "$(verdict masscan "$up")" "up echo-reply"
  eq "masscan: mode (the scanner timeout runs)" "$(j masscan '.modes[0].mode')" "masscan --ping"
else
  ok "masscan: # SKIP not installed"
fi
if command -v hping3 >/dev/null; then
  run hping3 hping3 --icmp -c 2 -i u100000 "$up"
  claims_match hping3 hping3
  eq "hping3: mode" "$(j hping3 '.modes[0].mode')" "hping3 --icmp"
else
  ok "hping3: # SKIP not installed"
fi
tap_done
