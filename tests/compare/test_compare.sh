#!/usr/bin/env bash
# scantrace compare on real recordings: golden reports, fault injection
# (frames deleted with editcap, lines deleted from the trace: the report must
# name exactly those), the report formats, run directories, and bad input.
# Every golden report is checked with each dissector built in (libwireshark in
# process, tshark as a child): they must agree on everything but the
# "dissector" field. With ST-GENCAP, a synthetic capture of 100k frames (split
# over two processes by libwireshark) must also give the same report both ways.
# usage: tests/compare/test_compare.sh SCANTRACE SOURCE_ROOT [ST-GENCAP]   (TAP)
set -uo pipefail

gencap=${3:+$(realpath "$3")}
# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"

# ---- golden reports: every fixture, byte for byte (but the dissector's name) ---
dissectors=(tshark)
"$st" compare --help | grep -q 'libwireshark (in process; the default when built' &&
  "$st" compare --no-write --dissector libwireshark "$fx/PE" >/dev/null 2>&1 && dissectors+=(libwireshark)
# (scripts/test --sanitize: the goldens once, by libwireshark, whose helper runs our code;
# tshark's half adds only the reader of its output, which test_readers checks there, and
# the same holds for the synthetic sweep read both ways below)
golden_dissectors=("${dissectors[@]}")
[ -n "${SCANTRACE_TEST_ONE_DISSECTOR:-}" ] && [ ${#dissectors[@]} -eq 2 ] && golden_dissectors=(libwireshark)
echo "# dissectors: ${golden_dissectors[*]}"
for dis in "${golden_dissectors[@]}"; do
  for d in "$fx"/*/ "$fx6"/*/ fixtures/scantrace/*/; do
    d=${d%/}
    name=$(basename "$d")
    [ -f "$d/expected-report.json" ] || { check "$name has an expected report" false; continue; }
    "$st" compare --no-write --dissector "$dis" -f json "$d" >"$tmp/got.json"
    rc=$?
    want_rc=0
    # (a result not consistent without a discrepancy: unjudged hosts, say)
    [ "$(jq '.summary.passes' "$d/expected-report.json")" = false ] && want_rc=1
    check "golden $name ($dis): exit $want_rc" test "$rc" -eq "$want_rc"
    if ! diff -u <(grep -v '"dissector":' "$d/expected-report.json") \
      <(grep -v '"dissector":' "$tmp/got.json") >"$tmp/diff"; then
      head -20 "$tmp/diff" | sed 's/^/# /'
      check "golden $name ($dis): report equals expected-report.json" false
    else
      check "golden $name ($dis): report equals expected-report.json" true
    fi
  done
done
check "the default dissector is named in the report" \
  test "$(jq -r .capture.dissector "$tmp/got.json" | cut -d' ' -f1)" = "${dissectors[-1]}"

# ---- the files users bring: PowerShell's UTF-16, a session of several runs ------------
# `nmap ... > scan.txt` in PowerShell writes UTF-16 with its mark: the same report
for enc in UTF-16LE UTF-16BE; do
  { if [ $enc = UTF-16LE ]; then printf '\xff\xfe'; else printf '\xfe\xff'; fi
    iconv -f UTF-8 -t $enc "$fx/default-routed/trace.log"; } >"$tmp/ps.log"
  "$st" compare --no-write -f json "$tmp/ps.log" "$fx/default-routed/capture.pcapng" >"$tmp/ps.json"
  "$st" compare --no-write -f json "$fx/default-routed/trace.log" "$fx/default-routed/capture.pcapng" >"$tmp/u8.json"
  check "a $enc trace (PowerShell's >): the report of its UTF-8 twin, claims read" \
    diff <(jq 'del(.trace.path)' "$tmp/ps.json") <(jq 'del(.trace.path)' "$tmp/u8.json")
done
check "... and those claims are nmap's" jqt '.claims.format == "nmap-normal" and .claims.claimed_up > 0' "$tmp/ps.json"
# three nmap runs appended to one log (fixtures/nmap-7.93/session; its golden report above):
# a pass each, the identical ARP tries of runs 1 and 3 each their own run's frames
ses=$fx/session
"$st" compare --no-write -f json "$ses" >"$tmp/ses.json"
check "a session of 3 runs: 3 passes, the second -PE numbered" \
  jqt '.trace.runs == 3 and ([.modes[].mode] == ["-PE -PR", "default", "-PE -PR (run 3)"])' "$tmp/ses.json"
# shellcheck disable=SC2016
check "a session: each run's ARP lines take their own run's frames (run 1's before run 3's)" \
  jqt '[.modes[] | [.hosts[] | select(.host == "198.18.1.9") | .probes[] | .frame]] | . as $f
       | ($f[0] | length) == 2 and ($f[0] | max) < ($f[2] | min)' "$tmp/ses.json"
check "a session: 198.18.3.3 down for -PE, up for the default ping, every host judged" \
  jqt '[.modes[] | .hosts[] | select(.host == "198.18.3.3") | .verdict] == ["down", "up"] and .summary.unjudged == 0' "$tmp/ses.json"
check "a session: each run's claims its own (198.18.3.3 claimed up by the default ping's run alone)" \
  jqt '[.modes[] | .hosts[] | select(.host == "198.18.3.3") | .claim] == [null, "up"]' "$tmp/ses.json"

# 127.0.0.3 and 127.255.255.254 are the scanning host to nmap as 127.0.0.1 is (it scans
# all of 127/8 through loopback: up without a packet), though no interface holds them:
# localhost-response and no unfounded claim, in the run directory (run.json lists the
# host's addresses) and as a bare pair (nothing lists them)
lb=$fx/PE-loopback
"$st" compare --no-write -f json "$lb" >"$tmp/lb.json"
"$st" compare --no-write -f json "$lb/trace.log" "$lb/capture.pcapng" >"$tmp/lb2.json"
for j in lb lb2; do
  check "127/8 ($j): each loopback host up, localhost-response; none unfounded, consistent" \
    jqt '[.modes[0].hosts[] | select(.host | startswith("127.")) | "\(.verdict) \(.reason)"]
         == ["up localhost-response", "up localhost-response", "up localhost-response"]
         and .claims.unfounded == 0 and .summary.passes' "$tmp/$j.json"
done

# nmap without -sn (fixtures/nmap-7.93/portscan: -p 22,80,443 --traceroute): once a reply
# said a host up, every packet about it is the port scan's or the traceroute's, not a
# probe of discovery; the pass is named after its discovery probes (the bare pair too,
# where nothing but the probes names it: the port scan's SYNs made it -PS443,22,80)
ps=$fx/portscan
"$st" compare --no-write -f json "$ps" >"$tmp/ps.json"
"$st" compare --no-write -f json "$ps/trace.log" "$ps/capture.pcapng" >"$tmp/ps2.json"
for j in ps ps2; do
  check "port scan ($j): one pass, named default" jqt '[.modes[].mode] == ["default"]' "$tmp/$j.json"
done
# from the trace alone: each host's SENT lines after the first RCVD line from it
for h in $(jq -r '.modes[0].hosts[] | select(.verdict == "up") | .host' "$tmp/ps.json"); do
  want=$(awk -v h="$h" '
    /^RCVD/ && (index($0, " " h " > ") || index($0, " " h ":") || index($0, " tell " h) || index($0, "reply " h " is-at")) && !up { up = NR }
    /^SENT/ && up && (index($0, "> " h " ") || index($0, "> " h ":") || index($0, "who-has " h " ")) { n++ }
    END { print n + 0 }' "$ps/trace.log")
  # shellcheck disable=SC2016 # jq's variables
  check "port scan: $h's later phase is its $want SENT lines after its first reply, none a probe" \
    jqt --arg h "$h" --argjson n "$want" '.modes[0].hosts[] | select(.host == $h)
      | .later.sent == $n and $n > 0 and .later.on_wire == .later.sent + .later.rcvd
        and (.probes | length) <= 4 and ([.probes[].line] | max) < .later.first_line' "$tmp/ps.json"
done
check "port scan: a host found down has no later phase" \
  jqt '[.modes[0].hosts[] | select(.verdict == "down") | .later] | length > 0 and all(. == null)' "$tmp/ps.json"
check "port scan: the text report says what came later, in a line" \
  bash -c "'$st' compare --no-write '$ps' | grep -qE '^      later [0-9]+ sent, [0-9]+ received once it was up \(lines [0-9]+-[0-9]+'"

# nmap -Pn (fixtures/nmap-7.93/Pn, with --reason): no discovery, every target up by the
# user's word: no claim is unfounded (198.18.3.4 answers nothing), the pass is -Pn, and
# all its packets are the port scan's; known from run.json's command line and, as a bare
# pair, from --reason's "received user-set"
pn=$fx/Pn
"$st" compare --no-write -f json "$pn" >"$tmp/pn.json"
"$st" compare --no-write -f json "$pn/trace.log" "$pn/capture.pcapng" >"$tmp/pn2.json"
for j in pn pn2; do
  check "-Pn ($j): consistent, none unfounded, one pass -Pn" \
    jqt '.summary.passes and .claims.unfounded == 0 and [.modes[].mode] == ["-Pn"]' "$tmp/$j.json"
  check "-Pn ($j): every host up user-set, no probe, all its packets later" \
    jqt '[.modes[0].hosts[] | .verdict == "up" and .reason == "user-set" and (.probes | length) == 0
          and .later.sent > 0] | length > 1 and all' "$tmp/$j.json"
done

# nmap -Pn without --reason, as a bare pair (fixtures/nmap-7.93/Pn-bare, IPv6's too): the
# silent routed host's bare "Host is up." (no latency) with packets sent to it tells -Pn;
# the on-link host still gets nmap's ARP (ND) ping, up arp-response (nd-response); the
# scanner's own address, port-scanned over lo, is loopback, no discrepancy
for v in "" -ipv6; do
  pb=fixtures/nmap-7.93$v/Pn-bare
  "$st" compare --no-write -f json "$pb/trace.log" "$pb/capture.pcapng" >"$tmp/pb.json"
  check "-Pn bare$v: consistent, none unfounded, one pass -Pn" \
    jqt '.summary.passes and .claims.unfounded == 0 and [.modes[].mode] == ["-Pn"]' "$tmp/pb.json"
  check "-Pn bare$v: routed hosts up user-set without a probe, the on-link one by ARP/ND" \
    jqt '[.modes[0].hosts[] | select(.reason == "user-set") | (.probes | length) == 0
          and .later.sent > 0] | length == 2 and all' "$tmp/pb.json"
  check "-Pn bare$v: the on-link host's discovery is its address resolution" \
    jqt '[.modes[0].hosts[] | select(.reason == "arp-response" or .reason == "nd-response")
          | (.probes | length) > 0] == [true]' "$tmp/pb.json"
done
pb=fixtures/nmap-7.93/Pn-bare
"$st" compare --no-write -f json "$pb/trace.log" "$pb/capture.pcapng" >"$tmp/pb.json"
check "-Pn bare: its own address's packets are loopback, the host localhost-response" \
  jqt '.summary.causes.loopback == 6 and ([.modes[0].hosts[] | select(.host == "198.18.1.1")
       | .reason] == ["localhost-response"])' "$tmp/pb.json"

# nmap twice, then nping, in one log (fixtures/nmap-7.93/session-nping): the nmap runs'
# claims read (nping prints none; the last run's dialect used to hide them), the nping
# run's pass named as nping's, both dialects said
sn=$fx/session-nping
"$st" compare --no-write -f json "$sn" >"$tmp/sn.json"
check "nmap and nping runs in one log: both dialects, the nping pass named as nping's" \
  jqt '.trace.dialect == "nmap-7.93+nping-0.7.93" and [.modes[].mode] == ["-PE", "default", "-PE (nping)"]' "$tmp/sn.json"
check "nmap and nping runs in one log: the nmap runs' claims read" \
  jqt '.claims.format == "nmap-normal" and .claims.claimed_up == 2 and .claims.unfounded == 0' "$tmp/sn.json"
check "nmap and nping runs in one log: the nping run claims nothing, misses nothing" \
  jqt '([.modes[] | select(.mode == "-PE (nping)") | .hosts[] | .claim] | unique) == [null]
       and .claims.missed == 0' "$tmp/sn.json"
# the first run cut short (its "Nmap done" line gone): its hosts unjudged, never consistent
awk '/^Nmap done/ && !cut { cut = 1; next } { print }' "$sn/trace.log" >"$tmp/cut1.log"
"$st" compare --no-write -f json "$tmp/cut1.log" "$sn/capture.pcapng" >"$tmp/cut1.json"
check "a session whose first run is cut short: exit 1, its host unjudged, said why" \
  jqt '.summary.unjudged == 1 and .summary.passes == false
       and (.summary.result | test("a run without its \"Nmap done\""))' "$tmp/cut1.json"
# the second of three runs without --packet-trace (fixtures/nmap-7.93/session-untraced):
# its frames were "unknown" (and retransmissions of run 1's probes), its up host's claim
# "unfounded"; now its frames are its own, unchecked, and the result never consistent
su=$fx/session-untraced
"$st" compare --no-write -f json "$su" >"$tmp/su.json"
check "a session with an untraced run: its pass named so, its frames untraced-run, none unknown" \
  jqt '[.modes[].mode] == ["-PE", "no packet trace (run 2)", "-PE (run 3)"]
       and .summary.causes["untraced-run"] > 0 and .summary.causes.unknown == null
       and .summary.causes.retransmit == null' "$tmp/su.json"
check "a session with an untraced run: its host unjudged, no claim unfounded, not consistent" \
  jqt '.summary.unjudged == 1 and .summary.passes == false and .claims.unfounded == 0
       and .summary.matched == .trace.packets' "$tmp/su.json"
# ... whose report names no host (nmap prints none it found down): an empty pass, said why
grep -v -e '^Nmap scan report for 198.18.3.3' -e '^Host is up (0.000021s' "$su/trace.log" >"$tmp/su2.log"
"$st" compare --no-write -f json "$tmp/su2.log" "$su/capture.pcapng" >"$tmp/su2.json"
check "an untraced run that names no host: an empty pass, said why, not consistent" \
  jqt '.summary.empty_modes == 1 and .summary.passes == false
       and (.summary.result | test("mode with no host \\(a run of the log traced no packet"))' "$tmp/su2.json"
# the same with nmap -6, whose echo lines name no id (fixtures/nmap-7.93-ipv6/session-untraced):
# run 3 was placed after run 1, on the untraced run's echoes (its retry took run 2's frame,
# run 2's frames were unknown); now it is placed from the capture's end
su6=$fx6/session-untraced
"$st" compare --no-write -f json "$su6" >"$tmp/su6.json"
su6_ok='.summary.causes["untraced-run"] > 0 and .summary.causes.unknown == null
        and .summary.causes.retransmit == null and .summary.matched == .trace.packets
        and .summary.passes == false'
check "an IPv6 session with an untraced run: every line on its own run's frame" \
  jqt "$su6_ok" "$tmp/su6.json"
# ... and with its first two runs untraced (run 1's lines taken out): the traced run is the last
awk '/^Starting/ { r++ } !(r == 1 && /^(SENT|RCVD) /)' "$su6/trace.log" >"$tmp/su6b.log"
"$st" compare --no-write -f json "$tmp/su6b.log" "$su6/capture.pcapng" >"$tmp/su6b.json"
check "an IPv6 session whose only traced run is the last: its lines on its own frames" \
  jqt "$su6_ok" "$tmp/su6b.json"
# ... captured from the untraced run on (its first 6 frames, run 1's, cut off; or from its
# TCP probes): run 1 took run 3's frames across the untraced run's (runs 1 and 3 alike),
# run 3 took leftovers a second away (frame 1 for its last line), DISCREPANCIES; now run
# 1 ends before the untraced run's frames: outside-capture, run 3 on its own frames
for from in 7 9 12; do
  editcap -r "$su6/capture.pcapng" "$tmp/su6c.pcapng" "$from-100" >/dev/null 2>&1
  "$st" compare --no-write -f json "$su6/trace.log" "$tmp/su6c.pcapng" >"$tmp/su6c.json"
  last=$((21 - from + 1))
  # shellcheck disable=SC2016 # ($last is jq's)
  check "an IPv6 session captured from frame $from (the untraced run's): run 1 outside, run 3 its own" \
    jqt --argjson last "$last" '.summary.discrepancies == 0 and .summary.causes.unknown == null
       and ([.modes[0].hosts[] | (.probes + .replies)[] | .frame] | all(. == null))
       and ([.modes[2].hosts[] | (.probes + .replies)[] | .frame] | sort
            == [$last - 3, $last - 2, $last - 1, $last])' "$tmp/su6c.json"
done
# a router that answers for its targets (tests/data/other-lab: another lab's addresses):
# nmap's lines of its 3/13 and 3/3 name no target, so they were left out of their hosts
# (explain said nothing came back), and a router's port unreachable would have made the
# target up; the frames' quoted datagrams name the targets, and only the target's own
# port unreachable is proof (nmap compares the addresses)
ol=tests/data/other-lab
"$st" compare --no-write -f json "$ol/pro" >"$tmp/ol-pro.json"
check "a router's unreachables: under the hosts they quote, every host down, consistent" \
  jqt '.summary.passes == true and ([.modes[].hosts[] | .host] == ["198.18.200.50",
       "198.18.200.60", "198.18.200.61"]) and ([.modes[].hosts[] | .verdict] | unique == ["down"])
       and ([.modes[].hosts[] | .replies | length] == [3, 3, 2])' "$tmp/ol-pro.json"
"$st" compare --no-write -f explain "$ol/pro" >"$tmp/ol-pro.txt"
check "... explain names the router's message, not 'nothing came back'" \
  bash -c "grep -A3 '^198.18.200.50 ' '$tmp/ol-pro.txt' | grep -q 'a router said' &&
           ! grep -A3 '^198.18.200.50 ' '$tmp/ol-pro.txt' | grep -q 'nothing came back'"
# ... nmap --ttl 1: the router's time exceeded; nmap says "[host down, received
# time-exceeded]", and so does scan: diff of the two runs was "no-response" against it
"$st" compare --no-write -f json "$ol/ttl" >"$tmp/ol-ttl.json"
check "nmap --ttl 1: down, time-exceeded" \
  jqt '[.modes[].hosts[] | .reason] == ["time-exceeded", "time-exceeded"]' "$tmp/ol-ttl.json"
"$st" diff "$ol/ttl" "$ol/ttls" >"$tmp/ol-diff.txt" 2>&1
check "diff of nmap --ttl 1 and scan --ttl 1 (traces alone): the same" test $? -eq 0
# fping -t 150 gone a second before a slow host's reply (another lab: the router's ARP for
# a host that came up late): "1 missed"; the answer came after the command exited (run.json:
# its end less the linger, or record's command.end_time_ns), none it could read
"$st" compare --no-write -f json "$ol/late" >"$tmp/ol-late.json"
check "an answer only after the scanner exited: not missed, counted apart, consistent" \
  jqt '.claims.missed == 0 and .claims.after_exit == 1 and .summary.passes == true' "$tmp/ol-late.json"
cp -r "$ol/late" "$tmp/late2"
jq '.command.end_time_ns = .end_time_ns' "$ol/late/run.json" >"$tmp/late2/run.json"
"$st" compare --no-write -f json "$tmp/late2" >"$tmp/ol-late2.json"
check "... the command's end_time_ns read: had it exited after the answer, missed" \
  jqt '.claims.missed == 1 and .claims.after_exit == null' "$tmp/ol-late2.json"
# scan -R asking a host that runs no name server (another lab): its port 53 unreachable
# was "unrelated"; it is the answer to a name lookup, dns
"$st" compare --no-write -f json "$ol/dns1" >"$tmp/ol-dns.json"
check "a name server's port 53 unreachable: dns, not unrelated" \
  jqt '.summary.causes.dns == 4 and .summary.causes.unrelated == null' "$tmp/ol-dns.json"
# a firewall of the scanner's host rewrote the probes' TTL and MSS before the capture
# point (tests/data/altered): each frame has its line's identity, so every line matched and
# compare said consistent, while the wire showed other values than the trace printed
al=tests/data/altered
for r in scan-ttl-mss nmap-send-ip; do
  "$st" compare --no-write -f json "$al/$r" >"$tmp/al-$r.json"
  check "$r: the probes' frames show another TTL and MSS than their lines: DISCREPANCIES" \
    jqt '.summary.passes == false and .summary.altered == 2 and
         (.summary.result | test("2 packets altered on the wire: line 2 ttl=[0-9]+ in its line, ttl=64 on the wire"))
         and ([.modes[].hosts[].probes[] | .altered // empty] | length == 2)
         and ([.modes[].hosts[].probes[] | .altered // empty] | any(test("mss 1460 in its line, mss 1200 on the wire")))' \
    "$tmp/al-$r.json"
done
"$st" compare --no-write "$al/scan-ttl-mss" >"$tmp/al.txt"
check "... the text report marks each altered probe and says what differs" \
  bash -c "grep -q 'frame 3 ALTERED' '$tmp/al.txt' && grep -q 'altered: ttl=43 in its line, ttl=64 on the wire; mss 1460 in its line, mss 1200 on the wire' '$tmp/al.txt'"
# hping3 --flood reads no reply and prints "0 packets received" from its signal handler
# (tests/data/counts/hping3-flood): that was a COUNTS; its output claims nothing
"$st" compare --no-write -f json tests/data/counts/hping3-flood >"$tmp/flood.json"
check "hping3 --flood: no statistics held against the wire, no claim read, no COUNTS" \
  jqt '.summary.miscounted == null and .claims.format == "unknown" and
       (.summary.result | test("COUNTS") | not) and
       (.summary.result | test("hping3 --flood reads no reply"))' "$tmp/flood.json"
# nmap --open lists only hosts with an open port (tests/data/nmap-open): the hosts it left
# out were "missed" (CLAIMS: 3 missed); they are not reported
for r in traced untraced; do
  "$st" compare --no-write -f json tests/data/nmap-open/$r >"$tmp/open-$r.json"
  check "nmap --open ($r): hosts without an open port are not reported, not missed" \
    jqt '.claims.missed == 0 and .claims.unreported == 3 and .summary.passes == true' \
    "$tmp/open-$r.json"
done
# nmap while ping talks to the gateway (fixtures/nmap-7.93/busy): the ping's frames were
# "unknown" (DISCREPANCIES); they are the host's background traffic, never the scan's
"$st" compare --no-write -f json "$fx/busy" >"$tmp/busy.json"
check "a capture with the host's other traffic (ping to the gateway): background, consistent" \
  jqt '.summary.causes.background >= 8 and .summary.causes.unknown == null
       and .summary.discrepancies == 0 and .summary.passes == true' "$tmp/busy.json"
# captured on the router, both sides (fixtures/nmap-7.93/router-side): every routed packet
# twice; the copies were "retransmit", "missed-reply" and "late-reply" (DISCREPANCIES)
"$st" compare --no-write -f json "$fx/router-side" >"$tmp/rtr.json"
check "a capture on a router's two sides: the second copies are copy, consistent" \
  jqt '.summary.causes.copy >= 15 and .summary.causes.retransmit == null
       and .summary.causes["missed-reply"] == null and .summary.passes == true' "$tmp/rtr.json"
# ... and the same run as if nmap had run without --packet-trace (its log without packet
# lines, run.json naming its command): the side built from the wire took each probe
# twice, the router's own ARP as probes and a silent target's ARP reply as its answer
# (a "missed" claim): the capture's directions are the router's, not the scanner's
mkdir -p "$tmp/rtrw"
cp "$fx/router-side/capture.pcapng" "$tmp/rtrw/"
grep -vE '^(SENT|RCVD) ' "$fx/router-side/trace.log" >"$tmp/rtrw/trace.log"
read -r -a rtr_cmd < <(sed -e 's/ --packet-trace//' -e 's/ >> trace.log$//' "$fx/router-side/cmd")
jq --argjson c "$(printf '%s\n' scantrace record -o rtrw -- "${rtr_cmd[@]}" | jq -R . | jq -s .)" \
  '.command_line = $c' fixtures/scanners/fping-a/run.json >"$tmp/rtrw/run.json"
"$st" compare --no-write -f json "$tmp/rtrw" >"$tmp/rtrw.json"
# shellcheck disable=SC2016 # $traced is jq's
check "a router's capture, no packet trace: its probes once, the router's ARP not theirs, claims held" \
  jqt '.summary.passes == true and .claims.missed == 0 and .claims.answered == 2
       and .summary.causes.copy >= 15 and .trace.packets == .summary.matched
       and ([.modes[0].hosts[].probes | length] | add) ==
           ([$traced[0].modes[0].hosts[].probes | length] | add)' \
  --slurpfile traced "$fx/router-side/expected-report.json" "$tmp/rtrw.json"
# -i any on the LAN's bridge (fixtures/nmap-7.93/bridge-any): each packet on a port and on
# the bridge, alike but for the cooked header's packet type
"$st" compare --no-write -f json "$fx/bridge-any" >"$tmp/bra.json"
check "-i any on a bridge: the port's and the bridge's copies are copy, consistent" \
  jqt '.summary.causes.copy >= 4 and .summary.causes.retransmit == null
       and .summary.passes == true' "$tmp/bra.json"
# the nping run alone (its lines from its Starting line on): no claims, its name
sed -n '/^Starting Nping/,$p' "$sn/trace.log" >"$tmp/np.log"
"$st" compare --no-write -f json "$tmp/np.log" "$sn/capture.pcapng" >"$tmp/np.json"
check "the nping run alone: dialect nping, no claims, named -PE (nping), every host judged" \
  jqt '.trace.dialect == "nping-0.7.93" and .claims == null and [.modes[].mode] == ["-PE (nping)"]
       and .summary.unjudged == 0' "$tmp/np.json"

# ---- a synthetic sweep: both dissectors, the same report -------------------------
if [ -n "$gencap" ] && [ ${#golden_dissectors[@]} -eq 2 ]; then
  mkdir -p "$tmp/syn"
  "$gencap" 100000 "$tmp/syn"
  for dis in "${dissectors[@]}"; do
    "$st" compare --no-write --dissector "$dis" -f json "$tmp/syn/trace.log" "$tmp/syn/capture.pcapng" \
      >"$tmp/syn/$dis.json"
  done
  check "synthetic 100k frames: libwireshark (two processes) and tshark give the same report" \
    cmp -s <(grep -v '"dissector":' "$tmp/syn/tshark.json") <(grep -v '"dissector":' "$tmp/syn/libwireshark.json")
  # (its Starting line's minute is its capture's: UNJUDGED "not its capture" otherwise)
  check "synthetic 100k frames: consistent" jqt '.summary.result == "consistent" and .summary.matched > 60000' \
    "$tmp/syn/tshark.json"
fi
# a big comparison on a terminal says what it is doing, on one line cleared at the end;
# in a log (or when small) it says nothing
if [ -n "$gencap" ] && [ -d "$tmp/syn" ] && command -v script >/dev/null; then
  script -qc "'$st' compare --no-write '$tmp/syn/trace.log' '$tmp/syn/capture.pcapng' >/dev/null" \
    /dev/null >"$tmp/tty.err"
  check "on a terminal, a big compare tells its phases (dissecting, aligning)" \
    bash -c "grep -q 'dissecting .* MB) \.\.\.' '$tmp/tty.err' && grep -q 'aligning [0-9]* trace packets' '$tmp/tty.err'"
  check "... and clears its line at the end" bash -c "tail -c 4 '$tmp/tty.err' | od -c | grep -q 'K'"
  "$st" compare --no-write "$tmp/syn/trace.log" "$tmp/syn/capture.pcapng" 2>"$tmp/log.err" >/dev/null
  check "not on a terminal: nothing on standard error" test ! -s "$tmp/log.err"
fi

# ---- where libwireshark runs: the helper next to the module, else compare itself ----
# (a copy of the binary finds the module and the helper next to itself first)
mod=$(dirname "$st")/dissect/scantrace-libwireshark.so
if [ ${#dissectors[@]} -eq 2 ] && [ -f "$mod" ]; then
  inst=$tmp/inst
  mkdir -p "$inst"
  cp "$st" "$mod" "$inst/"
  g=$fx/PE
  "$inst/scantrace" compare --no-write -f json "$g" >"$tmp/inst.json" 2>"$tmp/inst.err"
  check "no helper: compare dissects with the module itself (exit 0, the golden report)" \
    diff -q <(grep -v '"dissector":' "$g/expected-report.json") <(grep -v '"dissector":' "$tmp/inst.json")
  check "... named libwireshark" jqt '.capture.dissector | startswith("libwireshark ")' "$tmp/inst.json"
  # the helper, wrapped to leave a mark (its cut: -1 whole, else where the halves meet):
  # it is what runs, with its descriptors 3 and 4
  # shellcheck disable=SC2016 # $3 and $@ are the wrapper's
  printf '#!/bin/sh\necho "$3" >"%s/helper-ran"\nexec "%s" "$@"\n' "$inst" \
    "$(dirname "$mod")/scantrace-dissect" >"$inst/scantrace-dissect"
  chmod +x "$inst/scantrace-dissect"
  for split in whole halves; do
    rm -f "$inst/helper-ran"
    c=$g/capture.pcapng
    [ "$split" = halves ] && [ -d "$tmp/syn" ] && c=$tmp/syn/capture.pcapng && g=$tmp/syn
    [ "$split" = halves ] && [ ! -d "$tmp/syn" ] && continue
    "$inst/scantrace" compare --no-write -f json "${g%/}/trace.log" "$c" >"$tmp/inst.json" 2>"$tmp/inst.err"
    want_cut='-le 0'
    [ "$split" = halves ] && want_cut='-gt 0'
    check "with the helper ($split): it ran (cut $(cat "$inst/helper-ran" 2>/dev/null) $want_cut), and the report is the module's" \
      bash -c "[ \"\$(cat '$inst/helper-ran')\" $want_cut ] && jq -e '.capture.dissector | startswith(\"libwireshark \")' '$tmp/inst.json' >/dev/null"
  done
  echo junk >"$inst/scantrace-libwireshark.so"
  "$inst/scantrace" compare --no-write "$fx/PE" >/dev/null 2>"$tmp/inst.err"
  rc=$?
  check "a module that cannot be loaded: exit 3 (got $rc), one line naming it and --dissector tshark" \
    bash -c "[ $rc -eq 3 ] && [ \$(wc -l <'$tmp/inst.err') -eq 1 ] && grep -q 'scantrace-libwireshark.so not loadable: .*(--dissector tshark)' '$tmp/inst.err'"
fi

# every trace packet line exactly once, every frame at most once
for d in "$fx"/default-routed "$fx"/send-ip-local "$fx"/PE; do
  "$st" compare --no-write -f json "$d" >"$tmp/r.json"
  lines=$(grep -cE '^(SENT|RCVD) ' "$d/trace.log")
  check "$(basename "$d"): each trace line once" \
    test "$(jq '[.packets[] | select(.line) | .line] | unique | length' "$tmp/r.json")" -eq "$lines" -a \
    "$(jq '[.packets[] | select(.line)] | length' "$tmp/r.json")" -eq "$lines"
  check "$(basename "$d"): each frame at most once" \
    test "$(jq '[.packets[] | select(.frame) | .frame] | (length == (unique | length))' "$tmp/r.json")" = true
done

# ---- nmap -6 ---------------------------------------------------------------------
# every trace line once: the ND ping, the default routed ping, connect() lines
for d in "$fx6"/default-local "$fx6"/default-routed "$fx6"/unprivileged "$fx6"/all-d3; do
  "$st" compare --no-write -f json "$d" >"$tmp/r6.json"
  lines=$(grep -cE '^(SENT|RCVD|CONN) ' "$d/trace.log")
  check "ipv6 $(basename "$d"): each trace line once, on a frame"     test "$(jq '[.packets[] | select(.line and .frame) | .line] | unique | length' "$tmp/r6.json")" -eq "$lines"
  check "ipv6 $(basename "$d"): no wire-only frame without a known cause"     jqt '[.packets[] | select(.status == "wire_only" and (.cause == "unknown" or .cause == "unrelated"))] | length == 0' "$tmp/r6.json"
  up=$(grep -A2 '^Nmap scan report for' "$d/trace.log" | grep -B2 '^Host is up' | grep -o '2001:[0-9a-f:]*' | sort | tr '\n' ' ')
  check "ipv6 $(basename "$d"): nmap's up hosts are up, the others down" \
    test "$(jq -r '[.modes[].hosts[] | select(.verdict == "up") | .host] | sort | .[]' "$tmp/r6.json" | tr '\n' ' ')" = "$up"
done
mode6() { "$st" compare --no-write -f json "$fx6/$1" | jq -r '[.modes[].mode] | join(";")'; }
check "ipv6 mode: an ICMPv6 echo run is -PE (not -PO58)" test "$(mode6 PE)" = "-PE"
check "ipv6 mode: -PO58's echo (code 129) is -PO58" test "$(mode6 PO58)" = "-PO58"
check "ipv6 mode: the local default is named as asked (run.json's command line)" test "$(mode6 default-local)" = "default"
check "ipv6 mode: the local default's probes alone (a bare trace) are the ND ping, -PR" \
  test "$("$st" compare --no-write -f json "$fx6/default-local/trace.log" "$fx6/default-local/capture.pcapng" | jq -r '.modes[].mode')" = "-PR"
# a mode is named as it was asked: nmap's -PO6 probe is an ACK to 80 like -PA's,
# its -PO17 a UDP to 40125 like -PU's; run.json's command line tells them apart
po=$fx/PO1-6-17-132
check "mode: -PO1,6,17,132 named as asked (not -PE -PA80 -PU40125 -PY80)" \
  test "$("$st" compare --no-write -f json "$po" | jq -r '.modes[].mode')" = "-PO1,6,17,132"
check "mode: without run.json, -PO6's ACK (random seq; -PA's is 0) is still -PO" \
  test "$("$st" compare --no-write -f json "$po/trace.log" "$po/capture.pcapng" | jq -r '.modes[].mode')" = "-PU40125 -PY80 -PO1,6"
check "mode: scan's passes in nmap's words" \
  test "$("$st" compare --no-write -f json fixtures/scantrace/each-mode | jq -r '[.modes[].mode] | join(";")')" = "-PE;-PS22,443;-PU40125"
check "ipv6 mode: the routed default (echo, SYN/443, ACK/80, no timestamp)" test "$(mode6 default-routed)" = "default"
check "ipv6 mode: -PO sends IPv4's protocols 1,2,4" test "$(mode6 PO)" = "-PO1,2,4"
"$st" compare --no-write -f json "$fx6/default-routed" >"$tmp/r6.json"
check "ipv6 causes: the kernel's solicitation for the router is os-nd" \
  jqt '[.packets[] | select(.frame == 1)][0].cause == "os-nd"' "$tmp/r6.json"
check "ipv6 causes: the kernel's RST to the SYN/ACK is os-rst" \
  jqt '[.packets[] | select(.cause == "os-rst")] | length == 1' "$tmp/r6.json"
"$st" compare --no-write -f json "$fx6/send-ip-absent" >"$tmp/r6.json"
check "ipv6 --send-ip to an absent host: exit 1" test $? -eq 1
check "ipv6 --send-ip to an absent host: its 4 lines never left (no-nd), the kernel's NS are os-nd" \
  jqt '.summary.causes == {"os-nd": 2, "no-nd": 4}' "$tmp/r6.json"
"$st" compare --no-write -f json "$fx6/PE-unreach" >"$tmp/r6.json"
# a router's unreachable is a hint, not proof: nmap goes on with its tries and
# --reason says "host down, received no-response" (IPv4 and IPv6 alike)
check "ipv6: the router's address unreachable decides nothing: down, no-response (as nmap --reason)" \
  jqt '[.modes[].hosts[] | select(.host == "2001:2:0:3::9")][0] | .verdict == "down" and .reason == "no-response" and (.replies | length) > 0' "$tmp/r6.json"
"$st" compare --no-write -f json "$fx/PA" >"$tmp/r4.json"
check "ipv4: the router's host unreachable decides nothing: down, no-response, its lines listed" \
  jqt '[.modes[].hosts[] | select(.host == "198.18.3.9")][0] | .verdict == "down" and .reason == "no-response" and (.replies | length) == 3' "$tmp/r4.json"
check "ipv4 explain: the router's unreachable told as a hint, not proof" \
  grep -q '^  Why down: a router said it could not reach the host .*hint, not proof' <("$st" explain --host 198.18.3.9 "$fx/PA")
"$st" compare --no-write -f json "$fx6/send-ip-local" >"$tmp/r6.json"
check "ipv6: an advertisement to the kernel (--send-ip) decides nothing: the echo reply does" \
  jqt '[.modes[].hosts[] | select(.host == "2001:2:0:1::2")][0].reason == "echo-reply"' "$tmp/r6.json"
# never a false pass on a real nmap -6 run
t6=$fx6/default-routed/trace.log
c6=$fx6/default-routed/capture.pcapng
grep -v '^Nmap scan report\|^Host is up\|^Nmap done' "$t6" >"$tmp/cut6.log"
"$st" compare --no-write -f json "$tmp/cut6.log" "$c6" >"$tmp/cut6.json"
check "ipv6 trace without a verdict: exit 1" test $? -eq 1
check "ipv6 trace without a verdict: every host counted unjudged" \
  jqt '.summary.unjudged == 4 and .summary.judged == 0 and .summary.passes == false' "$tmp/cut6.json"
"$st" explain "$tmp/cut6.log" "$c6" >"$tmp/cut6.explain"
check "explain of a trace without a verdict says the comparison does not pass, and why" \
  grep -q '^The comparison does not pass: UNJUDGED: 4 of 4 hosts without the scanner' "$tmp/cut6.explain"
check "explain: each host's state is read from its replies, not the scanner's verdict" \
  test "$(grep -c 'by the replies the trace shows: the scanner itself gave no verdict' "$tmp/cut6.explain")" -eq 4
check "explain: no latency made up for a host the scanner did not report" \
  bash -c "! grep -q '0.000000 s after the probe' '$tmp/cut6.explain'"
"$st" explain "$fx6/default-routed" >"$tmp/full6.explain"
check "explain of a finished run: no such line" bash -c "! grep -q 'does not pass\|gave no verdict' '$tmp/full6.explain'"
sed '5s/hopl=/hoplimit=/' "$t6" >"$tmp/bad6.log"
"$st" compare --no-write -f json "$tmp/bad6.log" "$c6" >"$tmp/bad6.json"
check "ipv6 unreadable line: exit 1, its line number warned" \
  test $? -eq 1 -a "$(jq '.trace.warnings[0].line' "$tmp/bad6.json")" -eq 5
sed 's/^RCVD \(.*\) neighbor advertisement \(.*\) is at /RCVD \1 neighbor advertisement \2 is-at /' \
  "$fx6/default-local/trace.log" >"$tmp/na.log"
"$st" compare --no-write "$tmp/na.log" "$fx6/default-local/capture.pcapng" >"$tmp/na.txt"
check "ipv6 unreadable ND lines: not consistent, said" \
  grep -q 'result .*UNJUDGED:.* 2 unreadable packet lines$' "$tmp/na.txt"
# the reports and decode
"$st" compare --no-write -f junit "$fx6/default-routed" >"$tmp/r6.xml"
check "ipv6 junit: well-formed, a testcase per host" \
  test "$(xmllint --xpath 'count(//testcase[starts-with(@name, "2001:2:0:3::")])' "$tmp/r6.xml")" -eq 4
"$st" explain "$fx6/default-local" >"$tmp/x6.txt"
check "ipv6 explain: the ND ping's answer explained" grep -q 'neighbour advertisement (IPv6.s ARP)' "$tmp/x6.txt"
"$st" decode --scanner 2001:2:0:1::1 "$fx6/default-local" >"$tmp/d6.txt"
check "decode --scanner IPv6: SENT and RCVD as the trace has them" \
  test "$(grep -c '^SENT' "$tmp/d6.txt") $(grep -c '^RCVD' "$tmp/d6.txt")" = "4 2"

# the clock when no line has a frame of its own: ICMPv6 lines name no id, so a silent
# -PE run's two tries look alike (its neighbour advertisement taken out, the one line
# that was unique); the offset is still the first probe's (frame time - trace time)
sil=$tmp/sil
cp -r fixtures/scantrace/v6-echo-silent "$sil"
grep -v 'type=136' fixtures/scantrace/v6-echo-silent/trace.log >"$sil/trace.log"
"$st" compare --no-write -f json "$sil" >"$tmp/sil.json"
want_off=$(awk -v f="$(tshark -r "$sil/capture.pcapng" -Y 'icmpv6.type == 128' -T fields \
  -e frame.time_epoch 2>/dev/null | head -1)" '/^SENT/ { gsub(/[()s]/, "", $2); printf "%.6f", f - $2; exit }' "$sil/trace.log")
# shellcheck disable=SC2016 # $w is jq's
check "ipv6, every line ambiguous: clock offset $(jq .clock_offset_s "$tmp/sil.json") is the first probe's ($want_off), consistent" \
  jqt --argjson w "$want_off" '(.clock_offset_s - $w | fabs) < 0.001 and .summary.passes' "$tmp/sil.json"
check "... said from how many lines" grep -q 'from 4 packets' <("$st" compare --no-write "$sil")

# ---- fault injection ---------------------------------------------------------
# Delete the frames of some matched packets: exactly those lines turn trace_only.
inject_frames() { # DIR LINE...: delete the frames matched to these trace lines
  local d=$1
  shift
  "$st" compare --no-write -f json "$d" >"$tmp/base.json"
  local frames=() l
  for l in "$@"; do
    frames+=("$(jq ".packets[] | select(.line == $l) | .frame" "$tmp/base.json")")
  done
  editcap "$d/capture.pcapng" "$tmp/cut.pcapng" "${frames[@]}" >/dev/null 2>&1
  "$st" compare --no-write -f json "$d/trace.log" "$tmp/cut.pcapng" >"$tmp/cut.json"
  echo $? >"$tmp/cut.rc"
  local want got
  want=$(printf '%s\n' "$@" | sort -n | tr '\n' ' ')
  got=$(jq -r '.packets[] | select(.status == "trace_only") | .line' "$tmp/cut.json" | sort -n | tr '\n' ' ')
  [ "$want" = "$got" ] || { echo "# trace_only lines: want [$want] got [$got]"; return 1; }
  # nothing else changed: the other wire-only frames are the baseline's
  [ "$(jq '.summary.wire_only' "$tmp/cut.json")" = "$(jq '.summary.wire_only' "$tmp/base.json")" ]
}

check "faults: 3 probe frames deleted (default-routed) -> exactly those lines trace_only" \
  inject_frames "$fx/default-routed" 2 9 23
check "faults: exit 1 when frames are missing" test "$(cat "$tmp/cut.rc")" -eq 1
check "faults: a reply frame deleted (PP) -> that line trace_only" inject_frames "$fx/PP" \
  "$(grep -n '^RCVD' "$fx/PP/trace.log" | head -1 | cut -d: -f1)"
check "faults: ARP frames deleted (default-local)" inject_frames "$fx/default-local" 2 3

# Delete lines from the trace: exactly their frames turn wire_only (unknown cause).
inject_lines() { # DIR LINE...
  local d=$1
  shift
  "$st" compare --no-write -f json "$d" >"$tmp/base.json"
  local expr="" l frames=()
  for l in "$@"; do
    expr+="${l}d;"
    frames+=("$(jq ".packets[] | select(.line == $l) | .frame" "$tmp/base.json")")
  done
  sed "$expr" "$d/trace.log" >"$tmp/cut.log"
  "$st" compare --no-write -f json "$tmp/cut.log" "$d/capture.pcapng" >"$tmp/cut.json"
  echo $? >"$tmp/cut.rc"
  local want got
  want=$( (printf '%s\n' "${frames[@]}"; jq -r '.packets[] | select(.status == "wire_only") | .frame' "$tmp/base.json") | sort -n | tr '\n' ' ')
  got=$(jq -r '.packets[] | select(.status == "wire_only") | .frame' "$tmp/cut.json" | sort -n | tr '\n' ' ')
  [ "$want" = "$got" ] || { echo "# wire_only frames: want [$want] got [$got]"; return 1; }
  [ "$(jq '.summary.trace_only' "$tmp/cut.json")" = 0 ]
}

check "faults: 2 SENT lines deleted (default-routed) -> exactly their frames wire_only" \
  inject_lines "$fx/default-routed" 3 7
check "faults: deleted probe lines are discrepancies (exit 1)" test "$(cat "$tmp/cut.rc")" -eq 1
check "faults: a RCVD line deleted (PE) -> its frame wire_only" inject_lines "$fx/PE" \
  "$(grep -n '^RCVD' "$fx/PE/trace.log" | head -1 | cut -d: -f1)"
"$st" compare --no-write -f json "$tmp/cut.log" "$fx/PE/capture.pcapng" >"$tmp/cut.json"
check "faults: an untraced reply of an up host is a missed-reply" \
  test "$(jq -r '[.packets[] | select(.status == "wire_only" and .proto == "icmp" and (.text | test("Echo reply")))][0].cause' "$tmp/cut.json")" = missed-reply

# A capture that began after the scan or ended before it (a Wireshark started late,
# stopped early, a file cut): the lines of those times are outside-capture, the run
# UNJUDGED (not consistent, no unknown, no host unfounded); a frame lost in the middle
# stays a discrepancy (above), and so does a run directory's (scantrace captured it all).
outside() { # NAME CAPTURE DIR: compare DIR's trace with CAPTURE into $tmp/NAME.json
  "$st" compare --no-write -f json "$3/trace.log" "$2" >"$tmp/$1.json"
  echo $? >"$tmp/$1.rc"
}
editcap -r "$fx/default-routed/capture.pcapng" "$tmp/early.pcapng" 1-20 >/dev/null 2>&1
editcap -r "$fx/default-routed/capture.pcapng" "$tmp/late.pcapng" 21-28 >/dev/null 2>&1
outside early "$tmp/early.pcapng" "$fx/default-routed"
outside late "$tmp/late.pcapng" "$fx/default-routed"
for k in early late; do
  check "a capture that $([ $k = early ] && echo ended early || echo began late) (default-routed): exit 1" \
    test "$(cat "$tmp/$k.rc")" -eq 1
  check "... every trace-only line outside-capture, none unknown, not passing" \
    jqt '.summary.trace_only > 0 and .summary.causes["outside-capture"] == .summary.trace_only
         and .summary.causes.unknown == null and .summary.passes == false' "$tmp/$k.json"
done
check "... the result says which end" jqt '(.summary.result | test("UNJUDGED: 8 trace packets from outside the capture.s time, not checked \\(after its last frame"))' "$tmp/early.json"
check "... and the other" jqt '(.summary.result | test("UNJUDGED: 17 trace packets .*before its first frame"))' "$tmp/late.json"
check "... no claimed host unfounded for want of frames the capture could not have" \
  jqt '.claims.unfounded == 0' "$tmp/early.json"
# a session log whose first run came before the capture began (tcpdump started between two
# `nmap ... >> log` runs): that run has no frame, and no clock to prove it by; it is
# outside-capture all the same, not unknown, and no claim of it is unfounded
tshark -r "$fx/session-nping/capture.pcapng" -Y 'frame.number >= 7' -w "$tmp/sess-late.pcapng" \
  >/dev/null 2>&1
"$st" compare --no-write -f json "$fx/session-nping/trace.log" "$tmp/sess-late.pcapng" \
  >"$tmp/sess-late.json"
check "a session's capture begun after its first run: that run outside-capture, UNJUDGED" \
  jqt '.summary.causes["outside-capture"] > 0 and .summary.causes.unknown == null
       and .summary.discrepancies == 0 and .claims.unfounded == 0
       and (.summary.result | test("UNJUDGED: .*before its first frame"))' "$tmp/sess-late.json"
# ... and when the runs look alike byte for byte (nmap -6's echo lines name no id): a
# log of two runs of one command, the first before the capture began, whose router had
# not yet answered for the absent host; the second's four alike unreachables, with their
# four frames, place it (the k-th line the k-th frame), and the first run, placed onto
# those frames too before, has none of its own: outside-capture, not NOT ON WIRE
ur=$fx6/PE-unreach
{ grep -v 'type=1/code=3' "$ur/trace.log"; cat "$ur/trace.log"; } >"$tmp/alike.log"
"$st" compare --no-write -f json "$tmp/alike.log" "$ur/capture.pcapng" >"$tmp/alike.json"
check "two alike runs, the capture begun after the first: it outside-capture, UNJUDGED" \
  jqt '.summary.causes["outside-capture"] == 5 and .summary.causes.unknown == null
       and .summary.discrepancies == 0 and .claims.unfounded == 0
       and (.summary.result | test("UNJUDGED: .*before its first frame"))' "$tmp/alike.json"
check "... the second run's every line on its frame" \
  jqt '[.packets[] | select(.line > 11 and .status != "matched")] | length == 0' "$tmp/alike.json"
# the report names why a line has no frame when no one is to blame; NOT ON WIRE is for
# discrepancies (it was printed for every line without a frame)
"$st" compare --no-write "$tmp/alike.log" "$ur/capture.pcapng" >"$tmp/alike.txt"
"$st" compare --no-write -f md "$tmp/alike.log" "$ur/capture.pcapng" >"$tmp/alike.md"
check "... text and markdown: run 1's lines 'no frame (outside-capture)', none NOT ON WIRE" \
  bash -c "[ \$(grep -c 'no frame (outside-capture)' '$tmp/alike.txt') -eq 4 ] &&
    ! grep -q 'NOT ON WIRE' '$tmp/alike.txt' && grep -q 'no frame: outside-capture' '$tmp/alike.md' &&
    ! grep -qi 'not on wire' '$tmp/alike.md'"
# a session whose second run was never captured, a ping's ARP requests for the same
# absent neighbour between the runs (tests/data/sessions): the run's alike lines took the
# kernel's requests, 180 ms from where its clock put them, and it was consistent
"$st" compare --no-write -f json tests/data/sessions/ping-between.log \
  tests/data/sessions/ping-between.pcap >"$tmp/ping-between.json"
check "a run placed onto a ping's alike ARP frames at other times: outside-capture, UNJUDGED" \
  jqt '.summary.passes == false and .summary.causes["outside-capture"] == 2
       and .summary.causes.unknown == null and .summary.discrepancies == 0' "$tmp/ping-between.json"
# two runs alike byte for byte (nmap -6 -PE, its echo lines name no id), the capture begun
# between them: nothing tells which run its frames are. The first takes them, the second
# is outside-capture and the result says the order is not known (before: the two runs
# split the frames, 4 unknown, DISCREPANCIES and an unfounded claim)
"$st" compare --no-write -f json tests/data/sessions/alike-v6.log \
  tests/data/sessions/alike-v6.pcap >"$tmp/alike-v6.json"
check "two runs alike, one run's frames: UNJUDGED, the run not told, nothing unknown or unfounded" \
  jqt '.summary.passes == false and .summary.causes.unknown == null and .claims.unfounded == 0
       and .summary.discrepancies == 0 and (.summary.result | test("look alike"))' "$tmp/alike-v6.json"
# a target given twice whose last copy went unanswered (the router rate-limits its
# echoes: scan's run.json has the first copies up, the last down): up, as any copy's
# answer is the host's (the last copy's verdict was taken: down, and diff against nmap's
# run of the same said up -> down)
dup=fixtures/scantrace/v6-echo-dup
mkdir -p "$tmp/dup-down"
cp "$dup/trace.log" "$dup/capture.pcapng" "$tmp/dup-down/"
jq '(.hosts | map(.host == "2001:2:0:3::2") | indices(true) | .[-1]) as $i
    | .hosts[$i] |= (.verdict = "down" | .reason = "no-response" | .latency_s = null)' \
  "$dup/run.json" >"$tmp/dup-down/run.json"
"$st" compare --no-write -f json "$tmp/dup-down" >"$tmp/dup-down.json"
check "a target given thrice, its last copy down in run.json: the host up (any copy)" \
  jqt '[.modes[].hosts[] | select(.host == "2001:2:0:3::2") | .verdict] == ["up"]' "$tmp/dup-down.json"
# A capture on one interface while the probes took two (tcpdump -i lan0, the routed
# targets' probes out of wan0): the lines from or to the address no frame shows are
# other-interface, never unknown; the run UNJUDGED, no claim unfounded. The same for a side
# built from the wire (fping to routed targets, a lan0 capture: no frame of theirs at all).
for d in "$fx/portscan" "$fx6/Pn-bare" fixtures/scanners/fping-a; do
  [ -d "$d" ] || continue
  nm=$(basename "$d")
  mkdir -p "$tmp/lan0-$nm"
  cp "$d/trace.log" "$d/run.json" "$tmp/lan0-$nm/"
  tshark -r "$d/capture.pcapng" -Y 'frame.interface_name == "lan0"' -w "$tmp/lan0-$nm/capture.pcapng" \
    >/dev/null 2>&1
  # as `record -i lan0` writes it
  jq '.command_line |= (index("--") as $i | .[:$i] + ["-i", "lan0"] + .[$i:])' "$d/run.json" \
    >"$tmp/lan0-$nm/run.json"
  # a bare pair, but for the wire's side: it needs the command (run.json)
  if [ "$nm" = fping-a ]; then
    "$st" compare --no-write -f json "$tmp/lan0-$nm" >"$tmp/lan0-$nm.json"
  else
    "$st" compare --no-write -f json "$tmp/lan0-$nm/trace.log" "$tmp/lan0-$nm/capture.pcapng" \
      >"$tmp/lan0-$nm.json"
  fi
  echo $? >"$tmp/lan0-$nm.rc"
done
check "lan0's capture of portscan: the wan0 lines other-interface, none unknown, UNJUDGED" \
  jqt '.summary.causes["other-interface"] > 0 and .summary.causes.unknown == null
       and .summary.passes == false and .summary.discrepancies == 0
       and (.summary.result | test("UNJUDGED: [0-9]+ trace packets from or to 198.18.2.1, which no frame shows"))
       and .claims.unfounded == 0' "$tmp/lan0-portscan.json"
check "... exit 1" test "$(cat "$tmp/lan0-portscan.rc")" -eq 1
check "... the lan0 host still judged from its frames (up arp-response)" \
  jqt '[.modes[].hosts[] | select(.host == "198.18.1.2") | .verdict + " " + .reason] == ["up arp-response"]' \
  "$tmp/lan0-portscan.json"
check "lan0's capture of IPv6 Pn-bare: the wan0 lines other-interface, none unknown, UNJUDGED" \
  jqt '.summary.causes["other-interface"] > 0 and .summary.causes.unknown == null
       and .summary.passes == false and .summary.discrepancies == 0 and .claims.unfounded == 0' \
  "$tmp/lan0-Pn-bare.json"
# the other way round (wan0 only): nmap's ARP lines are lan0's, its "RCVD ARP reply" naming
# no destination (the request it answers says whose it is): other-interface too, and no
# proof that the capture began late (it began first)
mkdir -p "$tmp/wan0-portscan"
tshark -r "$fx/portscan/capture.pcapng" -Y 'frame.interface_name == "wan0"' \
  -w "$tmp/wan0-portscan/capture.pcapng" >/dev/null 2>&1
"$st" compare --no-write -f json "$fx/portscan/trace.log" "$tmp/wan0-portscan/capture.pcapng" \
  >"$tmp/wan0-portscan.json"
check "wan0's capture of portscan: the ARP lines (replies too) other-interface, none outside-capture" \
  jqt '([.packets[] | select(.status == "trace_only") | .cause] | unique) == ["other-interface"]
       and ([.packets[] | select(.proto == "arp" and .status == "trace_only" and .dir == "rcvd")]
            | length) >= 1' "$tmp/wan0-portscan.json"
check "fping's run with a lan0 capture: its claims not held, UNJUDGED, nothing unfounded" \
  jqt '.claims.unseen == .claims.claimed_up and .claims.unseen > 0 and .claims.unfounded == 0
       and (.summary.result | test("UNJUDGED: .*claimed hosts? with no frame in the capture"))' \
  "$tmp/lan0-fping-a.json"
# (the false pass this was: the targets claimed down, or silent, vanished from the report)
check "... every target without a frame said (record -i lan0: its probes may have taken another)" \
  jqt '.summary.result | test("UNJUDGED: .*5 targets \\(198.18.3.2...\\) with no frame in the capture, which holds only the interfaces record was given")' \
  "$tmp/lan0-fping-a.json"
check "... exit 1" test "$(cat "$tmp/lan0-fping-a.rc")" -eq 1
# a capture cut by its snap length (editcap -s, as tcpdump -s would): fields past the cut
# read as 0, so what they leave one-sided is truncated, never a discrepancy, the result
# UNJUDGED and no claim unfounded (IPv6 at 64 bytes: the advertisements lose their target,
# matched on what is left, the rest unchecked; IPv4 at 34: every ICMP and TCP header); 96
# bytes hold every header: as the whole capture
# (at 30 bytes not even the IPv6 header is left: no frame says whose it is)
for cut in "$fx6/default-local 64" "$fx/default-routed 34" "$fx6/default-routed 64" \
  "$fx6/default-local 30" "$fx/default-local 38"; do
  read -r dir len <<<"$cut"
  set -- "$dir" "$len"
  editcap -s "$2" "$1/capture.pcapng" "$tmp/snap.pcapng" >/dev/null 2>&1
  outside snap "$tmp/snap.pcapng" "$1"
  check "snap length $2 ($(basename "$1")): exit 1, UNJUDGED, no discrepancy" \
    jqt '.summary.discrepancies == 0 and .claims.unfounded == 0
         and (.summary.result | test("^UNJUDGED: [0-9]+ frames? cut short by the capture.s snap length"))' \
    "$tmp/snap.json"
  check "... exit 1" test "$(cat "$tmp/snap.rc")" -eq 1
  [ "$2" -le 38 ] && check "... at $2 bytes every one-sided packet truncated, none unknown" \
    jqt '.summary.causes.truncated > 0 and .summary.causes.unknown == null' "$tmp/snap.json"
done
# the capture of another run (the same ARP scan's frames match any run of it): nmap's
# "Starting Nmap ... at" minute against where the capture's clock puts the run's start
# (editcap -t shifts the capture); another time zone than UTC is known modulo 15 minutes
dl=$fx/default-local
for cut in "86400 false" "120 false" "-31536000 false" "20 true"; do
  read -r shift pass <<<"$cut"
  editcap -t "$shift" "$dl/capture.pcapng" "$tmp/shift.pcapng" >/dev/null 2>&1
  outside shift "$tmp/shift.pcapng" "$dl"
  check "default-local's capture shifted by $shift s: passes $pass (the Starting line's minute)" \
    test "$(jq -r '.summary.passes' "$tmp/shift.json")" = "$pass"
  [ "$pass" = true ] || check "... UNJUDGED, saying where each clock puts the run" \
    jqt '.summary.result | test("UNJUDGED: the capture.s frames put the run.s start at .* its Starting line says ")' \
    "$tmp/shift.json"
done
mkdir -p "$tmp/zone"
cp "$dl/capture.pcapng" "$tmp/zone/"
for z in "1 0 true" "1 3 false" "-5 0 true" "-5 4 false"; do
  read -r hours mins pass <<<"$z"
  start=$(sed -n '1s/.* at \([0-9-]* [0-9:]*\) UTC$/\1/p' "$dl/trace.log")
  local_t=$(date -u -d "$start UTC $hours hours $mins minutes" '+%Y-%m-%d %H:%M')
  sed "1s/ at .*/ at $local_t XYZ/" "$dl/trace.log" >"$tmp/zone/trace.log"
  "$st" compare --no-write -f json "$tmp/zone/trace.log" "$tmp/zone/capture.pcapng" >"$tmp/zone.json"
  check "Starting line in a zone $hours h off UTC, $mins min more: passes $pass" \
    test "$(jq -r '.summary.passes' "$tmp/zone.json")" = "$pass"
done

# a capture merged with itself (mergecap A A): every frame twice at the same instant, the
# second of each a copy, not a retransmission nor a reply missed: consistent as the capture
mergecap -w "$tmp/twice.pcapng" "$fx/default-routed/capture.pcapng" \
  "$fx/default-routed/capture.pcapng" 2>/dev/null
outside twice "$tmp/twice.pcapng" "$fx/default-routed"
nf=$(tshark -r "$fx/default-routed/capture.pcapng" 2>/dev/null | wc -l)
# shellcheck disable=SC2016 # $nf is jq's
check "a capture merged with itself: passes, each matched frame's twin a copy, no retransmit" \
  jqt --argjson nf "$nf" '.summary.passes and .summary.causes.retransmit == null
       and .summary.causes.copy == .summary.matched and .capture.frames == 2 * $nf' "$tmp/twice.json"

# ping, fping -l and hping3 ended by Ctrl-C (tests/data/sigint): their summary printed, exit
# 1 as they say a target did not answer: a run that ended by itself, judged (was UNJUDGED:
# run interrupted, so that a silent target's Ctrl-C'd ping could never pass; hping3's until
# now); the same run.json with the command killed by the signal instead stays cut short
for r in ping-sigint-dead fping-loop hping3-silent; do
  "$st" compare --no-write -f json "tests/data/sigint/$r" >"$tmp/si.json"
  check "$r (Ctrl-C, exit 1): judged, consistent, exit 0" test "$?" -eq 0
  mkdir -p "$tmp/si-$r"
  cp tests/data/sigint/$r/{trace.log,capture.pcapng} "$tmp/si-$r/"
  jq '.command.exit_status = null | .command.signal = "SIGINT"' "tests/data/sigint/$r/run.json" \
    >"$tmp/si-$r/run.json"
  "$st" compare --no-write -f json "$tmp/si-$r" >"$tmp/si.json"
  check "... killed by SIGINT instead: UNJUDGED, run interrupted, exit 1" \
    jqt '.summary.result | test("UNJUDGED: .*interrupted")' "$tmp/si.json"
done

# the statistics of scanners that trace nothing against the wire (tests/data/counts: real
# runs, a firewall in the scanner's namespace refusing one request before the capture point
# and dropping one reply after it): each host whose counts differ from the echo requests to
# it and the echo replies from it on the wire (counted here by tshark, the statistics read
# by awk) is listed with both, and the run fails COUNTS (each passed as consistent before)
ct=tests/data/counts
stated() { # FILE: "HOST SENT RCVD" from ping's (each run's summed), fping -c's or -C's statistics
  awk '/^PING / { h = $2; sub(/\(.*/, "", h) }
    / packets transmitted, / { r = $4; for (i = 5; i <= NF; i++) if ($(i+1) ~ /^duplicates/) { d = $i; sub(/^\+/, "", d); r += d }; S[h] += $1; R[h] += r }
    / : xmt\/rcv\/%loss = / { split($5, v, "/"); S[$1] = v[1]; R[$1] = v[2] }
    / : [0-9.-]+( [0-9.-]+)*$/ { n = 0; k = 0; for (i = 3; i <= NF; i++) { n++; if ($i != "-") k++ } S[$1] = n; R[$1] = k }
    END { for (h in S) print h, S[h], R[h] }' "$1"
}
on_wire() { # DIR HOST TYPE: the echo requests (8/128) to or replies (0/129) from HOST
  local f
  case $2 in
  *:*) f="icmpv6.type == $3 && ipv6.$([ "$3" = 128 ] && echo dst || echo src) == $2" ;;
  *) f="icmp.type == $3 && ip.$([ "$3" = 8 ] && echo dst || echo src) == $2" ;;
  esac
  tshark -r "$1/capture.pcapng" -Y "$f" 2>/dev/null | wc -l
}
for r in ping-nft ping6-nft ping-q-nft fping-c fping-C ping-l2absent ping-q ping-twice hping3-router-errors \
  fping-c-record hping3-record; do
  src=$ct/$r/trace.log claims=()
  [ -f "$ct/$r/stderr.txt" ] && src=$ct/$r/stderr.txt claims=(--claims "$src")
  # record keeps the command's stderr: compare reads fping's and hping3's there itself
  [ -f "$ct/$r/stderr.log" ] && src=$ct/$r/stderr.log
  : >"$tmp/cnt.want"
  if [ "${r#hping3}" = "$r" ]; then
    stated "$src" | while read -r h s v; do
      v6=false; [ "${h#*:}" != "$h" ] && v6=true
      ws=$(on_wire "$ct/$r" "$h" "$($v6 && echo 128 || echo 8)")
      wr=$(on_wire "$ct/$r" "$h" "$($v6 && echo 129 || echo 0)")
      # (a host none of whose requests left, its neighbour never answering ARP: not judged)
      [ "$ws" -gt 0 ] && { [ "$s" != "$ws" ] || [ "$v" != "$wr" ]; } && echo "$h $s $ws $v $wr"
    done | sort >"$tmp/cnt.want"
  fi
  "$st" compare --no-write -f json "${claims[@]}" "$ct/$r" >"$tmp/cnt.json"
  rc=$?
  jq -r '.modes[].hosts[] | select(.counted) |
    "\(.host) \(.stated_sent // .counted.sent) \(.counted.sent) \(.stated_rcvd // .counted.rcvd) \(.counted.rcvd)"' \
    "$tmp/cnt.json" | sort >"$tmp/cnt.got"
  nmis=$(wc -l <"$tmp/cnt.want")
  check "counts $r: the $nmis host(s) miscounted listed, their statistics and the wire's counts" \
    cmp -s "$tmp/cnt.want" "$tmp/cnt.got"
  check "counts $r: summary.miscounted $nmis, COUNTS iff some, exit 1 iff some" \
    test "$(jq -r '"\(.summary.miscounted // 0) \(.summary.result | test("COUNTS"))"' "$tmp/cnt.json") $rc" = \
    "$nmis $([ "$nmis" -gt 0 ] && echo true || echo false) $([ "$nmis" -gt 0 ] && echo 1 || echo 0)"
done
"$st" compare --no-write "$ct/ping-nft" >"$tmp/cnt.txt"
check "counts: the text report gives ping's counts and the wire's" \
  grep -qx '      its statistics: 4 probes sent; the wire: 3' "$tmp/cnt.txt"
check "... replies too, and the result names ping" \
  eval "grep -qx '      its statistics: 2 replies received; the wire: 3' $tmp/cnt.txt &&
    grep -q \"COUNTS: ping's statistics miscount the probes and replies of 1 host (198.18.3.2)\" $tmp/cnt.txt"
"$st" explain "$ct/ping-nft" >"$tmp/cnt.x"
check "explain: ping's count of its probes and replies against the wire's" \
  eval "grep -q '^  Its statistics say it sent 4 probes to this host; the wire shows 3:' $tmp/cnt.x &&
    grep -q '^  Its statistics say it received 2 replies from this host; the wire shows 3 before it exited:' $tmp/cnt.x"
# fping's stdout holds no statistics (they go to stderr): read alone it claims, counts nothing
"$st" compare --no-write -f json "$ct/fping-c" >"$tmp/cnt.json"
check "fping -c without its stderr: no count, passes" jqt '.summary.passes and .summary.miscounted == null' "$tmp/cnt.json"
# recorded plainly (record keeps stderr.log): fping's summaries and hping3's statistics read
# from it without --claims (fping's miscount was a pass: its stdout has no statistics)
"$st" compare --no-write -f json "$ct/fping-c-record" >"$tmp/cnt.json"
check "fping -c recorded: its stderr.log read with its stdout, the miscount found" \
  jqt '.claims.source == "stdout and stderr.log" and .summary.miscounted == 1' "$tmp/cnt.json"
cp -r "$ct/hping3-record" "$tmp/h3rec"
sed -i 's/^5 packets transmitted, 5 packets received/5 packets transmitted, 4 packets received/' \
  "$tmp/h3rec/stderr.log"
"$st" compare --no-write -f json "$tmp/h3rec" >"$tmp/cnt.json"
check "hping3 recorded, its stderr.log's statistics edited (4 received of 5): COUNTS" \
  jqt '.summary.result | test("COUNTS: hping3.s statistics miscount the replies of 1 host")' "$tmp/cnt.json"

# hping3 counts the router's unreachables as received, as the wire-side answers of its host
"$st" compare --no-write -f json --claims "$ct/hping3-router-errors/trace.log" "$ct/hping3-router-errors" >"$tmp/cnt.json"
check "hping3 (its statistics in a log of 2>&1): the router's errors its replies, passes" \
  jqt '.summary.passes and .claims.format == "hping3"' "$tmp/cnt.json"
# its statistics edited (6 sent, 3 received; 7 sent): each is a miscount
for e in 's/^6 packets transmitted, 4 packets received/6 packets transmitted, 3 packets received/:replies' \
  's/^6 packets transmitted, 4/7 packets transmitted, 4/:probes'; do
  sed "${e%:*}" "$ct/hping3-router-errors/trace.log" >"$tmp/h3.log"
  "$st" compare --no-write -f json --claims "$tmp/h3.log" "$ct/hping3-router-errors" >"$tmp/cnt.json"
  # shellcheck disable=SC2016 # $w is jq's
  check "hping3's statistics edited: COUNTS, the ${e##*:} of 198.18.3.9" \
    jqt --arg w "${e##*:}" '.summary.result | test("COUNTS: hping3.s statistics miscount the " + $w + " of 1 host \\(198.18.3.9\\)")' "$tmp/cnt.json"
done
# nmap -6 --send-ip to a neighbour (tests/data/send-ip6): up by the neighbour advertisement
# it traced, which is its kernel's (no answer here); the host's own RST came after, late:
# the claim "up" is founded by it (was unfounded, exit 1); answered stays what nmap could read
"$st" compare --no-write -f json tests/data/send-ip6/po-local >"$tmp/s6.json"
check "nmap -6 --send-ip, a neighbour answering after the advertisement: passes, nothing unfounded" \
  jqt '.summary.passes and .claims.unfounded == 0 and .claims.claimed_up == 1
       and ([.packets[] | select(.cause == "late-reply" and .proto == "tcp")] | length) == 1' "$tmp/s6.json"

# a capture taken past the router (tests/data/router-capture): the probes the router could
# not deliver (its ARP for the absent target unanswered, in the capture) are router-no-arp,
# not discrepancies; counted here from the trace and tshark
rc=tests/data/router-capture
"$st" compare --no-write -f json "$rc/trace.log" "$rc/capture.pcapng" >"$tmp/rtr.json"
absent=$(tshark -r "$rc/capture.pcapng" -Y 'arp.opcode == 1' -T fields -e arp.dst.proto_ipv4 2>/dev/null |
  sort -u | while read -r a; do
    tshark -r "$rc/capture.pcapng" -Y "arp.opcode == 2 && arp.src.proto_ipv4 == $a" 2>/dev/null | grep -q . || echo "$a"
  done)
nprobes=$(grep -c "^SENT .* > ${absent//./\.}[: ]" "$rc/trace.log")
# shellcheck disable=SC2016 # $n is jq's
check "a capture past the router: no discrepancy, the $nprobes probes to $absent router-no-arp" \
  jqt --argjson n "$nprobes" '.summary.discrepancies == 0 and .summary.causes["router-no-arp"] == $n
       and .summary.causes.unknown == null' "$tmp/rtr.json"

# the same over IPv6: the router's solicitations for the absent target, and nmap's line of
# the router's advertisement on the scanner's own link, which no capture past it holds
# (other-interface, UNJUDGED; was unknown, DISCREPANCIES)
r6=$rc/v6
"$st" compare --no-write -f json "$r6/trace.log" "$r6/capture.pcapng" >"$tmp/rtr6.json"
n6=$(grep -c '^SENT .* > 2001:2:0:3::9 ' "$r6/trace.log")
# shellcheck disable=SC2016 # $n is jq's
check "IPv6 past the router: no discrepancy, the $n6 probes to ::9 router-no-arp, the link's ND line unchecked" \
  jqt --argjson n "$n6" '.summary.discrepancies == 0 and .summary.causes["router-no-arp"] == $n
       and .summary.causes["other-interface"] == 1
       and (.summary.result | test("UNJUDGED: 1 ARP/ND line of the scanner.s own link"))' "$tmp/rtr6.json"

# a capture wider than the run (tests/data/wide-capture: the user's pings to the same
# targets before and after nmap): what the host sent or got when nmap was not running is
# background, not probes nmap hid (retransmit) or replies it missed. The frames outside
# the run counted here by tshark's times: the run starts at its first probe's frame (its IP
# id from nmap's line 2) less that line's time, and lasts as long as "scanned in" says
wc=tests/data/wide-capture
id0=$(sed -n '2s/.*IP \[.* id=\([0-9]*\) .*/\1/p' "$wc/nmap.out")
t0=$(tshark -r "$wc/wide.pcapng" -Y "ip.id == $id0" -T fields -e frame.time_epoch 2>/dev/null | head -1)
s0=$(sed -n '2s/^SENT (\([0-9.]*\)s).*/\1/p' "$wc/nmap.out")
len=$(sed -n 's/.* scanned in \([0-9.]*\) seconds/\1/p' "$wc/nmap.out")
tshark -r "$wc/wide.pcapng" -Y ip -T fields -e frame.number -e frame.time_epoch 2>/dev/null |
  awk -v t0="$t0" -v s0="$s0" -v len="$len" '{ st = t0 - s0; if ($2 < st - 0.5 || $2 > st + len + 0.5) print $1 }' \
    >"$tmp/wide.want"
"$st" compare --no-write -f json "$wc/nmap.out" "$wc/wide.pcapng" >"$tmp/wide.json"
check "a capture wider than the run: consistent, exit 0" test "$?" -eq 0
check "... the $(wc -l <"$tmp/wide.want") IP frames outside the run background, no other" \
  test "$(jq -r '[.packets[] | select(.cause == "background") | .frame] | sort | .[]' "$tmp/wide.json")" = \
  "$(sort -n "$tmp/wide.want")"

# an ICMP error whose quote the snap length cut inside the probe's transport header (its
# ports gone, the quoted IP header whole): about its probe by the quoted IP id (IPv4), about
# the quoted host (IPv6): the hosts up by their port unreachables, as at full length (the
# error was "unrelated", the hosts down and nmap's claims unfounded); cut inside the quoted
# IPv6 header (its destination gone), whose error it is is not known: UNJUDGED, no claim
# held against nmap (tests/data/snaplen: real runs, record --snaplen)
sl=tests/data/snaplen
for r in v4-PU-snap64-untraced hping-udp-snap64 v6-PU-snap104-untraced; do
  "$st" compare --no-write -f json "$sl/$r" >"$tmp/sl.json"
  check "$r: its port unreachables answer the probes: consistent, exit 0, none unrelated" \
    test "$?" -eq 0
  check "... the hosts that answered up port-unreach, as tshark shows them answering" \
    test "$(jq -r '[.modes[].hosts[] | select(.verdict == "up") | "\(.host) \(.reason)"] | join(",")' \
      "$tmp/sl.json")" = "$(tshark -r "$sl/$r/capture.pcapng" -Y 'icmp.type == 3 || icmpv6.type == 1' \
      -T fields -e ip.src -e ipv6.src 2>/dev/null | tr -d '\t' | cut -d, -f1 | sort -u |
      sed 's/$/ port-unreach/' | paste -sd,)"
done
"$st" compare --no-write -f json "$sl/v6-PU-snap96-untraced" >"$tmp/sl.json"
check "v6-PU-snap96-untraced: the quoted header cut: UNJUDGED (truncated), nothing unfounded" \
  jqt '.claims.unfounded == 0 and .summary.causes.unrelated == null
       and (.summary.result | test("UNJUDGED: .*cut short by the capture.s snap length"))' "$tmp/sl.json"
# a capture taken with a filter (dumpcap -f "icmp or arp", recorded in the pcapng): the TCP
# lines it kept out are capture-filter, not checked, UNJUDGED naming the filter (they were
# unknown: DISCREPANCIES of the scanner's for the user's own filter); explain says so
cf=tests/data/capture-filter
"$st" compare --no-write -f json "$cf/trace.log" "$cf/capture.pcapng" >"$tmp/cf.json"
check "capture filter: exit 1, not consistent" test "$?" -eq 1
# shellcheck disable=SC2016 # $n is jq's
check "capture filter: each TCP line ($(grep -c '^[A-Z]* ([0-9.]*s) TCP ' "$cf/trace.log")) capture-filter, nothing unknown" \
  jqt --argjson n "$(grep -c '^[A-Z]* ([0-9.]*s) TCP ' "$cf/trace.log")" \
  '.summary.causes == {"capture-filter": $n} and .summary.discrepancies == 0' "$tmp/cf.json"
check "capture filter: UNJUDGED naming the filter" \
  jqt '.summary.result | test("^UNJUDGED: 12 trace packets .*filter \"icmp or arp\"")' "$tmp/cf.json"
check "capture filter: explain says the filter keeps such a probe out (a TCP SYN, icmp or arp)" \
  grep -q 'TCP SYN to 443 was sent (line 7); the capture was taken with the filter "icmp or arp", which keeps such a packet out' \
  <("$st" explain "$cf/trace.log" "$cf/capture.pcapng" 2>&1)

# each line without its frame judged against the filter (tests/data/capture-filter-judged,
# its README): a SYN the filter keeps, lost before the capture point (nft egress drop in the
# scanner's namespace, -i any's SLL2 with an IPv6 filter, a forward drop before a capture past
# the router), is missing from the wire: unknown, DISCREPANCIES (it was capture-filter,
# UNJUDGED); the lines the filter drops stay capture-filter; explain says the filter keeps it
cj=tests/data/capture-filter-judged
for r in kept any6-kept router-kept; do
  "$st" compare --no-write -f json "$cj/$r/trace.log" "$cj/$r/capture.pcapng" >"$tmp/cj.json"
  check "capture filter $r: the lost SYN to 443 the filter keeps is unknown, the others capture-filter" \
    jqt '[.packets[] | select(.cause == "unknown") | "\(.dir) \(.proto) \(.text | test(":443 S$"))"]
           == ["sent tcp true"]
         and (.summary.causes | keys) == ["capture-filter", "unknown"]' "$tmp/cj.json"
  check "capture filter $r: DISCREPANCIES, and UNJUDGED naming the filter for the rest" \
    jqt '.summary.result | test("^DISCREPANCIES; UNJUDGED: [0-9]+ trace packets .*filter \"")' \
    "$tmp/cj.json"
done
check "capture filter kept: explain says the filter keeps the packet the wire lacks" \
  grep -q 'line 7), but the capture does not have it; it was taken with the filter "tcp port 443", which keeps such a packet' \
  <("$st" explain "$cj/kept/trace.log" "$cj/kept/capture.pcapng" 2>&1)
# never a false discrepancy: a filter that does not compile here (ip broadcast: no netmask), one
# that reads what no line gives (ether dst), one past the router that keeps out the router's ARP
# for the target (router-no-arp could not be seen) excuse every line, the lost SYN too
for r in uncompiled ether router-noarp; do
  "$st" compare --no-write -f json "$cj/$r/trace.log" "$cj/$r/capture.pcapng" >"$tmp/cj.json"
  check "capture filter $r: every frameless line capture-filter, UNJUDGED, no discrepancy" \
    jqt '(.summary.causes | keys) == ["capture-filter"] and .summary.discrepancies == 0
         and (.summary.result | test("^UNJUDGED: "))' "$tmp/cj.json"
done
check "capture filter ether: explain says the filter may have kept the SYN to 443 out (it reads a MAC)" \
  grep -q 'TCP SYN to 443 was sent (line 7); .*which may have kept it out (it reads what the line does not say' \
  <("$st" explain "$cj/ether/trace.log" "$cj/ether/capture.pcapng" 2>&1)
# a filter that kept every line of the trace: what it would be without one
"$st" compare --no-write -f json "$cj/all-kept/trace.log" "$cj/all-kept/capture.pcapng" >"$tmp/cj.json"
check "capture filter all-kept (ip6, -i any): consistent, exit 0" test "$?" -eq 0

# nmap -D with a decoy on the scanner's segment (tests/data/decoy): the router's ARP / neighbour
# solicitation for the decoy, to deliver the target's answer to it, is the router's doing, not
# the scanner kernel's (was os-arp, and unrelated over IPv6); explain says whose
for v in v4 v6; do
  "$st" compare --no-write -f json "tests/data/decoy/$v" >"$tmp/dc.json"
  want=$([ "$v" = v4 ] && echo decoy-arp || echo decoy-nd)
  # shellcheck disable=SC2016 # $w is jq's
  check "decoy $v: the router's resolution of the decoy is $want, consistent" \
    jqt --arg w "$want" '[.packets[] | select(.status != "matched") | .cause] == [$w]
      and .summary.result == "consistent"' "$tmp/dc.json"
  check "decoy $v: explain names the decoy, not the scanner's kernel" \
    grep -q "not your kernel's: .*decoy" <("$st" explain "tests/data/decoy/$v" 2>&1)
done
# a pcap without directions and no run.json (dumpcap -P): the scanner's link-local, in no
# line, is known by the MAC its probes left from: its neighbour discovery is os-nd, none
# of it unrelated (was: the solicitation from it and the advertisement to it unrelated)
dv=$sl/dumpcap-v6-s96
"$st" compare --no-write -f json "$dv/trace.log" "$dv/capture.pcap" >"$tmp/dv.json"
ll=$(tshark -r "$dv/capture.pcap" -Y 'icmpv6.type == 135 && ipv6.src == fe80::/10 && eth.src == '"$(tshark -r "$dv/capture.pcap" -Y 'ipv6.hlim == 255 && icmpv6.type == 128' -T fields -e eth.src 2>/dev/null | head -1)" \
  -T fields -e frame.number 2>/dev/null | head -1)
# shellcheck disable=SC2016 # $f is jq's
check "dumpcap -P capture: the scanner's link-local solicitation (frame $ll) os-nd, sent" \
  jqt --argjson f "${ll:-0}" '[.packets[] | select(.frame == $f) | "\(.cause) \(.dir)"] == ["os-nd sent"]' "$tmp/dv.json"
# the same with nmap's trace: its fixture's capture cut at 64 (IPv4), 96 and 104 (IPv6)
for cut in "$fx/PU 64 true" "$fx6/PU 104 true" "$fx6/PU 96 false"; do
  read -r dir len pass <<<"$cut"
  editcap -s "$len" "$dir/capture.pcapng" "$tmp/snap.pcapng" >/dev/null 2>&1
  outside snapq "$tmp/snap.pcapng" "$dir"
  outside snapw "$dir/capture.pcapng" "$dir"
  # shellcheck disable=SC2016 # $p and $w are jq's
  # (uncut, the fixture's capture has two errors about another run's target: unrelated;
  # cut inside their quoted header they lose it, truncated, one cause for the other)
  check "nmap's trace, $(basename "$(dirname "$dir")")/PU cut at $len: passes $pass, nothing unfounded, unrelated as uncut (or truncated)" \
    jqt --argjson p "$pass" --slurpfile w "$tmp/snapw.json" '.summary.passes == $p and .claims.unfounded == 0
         and (.summary.causes.unrelated // 0) + (if $p then 0 else (.summary.causes.truncated // 0) end)
             == ($w[0].summary.causes.unrelated // 0)' \
    "$tmp/snapq.json"
done
editcap -s 96 "$fx6/default-local/capture.pcapng" "$tmp/snap96.pcapng" >/dev/null 2>&1
outside snap96 "$tmp/snap96.pcapng" "$fx6/default-local"
check "snap length 96 holds every header: consistent, nothing truncated" \
  jqt '.summary.passes and .summary.causes.truncated == null' "$tmp/snap96.json"
n6=$(tshark -r "$fx6/PE/capture.pcapng" 2>/dev/null | wc -l)
editcap -r "$fx6/PE/capture.pcapng" "$tmp/early6.pcapng" 1-$((n6 / 2)) >/dev/null 2>&1
outside early6 "$tmp/early6.pcapng" "$fx6/PE"
check "IPv6 capture ended early (PE): outside-capture, UNJUDGED, exit 1" \
  jqt '.summary.causes["outside-capture"] == .summary.trace_only and .summary.trace_only > 0
       and (.summary.result | test("^UNJUDGED"))' "$tmp/early6.json"
mkdir "$tmp/whole"
cp fixtures/scantrace/default/trace.log fixtures/scantrace/default/run.json "$tmp/whole/"
editcap -r fixtures/scantrace/default/capture.pcapng "$tmp/whole/capture.pcapng" 1-20 >/dev/null 2>&1
"$st" compare --no-write -f json "$tmp/whole" >"$tmp/whole.json"
check "a run directory's capture (scantrace's, the whole run) cut: unknown, DISCREPANCIES" \
  jqt '.summary.causes["outside-capture"] == null and .summary.causes.unknown > 0
       and (.summary.result | test("^DISCREPANCIES"))' "$tmp/whole.json"

# ---- formats -----------------------------------------------------------------
d=$fx/send-ip-local
"$st" compare --no-write -f junit "$d" >"$tmp/r.xml"
check "junit: well-formed XML" xmllint --noout "$tmp/r.xml"
check "junit: a testcase per mode x host" test "$(grep -c '<testcase classname="-PE' "$tmp/r.xml")" -eq 2
inject_frames "$fx/default-routed" 2 >/dev/null
"$st" compare --no-write -f junit "$fx/default-routed/trace.log" "$tmp/cut.pcapng" >"$tmp/f.xml"
check "junit: a failure for a missing probe frame, on its host" \
  grep -q 'failure type="trace_only" message="line 2: ' "$tmp/f.xml"
inject_frames "$fx/default-routed" 2 3 7 11 >/dev/null
"$st" compare --no-write -f junit "$fx/default-routed/trace.log" "$tmp/cut.pcapng" >"$tmp/f4.xml"
check "junit: at most one <failure> per testcase" \
  test "$(xmllint --xpath 'count(//testcase[count(failure) > 1])' "$tmp/f4.xml")" -eq 0
check "junit: failures = the failing testcases (suites and total)" \
  test "$(xmllint --xpath 'count(//testcase[failure])' "$tmp/f4.xml")" -eq \
  "$(xmllint --xpath 'string(/testsuites/@failures)' "$tmp/f4.xml")" -a \
  "$(xmllint --xpath 'sum(//testsuite/@failures)' "$tmp/f4.xml")" -eq \
  "$(xmllint --xpath 'count(//testcase[failure])' "$tmp/f4.xml")"
check "junit: the host's three discrepancies are listed in its one failure" \
  test "$(xmllint --xpath 'string(//testcase[@name="198.18.3.4"]/failure)' "$tmp/f4.xml" | grep -c '^line [0-9]*: trace_only')" -eq 3
# an UNJUDGED run has no discrepancy to fail a host's testcase: its "inputs" testcase
# fails with the result's words, so a CI reading failures never sees it green
for u in "$fx/session-untraced" "$fx/default-routed/trace.log $tmp/early.pcapng"; do
  # shellcheck disable=SC2086 # a run directory, or a trace and a capture
  "$st" compare --no-write -f junit $u >"$tmp/u.xml"
  check "junit of an UNJUDGED run ($(basename "${u%% *}")): its inputs testcase fails, counted" \
    test "$(xmllint --xpath 'string(//testcase[@name="inputs"]/failure/@type)' "$tmp/u.xml")" = unjudged \
    -a "$(xmllint --xpath 'string(/testsuites/@failures)' "$tmp/u.xml")" -ge 1
done
check "... naming what was not judged" grep -q 'message="not judged: 8 trace packets from outside' "$tmp/u.xml"
"$st" compare --no-write -f junit "$fx/PE" >"$tmp/pe.xml"
check "junit of a consistent run: no failure" test "$(grep -c '<failure' "$tmp/pe.xml")" -eq 0
"$st" compare --no-write -f markdown "$d" >"$tmp/r.md"
check "markdown: a table per mode" grep -q '^| host | verdict | reason |' "$tmp/r.md"
"$st" compare --no-write "$d" >"$tmp/r.txt"
check "text: no colour when not a terminal" bash -c "! grep -q $'\033' '$tmp/r.txt'"
check "text: result line" grep -q 'result   10 matched, 0 trace-only, 9 wire-only' "$tmp/r.txt"
"$st" compare --no-write -o "$tmp/out.json" -f json "$d"
check "-o writes the report to a file" jqt '.scantrace_report == 1' "$tmp/out.json"

# ---- run directories ----------------------------------------------------------
run=$tmp/run
cp -r "$fx/default-routed" "$run"
rm -f "$run/expected-report.json"
"$st" compare "$run" >/dev/null
check "RUNDIR: report.json written" jqt '.summary.matched == 25' "$run/report.json"
echo '{"capture": {"received": 28, "dropped": 5}}' >"$run/run.json"
"$st" compare -f json "$run" >"$tmp/drop.json"
check "RUNDIR: capture drops from run.json make a discrepancy" test $? -eq 1
check "RUNDIR: drops reported" jqt '.capture.dropped == 5' "$tmp/drop.json"
# a record's run.json from before scan and record shared one status vocabulary
# ("finished" where both now say "done") still reads: nothing rejects a status
echo '{"subcommand": "record", "status": "finished", "interrupted": null, "capture": {"received": 28, "dropped": 5}, "hosts": []}' >"$run/run.json"
"$st" compare -f json --no-write "$run" >"$tmp/finished.json"
check "RUNDIR: an old run.json saying \"finished\" reads as before" test $? -eq 1
check "RUNDIR: its drops are reported" jqt '.capture.dropped == 5' "$tmp/finished.json"
cp "$run/report.json" "$tmp/before.json"
cat >"$tmp/killer" <<KILL
#!/bin/sh
# a tshark that dies midway: some output, then SIGKILL
case "\$1" in --version) exec tshark --version ;; esac
tshark "\$@" | head -c 700
kill -KILL \$\$
KILL
chmod +x "$tmp/killer"
SCANTRACE_TSHARK=$tmp/killer "$st" compare --dissector tshark "$run" >/dev/null 2>"$tmp/err"
rc=$?
check "tshark killed midway: exit 3" test "$rc" -eq 3
check "tshark killed midway: one-line error" test "$(wc -l <"$tmp/err")" -eq 1
check "tshark killed midway: the earlier report.json is kept" cmp -s "$tmp/before.json" "$run/report.json"
echo '{"capture": ' >"$run/run.json"
"$st" compare "$run" >/dev/null 2>"$tmp/err"
check "bad run.json: exit 2 naming the file" test $? -eq 2 -a -n "$(grep run.json "$tmp/err")"

# ---- bad input -----------------------------------------------------------------
bad() { # bad NAME WANT-RC PATTERN CMD...
  local name=$1 want=$2 pat=$3
  shift 3
  "$@" >/dev/null 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq "$want" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err"; then
    return 0
  fi
  echo "# $name: rc=$rc, stderr: $(cat "$tmp/err")"
  return 1
}
c=$fx/default-routed/capture.pcapng
t=$fx/default-routed/trace.log
: >"$tmp/empty"
# random bytes, but the same every run: now and then /dev/urandom's looked like some
# capture format to wiretap (a flaky "rc=1, nothing said")
python3 -c 'import random, sys; r = random.Random(17); sys.stdout.buffer.write(r.randbytes(2000))' >"$tmp/garbage"
size=$(stat -c %s "$c")
head -c $((size - 100)) "$c" >"$tmp/trunc.pcapng"
tshark -r "$c" -w "$tmp/cap.pcap" -F pcap 2>/dev/null
tshark -r "$c" -w "$tmp/none.pcapng" -Y 'frame.number == 0' 2>/dev/null
check "bad: empty trace" bad empty 2 "empty: no SENT/RCVD/CONN lines" "$st" compare "$tmp/empty" "$c"
check "bad: binary trace" bad garbage 2 "garbage:[0-9]+: not a text trace" "$st" compare "$tmp/garbage" "$c"
check "bad: missing trace" bad missing 2 "nothere.log: No such file" "$st" compare "$tmp/nothere.log" "$c"
check "bad: missing capture" bad nocap 2 "nothere.pcapng: No such file" "$st" compare "$t" "$tmp/nothere.pcapng"
check "bad: garbage capture" bad garbagecap 2 "garbage: .*isn't a capture file" "$st" compare "$t" "$tmp/garbage"
check "bad: truncated capture" bad trunc 2 "trunc.pcapng: .*cut short" "$st" compare "$t" "$tmp/trunc.pcapng"
check "bad: no tshark" bad notshark 3 "not found" env SCANTRACE_TSHARK=/nonexistent/tshark "$st" compare --dissector tshark "$t" "$c"
check "bad: unknown dissector" bad dis 2 "dissector" "$st" compare --dissector wireshark "$t" "$c"
for dis in "${dissectors[@]}"; do
  check "bad ($dis): garbage capture" bad garbagecap 2 "garbage: .*isn't a capture file" "$st" compare --dissector "$dis" "$t" "$tmp/garbage"
  check "bad ($dis): truncated capture" bad trunc 2 "trunc.pcapng: .*cut short" "$st" compare --dissector "$dis" "$t" "$tmp/trunc.pcapng"
done
check "bad: unknown format" bad fmt 2 "format" "$st" compare -f yaml "$t" "$c"
check "bad: no such run directory" bad nodir 2 "no such run directory" "$st" compare "$tmp/nodir"
"$st" compare --no-write "$t" "$tmp/cap.pcap" >/dev/null
check "pcap (not pcapng) capture is read" test $? -eq 0
"$st" compare --no-write -f json "$t" "$tmp/none.pcapng" >"$tmp/none.json"
check "capture with no frames: every line trace_only, exit 1" \
  test $? -eq 1 -a "$(jq '.summary.trace_only' "$tmp/none.json")" -eq 25
awk '{print} NR % 3 == 0 {print "NSOCK INFO [0.0340s] nsock_iod_new2(): nsock_iod_new (IOD #1)"}' "$t" >"$tmp/nsock.log"
"$st" compare --no-write -f json "$tmp/nsock.log" "$c" >"$tmp/nsock.json"
check "NSOCK lines (stderr merged) are skipped" \
  test $? -eq 0 -a "$(jq .summary.matched "$tmp/nsock.json")" -eq 25 -a "$(jq '.trace.warnings | length' "$tmp/nsock.json")" -eq 0
sed '5s/id=/ident=/' "$t" >"$tmp/bad-line.log"
"$st" compare --no-write -f json "$tmp/bad-line.log" "$c" >"$tmp/bl.json"
check "a malformed trace line is a warning with its line number, exit 1" \
  test $? -eq 1 -a "$(jq '.trace.warnings[0].line' "$tmp/bl.json")" -eq 5
"$st" compare --no-write "$tmp/bad-line.log" "$c" >"$tmp/bl.txt"
check "unreadable lines: the result line says so, not consistent" \
  grep -q 'result .*UNJUDGED:.* 1 unreadable packet lines$' "$tmp/bl.txt"
check "unreadable lines: report.json does not pass" jqt '.summary.passes == false' "$tmp/bl.json"

# ---- never a false pass: what compare cannot judge fails ----------------------
# a trace cut short (no host lines, no "Nmap done"): the hosts were never decided
grep -v '^Nmap scan report\|^Host is up\|^Nmap done' "$t" >"$tmp/cut.log"
"$st" compare --no-write -f json "$tmp/cut.log" "$c" >"$tmp/cut.json"
check "trace without a verdict: exit 1" test $? -eq 1
check "trace without a verdict: report.json counts the unjudged hosts" \
  jqt '.summary.unjudged == 4 and .summary.judged == 0 and .summary.passes == false' "$tmp/cut.json"
"$st" compare --no-write "$tmp/cut.log" "$c" >"$tmp/cut.txt"
check "trace without a verdict: the result line says why" \
  grep -q 'result .*: UNJUDGED: 4 of 4 hosts without the scanner.s verdict (no "Nmap done"' "$tmp/cut.txt"
# the same packets with no nmap header either: an unknown dialect
grep -v '^Starting Nmap' "$tmp/cut.log" >"$tmp/bare.log"
"$st" compare --no-write "$tmp/bare.log" "$c" >"$tmp/bare.txt"
check "bare packet lines (unknown dialect): exit 1, said" \
  test $? -eq 1 -a "$(grep -c 'UNJUDGED: .*unknown dialect' "$tmp/bare.txt")" -eq 1
# an interrupted record: nmap killed before its host lines
mkdir "$tmp/intr"
cp "$c" "$tmp/intr/capture.pcapng"
cp "$tmp/cut.log" "$tmp/intr/trace.log"
echo '{"subcommand": "record", "status": "interrupted", "interrupted": "SIGINT", "hosts": []}' >"$tmp/intr/run.json"
"$st" compare --no-write -f json "$tmp/intr" >"$tmp/intr.json"
check "interrupted record: exit 1" test $? -eq 1
check "interrupted record: undecided hosts are down, interrupted (not no-response)" \
  jqt '[.modes[].hosts[] | select(.verdict == "down")] | length > 0 and all(.reason == "interrupted")' "$tmp/intr.json"
check "interrupted record: the result says so" jqt '.summary.result | test("run interrupted")' "$tmp/intr.json"
# An interrupted record whose command then ended by itself with success (ping's and
# fping -l's summary on Ctrl-C: their normal end) is judged as any run; one that printed
# something but no packet line is judged too, not refused; a run.json still "running"
# (record killed outright) never ended: UNJUDGED
fa=fixtures/scanners/fping-a
for k in ended:0 killed:null; do
  mkdir -p "$tmp/intr-${k%%:*}"
  cp "$fa/capture.pcapng" "$fa/trace.log" "$tmp/intr-${k%%:*}/"
  jq --argjson x "${k#*:}" '.status = "interrupted" | .interrupted = "SIGINT" | .command.exit_status = $x
      | .command.signal = (if $x == null then "SIGINT" else null end)' "$fa/run.json" \
    >"$tmp/intr-${k%%:*}/run.json"
  "$st" compare --no-write -f json "$tmp/intr-${k%%:*}" >"$tmp/intr-${k%%:*}.json"
  echo $? >"$tmp/intr-${k%%:*}.rc"
done
check "interrupted, then fping ended by itself (exit 0): judged as the run it is, consistent" \
  jqt '.summary.passes and (.summary.result | test("interrupted") | not)' "$tmp/intr-ended.json"
check "... exit 0" test "$(cat "$tmp/intr-ended.rc")" -eq 0
check "interrupted and killed by the signal: read, not refused, UNJUDGED (exit 1)" \
  jqt '(.summary.result | test("UNJUDGED: .*run interrupted")) and .claims.claimed_up > 0' \
  "$tmp/intr-killed.json"
check "... exit 1" test "$(cat "$tmp/intr-killed.rc")" -eq 1
mkdir -p "$tmp/running"
cp "$fa/capture.pcapng" "$fa/trace.log" "$tmp/running/"
jq '.status = "running" | .command.exit_status = null' "$fa/run.json" >"$tmp/running/run.json"
"$st" compare --no-write -f json "$tmp/running" >"$tmp/running.json"
check "run.json still running (record killed outright): UNJUDGED, the run never ended, exit 1" \
  test $? -eq 1 -a "$(jq -r '.summary.result | test("UNJUDGED: the run never ended")' "$tmp/running.json")" = true
# nmap --packet-trace stopped by timeout before its block-buffered stdout reached the file:
# the trace lost (said, with stdbuf -oL), the scanner stopped by timeout (not "failed")
ps=$fx/portscan
mkdir -p "$tmp/tmo"
cp "$ps/capture.pcapng" "$tmp/tmo/"
head -1 "$ps/trace.log" >"$tmp/tmo/trace.log"
jq '.command_line |= (index("--") as $i | .[:$i + 1] + ["timeout", "1"] + .[$i + 1:])
    | .command.argv = ["timeout", "1"] + .command.argv | .command.exit_status = 124' \
  "$ps/run.json" >"$tmp/tmo/run.json"
"$st" compare --no-write -f json "$tmp/tmo" >"$tmp/tmo.json"
check "nmap stopped by timeout, its trace lost: said so, stdbuf -oL advised, UNJUDGED" \
  jqt '(.summary.result | test("UNJUDGED: the scanner was stopped by timeout \\(exit status 124\\)"))
       and (.trace.no_trace_why | test("stdbuf -oL"))' "$tmp/tmo.json"
# a scantrace pass that probed nothing: an empty mode
st_run=fixtures/scantrace/each-mode
mkdir "$tmp/emptymode"
cp "$st_run/capture.pcapng" "$st_run/run.json" "$tmp/emptymode/"
sed '10i PASS (1.1167s) mode=mask targets=4' "$st_run/trace.log" >"$tmp/emptymode/trace.log"
"$st" compare --no-write -f json "$tmp/emptymode" >"$tmp/empty.json"
check "an empty mode: exit 1, counted" \
  test $? -eq 1 -a "$(jq '.summary.empty_modes' "$tmp/empty.json")" -eq 1
check "an empty mode: the other modes' hosts are all judged" jqt '.summary.unjudged == 0' "$tmp/empty.json"

# ---- only targets get verdicts -------------------------------------------------
# a routed nmap run whose trace shows the gateway's ARP reply (the kernel ARPed
# for the router, nmap's ARP reader printed it): the gateway is no host
sed '1a RCVD (0.0094s) ARP reply 198.18.2.254 is-at 36:38:81:7A:92:27' "$t" >"$tmp/gw.log"
"$st" compare --no-write -f json "$tmp/gw.log" "$c" >"$tmp/gw.json"
check "gateway ARP reply in the trace: still consistent" test $? -eq 0
check "gateway ARP reply in the trace: the gateway is not a host" \
  jqt '[.modes[].hosts[].host] == ["198.18.3.2", "198.18.3.3", "198.18.3.4", "198.18.3.9"]' "$tmp/gw.json"
check "gateway ARP reply in the trace: matched, with its cause (the kernel's ARP)" \
  jqt '[.packets[] | select(.line == 2)][0] | .status == "matched" and .cause == "os-arp"' "$tmp/gw.json"
check "gateway ARP reply in the trace: no discrepancy for it" jqt '.summary.discrepancies == 0' "$tmp/gw.json"
check "gateway ARP reply in the trace: the text says it is about no target, and why" \
  grep -qE '^  line 2 +frame [0-9]+ +os-arp +ARP reply 198.18.2.254' <("$st" compare --no-write "$tmp/gw.log" "$c")

# ---- the user's Wireshark configuration never reaches a dissection ---------
# A profile that disables ICMP and TCP would make the capture read otherwise;
# an unreadable HOME (setpriv, su without -) crashed both dissectors.
mkdir -p "$tmp/home/.config/wireshark"
printf 'icmp\ntcp\n' >"$tmp/home/.config/wireshark/disabled_protos"
g=$fx/default-routed
for dis in "${dissectors[@]}"; do
  HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config "$st" compare --no-write --dissector "$dis" \
    -f json "$g" >"$tmp/prof.json" 2>"$tmp/prof.err"
  check "a profile disabling ICMP and TCP changes nothing ($dis)" diff -q \
    <(grep -v '"dissector":' "$g/expected-report.json") <(grep -v '"dissector":' "$tmp/prof.json")
done
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  cp -r "$g" "$tmp/asnobody"
  chmod -R a+rX "$tmp" && chmod a+w "$tmp/asnobody"
  for dis in "${dissectors[@]}"; do
    setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/root TMPDIR=/tmp \
      "$st" compare --no-write --dissector "$dis" -f json "$tmp/asnobody" >"$tmp/nobody.json" 2>"$tmp/nobody.err"
    rc=$?
    check "as nobody with HOME=/root: exit 0 ($dis, got $rc)" test "$rc" -eq 0
    check "as nobody with HOME=/root: the golden report ($dis)" diff -q \
      <(grep -v '"dissector":\|"path":' "$g/expected-report.json") \
      <(grep -v '"dissector":\|"path":' "$tmp/nobody.json")
  done
fi
# nmap -6's ND ping with a snap length of 64 (tcpdump -s 64): the solicitations
# cut before their target, the advertisements too. The trace's lines name
# only the solicited-node group; the host is the target whose last 24 bits the
# group carries (the command line's), an advertisement's its sender. The same
# run untraced (its side built from the wire) and each host judged as uncut:
# before, the absent host vanished and the up ones showed no probe (untraced:
# every host down, the advertisements "about no target").
nd=$fx6/default-local
for form in traced untraced; do
  c=$tmp/nd64-$form
  mkdir -p "$c"
  cp "$nd/run.json" "$nd/trace.log" "$c/"
  editcap -s 64 "$nd/capture.pcapng" "$c/capture.pcapng" >/dev/null 2>&1
  if [ $form = untraced ]; then
    grep -v '^SENT\|^RCVD' "$nd/trace.log" >"$c/trace.log"
    jq '.command_line |= map(select(. != "--packet-trace"))' "$nd/run.json" >"$c/run.json"
  fi
  "$st" compare --no-write -f json "$c" >"$c.json" 2>/dev/null
  echo $? >"$c.rc"
  check "ND cut at 64 bytes ($form): UNJUDGED (truncated), exit 1, no host lost" \
    jqt '.summary.passes == false and .summary.discrepancies == 0 and
         ([.modes[].hosts[]] | length) == 3' "$c.json"
  check "... the up hosts' solicitations and advertisements under them, nd-response ($form)" \
    jqt '[.modes[].hosts[] | select(.host == "2001:2:0:1::2" or .host == "2001:2:0:1::3")
          | select(.verdict == "up" and .reason == "nd-response")
          | select([.probes[].text] | index("ICMPv6 neighbor solicitation"))
          | select([.replies[].text] | index("ICMPv6 neighbor advertisement"))] | length == 2' "$c.json"
  check "... the absent host down with its two solicitations ($form)" \
    jqt '[.modes[].hosts[] | select(.host == "2001:2:0:1::9" and .verdict == "down")
          | .probes | length] == [2]' "$c.json"
  check "... every packet about a host ($form)" jqt '[.packets[] | select(.host == null)] | length == 0' "$c.json"
done
# diff of the run directory (its trace: no capture to name the target) and its report
"$st" diff "$nd" "$nd/expected-report.json" >"$tmp/nd-diff.txt" 2>&1
check "diff RUNDIR REPORT of an ND run: the same hosts (the absent one on both sides)" test $? -eq 0

# nmap -6 --send-ip on the segment: the kernel solicits, and ::3 answers it but drops the
# echo: down, and its advertisement no answer nmap's claims could miss ("1 missed" before)
"$st" compare --no-write -f json "$fx6/send-ip-noecho" >"$tmp/sendip6.json"
check "--send-ip: a host that answered only the kernel's solicitation is down, no miss" \
  jqt '.claims.missed == 0 and .claims.claimed_up == 1 and
       [.modes[].hosts[] | select(.host == "2001:2:0:1::3") | .verdict] == ["down"]' "$tmp/sendip6.json"

# a capture with no frame (tcpdump killed before it wrote them): nothing checked, and the
# result says so (it told the user to capture every interface, or -i any)
tshark -r "$fx/PE/capture.pcapng" -Y 'frame.number == 0' -w "$tmp/empty.pcapng" >/dev/null 2>&1
"$st" compare --no-write -f json "$fx/PE/trace.log" "$tmp/empty.pcapng" >"$tmp/empty.json"
check "an empty capture: UNJUDGED, 'the capture holds no frame', no interface advice" \
  jqt '.summary.passes == false and .summary.discrepancies == 0 and
       (.summary.result | test("the capture holds no frame") and (test("-i any") | not))' "$tmp/empty.json"
# ... its lines are outside the capture's time, not of another interface (they were
# counted other-interface), in a run directory too (scantrace's capture failed)
mkdir "$tmp/empty-run"
cp fixtures/scantrace/default/trace.log fixtures/scantrace/default/run.json "$tmp/empty-run/"
cp "$tmp/empty.pcapng" "$tmp/empty-run/capture.pcapng"
"$st" compare --no-write -f json "$tmp/empty-run" >"$tmp/empty-run.json"
for e in empty empty-run; do
  check "an empty capture ($e): every line outside-capture" \
    jqt '.summary.trace_only > 0 and .summary.causes == {"outside-capture": .summary.trace_only}' \
    "$tmp/$e.json"
done

mkdir "$tmp/tmpdir"
TMPDIR=$tmp/tmpdir "$st" compare --no-write "$g" >/dev/null 2>&1
check "the private Wireshark directory is removed at exit" test -z "$(ls -A "$tmp/tmpdir")"
# ... and when compare is stopped (Ctrl-C, kill, a reader gone, ulimit -f): one directory
# per stopped run was left in /tmp
if [ -d "$tmp/syn" ]; then
  for dis in "${dissectors[@]}"; do
    for sig in TERM INT PIPE XFSZ; do
      (
        trap - INT # a background job of a script starts with SIGINT ignored
        exec env TMPDIR="$tmp/tmpdir" "$st" compare --no-write --dissector "$dis" \
          "$tmp/syn/trace.log" "$tmp/syn/capture.pcapng" >/dev/null 2>&1
      ) &
      pid=$!
      for _ in $(seq 500); do # the directory is made when the dissection starts
        [ -n "$(ls -A "$tmp/tmpdir")" ] && break
        sleep 0.01
      done
      kill -"$sig" "$pid"
      rc=0 && wait "$pid" || rc=$?
      check "stopped by SIG$sig while dissecting ($dis): died of it (rc $rc)" \
        test "$rc" -eq $((128 + $(kill -l "$sig")))
      left=$(find "$tmp/tmpdir" -mindepth 1 -printf '%P ')
      check "... and its private Wireshark directory is gone ($dis)${left:+ (left: $left)}" test -z "$left"
      rm -rf "${tmp:?}/tmpdir/"* # one failure is one failure, not every one after it
    done
  done
fi

tap_done
