#!/usr/bin/env bash
# scantrace diff on recorded runs: equal inputs, different modes, the three
# input kinds (run directory, trace, report.json), --strict, --compare, JSON,
# PATH:MODE, bad input. (The lab cases, nmap against scantrace and a firewall
# rule before and after, are in tests/lab/test_diff_lab.sh.)
# usage: tests/diff/test_diff.sh SCANTRACE SOURCE_ROOT        (TAP)
set -uo pipefail

# shellcheck source=tests/in_tree.sh
. "$(dirname "$0")/../in_tree.sh"

run() { # run CMD...: $rc, stdout in $tmp/out, stderr in $tmp/err
  "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

for d in "$fx"/PE "$fx"/default-routed fixtures/scantrace/each-mode; do
  run "$st" diff "$d" "$d"
  check "$(basename "$d") against itself: exit 0" test "$rc" -eq 0
  check "$(basename "$d") against itself: only the two header lines" test "$(wc -l <"$tmp/out")" -eq 2
done
run "$st" diff "$fx/PE" "$fx/PE/trace.log"
check "a run directory and its trace file are equal" test "$rc" -eq 0
run "$st" diff "$fx/PE" "$fx/PE/expected-report.json"
check "a trace and its report.json are equal" test "$rc" -eq 0

run "$st" diff "$fx/PE" "$fx/PP"
check "-PE against -PP: exit 1" test "$rc" -eq 1
check "-PE against -PP: the echo-filtering host is down, then up" \
  grep -qx -- '-Host is down (no-response).' "$tmp/out"
check "-PE against -PP: ... and up by timestamp-reply" grep -qx -- '+Host is up (timestamp-reply).' "$tmp/out"
check "-PE against -PP: probes removed and added with counts" \
  grep -qx -- '-  sent ICMP echo request (2 times)' "$tmp/out"

run "$st" diff -f json "$fx/PE" "$fx/PP"
check "json: not equal" quiet jq -e '.equal == false and .scantrace_diff == 1' "$tmp/out"
check "json: 198.18.3.3 changed from down to up" \
  quiet jq -e '.modes[0].hosts[] | select(.host == "198.18.3.3") | .status == "changed" and .a.verdict == "down" and .b.verdict == "up"' "$tmp/out"

# run to run noise is ignored by default, seen with --strict / --compare
run "$st" diff --strict "$fx/PE" "$fx/PE"
check "same run, --strict: equal" test "$rc" -eq 0
cp -r "$fx/PE" "$tmp/pe2"
sed -i 's/ttl=37 /ttl=38 /' "$tmp/pe2/trace.log"
run "$st" diff "$fx/PE" "$tmp/pe2"
check "another TTL: equal by default" test "$rc" -eq 0
run "$st" diff --compare ttl "$fx/PE" "$tmp/pe2"
check "another TTL: different with --compare ttl" test "$rc" -eq 1
check "--compare ttl shows the field" grep -q 'ttl=38' "$tmp/out"
run "$st" diff --strict "$fx/PE" "$tmp/pe2"
check "another TTL: different with --strict" test "$rc" -eq 1

# a race: A sent 198.18.3.2 (up by its echo reply in both) a SYN that B did
# not; not a difference, and the line and the JSON say whose it was
sed '/> 198.18.3.2:443 S /d' "$fx/default-routed/trace.log" >"$tmp/race.log"
run "$st" diff -v "$fx/default-routed/trace.log" "$tmp/race.log"
check "race: equal" test "$rc" -eq 0
check "race: -v marks A's extra probe ~a" grep -qE '^~a sent TCP SYN to 443$' "$tmp/out"
run "$st" diff -v "$tmp/race.log" "$fx/default-routed/trace.log"
check "race: -v marks B's extra probe ~b" grep -qE '^~b sent TCP SYN to 443$' "$tmp/out"
run "$st" diff -f json "$fx/default-routed/trace.log" "$tmp/race.log"
check "race: in JSON, marked as not counting" \
  quiet jq -e '[.modes[].hosts[] | select(.host == "198.18.3.2") | .removed[]] | length == 1 and all(.race == true)' "$tmp/out"

# no race: B sent 198.18.3.2 (up by its echo reply in both) a probe of another kind where A
# sent its SYN (each run has a probe the other lacks: a race only cuts one run's short)
sed 's/> 198.18.3.2:443 S /> 198.18.3.2:443 A /' "$fx/default-routed/trace.log" >"$tmp/kind.log"
run "$st" diff "$fx/default-routed/trace.log" "$tmp/kind.log"
check "another probe kind to a host up in both: exit 1" test "$rc" -eq 1
check "... the SYN removed, the ACK added, not as a race" \
  bash -c "grep -qE '^-  sent TCP SYN to 443$' '$tmp/out' && grep -qE '^\+  sent TCP ACK to 443$' '$tmp/out'"

# two modes of one run side by side
run "$st" diff fixtures/scantrace/each-mode:echo fixtures/scantrace/each-mode:udp:40125
check "RUN:MODE pairs two modes of one run: exit 1" test "$rc" -eq 1
check "RUN:MODE: the echo-filtering host differs" grep -q '^ 198.18.3.3:' "$tmp/out"
run "$st" diff fixtures/scantrace/each-mode:-PE fixtures/scantrace/each-mode:echo
check "a mode by its nmap name" test "$rc" -eq 0
# one naming scheme: scan's modes are named by nmap's options, as nmap's runs are
run "$st" diff -f json fixtures/scantrace/each-mode "$fx/PS22-443"
check "scan's and nmap's -PS22,443 pair up by name" \
  quiet jq -e '[.modes[] | select(.a == "-PS22,443" and .b == "-PS22,443")] | length == 1' "$tmp/out"
run "$st" diff -f json fixtures/scantrace/each-mode:syn "$fx/PS22-443:-PS"
check "A:syn and B:-PS: the one -PS mode of each" \
  quiet jq -e '[.modes[] | .a + "|" + .b] == ["-PS22,443|-PS22,443"]' "$tmp/out"

# bad input: one line, exit 2
# hosts in address order, as reports list them (IPv4, then IPv6, each by address):
# an IPv6 host's internal id is the order it was met in, not its address
in_order() { # in_order FILE: the host lines (text) or .host values (json) ascend
  python3 - "$1" <<'PY'
import ipaddress, json, re, sys
text = open(sys.argv[1]).read()
try:
    hosts = [[h["host"] for h in m["hosts"]] for m in json.loads(text)["modes"]]
except ValueError:
    hosts, cur = [], None
    for line in text.splitlines():
        if line.startswith((" mode ", "-mode ", "+mode ")):
            cur = []
            hosts.append(cur)
        m = re.fullmatch(r"[ +-]([0-9a-f.:]+):", line)
        if m and cur is not None:
            cur.append(m.group(1))
key = lambda a: (ipaddress.ip_address(a).version, int(ipaddress.ip_address(a)))
ok = any(hosts) and all(h == sorted(h, key=key) for h in hosts)
if not ok:
    print("# hosts:", hosts)
sys.exit(0 if ok else 1)
PY
}
for fmt in text json; do
  run "$st" diff -f "$fmt" fixtures/scantrace/v6-echo-dup fixtures/scantrace/v6-echo-silent
  check "IPv6 runs, $fmt: hosts in address order" in_order "$tmp/out"
  run "$st" diff -f "$fmt" fixtures/scantrace/v6-echo-silent fixtures/scantrace/v6-echo-dup
  check "IPv6 runs the other way, $fmt: hosts in address order" in_order "$tmp/out"
  run "$st" diff -f "$fmt" "$fx/PE" "$fx/PP"
  check "IPv4 runs, $fmt: hosts in address order" in_order "$tmp/out"
done

bad() { # bad NAME PATTERN CMD...
  local pat=$2
  shift 2
  run "$@"
  [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err"
}
check "bad: missing path" bad missing "nothere: No such file" "$st" diff "$fx/PE" "$tmp/nothere"
check "bad: unknown mode" bad mode "no mode 'frob'" "$st" diff "$fx/PE:frob" "$fx/PE"
check "bad: unknown mode, the modes there are listed" bad mode2 "no mode 'frob' \(its modes: '-PE'\)" \
  "$st" diff "$fx/PE:frob" "$fx/PE"
check "bad: unknown --compare field" bad field "unknown field 'color'" "$st" diff --compare color "$fx/PE" "$fx/PP"
check "bad: --strict with a report.json" bad strict "need traces" "$st" diff --strict "$fx/PE" "$fx/PE/expected-report.json"
: >"$tmp/empty.log"
check "bad: an empty trace" bad empty "no SENT/RCVD/CONN lines" "$st" diff "$tmp/empty.log" "$fx/PE"
# a report.json whose host is not JSON (a "verdict" without its quotes, on line N): its
# modes are read a host at a time, and the file and the line are named
awk '/"verdict":"down"/ && !done { sub(/"verdict":"down"/, "\"verdict\":down"); done = 1 } 1' \
  "$fx/PE/expected-report.json" >"$tmp/badhost.json"
badline=$(grep -n '"verdict":down' "$tmp/badhost.json" | cut -d: -f1)
check "bad: a report.json's host that is not JSON: the file and its line ($badline)" bad badhost \
  "badhost.json: not a scantrace report.json \(line $badline: " "$st" diff "$fx/PE" "$tmp/badhost.json"
# ... and one cut short, in its packets
head -c 3000 "$fx/PE/expected-report.json" >"$tmp/cut.json"
check "bad: a report.json cut short: not valid JSON, its line" bad cut "cut.json: not valid JSON \(line [0-9]+: " \
  "$st" diff "$tmp/cut.json" "$fx/PE"
check "bad: one argument" quiet test "$("$st" diff "$fx/PE" >/dev/null 2>&1; echo $?)" -eq 2

tap_done
