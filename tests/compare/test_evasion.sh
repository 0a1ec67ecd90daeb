#!/usr/bin/env bash
# scantrace compare on real nmap 7.93 runs with its evasion options
# (fixtures/nmap-7.93-evasion: -f, -ff, --mtu 16, --ip-options R/T/U/L/S/raw
# bytes at -d0, -d2, -d3, -D, --badsum, --data-length, -g, --ttl): golden
# reports with each dissector, every run consistent with nothing trace-only
# and no `unknown` cause, fragment trains listed with their probe, every
# fragment frame accounted for once, and what explain teaches about them.
# usage: tests/compare/test_evasion.sh SCANTRACE SOURCE_ROOT   (TAP)
set -uo pipefail

# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"
ev=fixtures/nmap-7.93-evasion
not_grep() { ! grep -qE "$@"; }

dissectors=(tshark)
"$st" compare --no-write --dissector libwireshark "$fx/PE" >/dev/null 2>&1 && dissectors+=(libwireshark)
# (scripts/test --sanitize: the goldens once, by libwireshark, whose helper runs our code;
# tshark's half adds only the reader of its output, which test_readers checks there)
golden_dissectors=("${dissectors[@]}")
[ -n "${SCANTRACE_TEST_ONE_DISSECTOR:-}" ] && [ ${#dissectors[@]} -eq 2 ] && golden_dissectors=(libwireshark)
echo "# dissectors: ${golden_dissectors[*]}"
for dis in "${golden_dissectors[@]}"; do
  for d in "$ev"/*/; do
    d=${d%/}
    name=$(basename "$d")
    "$st" compare --no-write --dissector "$dis" -f json "$d" >"$tmp/got.json"
    check "$name ($dis): exit 0" test $? -eq 0
    check "$name ($dis): report equals expected-report.json" diff -q \
      <(grep -v '"dissector":' "$d/expected-report.json") <(grep -v '"dissector":' "$tmp/got.json")
  done
done

# The properties the golden reports hold, checked on the fresh reports (an
# expected report regenerated from a wrong comparison fails here).
for d in "$ev"/*/; do
  d=${d%/}
  name=$(basename "$d")
  "$st" compare --no-write -f json "$d" >"$tmp/r.json"
  check "$name: consistent, nothing trace-only, no unknown cause" jqt \
    '.summary.passes and .summary.trace_only == 0 and (.summary.causes.unknown // 0) == 0' "$tmp/r.json"
  lines=$(grep -cE '^(SENT|RCVD) ' "$d/trace.log")
  check "$name: every trace line read and matched" \
    test "$(jq '[.packets[] | select(.line and .status == "matched")] | length' "$tmp/r.json")" -eq "$lines"
  # every fragment on the wire is in exactly one train
  frags=$(tshark -n -r "$d/capture.pcapng" -o ip.defragment:FALSE \
    -Y 'ip.flags.mf == 1 || ip.frag_offset > 0' 2>/dev/null | wc -l)
  check "$name: each of the $frags fragment frames in one train" test \
    "$(jq '[.packets[] | .fragments[]? | .frame] | if length == (unique | length) then length else -1 end' \
      "$tmp/r.json")" -eq "$frags"
done

# -f: 8 bytes a fragment, so a SYN of 24 TCP bytes is a train of 3 (0, 8, 16);
# -ff and --mtu 16: 16 bytes, a train of 2. Every TCP probe is a train.
for spec in f:8:3 ff:16:2 mtu16:16:2 f-d3:8:3; do
  IFS=: read -r name size count <<<"$spec"
  "$st" compare --no-write -f json "$ev/$name" >"$tmp/r.json"
  check "$name: each SYN probe is one train of $count fragments of $size bytes" jqt \
    "[.packets[] | select(.line and .dir == \"sent\" and .proto == \"tcp\")] | length > 0 and
     all(.fragments | length == $count and (map(.offset) == [range(0; $count * $size; $size)])
         and .[0].bytes == $size and .[-1].more == false)" "$tmp/r.json"
  check "$name: a train's text is its probe's, not its first fragment's" jqt \
    '[.packets[] | select(.fragments) | .text | test("\\?\\?")] | any | not' "$tmp/r.json"
  "$st" compare --no-write "$ev/$name" >"$tmp/r.txt"
  check "$name: the text report lists the train's frames" grep -qE 'TCP SYN to 443 +line [0-9]+ +frames [0-9]+, [0-9]+' "$tmp/r.txt"
done
"$st" compare --no-write -f explain "$ev/f" >"$tmp/ex.txt"
check "explain: the train is one SYN probe, unseen by a firewall that does not reassemble" \
  grep -q 'went out as 3 IP fragments of one datagram.*no TCP header at all in the later ones' "$tmp/ex.txt"
"$st" compare --no-write -f html "$ev/ff" >"$tmp/r.html"
check "html: the ladder names the train" grep -q 'IP fragments: frames' "$tmp/r.html"
for spec in ipopts-R:'Record Route' ipopts-T:'Internet Timestamp' ipopts-L:'Loose Source Route' \
  ipopts-S:'Strict Source Route' ipopts-raw:'raw option bytes' decoys:'Decoys (nmap -D): every probe went out 3 times' \
  data-length:'the probes carry 20 bytes of data' ttl:'every probe left with TTL 33'; do
  name=${spec%%:*}
  "$st" compare --no-write -f explain "$ev/$name" >"$tmp/ex.txt"
  check "explain $name: ${spec#*:}" grep -qF "${spec#*:}" "$tmp/ex.txt"
done

for d in fixtures/nmap-7.93/*/; do # nothing of the kind where nmap was not asked for it
  "$st" compare --no-write -f explain "$d" >"$tmp/ex.txt"
  told='^(Payload|One TTL|Fragmentation|IP options|Decoys)'
  # (PE-frag-reply asked for a payload; its reply came back in fragments: no evasion)
  grep -q -- '--data-length' "$d/cmd" && told='^(One TTL|Fragmentation|IP options|Decoys)'
  check "explain $(basename "$d"): no evasion told" not_grep "$told" "$tmp/ex.txt"
done

# A line the reader cannot read is reported as such; the rest is still judged.
sed 's/ipopts={ NOP RR{#0.0.0.0 /ipopts={ NOP RR{#0.0.0.0.0 /' "$ev/ipopts-R/trace.log" >"$tmp/bad.log"
bad=$(grep -cF 'RR{#0.0.0.0.0' "$tmp/bad.log")
"$st" compare --no-write -f json "$tmp/bad.log" "$ev/ipopts-R/capture.pcapng" >"$tmp/bad.json" 2>"$tmp/bad.err"
check "a damaged ipopts line: exit 1 (not 2), $bad lines unreadable" test $? -eq 1
check "a damaged ipopts line: the rest matched" test \
  "$(jq '.summary.matched' "$tmp/bad.json")" -eq "$(($(grep -cE '^(SENT|RCVD) ' "$tmp/bad.log") - bad))"
tap_done
