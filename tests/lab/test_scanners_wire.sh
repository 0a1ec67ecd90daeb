#!/usr/bin/env bash
# tests/lab/test_scanners_wire.sh SCANTRACE: other scanners judged from the wire, each
# count of compare's claims checked against counts taken apart from tshark's dissection
# and the scanner's own output:
# - SYN scanners (zmap -M tcp_synscan -p 443 and -p 80, masscan -p443 and --ping -p443,
#   hping3 -S, nmap -sn -PS443 without --packet-trace): SYN/ACK and RST judged up
#   (syn-ack, reset), the kernel's RST after a SYN/ACK no probe (os-rst); zmap and
#   masscan print only their successes, so a host that answered only with a RST is
#   unreported, not missed;
# - zmap -r 50000 and masscan --rate 100000 --ping on a /20 of the sweep block: answered =
#   the hosts that answered in the capture, missed = answered - claimed and answered, and
#   compare exits 1 exactly when something was missed or unfounded (the scanner is not
#   expected to be perfect);
# - IPv6: fping -6 and nmap -6 -sn (ND on the segment, ICMPv6 echo, TCP);
# - a host claimed but never probed: listed (not-probed, claim up) and unfounded;
# - fping as users type it: -ug A B (bundled, a range; the unlisted claimed up), -c's
#   probe lines, -a -c (stdout empty: unjudged, said why), -c -q's stderr given with
#   --claims, and a host answering only the kernel's ARP (unreported, not missed);
# - iputils ping: its answer lines and summary read as claims; nping's own trace;
# - fping beside a ping to the gateway (another program): its frames background.
# TAP; skipped without root or a tool (masscan, hping3: their checks skip). The lab is
# torn down at exit.
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
LAB=scripts/lab

# shellcheck source=tests/lab/scanners.sh
. tests/lab/scanners.sh
# shellcheck source=tests/nping_counts.sh
. tests/nping_counts.sh
lab_require fping zmap nmap nping jq ping tshark

lab_start stsw
src=$("$LAB" addr scanner-wan)
up=$("$LAB" addr routed-up)
noecho=$("$LAB" addr routed-noecho)
drop=$("$LAB" addr routed-drop)
gwmac=$(gateway_mac)
echo "# gateway is at ${gwmac:-(unknown)}"
: >"$tmp/empty.blocklist"
have_masscan=$(command -v masscan >/dev/null && echo 1)
have_hping3=$(command -v hping3 >/dev/null && echo 1)

# claimed NAME: the addresses the scanner printed up, one a line, sorted (read here
# apart from scantrace's readers, one pattern per scanner)
claimed() {
  local log=$tmp/$1/trace.log
  case $(j "$1" .claims.scanner) in
  # (their file formats on stdout too: zmap -O json, masscan -oG -, nmap -oX -)
  zmap) grep -E '^[0-9.]+$' "$log" || sed -n 's/^{ *"saddr": *"\([0-9.]*\)".*/\1/p' "$log" ;;
  masscan) sed -n -e 's/^Discovered open port .* on \([0-9.]*\).*/\1/p' \
    -e 's/^Timestamp: .*Host: \([0-9.]*\) .*Ports: [0-9]*\/open\/.*/\1/p' "$log" ;;
  hping3) sed -n -e 's/^len=.* ip=\([0-9.]*\) .*/\1/p' \
    -e 's/^ICMP P[a-z]* Unreachable from ip=\([0-9.]*\) .*/\1/p' "$log" ;;
  nmap) awk '/^Nmap scan report for /{h=$NF} /^Host is up/{print h}' "$log"
    # (-oX -: python's XML parser, not the reader under test)
    grep -q '^<?xml' "$log" && python3 -c 'import sys, xml.etree.ElementTree as E
for h in E.parse(sys.argv[1]).getroot().iter("host"):
    if h.find("status").get("state") == "up": print(h.find("address").get("addr"))' "$log" ;;
  fping) grep -E '^[0-9a-f.:]+$' "$log" ;;
  esac | tr -d '()' | sort -u
}

# judge_counts NAME SUCCESS OTHER PRINTS_SUCCESSES: compare's claims against the wire.
# SUCCESS and OTHER are tshark filters of the answers to the scanner that say a host is
# up (what a success-printing scanner reports, and the rest: RST...); PRINTS_SUCCESSES
# 1 for zmap and masscan. answered = hosts of either; unreported = answered with OTHER
# alone and not claimed (0 unless PRINTS_SUCCESSES); missed = answered, not claimed,
# not unreported; unfounded = claimed, not answered; compare exits 1 iff missed or
# unfounded. A scanner timeout(1) stopped (exit status 124: masscan never exits in this
# lab, and its piped output is cut at a block) is not held to what it did not print:
# its missed hosts are counted not held (claims.unheld), and the run is UNJUDGED (exit 1).
judge_counts() {
  local name=$1 d=$tmp/$1.sets
  mkdir -p "$d"
  wire "$name" "($2) && ip.dst == $src" ip.src >"$d/success"
  wire "$name" "($3) && ip.dst == $src" ip.src >"$d/other"
  sort -u "$d/success" "$d/other" >"$d/answered"
  claimed "$name" >"$d/claimed"
  comm -23 "$d/other" "$d/success" | comm -23 - "$d/claimed" >"$d/other_only"
  if [ "$4" = 1 ]; then cp "$d/other_only" "$d/unreported"; else : >"$d/unreported"; fi
  comm -23 "$d/answered" "$d/claimed" | comm -23 - "$d/unreported" >"$d/missed"
  comm -23 "$d/claimed" "$d/answered" >"$d/unfounded"
  local want missed unheld=0 stopped=0
  missed=$(wc -l <"$d/missed")
  [ "$(jq -r '.command.argv[0] + " " + (.command.exit_status | tostring)' "$tmp/$name/run.json")" = \
    "timeout 124" ] && stopped=1 && unheld=$missed && missed=0
  want="$(wc -l <"$d/claimed") $(wc -l <"$d/answered") $missed"
  want="$want $(wc -l <"$d/unfounded") $(wc -l <"$d/unreported") $unheld"
  eq "$name: claimed up, answered, missed, unfounded, unreported, not held as the capture and output say" \
    "$(j "$name" '"\(.claims.claimed_up) \(.claims.answered) \(.claims.missed) \(.claims.unfounded) \(.claims.unreported) \(.claims.unheld // 0)"')" \
    "$want"
  eq "$name: the missed hosts are the ones the capture shows" \
    "$(j "$name" '[.modes[].hosts[] | select(.claim == null and .verdict == "up")] | length')" \
    "$(($(wc -l <"$d/missed") + $(wc -l <"$d/unreported")))"
  local bad=0
  [ -s "$d/missed" ] || [ -s "$d/unfounded" ] && bad=1
  eq "$name: compare exits $bad (1 exactly when missed, not held or unfounded)" "$cmp" "$bad"
  [ "$stopped" = 1 ] && [ "$unheld" -gt 0 ] &&
    eq "$name: stopped by timeout, the result says so" \
      "$(j "$name" '.summary.result | test("UNJUDGED: the scanner was stopped by timeout")')" true
  echo "# $name: $(wc -l <"$d/answered") answered, $(wc -l <"$d/claimed") claimed, $(wc -l <"$d/missed") missed, $(wc -l <"$d/unreported") unreported"
}

# run_answers NAME: how many frames answered this run's probes: TCP to the scanner, echo
# replies, and ICMP errors that quote one of its SYNs or pings. (An error about an earlier
# run's probe can arrive in this one's capture: the router gives up ARP for an absent
# host after 3 s, and on a loaded machine those of the run before land here.)
run_answers() {
  local cap=$tmp/$1/capture.pcapng keys tcp echo errors
  # the quote's fields are the last occurrences (the outer header comes first)
  keys=$({
    tshark -r "$cap" -Y "!icmp && ip.src == $src && tcp.flags.syn == 1 && tcp.flags.ack == 0" \
      -T fields -E occurrence=l -e ip.dst -e tcp.srcport -e tcp.dstport
    tshark -r "$cap" -Y "ip.src == $src && icmp.type == 8 && !(icmp.type == 3)" \
      -T fields -E occurrence=l -e ip.dst -e icmp.ident -e icmp.seq
  } 2>/dev/null | sort -u)
  tcp=$(tshark -r "$cap" -Y "ip.dst == $src && tcp && !icmp" 2>/dev/null | wc -l)
  echo=$(tshark -r "$cap" -Y "ip.dst == $src && icmp.type == 0" 2>/dev/null | wc -l)
  errors=$(tshark -r "$cap" -Y "ip.dst == $src && icmp && !(icmp.type == 0)" -T fields \
    -E occurrence=l -e ip.dst -e tcp.srcport -e tcp.dstport -e icmp.ident -e icmp.seq 2>/dev/null |
    awk -F'\t' -v keys="$keys" 'BEGIN { n = split(keys, k, "\n"); for (i = 1; i <= n; i++) probe[k[i]] = 1 }
      ($2 != "" && probe[$1 "\t" $2 "\t" $3]) || ($2 == "" && probe[$1 "\t" $4 "\t" $5]) { c++ }
      END { print c + 0 }')
  echo $((tcp + echo + errors))
}

# syn_checks NAME [UP]: the probes are the scanner's SYNs (its kernel's RSTs are no probe,
# but os-rst) and the replies every answer from a target; the usual verdicts (UP: the
# open host's, "up syn-ack" unless given: with --ping too its first answer decides)
syn_checks() {
  local name=$1 want_up=${2:-up syn-ack} syns answers rsts
  # (an ICMP error quoting a SYN, a RST or an echo request holds its fields too)
  syns=$(tshark -r "$tmp/$name/capture.pcapng" -Y "!icmp && ip.src == $src && tcp.flags.syn == 1 && tcp.flags.ack == 0" 2>/dev/null | wc -l)
  answers=$(run_answers "$name")
  pings=$(tshark -r "$tmp/$name/capture.pcapng" -Y "ip.src == $src && icmp.type == 8 && !(icmp.type == 3)" 2>/dev/null | wc -l)
  rsts=$(tshark -r "$tmp/$name/capture.pcapng" -Y "!icmp && ip.src == $src && tcp.flags.reset == 1" 2>/dev/null | wc -l)
  eq "$name: matched = SYNs and pings sent + answers" "$(j "$name" .summary.matched)" "$((syns + pings + answers))"
  if [ "$(j "$name" .summary.matched)" != "$((syns + pings + answers))" ]; then
    # (a rare failure: what was on the wire and what compare made of it, in the log)
    tshark -r "$tmp/$name/capture.pcapng" -n 2>/dev/null | sed 's/^/# wire: /'
    sed 's/^/# compare: /' "$tmp/$name.txt"
  fi
  eq "$name: every RST the scanner's host sent is os-rst" "$(j "$name" '.summary.causes["os-rst"] // 0')" "$rsts"
  local got_up
  got_up=$(verdict "$name" "$up")
  if [[ $got_up =~ ^($want_up)$ ]]; then ok "$name: $up $got_up"; else not_ok "$name: $up (got '$got_up', want '$want_up')"; fi
  eq "$name: $drop" "$(verdict "$name" "$drop")" "down no-response"
}

# zmap, SYN to 443: routed-up open, routed-noecho and the sweep hosts closed (RST)
zcommon=(-i wan0 -S "$src" -G "$gwmac" -b "$tmp/empty.blocklist" -c 1 -q -o -)
run zsyn443 zmap -M tcp_synscan -p 443 "${zcommon[@]}" -r 2000 198.18.3.0/29 198.19.0.0/28
[ "$rec" = 0 ] || sed 's/^/# zmap: /' "$tmp/zsyn443.out" | head -20
eq "zmap -p 443: mode" "$(j zsyn443 '.modes[0].mode')" "zmap -M tcp_synscan -p 443"
syn_checks zsyn443
eq "zmap -p 443: $noecho" "$(verdict zsyn443 "$noecho")" "up reset"
judge_counts zsyn443 "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 1
eq "zmap -p 443: a RST host is unreported, not missed" \
  "$(j zsyn443 '[.modes[0].hosts[] | select(.reason == "reset")] | length')" \
  "$(j zsyn443 .claims.unreported)"

# zmap, SYN to 80: closed everywhere, nothing printed, nothing missed
run zsyn80 zmap -M tcp_synscan -p 80 "${zcommon[@]}" -r 2000 198.18.3.0/29
eq "zmap -p 80: mode" "$(j zsyn80 '.modes[0].mode')" "zmap -M tcp_synscan -p 80"
eq "zmap -p 80: $up" "$(verdict zsyn80 "$up")" "up reset"
judge_counts zsyn80 "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 1

if [ -n "$have_masscan" ]; then
  mcommon=(--wait 2 -e wan0 --adapter-ip "$src" --router-mac "$gwmac")
  # masscan 1.3.2 now and then stays in its wait: timeout ends it (its lines are out)
  run msyn timeout 20 masscan -p443 198.18.3.0/29 198.19.0.0/28 --rate 1000 "${mcommon[@]}"
  eq "masscan -p443: mode" "$(j msyn '.modes[0].mode')" "masscan -p 443"
  eq "masscan -p443: scanner (run by timeout)" "$(j msyn .claims.scanner)" masscan
  syn_checks msyn
  judge_counts msyn "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 1
  run mping timeout 20 masscan --ping -p443 198.18.3.0/29 198.19.0.0/28 --rate 1000 "${mcommon[@]}"
  eq "masscan --ping -p443: mode" "$(j mping '.modes[0].mode')" "masscan --ping -p 443"
  syn_checks mping "up syn-ack|up echo-reply"
  judge_counts mping "icmp.type == 0 || (!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1)" \
    "!icmp && tcp.flags.reset == 1" 1
else
  ok "masscan: # SKIP not installed"
fi

if [ -n "$have_hping3" ]; then
  # hping3 prints every reply, a RST too: the RST host is claimed
  run hsyn hping3 -S -p 443 -c 2 -i u100000 "$noecho"
  eq "hping3 -S: mode" "$(j hsyn '.modes[0].mode')" "hping3 -S -p 443"
  eq "hping3 -S: $noecho" "$(verdict hsyn "$noecho")" "up reset"
  judge_counts hsyn "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 0
  run hsynup hping3 -S -p 443 -c 2 -i u100000 "$up"
  eq "hping3 -S $up: its kernel's RSTs are os-rst" "$(j hsynup '.summary.causes["os-rst"] // 0')" \
    "$(tshark -r "$tmp/hsynup/capture.pcapng" -Y "!icmp && ip.src == $src && tcp.flags.reset == 1" 2>/dev/null | wc -l)"
  judge_counts hsynup "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 0
  # hping3 --udp: a port unreachable is the host's own word, and hping3 prints it
  # (with backspaces over "get hostname...": still a text trace)
  run hudp hping3 --udp -p 53 -c 2 -i u100000 "$up"
  eq "hping3 --udp: compare reads it and agrees" "$cmp" 0
  eq "hping3 --udp: $up" "$(verdict hudp "$up")" "up port-unreach"
  judge_counts hudp "icmp.type == 3 && icmp.code == 3" "icmp.type == 3 && icmp.code == 2" 0
  # hping3 --scan: its port lines name no host (the header goes to stderr), the
  # command's one target is the host; without -V the RSTs are hidden, and an empty
  # "Not responding ports:" says every port answered
  run hscan hping3 --scan 22,80,443 -S "$up"
  eq "hping3 --scan: mode" "$(j hscan '.modes[0].mode')" "hping3 --scan 22,80,443 -S"
  eq "hping3 --scan $up (443 open): claimed up, consistent" \
    "$(j hscan '"\(.claims.format) \(.claims.claimed_up) \(.claims.missed) \(.claims.unfounded)"') $cmp" \
    "hping3-scan 1 0 0 0"
  run hscanrst hping3 --scan 22,80,443 -S "$noecho"
  eq "hping3 --scan $noecho (all RSTs, hidden): claimed up by its empty silent list" \
    "$(j hscanrst '"\(.claims.claimed_up) \(.claims.missed)"') $cmp" "1 0 0"
  run hscandrop hping3 --scan 22,80,443 -S "$drop"
  eq "hping3 --scan $drop (silent): claimed down, consistent" \
    "$(j hscandrop '"\(.claims.format) \(.claims.claimed_up) \(.claims.answered)"') $cmp" "hping3-scan 0 0 0"
  eq "hping3 --scan $drop: the claim is down" "$(j hscandrop '.modes[0].hosts[0].claim')" "down"
else
  ok "hping3: # SKIP not installed"
fi

# nmap -PS443 without a packet trace: RST is up for nmap, and it says so
run nsyn nmap -n -sn -PS443 "$up" "$noecho" "$drop" 198.19.0.1
eq "nmap -PS443: mode" "$(j nsyn '.modes[0].mode')" "nmap -sn -PS443"
syn_checks nsyn
eq "nmap -PS443: $noecho" "$(verdict nsyn "$noecho")" "up reset"
judge_counts nsyn "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 0

# two nmap runs in one shell string, no packet trace: both runs' targets are the
# scanner's (the second's frames were "unknown" wire-only, its up host unfounded; the
# log's two Starting lines overflowed a table of one pass), one pass named after both
run nsh sh -c "nmap -n -sn -PE $up $drop; sleep 1; nmap -n -sn $noecho $drop"
eq "sh -c 'nmap ...; nmap ...': one pass named after both, consistent, claims held, exit 0" \
  "$(j nsh '"\(.modes[0].mode); \(.summary.result) \(.claims.claimed_up) \(.claims.missed) \(.claims.unfounded)"') $cmp" \
  "nmap -sn -PE; nmap -sn; consistent (scanner side built from the wire) 2 0 0 0"
eq "sh -c 'nmap ...; nmap ...': $noecho, the second run's, up reset" "$(verdict nsh "$noecho")" "up reset"

# fping while ping talks to the gateway (another program on the scanner's host, in the
# same capture): the ping's frames were "unknown" (DISCREPANCIES); unlike fping's echoes
# (another id) they are background. fping's own echoes stay its.
gw=$("$LAB" addr gateway)
in_scan ping -n -c 10 -i 0.2 "$gw" >/dev/null 2>&1 &
bgping=$!
run fbusy fping -a -r 1 "$up" "$drop"
wait "$bgping"
eq "fping beside ping to the gateway: background frames, nothing unknown, consistent, exit 0" \
  "$(j fbusy '"\(.summary.causes.background > 0) \(.summary.causes.unknown) \(.summary.passes)"') $cmp" \
  "true null true 0"

# Results on stdout in the scanners' file formats (nmap -oX -, zmap -O json,
# masscan -oG -): read as claims, the scanner's side from the wire
run nxml nmap -n -sn -PS443 "$up" "$noecho" "$drop" 198.19.0.1 -oX -
eq "nmap -oX -: the XML read as claims" "$(j nxml .claims.format)" xml
judge_counts nxml "!icmp && tcp.flags.syn == 1 && tcp.flags.ack == 1" "!icmp && tcp.flags.reset == 1" 0
run zjson zmap -M icmp_echoscan "${zcommon[@]}" -O json -r 2000 198.18.3.0/29 198.19.0.0/28
eq "zmap -O json: read as claims" "$(j zjson .claims.format)" zmap-json
judge_counts zjson "icmp.type == 0" "!icmp && tcp.flags.reset == 1" 1
if [ -n "$have_masscan" ]; then
  # (-oG - is stdio-buffered: when masscan hangs in its wait and timeout kills
  # it, unflushed lines are lost; stdbuf -oL keeps them, a wrapper like timeout)
  run mgrep timeout 20 stdbuf -oL masscan --ping 198.18.3.0/29 198.19.0.0/28 --rate 1000 \
    "${mcommon[@]}" -oG -
  eq "masscan -oG -: read as claims (stdout, not a file)" "$(j mgrep .claims.format)" masscan-grepable
  judge_counts mgrep "icmp.type == 0" "!icmp && tcp.flags.reset == 1" 1
fi

# A /20 of the sweep block at a high rate: some losses are likely, and said
run z20 zmap -M icmp_echoscan "${zcommon[@]}" -r 50000 198.19.0.0/20
eq "zmap /20: 4096 hosts judged" "$(j z20 '.modes[0].hosts | length')" 4096
judge_counts z20 "icmp.type == 0" "!icmp && tcp.flags.reset == 1" 1
if [ -n "$have_masscan" ]; then
  run m20 timeout 40 masscan --ping 198.19.0.0/20 --rate 100000 "${mcommon[@]}"
  eq "masscan /20: 4096 hosts judged" "$(j m20 '.modes[0].hosts | length')" 4096
  judge_counts m20 "icmp.type == 0" "!icmp && tcp.flags.reset == 1" 1
fi

# IPv6: fping -6 and nmap -6 -sn, ND on the segment, echo and TCP beyond
up6=$("$LAB" addr routed-up6)
noecho6=$("$LAB" addr routed-noecho6)
drop6=$("$LAB" addr routed-drop6)
l2up6=$("$LAB" addr l2-up6)
l2absent6=$("$LAB" addr l2-absent6)
src6=$("$LAB" addr scanner-wan6)
lan6=$("$LAB" addr scanner-lan6)
targets6=("$up6" "$noecho6" "$drop6" "$l2up6" "$l2absent6")
# answered6 NAME: the IPv6 hosts that answered the scanner (echo reply, TCP, the
# advertisement of a target), sorted
answered6() {
  {
    wire "$1" "(icmpv6.type == 129 || tcp) && (ipv6.dst == $src6 || ipv6.dst == $lan6)" ipv6.src
    wire "$1" "icmpv6.type == 136" icmpv6.nd.na.target_address |
      grep -Fxf <(printf '%s\n' "${targets6[@]}")
  } | sort -u
}
check6() { # check6 NAME: compare's answered and claims against the capture and output
  local name=$1 ans
  ans=$(answered6 "$name" | wc -l)
  eq "$name: answered = the IPv6 hosts that answered in the capture" "$(j "$name" .claims.answered)" "$ans"
  eq "$name: claimed up = answered, nothing missed or unfounded" \
    "$(j "$name" '"\(.claims.claimed_up) \(.claims.missed) \(.claims.unfounded)"')" "$ans 0 0"
  eq "$name: compare exits 0" "$cmp" 0
  eq "$name: every target judged" "$(j "$name" '.modes[0].hosts | length')" 5
}
run fping6 fping -6 -a -r 1 "${targets6[@]}"
[ "$rec" = 1 ] && rec=0 # fping exits 1 when a host was unreachable
eq "fping -6: recorded" "$rec" 0
eq "fping -6: $up6" "$(verdict fping6 "$up6")" "up echo-reply"
eq "fping -6: $l2up6 (on the segment: ND)" "$(verdict fping6 "$l2up6")" "up nd-response"
eq "fping -6: $noecho6" "$(verdict fping6 "$noecho6")" "down no-response"
eq "fping -6: $l2absent6" "$(verdict fping6 "$l2absent6")" "down no-response"
check6 fping6
run nmap6 nmap -6 -n -sn "${targets6[@]}"
eq "nmap -6: recorded" "$rec" 0
eq "nmap -6: $noecho6 (RST to its SYN)" "$(verdict nmap6 "$noecho6")" "up reset"
eq "nmap -6: $drop6" "$(verdict nmap6 "$drop6")" "down no-response"
eq "nmap -6: $l2up6" "$(verdict nmap6 "$l2up6")" "up nd-response"
check6 nmap6
# link-local neighbours named with their zone (X%lan0): ping -6 and fping -6 print the
# zone after the address; it is read, the host judged and the claim held against it
ll=$(ip netns exec "${P}h1" ip -6 -o addr show scope link | awk '{sub(/\/.*/, "", $4); print $4; exit}')
run ping6ll ping -6 -c 1 "$ll%lan0"
eq "ping -6 X%lan0: format ping, $ll claimed up and answered, exit 0" \
  "$(j ping6ll '"\(.claims.format) \(.claims.claimed_up) \(.claims.answered) \(.claims.missed)"') $(verdict ping6ll "$ll") $cmp" \
  "ping 1 1 0 up echo-reply 0"
run fping6ll fping -6 -r 1 "$ll%lan0" "fe80::1234%lan0"
[ "$rec" = 1 ] && rec=0 # one host unreachable
eq "fping -6 X%lan0: format fping, both hosts judged (targets read), exit 0" \
  "$(j fping6ll '"\(.claims.format) \(.claims.claimed_up) \(.claims.missed) \(.modes[0].hosts | length)"') $cmp" \
  "fping 1 0 2 0"

# The scanner's own addresses: alive through loopback, on no wire; up for
# localhost-response, neither answered nor unfounded (run.json's local_addresses)
lan=$("$LAB" addr scanner-lan)
run fself fping -a -r 1 "$lan" "$src" 127.0.0.1 "$up"
[ "$rec" = 1 ] && rec=0
eq "fping, own addresses: recorded" "$rec" 0
eq "fping, own addresses: run.json lists them" \
  "$(jq -r --arg a "$lan" --arg b "$src" '[.local_addresses[] | select(. == $a or . == $b or . == "127.0.0.1")] | length' "$tmp/fself/run.json")" 3
eq "fping, own addresses: up localhost-response" \
  "$(j fself '[.modes[0].hosts[] | select(.reason == "localhost-response" and .verdict == "up" and .claim == "up") | .host] | sort | join(" ")')" \
  "$(printf '%s\n' "$lan" "$src" 127.0.0.1 | sort | tr '\n' ' ' | sed 's/ $//')"
eq "fping, own addresses: 4 claimed up, 1 answered, none missed or unfounded" \
  "$(j fself '"\(.claims.claimed_up) \(.claims.answered) \(.claims.missed) \(.claims.unfounded)"')" "4 1 0 0"
eq "fping, own addresses: compare exits 0" "$cmp" 0

# fping as users type it: bundled options, count mode, its results on stderr
r5=${up%.*}.5 # routed-up .2 to .5: up, no echo, dropped, absent
run fug fping -ug -r 1 "$up" "$r5"
eq "fping -ug A B: the range's 4 hosts judged, no frame of unknown cause" \
  "$(j fug '"\(.modes[0].hosts | length) \(.summary.causes.unknown // 0)"')" "4 0"
eq "fping -ug: the unlisted probed host is claimed up, nothing missed or unfounded" \
  "$(j fug '"\(.claims.claimed_up) \(.claims.answered) \(.claims.missed) \(.claims.unfounded)"')" "1 1 0 0"
eq "fping -ug: compare exits 0" "$cmp" 0
run fc fping -c 2 -p 100 "$up" "$drop"
eq "fping -c: its probe lines read (format fping), $up claimed up" \
  "$(j fc '"\(.claims.format) \(.claims.claimed_up) \(.claims.missed)"') $cmp" "fping 1 0 0"
# -a with -c prints nothing on stdout, its results on stderr: record keeps them in
# stderr.log, read with stdout ($up up by its summary); a run directory without it has no
# claim to hold, and says so (it was "missed")
run fac fping -a -c 1 "$up" "$drop"
eq "fping -a -c: its stderr.log read ($up up, $drop down), nothing missed, exit 0" \
  "$(j fac '"\(.claims.source) \(.claims.format) \([.modes[0].hosts[] | .claim] | sort | join(" ")) \(.claims.missed)"') $cmp" \
  "stdout and stderr.log fping down up 0 0"
rm "$tmp/fac/stderr.log"
"$st" compare "$tmp/fac" >"$tmp/fac.txt" 2>&1
cmp=$?
eq "fping -a -c without stderr.log: unjudged, not missed (exit 1)" "$(j fac '"\(.claims.format) \(.claims.missed)"') $cmp" "unknown 0 1"
eq "fping -a -c without stderr.log: the result says where its results went" \
  "$(grep -c 'print their results on stderr, which this run directory did not keep' "$tmp/fac.txt")" 1
run fq fping -q "$up" "$drop"
eq "fping -q: unjudged (it prints no host), said why, exit 1" \
  "$(grep -c 'fping -q prints no host' "$tmp/fq.txt") $cmp" "1 1"
in_scan "$st" record -o "$tmp/fcq" -- sh -c "fping -c 1 -q '$up' '$drop' 2>'$tmp/fcq.err'" >/dev/null 2>&1
"$st" compare --claims "$tmp/fcq.err" "$tmp/fcq" >/dev/null 2>&1
cmp=$?
eq "fping -c -q, its stderr given with --claims: $up up, $drop down, exit 0" \
  "$(j fcq '[.modes[0].hosts[] | .claim] | sort | join(" ")') $(j fcq .claims.missed) $cmp" "down up 0 0"
# on the segment, a host that answers only the kernel's ARP (no echo) is up by nmap's
# rules but fping cannot say so: unreported, not missed
noicmp=$("$LAB" addr l2-noicmp)
in_scan ip neigh flush dev lan0 >/dev/null 2>&1
run farp fping -r 0 "$noicmp"
eq "fping, an ARP-only host: up arp-response on the wire" "$(verdict farp "$noicmp")" "up arp-response"
eq "fping, an ARP-only host: unreported, not missed; compare exits 0" \
  "$(j farp '"\(.claims.unreported) \(.claims.missed)"') $cmp" "1 0 0"

# iputils ping: its answers and its summary line are its claims
run ping1 ping -c 2 -i 0.2 "$up"
eq "ping: $up claimed up (format ping), up echo-reply, compare exits 0" \
  "$(j ping1 '"\(.claims.format) \(.claims.claimed_up) \(.claims.missed)"') $(verdict ping1 "$up") $cmp" \
  "ping 1 0 up echo-reply 0"
run ping2 ping -c 1 -W 1 "$drop"
eq "ping: $drop claimed down, down no-response, compare exits 0" \
  "$(j ping2 '[.modes[0].hosts[] | .claim] | join(" ")') $(verdict ping2 "$drop") $cmp" \
  "down down no-response 0"

# nping traces as nmap does: its lines checked against the wire, every target judged by
# nmap's rules from the replies it traced ("Nping done" ends it), no claims
# (nping 0.7.93's round robin over two targets with -c 2 sends the first one probe and the
# second three, counting two each: then its statistics fail the run, COUNTS, exit 1)
run np1 nping --icmp -c 2 --delay 200ms "$up" "$drop"
nmis=$(stated_vs_sent "$tmp/np1/trace.log" | wc -l)
want="consistent 0"
[ "$nmis" -gt 0 ] && want="COUNTS: nping's statistics miscount the probes of $nmis host$([ "$nmis" -gt 1 ] && echo s) 1"
eq "nping --icmp: its trace read, no trace-only line; consistent, or COUNTS for its $nmis miscount(s)" \
  "$(j np1 '"\(.trace.dialect) \(.summary.trace_only) \(.summary.result | sub(" [(].*"; ""))"') $cmp" \
  "nping-0.7.93 0 $want"
eq "nping --icmp: $up up echo-reply, $drop down no-response" \
  "$(verdict np1 "$up"), $(verdict np1 "$drop")" "up echo-reply, down no-response"
# (its round robin now and then sends the second target twice and never the first, still
# counting one probe each: that target is listed down not-probed, COUNTS, exit 1; it
# passed as consistent with the target missing from the report, once in CI)
run np2 nping --tcp -p 443 -c 1 "$up" "$noecho"
want_up="up syn-ack" want_ne="up reset" want_rc=0
stated_vs_sent "$tmp/np2/trace.log" >"$tmp/np2.miscount"
grep -q "^$up [0-9]* 0$" "$tmp/np2.miscount" && want_up="down not-probed"
grep -q "^$noecho [0-9]* 0$" "$tmp/np2.miscount" && want_ne="down not-probed"
[ -s "$tmp/np2.miscount" ] && want_rc=1
eq "nping --tcp -p 443: $up $want_up, $noecho $want_ne, exit $want_rc" \
  "$(verdict np2 "$up"), $(verdict np2 "$noecho") $cmp" "$want_up, $want_ne $want_rc"

# A host claimed but never probed: listed, claim up, unfounded
printf '%s\n%s\n' "$up" 198.18.3.200 >"$tmp/unprobed.txt"
"$st" compare --claims "$tmp/unprobed.txt" "$tmp/zsyn443" >"$tmp/unprobed.out" 2>&1
eq "unprobed claim: compare exits 1" "$?" 1
eq "unprobed claim: listed, down, not-probed, claim up" \
  "$(j zsyn443 '.modes[0].hosts[] | select(.host == "198.18.3.200") | "\(.verdict) \(.reason) \(.claim)"')" \
  "down not-probed up"
eq "unprobed claim: unfounded 1" "$(j zsyn443 .claims.unfounded)" 1
tap_done
