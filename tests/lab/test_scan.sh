#!/usr/bin/env bash
# scantrace scan against real nmap 7.93, mode by mode, in a private lab:
# both scan the same hosts (up, filtered, silent, absent; local and routed),
# nmap recorded by `scantrace record`, scantrace by its own capture. For
# each mode: the same hosts up; per host the same probe kinds (every kind
# for a silent host; for a host that answered, nmap may stop early, so its
# kinds are a subset of scantrace's); and scantrace's own trace is
# consistent with its capture (compare exits 0; --send-ip only differs by
# the probes the kernel never sent to the absent host).
# usage: tests/lab/test_scan.sh SCANTRACE            (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap tshark jq
lab_start sts
a() { scripts/lab addr "$1" --prefix "$P"; }
ROUTED="$(a routed-up) $(a routed-noecho) $(a routed-drop)"
LOCAL="$(a l2-up) $(a l2-noicmp) $(a l2-absent)"

# per host: the sorted probe kinds of its first try (report.json of compare)
kinds() { # kinds REPORT HOST
  jq -r --arg h "$2" '[.modes[].hosts[] | select(.host == $h) | .probes[].text] | unique | .[]' "$1"
}
up_hosts() { # from nmap's report lines, or scantrace's run.json
  if [ -f "$1/run.json" ] && jq -e '.subcommand == "scan"' "$1/run.json" >/dev/null; then
    jq -r '.hosts[] | select(.verdict == "up") | .host' "$1/run.json" | sort
  else
    grep -oE '^Nmap scan report for [0-9.]+' "$1/trace.log" | awk '{print $5}' | sort
  fi
}

same_kinds() { # same_kinds NAME: per host, nmap's kinds vs scantrace's
  local name=$1 h ok=0
  for h in $TARGETS; do
    local n s
    n=$(kinds "$tmp/nmap-$name/report.json" "$h")
    s=$(kinds "$tmp/st-$name/report.json" "$h")
    if grep -qx "$h" <(up_hosts "$tmp/nmap-$name"); then
      # nmap stops probing a host once it answered: a subset
      [ -z "$(comm -23 <(echo "$n") <(echo "$s"))" ] || { echo "# $name $h: nmap sent [$n], scantrace [$s]"; ok=1; }
    else
      [ "$n" = "$s" ] || { echo "# $name $h: nmap sent [$n], scantrace [$s]"; ok=1; }
    fi
  done
  return $ok
}

run_mode() { # run_mode NAME OPTIONS TARGETS
  local name=$1 opts=$2
  TARGETS=$3
  # shellcheck disable=SC2086 # words
  ip netns exec "$ns" "$st" record -o "$tmp/nmap-$name" -- nmap -n -sn --packet-trace $opts $TARGETS >/dev/null 2>&1
  # (nmap's run left the absent neighbour's entry resolving: the kernel would ask again only
  # a second later, after a scan of 0.2 s, and hold the probes silently till then)
  ip netns exec "$ns" ip neigh flush dev lan0 >/dev/null 2>&1
  # shellcheck disable=SC2086
  ip netns exec "$ns" "$st" scan $opts -o "$tmp/st-$name" $TARGETS >/dev/null 2>"$tmp/st-$name.err"
  local rc=$?
  check "$name: scantrace scan exits 0" test "$rc" -eq 0
  # one status vocabulary: a record (of nmap) and a scan that went to their end say the same
  check "$name: record's and scan's run.json both say done" quiet jq -e -s \
    'map(.status == "done" and .interrupted == null) == [true, true]' \
    "$tmp/nmap-$name/run.json" "$tmp/st-$name/run.json"
  "$st" compare "$tmp/nmap-$name" >/dev/null 2>&1
  "$st" compare "$tmp/st-$name" >"$tmp/st-$name.txt" 2>&1
  rc=$?
  if [ "$name" = send-ip ]; then
    check "$name: own trace against own capture: only the absent host's unsent probes differ" \
      test "$(jq -r '[.packets[] | select(.cause == "no-arp" or .cause == "unknown" or .cause == "missed-reply" or .cause == "retransmit") | .cause] | unique | join(",")' "$tmp/st-$name/report.json")" = no-arp
  else
    check "$name: own trace against own capture: consistent" test "$rc" -eq 0
    [ "$rc" -eq 0 ] || sed -n 5p "$tmp/st-$name.txt" | sed 's/^/# /'
  fi
  check "$name: same hosts up as nmap" \
    test "$(up_hosts "$tmp/nmap-$name" | tr '\n' ' ')" = "$(up_hosts "$tmp/st-$name" | tr '\n' ' ')"
  check "$name: same probe kinds per host as nmap" same_kinds "$name"
  # every probe on the wire (the matched SENT lines) carries its comment, nothing else does
  check "$name: every probe frame carries its comment" \
    test "$(tshark -r "$tmp/st-$name/capture.pcapng" -Y 'frame.comment contains "scantrace probe="' 2>/dev/null | wc -l)" \
    -eq "$(jq '[.packets[] | select(.status == "matched" and .dir == "sent")] | length' "$tmp/st-$name/report.json")"
}

run_mode default "" "$ROUTED $LOCAL"
run_mode echo -PE "$ROUTED"
run_mode timestamp -PP "$ROUTED"
run_mode mask -PM "$(a routed-up)"
run_mode syn "-PS22,443" "$ROUTED"
run_mode ack -PA "$ROUTED"
run_mode udp -PU "$ROUTED"
run_mode sctp -PY "$(a routed-up)"
run_mode proto -PO "$(a routed-up) $(a routed-drop)"
run_mode arp -PR "$LOCAL $(a routed-up)"
# -PO's protocols with a header: nmap's ACK to 80, UDP to 40125, INIT to 80 (not bare IP
# headers); routed-noecho answers the ACK with a RST and the UDP with a port unreachable
run_mode proto-hdr "-PO6,17,132" "$ROUTED"
run_mode send-ip "--send-ip -PE -PS22" "$LOCAL"

# the order nmap sends its probes in, whatever the command line's (nextProbe), and the
# reverse on its retry (doAnyOutstandingRetransmits): the sequence to a silent host
sequence() { # sequence DIR HOST: its probes' kinds, in trace order, every try
  jq -r --arg h "$2" '[.modes[].hosts[] | select(.host == $h) | .probes[] | select(.line) | .text] | join(", ")' "$1/report.json"
}
run_mode order "-PU -PA80 -PP -PS80 -PE -PM -PY -PO2" "$(a routed-drop)"
check "order: nmap's sequence of probes to a silent host, retry reversed" \
  test "$(sequence "$tmp/nmap-order" "$(a routed-drop)")" = "$(sequence "$tmp/st-order" "$(a routed-drop)")"
[ "$(sequence "$tmp/nmap-order" "$(a routed-drop)")" = "$(sequence "$tmp/st-order" "$(a routed-drop)")" ] ||
  { echo "# nmap: $(sequence "$tmp/nmap-order" "$(a routed-drop)")"; echo "# scan: $(sequence "$tmp/st-order" "$(a routed-drop)")"; }
# nmap's wait before a retry (RLD_TIME_MS): a second more when a host gets several probe
# kinds or ARP, none with one kind. The silent hosts' first retry, nmap's against scan's
# (their timeouts differ by the answers each run drew: within 0.15 s)
retry_gap() { # retry_gap TRACE HOST: seconds from the host's first probe to its first retry
  grep -E "^SENT .*(> $2[ :]|who-has $2 )" "$1" | sed 's/^SENT (\([0-9.]*\)s).*/\1/' |
    awk 'NR == 1 { f = $1 } $1 > f + 0.05 { printf "%.2f", $1 - f; exit }'
}
for gap in "default $(a routed-drop)" "default $(a l2-absent)" "echo $(a routed-drop)" "order $(a routed-drop)"; do
  read -r name h <<<"$gap"
  n_gap=$(retry_gap "$tmp/nmap-$name/trace.log" "$h")
  s_gap=$(retry_gap "$tmp/st-$name/trace.log" "$h")
  check "$name: $h's retry after nmap's wait (nmap ${n_gap:-none} s, scan ${s_gap:-none} s)" \
    awk -v n="${n_gap:-x}" -v s="${s_gap:-y}" 'BEGIN { exit !(n == n + 0 && s == s + 0 && (n - s) ^ 2 <= 0.0225) }'
done
# -g: nmap keeps the port on every try (its magic port), so does scan
run_mode sport "-g 53 -PS80 -PU" "$(a routed-drop)"
for side in nmap st; do
  check "sport: $side sends every TCP and UDP try from port 53" \
    test "$(grep -cE '^SENT .* (TCP|UDP) [0-9.]+:53 >' "$tmp/$side-sport/trace.log")" -eq 4 -a \
    "$(grep -cE '^SENT .* (TCP|UDP) ' "$tmp/$side-sport/trace.log")" -eq 4
done
# the scanner's own addresses: nmap scans them through loopback and calls them
# up without a packet (localhost-response); so does scan, and compare says so
OWN="$(a scanner-lan) $(a scanner-wan) 127.0.0.1"
run_mode own -PE "$OWN $(a routed-up)"
# shellcheck disable=SC2086 # words
own_sorted=$(printf '%s\n' $OWN | sort | tr '\n' ' ')
for side in nmap st; do
  check "own addresses: $side's run compared: up for localhost-response" \
    test "$(jq -r '[.modes[].hosts[] | select(.verdict == "up" and .reason == "localhost-response") | .host] | sort | .[]' "$tmp/$side-own/report.json" | tr '\n' ' ')" = "$own_sorted"
done
check "own addresses: nmap's claims of them hold (none unfounded)" \
  quiet jq -e '.claims.unfounded == 0 and .claims.claimed_up == 4' "$tmp/nmap-own/report.json"
own_re=$(echo "$OWN" | sed 's/\./\\./g; s/ /|/g')
check "own addresses: scan sends them nothing" \
  test "$(grep -cE "^SENT .* > ($own_re)[ :]" "$tmp/st-own/trace.log")" -eq 0
# shellcheck disable=SC2086 # words
ip netns exec "$ns" "$st" scan --dry-run -PE $OWN "$(a routed-up)" >"$tmp/own-dry.txt" 2>&1
check "own addresses: --dry-run plans them no probe either" \
  test "$(grep -cE "^SENT .* > ($own_re)[ :]" "$tmp/own-dry.txt")" -eq 0
check "own addresses: scan sends the other target its probe" \
  grep -qE "^SENT .* > $(a routed-up) " "$tmp/st-own/trace.log"

# nmap as users run it: names resolved (no -n: its reverse DNS on the wire,
# traced nowhere) and --traceroute (probes sent with IP id 0, which the kernel
# fills): consistent, the lookups for cause dns, nothing unknown; scan -R too
DNS=$(a dns)
ip netns exec "$ns" "$st" record -o "$tmp/nmap-names" -- nmap -sn --packet-trace --dns-servers "$DNS" \
  --traceroute "$(a routed-up)" "$(a l2-up)" >/dev/null 2>&1
ip netns exec "$ns" "$st" scan -R --dns-servers "$DNS" -o "$tmp/st-names" "$(a routed-up)" "$(a l2-up)" \
  >/dev/null 2>&1
for side in nmap st; do
  "$st" compare "$tmp/$side-names" >/dev/null 2>&1
  check "names: $side's run with name lookups is consistent" test $? -eq 0
  check "names: $side's lookups are on the wire, cause dns" \
    quiet jq -e '.summary.causes.dns > 0 and (.summary.causes.unknown // 0) == 0' "$tmp/$side-names/report.json"
done
check "traceroute: nmap's id-0 probes matched to their frames (none trace-only)" \
  quiet jq -e '.summary.trace_only == 0 and (.summary.causes.retransmit // 0) == 0' \
  "$tmp/nmap-names/report.json"

# the unprivileged mode: connect() to 80 and 443, CONN lines
TARGETS=$ROUTED
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" record -o "$tmp/nmap-connect" -- nmap -n -sn --packet-trace --unprivileged $TARGETS >/dev/null 2>&1
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" scan --unprivileged -o "$tmp/st-connect" $TARGETS >/dev/null 2>&1
"$st" compare "$tmp/st-connect" >/dev/null 2>&1
check "connect: own trace against own capture: consistent" test $? -eq 0
check "connect: same hosts up as nmap" \
  test "$(up_hosts "$tmp/nmap-connect" | tr '\n' ' ')" = "$(up_hosts "$tmp/st-connect" | tr '\n' ' ')"
check "connect: CONN lines as nmap's" \
  test "$(grep -c '^CONN .* => Operation now in progress' "$tmp/st-connect/trace.log")" -ge 6

# several modes in one scan: PASS lines, and each probe attributed to its mode
# shellcheck disable=SC2086
ip netns exec "$ns" "$st" scan --each-mode -PE -PA -o "$tmp/each" $ROUTED >/dev/null 2>&1
"$st" compare -f json --no-write "$tmp/each" >"$tmp/each.json" 2>/dev/null
check "--each-mode: consistent" test $? -eq 0
check "--each-mode: two PASS lines" test "$(grep -c '^PASS' "$tmp/each/trace.log")" -eq 2
check "--each-mode: the report has both modes" \
  test "$(jq -r '[.modes[].mode] | join(";")' "$tmp/each.json")" = "-PE;-PA80"
check "--each-mode: comments name the mode" \
  test "$(tshark -r "$tmp/each/capture.pcapng" -Y 'frame.comment contains "mode=-PA80"' 2>/dev/null | wc -l)" -ge 3

# a target given three times: each copy sends probes of its own and is
# decided by the first answer to them (the copies' probes told apart by their
# ICMP ids and source ports in the trace), not by another copy's answer
up=$(a routed-up)
ip netns exec "$ns" "$st" scan -PE -PS22 -o "$tmp/thrice" "$up" "$up" "$(a routed-drop)" "$up" \
  >/dev/null 2>&1
own_first() { # the reason each copy of $up earned: its first answer, from the trace
  awk -v h="$up" '
    /^SENT/ && / Echo request/ && index($0, "> " h " ") { match($0, /id=[0-9]+/); e[substr($0, RSTART + 3, RLENGTH - 3)] = ++ne }
    /^SENT/ && / TCP / && index($0, " > " h ":22 ") { split($4, s, ":"); t[s[2]] = ++nt }
    /^RCVD/ && / Echo reply/ && index($0, "[" h " ") { match($0, /id=[0-9]+/); c = e[substr($0, RSTART + 3, RLENGTH - 3)]; if (c && !r[c]) r[c] = "echo-reply" }
    /^RCVD/ && / TCP / && index($0, " " h ":22 > ") { split($6, d, ":"); c = t[d[2]]; if (c && !r[c]) r[c] = "reset" }
    END { for (i = 1; i <= ne; i++) print (i in r) ? r[i] : "none" }' "$tmp/thrice/trace.log"
}
check "a target given three times: three copies up" \
  test "$(jq --arg h "$up" '[.hosts[] | select(.host == $h and .verdict == "up")] | length' "$tmp/thrice/run.json")" -eq 3
own=$(own_first | tr '\n' ' ')
got=$(jq -r --arg h "$up" '.hosts[] | select(.host == $h) | .reason' "$tmp/thrice/run.json" | tr '\n' ' ')
[ "$own" = "$got" ] || echo "# own first answers: $own; run.json: $got"
check "a target given three times: each copy's reason is its own first answer" test "$own" = "$got"
"$st" compare --no-write "$tmp/thrice" >"$tmp/thrice.txt" 2>&1
check "a target given three times: consistent" test $? -eq 0

# Ctrl-C or SIGTERM mid-scan: the files on disk stay valid, run.json names the signal
kill_scan() { # kill_scan SIG EXIT
  local sig=$1 want=$2 d=$tmp/killed-$1 pid rc
  ip netns exec "$ns" "$st" scan -o "$d" --max-rate 50 198.19.0.0/24 >"$tmp/killed-$sig.out" 2>&1 &
  pid=$!
  sleep 1.5
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  check "SIG$sig: scan exits $want" test "$rc" -eq "$want"
  check "SIG$sig: the last line says interrupted, and how far it got" \
    grep -qE '^scantrace interrupted: [0-9]+ of 256 IP addresses done \([0-9]+ hosts? up\)' "$tmp/killed-$sig.out"
  # (it counted every address, the ones never decided too)
  check "SIG$sig: its count is of the hosts run.json gives a verdict" test \
    "$(sed -n 's/^scantrace interrupted: \([0-9]*\) of .*/\1/p' "$tmp/killed-$sig.out")" = \
    "$(jq '[.hosts[] | select(.reason != "interrupted")] | length' "$d/run.json")"
  check "SIG$sig: the capture reads back" quiet tshark -r "$d/capture.pcapng" -c 1
  check "SIG$sig: run.json says interrupted by SIG$sig" quiet jq -e \
    ".status == \"interrupted\" and .interrupted == \"SIG$sig\"" "$d/run.json"
  "$st" compare --no-write -f json "$d" >"$d/cmp.json" 2>/dev/null
  # an interrupted run never passes (exit 1), but its packets still agree
  check "SIG$sig: compare does not pass an interrupted run" test $? -eq 1
  check "SIG$sig: trace and capture still agree" quiet jq -e \
    '.summary.discrepancies == 0 and (.summary.result | test("run interrupted"))' "$d/cmp.json"
}
kill_scan INT 130
kill_scan TERM 143

# a file that cannot be written completely: trace.log and the capture grow past
# RLIMIT_FSIZE (SIGXFSZ ignored, so the writes fail with EFBIG), run.json is
# small enough to be written: exit 3, and run.json says failed
(
  trap '' XFSZ
  ulimit -f 8
  exec ip netns exec "$ns" "$st" scan -d3 -PS1-60 --max-retries 1 -o "$tmp/fsize" "$(a routed-drop)"
) >/dev/null 2>"$tmp/fsize.err"
rc=$?
check "files past the size limit: scan exits 3" test "$rc" -eq 3
check "files past the size limit: run.json says failed" \
  quiet jq -e '.status == "failed" and .interrupted == null' "$tmp/fsize/run.json"
check "files past the size limit: trace.log's error is said" grep -q 'trace.log: File too large' "$tmp/fsize.err"

# progress: quiet when standard error is a file, unless --stats-every asks for lines
silent=$(scripts/lab addr silent-block --prefix "$P")
silent=${silent%.*/*}.0/28
ip netns exec "$ns" "$st" scan -PE --max-retries 0 -o "$tmp/quiet" "$silent" >/dev/null 2>"$tmp/quiet.err"
check "progress: nothing on a standard error that is not a terminal" \
  bash -c "! grep -q 'hosts done' '$tmp/quiet.err'"
ip netns exec "$ns" "$st" scan -PE --max-retries 0 --stats-every 100ms -o "$tmp/stats" "$silent" \
  >/dev/null 2>"$tmp/stats.err"
check "progress: --stats-every 100ms prints whole lines (hosts done of 16, time left)" \
  grep -qE '^scantrace scan: -PE [0-9]+/16 hosts done, 0 up, [0-9.]+k? probes/s, about [0-9]+ s left$' \
  "$tmp/stats.err"
check "progress: no carriage return in a log" bash -c "! grep -q $'\\r' '$tmp/stats.err'"
# both into one pipe (2>&1 | tee): stdout's "Starting" line before the first progress line
ip netns exec "$ns" "$st" scan -PE --max-retries 0 --stats-every 100ms -o "$tmp/stats2" "$silent" \
  2>&1 | cat >"$tmp/stats2.log"
check "progress: into one pipe with stdout, the Starting line first" \
  grep -q '^Starting scantrace scan' <(head -1 "$tmp/stats2.log")

tap_done
