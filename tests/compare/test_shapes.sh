#!/usr/bin/env bash
# scantrace compare on the files users bring, made without scantrace record
# (tests/data/shapes/README.md says how each was made): a log saved from a
# terminal, nmap's -oN/-oG on stdout.
# usage: tests/compare/test_shapes.sh SCANTRACE SOURCE_ROOT   (TAP)
set -uo pipefail
# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"
d=tests/data/shapes

# a terminal session (script(1)) of two nmap runs: each "Starting Nmap" behind bash's
# escape sequence "\e[?2004l\r" begins a run (was one run of both: an unknown dialect,
# one mode "-PE -PR", the absent neighbour's two alike ARP lines paired by a clock of the
# wrong run)
"$st" compare --no-write -f json "$d/script-session.log" "$d/script-session.pcap" >"$tmp/ss.json"
check "script(1) session of two nmap runs: consistent, exit 0" test "$?" -eq 0
check "... two runs of nmap 7.93, modes -PR and -PE" \
  jqt '.trace.runs == 2 and .trace.dialect == "nmap-7.93" and ([.modes[].mode] == ["-PR", "-PE"])' \
  "$tmp/ss.json"
# the two ARP requests for 198.18.1.9: the earlier line takes the earlier frame (tshark's)
want=$(tshark -r "$d/script-session.pcap" -Y 'arp.opcode == 1 && arp.dst.proto_ipv4 == 198.18.1.9' \
  -T fields -e frame.number 2>/dev/null | paste -sd,)
got=$(jq -r '[.packets[] | select(.dir == "sent" and .host == "198.18.1.9")] | sort_by(.line) | map(.frame) | join(",")' \
  "$tmp/ss.json")
check "... the absent neighbour's ARP lines each take its own frame ($want; got $got)" \
  test "$got" = "$want"

# its Starting line is read behind the escape: a capture of another run of the same ARP
# scan three minutes later is not this run's (was consistent: a false pass)
"$st" compare --no-write -f json "$d/script-arp.log" "$d/script-arp-later.pcap" >"$tmp/sa.json"
check "script(1) log against a capture of another run: exit 1" test "$?" -eq 1
check "... UNJUDGED, not its capture" \
  jqt '.summary.passes == false and (.summary.result | test("UNJUDGED: the capture.s frames put the run.s start at .*not its capture"))' \
  "$tmp/sa.json"
"$st" compare --no-write "$d/script-arp.log" "$d/script-arp.pcap" >/dev/null
check "... and against its own capture: consistent, exit 0" test "$?" -eq 0

# nmap -oN - --packet-trace: its header and "# Nmap done at" take the Starting and Nmap
# done lines' places (was an unknown dialect, its unreported hosts unjudged: UNJUDGED)
"$st" compare --no-write -f json "$d/oN-stdout.log" "$d/oN-stdout.pcap" >"$tmp/on.json"
check "nmap -oN - on stdout: consistent, exit 0" test "$?" -eq 0
up=$(grep -c '^Host is up' "$d/oN-stdout.log")
# shellcheck disable=SC2016 # $up is jq's
check "... nmap 7.93, every host judged, the $up reported up and the others down" \
  jqt --argjson up "$up" '.trace.dialect == "nmap-7.93" and .summary.unjudged == 0
       and ([.modes[].hosts[] | select(.verdict == "up")] | length) == $up
       and ([.modes[].hosts[]] | length) == 5' "$tmp/on.json"
# its header's date (the host's local time, no zone) is checked as another zone's: the
# capture's clock three hours and five minutes on is not its run's
editcap -t 11100 "$d/oN-stdout.pcap" "$tmp/shifted.pcap" >/dev/null 2>&1
"$st" compare --no-write -f json "$d/oN-stdout.log" "$tmp/shifted.pcap" >"$tmp/shift.json"
check "... its capture's clock 3 h 5 min on: UNJUDGED, not its capture" \
  jqt '.summary.result | test("^UNJUDGED: the capture.s frames put the run.s start at .*not its capture")' \
  "$tmp/shift.json"

# nmap -oG - --packet-trace prints no trace: the header's command says why (was "give nmap
# --packet-trace", which it had been given)
"$st" compare --no-write "$d/oG-stdout.log" "$d/oN-stdout.pcap" 2>"$tmp/og.err" >/dev/null
check "nmap -oG - on stdout: exit 2" test "$?" -eq 2
check "... saying -oG - kept the trace off stdout" grep -q 'nmap prints none when -oG - puts' "$tmp/og.err"

# tcpdump -s 60: the router's errors about an earlier run's probes, a second before nmap
# started, cut inside their quote: no probe of the run existed yet, so they hide none of
# its hosts (were truncated, the run UNJUDGED though every line matched its frame)
"$st" compare --no-write -f json "$d/snap60.log" "$d/snap60.pcap" >"$tmp/snap.json"
check "tcpdump -s 60, cut errors from before the run: consistent, exit 0" test "$?" -eq 0
cut=$(tshark -r "$d/snap60.pcap" -Y 'frame.cap_len < frame.len && icmp.type == 3' -T fields \
  -e frame.number 2>/dev/null | paste -sd,)
check "... those frames ($cut) background, none truncated" \
  test "$(jq -r '[.packets[] | select(.cause == "background") | .frame] | sort | join(",")' \
    "$tmp/snap.json"),$(jq '.summary.causes.truncated // 0' "$tmp/snap.json")" = "$cut,0"

# a dumpcap capture that dropped frames (its statistics block says 4): the lines of the
# lost frames are capture-drop, and nmap's claims of the hosts they were about not held
# (were unknown, and the two hosts' "up" unfounded); a pcap says nothing of its drops
"$st" compare --no-write -f json "$d/dumpcap-drops.log" "$d/dumpcap-drops.pcapng" >"$tmp/dr.json"
check "dumpcap's ISB drops: dropped 4, the 4 frameless lines capture-drop, nothing unfounded" \
  jqt '.capture.dropped == 4 and .summary.causes["capture-drop"] == 4
       and .summary.causes.unknown == null and .claims.unfounded == 0' "$tmp/dr.json"
check "... a tcpdump pcap: no drop count" jqt '.capture | has("dropped") | not' "$tmp/snap.json"


# a run recorded under TZ=UTC+3: nmap names UTC-3 "UTC"; run.json's local_clock gives the
# offset (was UNJUDGED, "not its capture", three hours off)
c=tests/data/clock
"$st" compare --no-write -f json "$c/tz-utc-plus-3" >"$tmp/tz.json"
check "TZ=UTC+3 nmap, recorded: consistent, exit 0" test "$?" -eq 0
check "... every host judged" jqt '.summary.passes and .summary.unjudged == 0' "$tmp/tz.json"
# without the clock (a run.json of before) it is the name's word: three hours off
cp -r "$c/tz-utc-plus-3" "$tmp/tz-old"
jq 'del(.local_clock)' "$c/tz-utc-plus-3/run.json" >"$tmp/tz-old/run.json"
"$st" compare --no-write -f json "$tmp/tz-old" >"$tmp/tz-old.json"
check "... the same without run.json's local_clock: UNJUDGED, not its capture" \
  jqt '.summary.result | test("UNJUDGED: the capture.s frames put the run.s start at .*not its capture")' \
  "$tmp/tz-old.json"
# a clock an hour off the recorded one is not this run's: the offset is exact (a zone of
# its own name was checked modulo 15 minutes)
cp -r "$c/tz-utc-plus-3" "$tmp/tz-hour"
jq '.local_clock.utc_offset_s = -7200' "$c/tz-utc-plus-3/run.json" >"$tmp/tz-hour/run.json"
"$st" compare --no-write -f json "$tmp/tz-hour" >"$tmp/tz-hour.json"
check "... its clock said an hour off: UNJUDGED naming the recording host's clock" \
  jqt '.summary.result | test("not its capture") and test("recording host.s clock: UTC-02:00")' \
  "$tmp/tz-hour.json"
# -oN's header under Asia/Kolkata (+05:30): its local time placed by the offset; a capture
# an hour later is another run's (was consistent: any zone fit modulo 15 minutes)
"$st" compare --no-write -f json "$c/tz-kolkata-oN" >"$tmp/ist.json"
check "TZ=Asia/Kolkata nmap -oN -, recorded: consistent" jqt '.summary.passes' "$tmp/ist.json"
cp -r "$c/tz-kolkata-oN" "$tmp/ist-later"
editcap -t 3600 "$c/tz-kolkata-oN/capture.pcapng" "$tmp/ist-later/capture.pcapng" >/dev/null 2>&1
"$st" compare --no-write -f json "$tmp/ist-later" >"$tmp/ist-later.json"
check "... its capture an hour later: UNJUDGED, not its capture" \
  jqt '.summary.passes == false and (.summary.result | test("not its capture"))' "$tmp/ist-later.json"

tap_done
