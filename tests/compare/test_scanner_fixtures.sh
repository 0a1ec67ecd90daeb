#!/usr/bin/env bash
# compare on recorded runs of other scanners (fixtures/scanners/, recorded by
# scripts/record-fixtures): masscan --ping with its results in -oJ
# (masscan.json). The claims read with --claims from that file, counted against
# counts taken here from the file (jq) and the capture (tshark); its stdout
# (empty: the results went to the file) claims nothing and leaves the run
# unjudged, never consistent. And masscan -p443 whose capture holds an earlier run's ICMP
# errors (masscan-syn-stale-unreach): unrelated, not answers. explain on these runs, and on
# fping's and zmap's (fping-a, zmap-echo): each scanner's own habits, not nmap's options.
# Scanners that failed before printing anything, and nmap --packet-trace -oX - (no packet
# line: the reason named). hping3 --traceroute (a router's time exceeded before the host's
# echo reply: the host up), nping's ARP and --tcp-connect lines read, masscan killed by
# timeout (what it did not print not held). A group pinged (ping -6 ff02::1%lan0, ping -b,
# fping -6 ff02::1%lan0): its members found up by its request, their claims held.
# nping's statistics ("Probes Sent") against its SENT lines: a target its round robin
# skipped listed not-probed, a miscount listed and failing the run.
# usage: tests/compare/test_scanner_fixtures.sh SCANTRACE SOURCE_ROOT   (TAP)
set -uo pipefail

# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"
needs jq tshark
d=fixtures/scanners/masscan-ping-oJ
src=$(jq -r '.command_line as $c | $c | index("--adapter-ip") as $i | $c[$i + 1]' "$d/run.json")

"$st" compare --no-write -f json --claims "$d/masscan.json" "$d" >"$tmp/r.json"
rc=$?
j() { jq -r "$1" "$tmp/r.json"; }
jq -r '.[].ip' "$d/masscan.json" | sort -u >"$tmp/claimed"
tshark -r "$d/capture.pcapng" -Y "icmp.type == 0 && ip.dst == $src" -T fields -e ip.src 2>/dev/null |
  sort -u >"$tmp/answered"
missed=$(comm -23 "$tmp/answered" "$tmp/claimed" | wc -l)
unfounded=$(comm -13 "$tmp/answered" "$tmp/claimed" | wc -l)
check "masscan -oJ: read as masscan-json from the file" \
  test "$(j '"\(.claims.format) \(.claims.source)"')" = "masscan-json $d/masscan.json"
check "masscan -oJ: claimed up = the file's hosts ($(wc -l <"$tmp/claimed"))" \
  test "$(j .claims.claimed_up)" -eq "$(wc -l <"$tmp/claimed")"
check "masscan -oJ: answered = the hosts that sent an echo reply ($(wc -l <"$tmp/answered"))" \
  test "$(j .claims.answered)" -eq "$(wc -l <"$tmp/answered")"
check "masscan -oJ: missed $missed, unfounded $unfounded" \
  test "$(j '"\(.claims.missed) \(.claims.unfounded)"')" = "$missed $unfounded"
want=0
[ "$missed" -gt 0 ] || [ "$unfounded" -gt 0 ] && want=1
check "masscan -oJ: compare exits $want" test "$rc" -eq "$want"
check "masscan -oJ: mode named through timeout" test "$(j '.modes[0].mode')" = "masscan --ping"
check "masscan -oJ: each claimed host's claim is up" test \
  "$(j '[.modes[0].hosts[] | select(.claim == "up") | .host] | sort | join(" ")')" = \
  "$(sort "$tmp/claimed" | tr '\n' ' ' | sed 's/ $//')"

# stdout is empty (the results went to the file): nothing claimed, unjudged, exit 1
"$st" compare --no-write -f json "$d" >"$tmp/s.json"
check "masscan -oJ, stdout: compare exits 1 (unjudged)" test $? -eq 1
check "masscan -oJ, stdout: format unknown, not a claim of no host" \
  test "$(jq -r .claims.format "$tmp/s.json")" = unknown
check "masscan -oJ, stdout: not consistent" test "$(jq -r .summary.passes "$tmp/s.json")" = false
check "masscan -oJ, stdout: the result says the results went to a file" \
  grep -q 'UNJUDGED: the scanner wrote its results to a file, not stdout (give it with --claims)' \
  <(jq -r .summary.result "$tmp/s.json")

# masscan -p443 recorded right after zmap -p 80 of the same /29 (fixtures/scanners/
# masscan-syn-stale-unreach/cmd): the router's host unreachables about zmap's SYNs to
# port 80 arrived in masscan's capture, after masscan's own SYNs to those hosts. They
# answer no probe of this run: unrelated, not matched (they were once taken for answers).
d=fixtures/scanners/masscan-syn-stale-unreach
src=198.18.2.1
"$st" compare --no-write -f json "$d" >"$tmp/u.json"
rc=$?
u() { jq -r "$1" "$tmp/u.json"; }
count() { tshark -r "$d/capture.pcapng" -Y "$1" -T fields -E occurrence=l -e tcp.dstport 2>/dev/null | wc -l; }
syns=$(count "!icmp && ip.src == $src && tcp.flags.syn == 1 && tcp.flags.ack == 0")
tcp=$(count "!icmp && ip.dst == $src && tcp")
ours=$(tshark -r "$d/capture.pcapng" -Y "icmp && ip.dst == $src" -T fields -E occurrence=l -e tcp.dstport 2>/dev/null | grep -cx 443)
stale=$(tshark -r "$d/capture.pcapng" -Y "icmp && ip.dst == $src" -T fields -E occurrence=l -e tcp.dstport 2>/dev/null | grep -cvx 443)
check "stale unreachables: the capture has some ($stale) and errors about this run ($ours)" \
  test "$stale" -gt 0 -a "$ours" -gt 0
check "stale unreachables: matched = SYNs + TCP answers + errors quoting this run's SYNs" \
  test "$(u .summary.matched)" -eq "$((syns + tcp + ours))"
check "stale unreachables: each one unrelated" test "$(u '.summary.causes.unrelated // 0')" -eq "$stale"
check "stale unreachables: consistent, exit 0" test "$rc" -eq 0

# explain on runs judged from the wire: masscan's habits, not nmap's options, and no
# trace where there is none
"$st" explain "$d" >"$tmp/x.txt"
check "explain, masscan: says there is no packet trace, naming masscan" \
  grep -q '^masscan left no packet trace' "$tmp/x.txt"
check "explain, masscan: no 'traced' replies, no 'not in the trace'" \
  bash -c "! grep -qE 'traced|not in the trace|lines are the trace' '$tmp/x.txt'"
ttl=$(tshark -r "$d/capture.pcapng" -Y "!icmp && ip.src == $src && tcp.flags.syn == 1" -T fields -e ip.ttl 2>/dev/null | sort -u)
check "explain, masscan: its one TTL ($ttl) is masscan's, not nmap --ttl" \
  grep -q "^One TTL: every probe of masscan left with TTL $ttl; nmap picks" "$tmp/x.txt"
check "explain, masscan: no nmap option or habit told as masscan's" \
  bash -c "! grep -qE 'nmap --|nmap -[A-Za-z]|nmap goes on' '$tmp/x.txt'"
check "explain, masscan: a router's unreachable is a hint masscan did not count" \
  grep -q 'masscan did not report the host up on it' "$tmp/x.txt"

# fping (56 bytes of payload, TTL 64) and zmap (12 bytes, TTL 255) by default: their habits,
# the figures taken here from the capture
for d in fixtures/scanners/fping-a fixtures/scanners/zmap-echo; do
  name=${d##*/} && name=${name%%-*}
  "$st" compare --no-write "$d" >"$tmp/t.txt"
  check "$name: consistent, exit 0" test $? -eq 0
  check "$name: the text report's trace line says there is no packet trace, and no clock" \
    bash -c "grep -qE '^  trace    $d/trace.log \(no packet trace: $(wc -l <"$d/trace.log") lines? of output\)$' '$tmp/t.txt' &&
      ! grep -q '^  clock ' '$tmp/t.txt'"
  "$st" explain "$d" >"$tmp/x.txt"
  read -r ttl data < <(tshark -r "$d/capture.pcapng" -Y "icmp.type == 8" -T fields -e ip.ttl -e data.len 2>/dev/null |
    sort -u)
  check "explain, $name: names $name, no packet trace" grep -q "^$name left no packet trace" "$tmp/x.txt"
  check "explain, $name: its payload ($data bytes) is its own, no nmap option" \
    grep -q "^Payload: $name's probes carry $data bytes of data after their headers (frame 1)" "$tmp/x.txt"
  check "explain, $name: its one TTL ($ttl)" grep -q "^One TTL: every probe of $name left with TTL $ttl;" "$tmp/x.txt"
  check "explain, $name: no nmap option told as $name's" \
    bash -c "! grep -qE 'nmap --data|nmap --ttl|nmap -D|traced' '$tmp/x.txt'"
done

# a scanner that failed before it printed anything (zmap refusing its blacklist, masscan
# finding no interface: exit 1, nothing on stdout, nothing sent): unjudged, and the result
# says it failed; the same silence from a run that ended well is zmap's "no host up"
mkdir -p "$tmp/zf"
cp fixtures/scanners/zmap-echo/capture.pcapng "$tmp/zf/"
: >"$tmp/zf/trace.log"
for status in 1 0; do
  jq ".command.exit_status = $status" fixtures/scanners/zmap-echo/run.json >"$tmp/zf/run.json"
  "$st" compare --no-write -f json "$tmp/zf" >"$tmp/zf$status.json"
  echo $? >"$tmp/zf$status.rc"
done
check "zmap failed (exit 1), no output: compare exits 1, not consistent" \
  test "$(cat "$tmp/zf1.rc") $(jq -r .summary.passes "$tmp/zf1.json")" = "1 false"
check "zmap failed (exit 1), no output: the result says the scanner failed, and its status" \
  grep -q 'UNJUDGED: the scanner failed (exit status 1) before it printed a result' \
  <(jq -r .summary.result "$tmp/zf1.json")
check "zmap exit 0, no output: read as its address list, no host claimed" \
  test "$(jq -r '"\(.claims.format) \(.claims.claimed_up)"' "$tmp/zf0.json")" = "address-list 0"
# hping3 -2 --scan's malformed UDP probes (tests/data/malformed): explain does not blame the
# host for the silence; the frame it names is one tshark finds a bad UDP length in
d=tests/data/malformed/hping3-udp-scan
"$st" explain "$d" >"$tmp/mal.txt"
bad=$(tshark -r "$d/capture.pcapng" -Y 'udp && _ws.expert.message contains "Bad length value"' \
  -T fields -e frame.number 2>/dev/null | head -1)
check "explain, hping3 -2 --scan: its probes malformed on the wire (frame $bad, as tshark says)" \
  grep -q "Why down: nothing came back, and its probes were malformed on the wire (frame $bad: its UDP length says" \
  "$tmp/mal.txt"

# masscan given -oL FILE that failed before sending (no interface: tests/data/failed): its
# results went to no file at all: the result says it failed, not "wrote its results to a file"
"$st" compare --no-write -f json tests/data/failed/masscan-oL >"$tmp/mf.json"
rc=$?
check "masscan -oL FILE failed, nothing sent: the result says the scanner failed, exit 1" \
  test "$(jq -r '.summary.result | test("UNJUDGED: the scanner failed \\(exit status 1\\)") and (test("to a file") | not)' "$tmp/mf.json") $rc" = "true 1"
# zmap refusing its blacklist (tests/data/failed): the result quotes its stderr.log's last
# line (was "its error went to stderr, which record does not keep")
"$st" compare --no-write -f json tests/data/failed/zmap-blacklist >"$tmp/zb.json"
check "zmap refusing its blacklist: the result quotes the error record kept in stderr.log" \
  jqt '.summary.result | test("the scanner failed \\(exit status 1\\) before it printed a result \\(its stderr.log ends: .*\\[FATAL\\] zmap: unable to initialize blacklist")' \
  "$tmp/zb.json"
rm -rf "$tmp/zb" && cp -r tests/data/failed/zmap-blacklist "$tmp/zb" && rm "$tmp/zb/stderr.log"
"$st" compare --no-write -f json "$tmp/zb" >"$tmp/zb.json"
check "... a run directory without stderr.log: says it did not keep it" \
  jqt '.summary.result | test("its error went to stderr, which this run directory did not keep")' "$tmp/zb.json"
# fping exits 1 for "some host unreachable" (a result) and for its usage errors (fping -a -u:
# "specify only one of a, u"): the same status, nothing printed; that it sent no probe tells
# the failure from the result
mkdir -p "$tmp/ff"
cp fixtures/scanners/fping-a/run.json "$tmp/ff/"
: >"$tmp/ff/trace.log"
editcap -r fixtures/scanners/fping-a/capture.pcapng "$tmp/ff/none.pcapng" 0 2>/dev/null
cp fixtures/scanners/fping-a/capture.pcapng "$tmp/ff/sent.pcapng"
for c in none sent; do
  cp "$tmp/ff/$c.pcapng" "$tmp/ff/capture.pcapng"
  "$st" compare --no-write -f json "$tmp/ff" >"$tmp/ff-$c.json"
done
check "fping exit 1, nothing sent, nothing printed: it failed, no claim read from its silence" \
  test "$(jq -r '"\(.claims.format) \(.summary.passes)"' "$tmp/ff-none.json")" = "unknown false" -a \
  "$(jq -r '.summary.result | test("the scanner failed \\(exit status 1\\)")' "$tmp/ff-none.json")" = true
check "fping failed: one UNJUDGED: in its result, all it could not judge after it" \
  test "$(jq -r '.summary.result | [scan("UNJUDGED:")] | length' "$tmp/ff-none.json")" = 1
cp "$tmp/ff/none.pcapng" "$tmp/ff/capture.pcapng"
check "fping failed: the claims line says none was read, not that the output was not understood" \
  bash -c "'$st' compare --no-write '$tmp/ff' | grep -q '^  claims   fping, stdout (unknown): no claims read (the result says why)'"
check "fping exit 1 with its probes sent, nothing printed: its address list, no host up" \
  test "$(jq -r '"\(.claims.format) \(.claims.claimed_up)"' "$tmp/ff-sent.json")" = "address-list 0"

# nmap --packet-trace -oX -: its XML takes stdout and no packet line is printed (nmap keeps
# every other line off it); the side is built from the wire, the reason named, the XML's
# hosts the claims
d=fixtures/scanners/nmap-oX-stdout
"$st" compare --no-write "$d" >"$tmp/ox.txt"
"$st" compare --no-write -f json "$d" >"$tmp/ox.json"
up=$(grep -c '<status state="up"' "$d/trace.log")
check "nmap -oX -: the text report names why there is no packet trace" \
  grep -q '^  scanner  no packet trace: nmap prints none when -oX - puts its XML on stdout' "$tmp/ox.txt"
check "nmap -oX -: report.json's trace.no_trace_why says so" \
  quiet jq -e '.trace.no_trace_why | startswith("nmap prints none when -oX -")' "$tmp/ox.json"
check "nmap -oX -: claims read from the XML ($up up), none missed or unfounded" \
  test "$(jq -r '"\(.claims.format) \(.claims.claimed_up) \(.claims.missed) \(.claims.unfounded)"' \
    "$tmp/ox.json")" = "xml $up 0 0"
check "nmap -oX -: explain says why too" \
  bash -c "'$st' explain '$d' | grep -q '^nmap left no packet trace: nmap prints none when -oX -'"
# hping3 --traceroute: a router's time exceeded to the low-TTL probes comes before the
# host's own echo reply; a side built from the wire is no nmap run, the host's answer wins
d=fixtures/scanners/hping3-traceroute
"$st" compare --no-write -f json "$d" >"$tmp/tr.json"
rc=$?
host=$(jq -r '.command_line[-1]' "$d/run.json")
# shellcheck disable=SC2016 # jq's variables
check "hping3 --traceroute: $host up echo-reply (the router's time exceeded first), exit 0" \
  jqt --arg h "$host" '[.modes[0].hosts[] | select(.host == $h) | .verdict + " " + .reason]
       == ["up echo-reply"] and .claims.missed == 0 and .claims.unfounded == 0' "$tmp/tr.json"
check "hping3 --traceroute: exit 0" test "$rc" -eq 0

# nping's own spellings of ARP and of --tcp-connect's handshakes: read as nmap's ARP and CONN
d=fixtures/scanners/nping-arp
"$st" compare --no-write -f json "$d" >"$tmp/na.json"
rc=$?
check "nping --arp: its lines read, one pass -PR (nping), exit 0" \
  jqt '.trace.packets > 0 and .trace.malformed_lines == 0 and [.modes[].mode] == ["-PR (nping)"]
       and ([.modes[0].hosts[] | .verdict] | sort) == ["down", "up"]' "$tmp/na.json"
check "nping --arp: exit 0" test "$rc" -eq 0
d=fixtures/scanners/nping-connect
"$st" compare --no-write -f json "$d" >"$tmp/nc.json"
rc=$?
check "nping --tcp-connect: its handshake lines read as connects, pass connect (nping)" \
  jqt '.trace.connects > 0 and .trace.malformed_lines == 0 and [.modes[].mode] == ["connect (nping)"]
       and .summary.discrepancies == 0' "$tmp/nc.json"
check "nping --tcp-connect: exit 0" test "$rc" -eq 0

# nping's statistics against its SENT lines (counted here from the trace's text, by awk):
# its round robin skipped a target it still counts probes for (nping-skipped), and a log
# whose nping run sent one target fewer probes and the other more than it counts
# (session-nping); nping --arp counts no probe per target (0: says nothing)
# shellcheck source=tests/nping_counts.sh
. tests/nping_counts.sh
for d in fixtures/scanners/nping-skipped fixtures/nmap-7.93/session-nping fixtures/scanners/nping-arp; do
  stated_vs_sent "$d/trace.log" | sort >"$tmp/miscount.want"
  "$st" compare --no-write -f json "$d" >"$tmp/mc.json"
  rc=$?
  jq -r '.modes[].hosts[] | select(.stated_sent) | "\(.host) \(.stated_sent) \(.probes | length)"' \
    "$tmp/mc.json" | sort >"$tmp/miscount.got"
  nm=$(wc -l <"$tmp/miscount.want")
  check "${d##*/}: the $nm host(s) nping's statistics miscount listed with their counts" \
    cmp -s "$tmp/miscount.want" "$tmp/miscount.got"
  check "${d##*/}: summary.miscounted $nm, passes iff none, exit 1 iff some" \
    test "$(jq -r '"\(.summary.miscounted // 0) \(.summary.passes)"' "$tmp/mc.json") $rc" = \
    "$nm $([ "$nm" -eq 0 ] && echo true || echo false) $([ "$nm" -eq 0 ] && echo 0 || echo 1)"
  cp "$tmp/mc.json" "$tmp/mc.${d##*/}.json"
done
never=$(stated_vs_sent fixtures/scanners/nping-skipped/trace.log | awk '$3 == 0 { print $1 }')
# shellcheck disable=SC2016 # $h is jq's
check "nping-skipped: the target never probed ($never) listed down, not-probed, judged" \
  jqt --arg h "$never" '[.modes[].hosts[] | select(.host == $h) | "\(.verdict) \(.reason)"] == ["down not-probed"]
       and .summary.miscounted_unprobed == 1 and .summary.unjudged == 0' "$tmp/mc.nping-skipped.json"
"$st" explain --host "$never" fixtures/scanners/nping-skipped >"$tmp/mc.x"
check "explain: the target never probed, its statistics' count and its trace's 0" \
  grep -qE '^  Its statistics say it sent [0-9]+ probes? to this host; its trace shows 0' "$tmp/mc.x"
# nping's Rcvd against its RCVD lines about the target: each nping fixture's agree (a router's
# unreachable counts for the host it is about; --tcp-connect counts the handshakes completed,
# not the refusals); one edited to say 2 where the trace has 1 is a miscount of its replies
for d in nping-skipped nping-connect nping-broadcast nping-arp; do
  "$st" compare --no-write -f json "fixtures/scanners/$d" >"$tmp/rc.json"
  check "$d: no reply miscounted" jqt '[.modes[].hosts[] | select(.stated_rcvd)] == []' "$tmp/rc.json"
done
mkdir -p "$tmp/np-rcvd"
cp fixtures/scanners/nping-skipped/{run.json,capture.pcapng} "$tmp/np-rcvd/"
awk '/^Statistics for host 198.18.3.2:/ { h = 1 } h && /Probes Sent:/ { sub(/Rcvd: 1/, "Rcvd: 2"); h = 0 } 1' \
  fixtures/scanners/nping-skipped/trace.log >"$tmp/np-rcvd/trace.log"
"$st" compare --no-write -f json "$tmp/np-rcvd" >"$tmp/rc.json"
check "nping's Rcvd edited to 2 (1 RCVD line): stated_rcvd 2, counted 1, COUNTS of probes and replies" \
  jqt '[.modes[].hosts[] | select(.host == "198.18.3.2") | "\(.stated_rcvd) \(.counted.rcvd)"] == ["2 1"]
       and (.summary.result | test("COUNTS: nping.s statistics miscount the probes and replies of 3 hosts"))' \
  "$tmp/rc.json"

# masscan killed by timeout (124) with its output cut at a 4 KiB block (it never exits
# after this sweep): the hosts that answered and it did not print are not held against it
d=fixtures/scanners/masscan-timeout
"$st" compare --no-write -f json "$d" >"$tmp/mt.json"
rc=$?
check "masscan killed by timeout: stopped said, nothing missed, the rest not held" \
  jqt '.claims.stopped == "stopped by timeout (exit status 124)" and .claims.missed == 0
       and .claims.unheld > 0 and .claims.unheld + .claims.claimed_up <= .claims.answered
       and (.summary.result | test("UNJUDGED: the scanner was stopped by timeout"))' "$tmp/mt.json"
check "masscan killed by timeout: exit 1 (UNJUDGED)" test "$rc" -eq 1

# nmap's port scan without --packet-trace: its side is built from the wire. The scan of a
# host found up is nmap's later phase, not probes; TCP 53 is a scanned port (no DNS: -n);
# the verdicts are the hosts nmap reported up. -Pn: every host nmap scanned up (user-set).
for name in nmap-portscan-untraced nmap-Pn-untraced; do
  d=fixtures/scanners/$name
  "$st" compare --no-write -f json "$d" >"$tmp/$name.json"
  rc=$?
  sed -n 's/^Nmap scan report for //p' "$d/trace.log" | sort -u >"$tmp/reported"
  jq -r '.modes[].hosts[] | select(.verdict == "up") | .host' "$tmp/$name.json" | sort -u >"$tmp/up"
  check "$name: up = the $(wc -l <"$tmp/reported") hosts nmap reported" cmp -s "$tmp/reported" "$tmp/up"
  # the port scan's SYNs to 22 (no discovery probe goes there): each one later, none a probe
  syn22=$(tshark -r "$d/capture.pcapng" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 22' \
    2>/dev/null | wc -l)
  # shellcheck disable=SC2016 # jq's variables
  check "$name: the $syn22 SYNs to port 22 are the later phase's, no probe" \
    jqt --argjson n "$syn22" '$n > 0 and ([.modes[].hosts[].later.sent // 0] | add) >= $n
         and ([.modes[].hosts[].probes[].text | select(test("SYN to 22$"))] | length) == 0' \
    "$tmp/$name.json"
  check "$name: consistent, exit 0" jqt '.summary.discrepancies == 0' "$tmp/$name.json"
  check "$name: exit 0" test "$rc" -eq 0
done
syn53=$(tshark -r fixtures/scanners/nmap-portscan-untraced/capture.pcapng \
  -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 53' 2>/dev/null | wc -l)
# shellcheck disable=SC2016 # jq's variables
check "nmap-portscan-untraced: its $syn53 SYNs to port 53 are no DNS" \
  jqt --argjson n "$syn53" '$n > 0 and ([.packets[] | select(.cause == "dns")] | length) == 0' \
  "$tmp/nmap-portscan-untraced.json"
check "nmap-Pn-untraced: the routed hosts up user-set" \
  jqt '[.modes[].hosts[] | select(.host | startswith("198.18.3.")) | .reason] | unique == ["user-set"]' \
  "$tmp/nmap-Pn-untraced.json"

# nmap --send-ip on the segment without --packet-trace: the ARP is the kernel's, no
# probe. A host that answers it and drops the echo (l2-noicmp) is down, as nmap says, and
# no miss of its claims (it was up arp-response, "1 missed")
d=fixtures/scanners/nmap-send-ip-untraced
"$st" compare --no-write -f json "$d" >"$tmp/sendip.json"
rc=$?
sed -n 's/^Nmap scan report for //p' "$d/trace.log" | sort -u >"$tmp/reported"
jq -r '.modes[].hosts[] | select(.verdict == "up") | .host' "$tmp/sendip.json" | sort -u >"$tmp/up"
check "nmap-send-ip-untraced: up = the hosts nmap reported" cmp -s "$tmp/reported" "$tmp/up"
arps=$(tshark -r "$d/capture.pcapng" -Y arp 2>/dev/null | wc -l)
# shellcheck disable=SC2016 # jq's variables
check "nmap-send-ip-untraced: its $arps ARP frames the kernel's (os-arp), no probe; no miss, exit 0" \
  jqt --argjson n "$arps" '$n > 0 and .summary.causes["os-arp"] == $n and .claims.missed == 0
       and ([.modes[].hosts[].probes[].text | select(test("ARP"))] | length) == 0' "$tmp/sendip.json"
check "nmap-send-ip-untraced: exit 0" test "$rc" -eq 0

# a sweep of more targets than compare lists (a /8): every address probed may be one, as
# with a target given by name; the lowest 131,072 were kept before, and fping-a's routed
# hosts, past them, were "unfounded" claims
mkdir -p "$tmp/g8"
cp fixtures/scanners/fping-a/trace.log fixtures/scanners/fping-a/capture.pcapng "$tmp/g8/"
jq '(.command_line |= (index("--") as $i | .[:$i + 1] + ["fping", "-a", "-g", "10.0.0.0/8", "198.18.3.0/24"]))
    | .command.argv = ["fping", "-a", "-g", "10.0.0.0/8", "198.18.3.0/24"]' \
  fixtures/scanners/fping-a/run.json >"$tmp/g8/run.json"
"$st" compare --no-write -f json "$tmp/g8" >"$tmp/g8.json"
check "targets past the limit (a /8 and a /24): none unfounded, consistent" \
  jqt '.claims.unfounded == 0 and .summary.passes' "$tmp/g8.json"

# a group pinged (ping -6 ff02::1%lan0: the IPv6 neighbours; ping -b: a broadcast; fping -6
# the same group): the echo request is a probe of the group, each host that answered it
# with an echo reply a member found up by it, not an unknown frame. The requests, the
# members and their replies are taken here from the capture.
group_fixture() { # NAME: $tmp/NAME.json, and g (the group), fam (icmp or icmpv6)
  d=fixtures/scanners/$1
  g=$(jq -r '.command_line[-1]' "$d/run.json")
  g=${g%%%*}
  fam=icmp req=8 rep=0 dst=ip.dst src=ip.src
  [[ $g == *:* ]] && fam=icmpv6 req=128 rep=129 dst=ipv6.dst src=ipv6.src
  tshark -r "$d/capture.pcapng" -Y "$fam.type == $req && $dst == $g" -T fields -e frame.number \
    2>/dev/null | jq -s . >"$tmp/$1.req"
  tshark -r "$d/capture.pcapng" -Y "$fam.type == $rep" -T fields -e frame.number -e "$src" \
    2>/dev/null | jq -R 'split("\t") | {frame: (.[0] | tonumber), host: .[1]}' | jq -s . >"$tmp/$1.rep"
  "$st" compare --no-write -f json "$d" >"$tmp/$1.json"
}
groups=(ping6-all-nodes ping-broadcast fping6-all-nodes ping-broadcast-any)
for name in "${groups[@]}"; do
  group_fixture "$name"
  rc=$?
  j=$tmp/$name.json
  # shellcheck disable=SC2016 # jq's variables
  check "$name: the capture holds requests to $g and replies from at least two members" \
    jqt --slurpfile q "$tmp/$name.req" --slurpfile r "$tmp/$name.rep" \
    '($q[0] | length) > 0 and ($r[0] | map(.host) | unique | length) >= 2' "$j"
  check "$name: consistent, exit 0, no unknown frame" \
    jqt '.summary.passes and .summary.discrepancies == 0 and (.summary.causes.unknown // 0) == 0' "$j"
  check "$name: exit 0" test "$rc" -eq 0
  # the text report marks them as report.json does: the group's members, each member's group
  "$st" compare --no-write "fixtures/scanners/$name" >"$tmp/$name.txt" 2>&1
  check "$name: the text's group line lists report.json's members" \
    test "$(sed -n 's/^      group  a broadcast or multicast address; members: //p' "$tmp/$name.txt")" = \
    "$(jq -r '[.modes[].hosts[] | select(.group) | .members[]] | join(" ")' "$j")"
  check "$name: the text says 'member of' for each of report.json's members" \
    test "$(grep -c '^      member of ' "$tmp/$name.txt")" -eq \
    "$(jq '[.modes[].hosts[] | select(.member_of)] | length' "$j")"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: every request to $g and every member's reply matched" \
    jqt --slurpfile q "$tmp/$name.req" --slurpfile r "$tmp/$name.rep" \
    '[.packets[] | select(.status == "matched") | .frame] as $m
     | ($q[0] + ($r[0] | map(.frame))) - $m == []' "$j"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: each member up echo-reply, its probes the group's requests, its replies its own" \
    jqt --slurpfile q "$tmp/$name.req" --slurpfile r "$tmp/$name.rep" '
      . as $rep | $r[0] | group_by(.host) | all(.[0].host as $h | map(.frame) as $f
        | [$rep.modes[0].hosts[] | select(.host == $h)] | length == 1 and
          (.[0] | .verdict == "up" and .reason == "echo-reply" and ([.replies[].frame] == $f)
           and (.probes | length) > 0 and ([.probes[].frame] - $q[0] == [])))' "$j"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: the group $g up, its probes its requests, its replies every member's" \
    jqt --arg g "$g" --slurpfile q "$tmp/$name.req" --slurpfile r "$tmp/$name.rep" \
    '[.modes[0].hosts[] | select(.host == $g)] | length == 1 and (.[0] | .verdict == "up"
       and [.probes[].frame] == $q[0] and ([.replies[].frame] | sort) == ($r[0] | map(.frame) | sort))' "$j"
  # report.json marks them: the group "group": true with its "members", each member its
  # "member_of"; no other host has either
  # shellcheck disable=SC2016 # jq's variables
  check "$name: report.json: $g a group, its members those that answered, each member_of $g" \
    jqt --arg g "$g" --slurpfile r "$tmp/$name.rep" '([$r[0][].host] | unique) as $m | .modes[0].hosts
      | all(if .host == $g then .group == true and (.members | sort) == $m and .member_of == null
            elif (.host | IN($m[])) then .member_of == [$g] and .group == null
            else .group == null and .member_of == null end)' "$j"
done
# -i any: a cooked capture, whose requests show no destination MAC (marked outgoing, type 4):
# the broadcast is told by its answers (from the members' own addresses, with its id and
# sequence), as the Ethernet capture's is by its destination
check "ping-broadcast-any: a cooked capture, the requests to the broadcast marked outgoing" \
  test "$(tshark -r fixtures/scanners/ping-broadcast-any/capture.pcapng -Y 'icmp.type == 8' \
    -T fields -e sll.pkttype 2>/dev/null | sort -u)" = 4
check "ping-broadcast-any: the same verdicts and claims as ping-broadcast's Ethernet capture" \
  test "$(jq -c '[.modes[0].hosts[] | [.host, .verdict, .reason, .claim, .group, .member_of]],
    .claims' "$tmp/ping-broadcast-any.json")" = \
  "$(jq -c '[.modes[0].hosts[] | [.host, .verdict, .reason, .claim, .group, .member_of]],
    .claims' "$tmp/ping-broadcast.json")"
# ping prints each member ("64 bytes from fe80::X%lan0"): claimed, none missed; fping only
# the group: its members are not reported, no miss
# shellcheck disable=SC2016 # jq's variables
for name in ping6-all-nodes ping-broadcast ping-broadcast-any; do
  check "$name: every member claimed up, none missed or unfounded" \
    jqt --slurpfile r "$tmp/$name.rep" '.claims.missed == 0 and .claims.unfounded == 0 and
      ([$r[0][].host] | unique) - [.modes[0].hosts[] | select(.claim == "up") | .host] == []' \
    "$tmp/$name.json"
done
# shellcheck disable=SC2016 # jq's variables
check "fping6-all-nodes: the group claimed, its members unreported (fping prints the group)" \
  jqt --slurpfile r "$tmp/fping6-all-nodes.rep" '.claims.missed == 0 and .claims.unfounded == 0
    and .claims.unreported == ([$r[0][].host] | unique | length)' "$tmp/fping6-all-nodes.json"
for name in "${groups[@]}"; do
  check "$name: report equals expected-report.json" \
    diff -q <(grep -v '"dissector":' "fixtures/scanners/$name/expected-report.json") \
    <(grep -v '"dissector":' "$tmp/$name.json")
done

# the members' claims are held against the wire: a member ping printed whose replies the
# capture lost is unfounded, one it answered and ping did not print missed, a member
# made up unfounded; "0 received" with members answering misses the group
for name in ping6-all-nodes ping-broadcast ping-broadcast-any; do
  d=fixtures/scanners/$name
  m=$(jq -r '.[0].host' "$tmp/$name.rep")
  frames=$(jq -r --arg m "$m" '[.[] | select(.host == $m) | .frame] | join(" ")' "$tmp/$name.rep")
  for what in lost unprinted madeup silent; do
    rm -rf "${tmp:?}/$what" && cp -r "$d" "$tmp/$what" && rm -f "$tmp/$what/expected-report.json"
  done
  # shellcheck disable=SC2086 # frame numbers are words
  editcap "$d/capture.pcapng" "$tmp/lost/capture.pcapng" $frames 2>/dev/null
  grep -v "from ${m}[%:]" "$d/trace.log" >"$tmp/unprinted/trace.log"
  sed '2i 64 bytes from 198.18.1.77: icmp_seq=1 ttl=64 time=0.2 ms (DUP!)' "$d/trace.log" >"$tmp/madeup/trace.log"
  sed -e '/ bytes from /d' -e 's/[0-9]* received.*/0 received, 100% packet loss/' "$d/trace.log" \
    >"$tmp/silent/trace.log"
  for what in lost unprinted madeup silent; do
    "$st" compare --no-write -f json "$tmp/$what" >"$tmp/$what.json"
    check "$name, $what: exit 1" test $? -eq 1
  done
  # shellcheck disable=SC2016 # jq's variables
  check "$name: a member printed whose replies are not on the wire ($m) unfounded" \
    jqt --arg m "$m" '.claims.unfounded == 1 and ([.modes[].hosts[] | select(.host == $m)][0]
      | .verdict == "down" and .claim == "up")' "$tmp/lost.json"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: a member not printed ($m) missed" \
    jqt --arg m "$m" '.claims.missed == 1 and ([.modes[].hosts[] | select(.host == $m)][0]
      | .verdict == "up" and .claim != "up")' "$tmp/unprinted.json"
  check "$name: a member made up (198.18.1.77) unfounded" \
    jqt '.claims.unfounded == 1 and ([.modes[].hosts[] | select(.host == "198.18.1.77")][0]
      | .verdict == "down" and .claim == "up")' "$tmp/madeup.json"
  check "$name: 0 received, members answering: each member missed" \
    jqt '.claims.missed >= 2 and (.summary.passes | not)' "$tmp/silent.json"
done

# nmap -iL FILE with a target on its command line: nmap 7.93 scans the file's targets alone
# (the run above, its targets moved to a list, 198.18.3.99 added to the command line): the
# wire side's targets are the list's, 198.18.3.99 none; with the list gone, every address
# probed is a target. Either way no frame is background, no host unfounded.
d=fixtures/scanners/nmap-frag-reply-untraced
mkdir -p "$tmp/il"
cp "$d/capture.pcapng" "$d/trace.log" "$tmp/il/"
printf '198.18.3.2\n198.18.3.4 # the silent one\n' >"$tmp/il/list.txt"
for list in "$tmp/il/list.txt" "$tmp/il/gone.txt"; do
  jq --arg l "$list" '.command_line |= (.[:-2] + ["-iL", $l, "198.18.3.99"])' "$d/run.json" \
    >"$tmp/il/run.json"
  "$st" compare --no-write -f json "$tmp/il" >"$tmp/il.json"
  check "nmap -iL $(basename "$list") 198.18.3.99: exit 0, consistent, no background" \
    test $? -eq 0 -a "$(jq -r '"\(.summary.passes) \(.summary.causes.background // 0)"' \
    "$tmp/il.json")" = "true 0"
  check "nmap -iL $(basename "$list") 198.18.3.99: its two hosts, none unfounded" \
    test "$(jq -r '"\([.modes[].hosts[].host] | sort | join(" ")) \(.claims.unfounded)"' \
      "$tmp/il.json")" = "198.18.3.2 198.18.3.4 0"
done

# nmap and nping tie a reply to the address it comes from: to them the broadcast is a
# target like any other, down with no answer from its own address, and its members hosts
# its request found. nmap traces the members' replies (it reads all ICMP while it scans)
# and reports no host up: no claim missed. nping prints an ICMP reply only from one of its
# targets: the members' replies are member-reply, no discrepancy, the members up all the
# same (its requests matched). fixtures/nmap-7.93/broadcast-any: nmap's, captured with -i any.
for d in fixtures/scanners/nping-broadcast fixtures/nmap-7.93/broadcast \
  fixtures/nmap-7.93/broadcast-any; do
  name=${d#fixtures/}
  "$st" compare --no-write -f json "$d" >"$tmp/bc.json"
  check "$name: consistent, exit 0" test $? -eq 0
  cp "$tmp/bc.json" "$tmp/${d##*/}.json"
  tshark -r "$d/capture.pcapng" -Y 'icmp.type == 0' -T fields -e ip.src 2>/dev/null |
    sort -u | jq -R . | jq -sc . >"$tmp/bc.members"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: the broadcast down no-response, a group of the members that answered" \
    jqt --slurpfile m "$tmp/bc.members" '[.modes[0].hosts[] | select(.group)] | length == 1 and
      (.[0] | .host == "198.18.1.255" and .verdict == "down" and .reason == "no-response"
       and (.members | sort) == $m[0])' "$tmp/bc.json"
  # shellcheck disable=SC2016 # jq's variables
  check "$name: each member up echo-reply, found by the broadcast's requests" \
    jqt --slurpfile m "$tmp/bc.members" '[.modes[0].hosts[] | select(.member_of)] as $h
      | ($h | map(.host) | sort) == $m[0] and ($m[0] | length) >= 2 and ($h | all(.verdict == "up"
        and .reason == "echo-reply" and .member_of == ["198.18.1.255"] and (.probes | length) == 2))' \
    "$tmp/bc.json"
  check "$name: report equals expected-report.json" \
    diff -q <(grep -v '"dissector":' "$d/expected-report.json") <(grep -v '"dissector":' "$tmp/bc.json")
done
check "nping-broadcast: every member's reply member-reply (nping never traces it), none missed" \
  jqt '([.packets[] | select(.status == "wire_only" and .proto == "icmp") | .cause] | unique)
    == ["member-reply"] and .summary.causes["missed-reply"] == null' "$tmp/nping-broadcast.json"
check "nmap's broadcast: nmap reported no host up, none missed (the members unreported)" \
  jqt '.claims.claimed_up == 0 and .claims.missed == 0 and .claims.unfounded == 0
    and .claims.unreported == 2' "$tmp/broadcast.json"

# fping -6 ff02::1%lan0 alone on its link: its own host answers the group over the loopback
# interface (on no wire of the capture), and fping prints "is alive". The members' replies
# cut from the capture (editcap): the claim is not held (neither unfounded nor passed).
d=fixtures/scanners/fping6-all-nodes
rm -rf "$tmp/alone" && cp -r "$d" "$tmp/alone" && rm -f "$tmp/alone/expected-report.json"
# shellcheck disable=SC2046 # frame numbers are words
editcap "$d/capture.pcapng" "$tmp/alone/capture.pcapng" \
  $(jq -r '.[].frame' "$tmp/fping6-all-nodes.rep") 2>/dev/null
"$st" compare --no-write -f json "$tmp/alone" >"$tmp/alone.json"
check "fping6 alone on its link: exit 1 (unjudged)" test $? -eq 1
check "fping6 alone on its link: the group's claim not held, not unfounded, not passed" \
  jqt '.claims.unfounded == 0 and .claims.own_answer == 1 and (.summary.passes | not)
    and .summary.discrepancies == 0' "$tmp/alone.json"
check "fping6 alone on its link: the result says why" \
  grep -q 'UNJUDGED: 1 group claimed up (ff02::1) that no member answered on the wire, not held' \
  <(jq -r .summary.result "$tmp/alone.json")

# fping refuses a broadcast address (no probe sent, "is unreachable", exit 1): unjudged,
# the result says it sent nothing, not consistent
"$st" compare --no-write -f json fixtures/scanners/fping-broadcast >"$tmp/fb.json"
check "fping to a broadcast: exit 1" test $? -eq 1
check "fping to a broadcast: unjudged, the scanner failed and sent no probe" \
  grep -q 'UNJUDGED: the scanner failed (exit status 1) and sent no probe' \
  <(jq -r 'select(.summary.passes | not) | .summary.result' "$tmp/fb.json")

tap_done
