#!/usr/bin/env bash
# tests/lab/test_record.sh SCANTRACE PROBE_SENDER PCAPNG_ISB: `scantrace record` and the
# capture thread in a private lab (scripts/lab), checked against tshark, capinfos and the
# command's own trace. TAP output; exit 0 when every check passes, 1 when one fails;
# skipped without root or a tool. The lab is always torn down (trap), also on failure.
set -uo pipefail

st=$(realpath "$1")
sender=$(realpath "$2")
isb=$(realpath "$3")
cd "$(dirname "$0")/../.." || exit 1
LAB=scripts/lab

# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap tshark capinfos jq ping stdbuf

eq() { # eq DESC GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}
not() { ! "$@"; }

lab_start strec
SCAN=$ns
addr() { "$LAB" addr "$1"; }
in_scan() { ip netns exec "$SCAN" "$@"; }
ts() { tshark -n -r "$@" 2>/dev/null; }

# rec DIR ARGS...: record in the scan namespace; sets $rc; stdout/stderr in DIR.out/.err
rec() {
  local dir=$1
  shift
  in_scan "$st" record -o "$dir" "$@" >"$dir.out" 2>"$dir.err"
  rc=$?
}

# every SENT/RCVD line of DIR/trace.log is a frame of DIR/capture.pcapng
# (decoded by scantrace decode, as nmap would print it); prints the misses
every_line_is_a_frame() {
  local dir=$1 missing=0 level=low line desc
  grep -q ' proto=' "$dir/trace.log" && level=medium
  "$st" decode --detail "$level" "$dir/capture.pcapng" >"$dir/wire.txt" || return 1
  while IFS= read -r line; do
    desc=${line#* (*s) }
    grep -qF -- ") $desc" "$dir/wire.txt" || { echo "# not on the wire: $desc"; missing=$((missing + 1)); }
  done < <(grep -E '^(SENT|RCVD) ' "$dir/trace.log")
  [ "$missing" -eq 0 ]
}

# the ISB of every interface says it received exactly the frames in the file
isb_counts_match() {
  local f=$1 line name epb
  "$isb" "$f" >"$f.isb" || return 1
  while read -r line; do
    name=$(awk '{print $3}' <<<"$line")
    epb=$(ts "$f" -T fields -e frame.interface_name | grep -cx "$name")
    grep -qE "epb=$epb isb=1 ifrecv=$epb ifdrop=0 osdrop=0 usrdeliv=$epb " <<<"$line" ||
      { echo "# $line (tshark: $epb frames on $name)"; return 1; }
  done <"$f.isb"
  [ -s "$f.isb" ]
}

# frames from the scanner's addresses are flagged outbound, the others inbound
# Out: a frame the scanner's own interfaces sent (their MACs as Ethernet
# source: ARP, IPv4, and IPv6 from any of its addresses, link-local MLD and
# ND included); in: every other frame.
directions_right() {
  local f=$1 bad macs
  macs=$(in_scan ip -o link show | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}' | paste -sd' ')
  [ -n "$macs" ] || { echo "# no MAC in the scanner's namespace"; return 1; }
  bad=$(ts "$f" -T fields -e eth.src -e frame.packet_flags_direction |
    awk -F'\t' -v macs="$macs" '
      BEGIN { n = split(macs, m, " "); for (i = 1; i <= n; i++) mine[m[i]] = 1 }
      { out = ($1 in mine)
        if ((out && $2 != "0x00000002") || (!out && $2 != "0x00000001")) print }')
  [ -z "$bad" ] || { echo "# wrong direction: $bad"; return 1; }
}

jq_is() { # jq_is FILE FILTER: the filter yields true
  [ "$(jq -r "$2" "$1" 2>/dev/null)" = true ]
}

# ------------------------------------------------------------- nmap on both interfaces
d=$tmp/nmap
rec "$d" -- nmap -n -sn --packet-trace "$(addr l2-up)" "$(addr l2-noicmp)" \
  "$(addr routed-up)" "$(addr routed-noecho)" "$(addr routed-drop)"
eq "record nmap -sn: exit status is nmap's (0)" "$rc" 0
check "trace.log holds nmap's output" grep -q '^Nmap done' "$d/trace.log"
traced=$(grep -cE '^(SENT|RCVD) ' "$d/trace.log")
check "trace.log has SENT/RCVD lines ($traced)" [ "$traced" -gt 10 ]
check "nothing of nmap's stdout on ours without --tee" [ ! -s "$d.out" ]
check "every SENT/RCVD line of trace.log has its frame" every_line_is_a_frame "$d"
frames=$(ts "$d/capture.pcapng" | wc -l)
check "tshark reads the pcapng ($frames frames)" [ "$frames" -gt "$traced" ]
eq "scantrace decode and tshark see the same frames" "$(wc -l <"$d/wire.txt")" "$frames"
check "frames on lan0 (ARP to the local hosts)" \
  grep -qx lan0 < <(ts "$d/capture.pcapng" -T fields -e frame.interface_name)
check "frames on wan0 (probes to the routed hosts)" \
  grep -qx wan0 < <(ts "$d/capture.pcapng" -T fields -e frame.interface_name)
check "ISB of each interface: isb_ifrecv = its frames, no drops" isb_counts_match "$d/capture.pcapng"
check "direction flags: the scanner's frames out, the rest in" directions_right "$d/capture.pcapng"
check "capinfos: application is scantrace" \
  grep -q "Capture application: scantrace " < <(capinfos "$d/capture.pcapng" 2>/dev/null)
check "capinfos: nanosecond resolution" \
  grep -q "Time resolution = 0x09" < <(capinfos "$d/capture.pcapng" 2>/dev/null)
j=$d/run.json
check "run.json parses (jq)" jq_is "$j" 'type == "object"'
check "run.json: version, subcommand, start time, privileged" jq_is "$j" \
  '(.scantrace_version | length > 0) and .subcommand == "record" and .start_time_ns > 1600000000000000000 and .privileged == true and .end_time_ns >= .start_time_ns'
check "run.json: command line and the command" jq_is "$j" \
  '.command_line[0] == "scantrace" and .command_line[1] == "record" and .command.argv[0] == "nmap" and .command.exit_status == 0 and .command.signal == null'
check "run.json: when the command exited, before the linger's end" jq_is "$j" \
  '.command.end_time_ns > .start_time_ns and .command.end_time_ns <= .end_time_ns'
eq "run.json: default interfaces are lan0 and wan0" \
  "$(jq -c '[.capture.interfaces[].name]' "$j")" '["lan0","wan0"]'
check "run.json: capture counts add up (received = frames, dropped 0)" jq_is "$j" \
  ".capture.received == $frames and .capture.frames == $frames and .capture.dropped == 0 and ([.capture.interfaces[].received] | add) == $frames"
check "run.json: status done, not interrupted" jq_is "$j" \
  '.status == "done" and .interrupted == null and .modes == [] and .hosts == []'

# ------------------------------------------------------------- -i, --tee, exit statuses
d=$tmp/wanonly
rec "$d" -i wan0 --tee --linger 0.1 -- nmap -n -sn --packet-trace -PE "$(addr routed-up)"
eq "-i wan0: exit 0" "$rc" 0
eq "-i wan0: only wan0 in the file" \
  "$(ts "$d/capture.pcapng" -T fields -e frame.interface_name | sort -u)" wan0
eq "-i wan0: run.json interfaces" "$(jq -c .interfaces "$d/run.json")" '["wan0"]'
check "--tee: stdout is trace.log" cmp -s "$d.out" "$d/trace.log"
check "--tee: the trace still matches the wire" every_line_is_a_frame "$d"

# the command's stderr: kept in stderr.log and shown on ours, its stdout apart; run.json's
# local clock is the command's time zone
d=$tmp/stderr
TZ=UTC+3 rec "$d" --linger 0 -- sh -c 'echo out; echo err1 >&2; echo err2 >&2'
check "stderr.log holds the command's stderr, trace.log its stdout" \
  test "$(cat "$d/stderr.log")|$(cat "$d/trace.log")" = "$(printf 'err1\nerr2')|out"
check "... and the stderr was shown on ours as it came" grep -qx err2 "$d.err"
check "run.json names both files, and the clock TZ=UTC+3 gave (UTC, 3 h west)" jq_is "$d/run.json" \
  '.command.trace == "trace.log" and .command.stderr == "stderr.log"
   and .local_clock == {"zone": "UTC", "utc_offset_s": -10800, "tz": "UTC+3"}'

d=$tmp/false
rec "$d" --linger 0 -- false
eq "exit status of 'false' is 1" "$rc" 1
check "run.json records exit_status 1" jq_is "$d/run.json" '.command.exit_status == 1'
d=$tmp/seven
rec "$d" --linger 0 -- sh -c 'echo out; exit 7'
eq "exit status of sh -c 'exit 7' is 7" "$rc" 7
eq "its stdout is trace.log" "$(cat "$d/trace.log")" out
d=$tmp/bg
# a background child of the command keeps its stdout open: record must not wait for it
in_scan timeout 8 "$st" record -o "$d" --linger 0 -- sh -c 'sleep 30 & echo started' \
  >"$d.out" 2>"$d.err"
eq "a command that leaves a child holding stdout: record ends with it" "$?" 0
eq "its output is in trace.log" "$(cat "$d/trace.log")" started
d=$tmp/killed
rec "$d" --linger 0 -- sh -c 'kill -TERM $$'
eq "a command killed by SIGTERM: 128+15" "$rc" 143
check "run.json: signal SIGTERM" jq_is "$d/run.json" '.command.signal == "SIGTERM" and .command.exit_status == 143'

# tcpdump's -i any: every interface and loopback (it said "no such interface: any")
d=$tmp/any
rec "$d" -i any --linger 0 -- true
eq "-i any: exit 0" "$rc" 0
eq "-i any: the default interfaces and loopback" \
  "$(jq -c '[.capture.interfaces[].name]' "$d/run.json")" '["lan0","wan0","lo"]'

# ------------------------------------------------------------- bad input
d=$tmp/noif
rec "$d" -i nosuch0 -- true
eq "no such interface: exit 3" "$rc" 3
check "no such interface: one line naming it" [ "$(grep -c nosuch0 "$d.err")" -eq 1 ]
check "no such interface: no run directory left" [ ! -e "$d" ]
d=$tmp/exists
mkdir -p "$d" && echo keep >"$d/old"
rec "$d" -- true
eq "existing non-empty RUNDIR: exit 2" "$rc" 2
check "existing RUNDIR: left untouched" [ "$(ls "$d")" = old ]
rec "$d" --force --linger 0 -- true
eq "--force: records into it" "$rc" 0
check "--force: the files are there" [ -s "$d/capture.pcapng" -a -s "$d/run.json" -a -e "$d/trace.log" ]
d=$tmp/nocmd
rec "$d" -- no-such-command-xyz
eq "missing command: exit 127" "$rc" 127
check "missing command: says so" grep -q "no-such-command-xyz: command not found" "$d.err"
check "missing command: nothing created" [ ! -e "$d" ]
printf 'not a program\n' >"$tmp/notexec"
chmod 644 "$tmp/notexec"
rec "$d" -- "$tmp/notexec"
eq "not executable: exit 126" "$rc" 126
printf '\177ELF garbage\n' >"$tmp/badexec"
chmod 755 "$tmp/badexec"
rec "$d" -- "$tmp/badexec"
eq "executable that cannot run (exec format error): exit 126" "$rc" 126
rec "$d" true
eq "no --: exit 2" "$rc" 2
rec "$d" --
eq "-- without a command: exit 2" "$rc" 2
in_scan "$st" record -- true >/dev/null 2>&1
eq "no -o: exit 2" "$?" 2
rec "$d" --linger soon -- true
eq "bad --linger: exit 2" "$rc" 2
check "bad input created nothing" [ ! -e "$d" ]
if command -v setpriv >/dev/null; then
  pub=$tmp/pub
  mkdir -m 1777 "$pub"
  chmod 711 "$tmp" # nobody may reach $pub, not list $tmp
  in_scan setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
    "$st" record -o "$pub/run" -- true >/dev/null 2>"$pub.err"
  eq "unprivileged: exit 3" "$?" 3
  check "unprivileged: says why" grep -q "not allowed to capture" "$pub.err"
  check "unprivileged: no run directory left" [ ! -e "$pub/run" ]
fi

# ------------------------------------------------------------- Ctrl-C and SIGTERM
# kill_test SIG WANT_RC COMMAND...: record COMMAND, send SIG to record after 2 s
kill_test() {
  local sig=$1 want=$2 pid
  shift 2
  d=$tmp/${kt_dir:-kill-$sig}
  # not through in_scan: $! must be record itself (ip netns exec execs it)
  ip netns exec "$SCAN" "$st" record -o "$d" -- "$@" >"$d.out" 2>"$d.err" &
  pid=$!
  sleep 2
  kill -s "$sig" "$pid"
  wait "$pid"
  rc=$?
  eq "SIG$sig to record: exit $want" "$rc" "$want"
  check "SIG$sig: tshark reads the pcapng" tshark -n -r "$d/capture.pcapng" -c 1 -q
  check "SIG$sig: ISBs written for both interfaces" \
    [ "$("$isb" "$d/capture.pcapng" | grep -c ' isb=1 ')" -eq 2 ]
  check "SIG$sig: run.json says interrupted" jq_is "$d/run.json" \
    ".status == \"interrupted\" and .interrupted == \"SIG$sig\""
}
kill_test INT 130 ping -n -i 0.2 "$(addr routed-up)"
check "SIGINT reached ping: its summary is in trace.log" grep -q "packets transmitted" "$d/trace.log"
replies=$(grep -c 'bytes from' "$d/trace.log")
wire=$(ts "$d/capture.pcapng" -Y 'icmp.type == 0' | wc -l)
check "SIGINT: every reply ping printed is in the capture ($replies <= $wire)" \
  [ "$replies" -gt 3 -a "$replies" -le "$wire" ]
# nmap block-buffers a non-terminal stdout and does not flush it when killed;
# stdbuf -oL makes what it traced reach trace.log line by line.
kill_test TERM 143 stdbuf -oL nmap -n -sn --packet-trace -PE --scan-delay 300ms --max-retries 0 \
  "$(addr routed-up)" "$(addr routed-noecho)" "$(addr routed-drop)" 198.18.3.10-40
check "SIGTERM: nmap's trace so far is in trace.log" grep -q '^SENT ' "$d/trace.log"
check "SIGTERM: every line of it has its frame" every_line_is_a_frame "$d"

# a shell command (sh -c "scanner ...") and SIGINT to record alone: the signal reaches what
# the shell started (the scanner), not the shell only; record ends in a moment and leaves no
# orphan sending on (was: dash held the signal while it waited, record waited the whole
# command, and a shell that died left its scanner running after the capture ended)
t0=$(date +%s)
kt_dir=kill-sh kill_test INT 130 sh -c "ping -n -i 0.2 -c 300 $(addr routed-up); true"
check "SIGINT to record running sh -c: over within 10 s ($(($(date +%s) - t0)) s)" \
  [ "$(($(date +%s) - t0))" -le 10 ]
check "SIGINT to record running sh -c: the shell's ping got it (its summary)" \
  grep -q "packets transmitted" "$d/trace.log"
check "SIGINT to record running sh -c: no ping of it left" \
  [ -z "$(pgrep -f -x "ping -n -i 0.2 -c 300 $(addr routed-up)")" ]

# ------------------------------------------------------------- a file that cannot be written
# trace.log grows past RLIMIT_FSIZE (SIGXFSZ ignored: the write fails with EFBIG);
# run.json is small enough to be written: exit 3, and run.json says failed
d=$tmp/fsize
(
  trap '' XFSZ
  ulimit -f 8
  exec ip netns exec "$SCAN" "$st" record -o "$d" --linger 0 -- sh -c 'head -c 100000 /dev/zero | tr "\0" x'
) >"$d.out" 2>"$d.err"
eq "trace.log past the size limit: exit 3" "$?" 3
check "trace.log past the size limit: run.json says failed, the command ran" jq_is "$d/run.json" \
  '.status == "failed" and .interrupted == null and .command.exit_status == 0'
check "trace.log past the size limit: said once" [ "$(grep -c 'trace.log: File too large' "$d.err")" -eq 1 ]

# ------------------------------------------------------------- probe comments
d=$tmp/probes
in_scan "$sender" "$d.pcapng" wan0 "$(addr routed-up)" >"$d.want" 2>"$d.err"
eq "probe_sender: exit 0" "$?" 0
grep -v '^unmatched=' "$d.want" | sort >"$d.want.sorted"
ts "$d.pcapng" -Y frame.comment -T fields -e frame.comment -e ip.id | sort >"$d.got"
check "exactly the registered probes carry their comments (8 frames)" \
  cmp -s "$d.got" "$d.want.sorted"
eq "8 commented frames" "$(wc -l <"$d.got")" 8
eq "a probe sent twice: its comments in order" \
  "$(ts "$d.pcapng" -Y 'ip.id == 0x5114 && tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields -e frame.comment | tr '\n' '|')" \
  "scantrace probe=13 mode=syn|scantrace probe=14 mode=syn|"
eq "decoys (odd numbers) carry no comment" \
  "$(ts "$d.pcapng" -Y 'ip.id >= 0x5101 && ip.id <= 0x510c && frame.comment' -T fields -e ip.id | grep -cE '[13579bdf]$')" 0
check "replies carry no comment" \
  [ -z "$(ts "$d.pcapng" -Y 'frame.comment && frame.packet_flags_direction == 1')" ]
eq "the probe registered but never sent is reported" "$(grep '^unmatched=' "$d.want")" unmatched=1

"$LAB" down --prefix "$P" >/dev/null 2>&1
check "no namespace of this test is left" not grep -q "^$P" < <(ip netns list)
echo "1..$n"
echo "# $failed failed"
[ "$failed" -eq 0 ]
