#!/usr/bin/env bash
# The bad-input table (tests/bad_input/cases.tsv): runs each case, checks its
# exit status and its one line on stderr, and what the case's after_ hook
# says was kept. TAP output.
# usage: tests/bad_input/run.sh SCANTRACE SOURCE_ROOT [--lab]
# Without --lab: the cases that need nothing or root (root cases are skipped
# without it). With --lab (root): the lab cases, in a lab of their own,
# always torn down. ref: cases check that the test they point to still has
# that check.
set -uo pipefail

st=$(realpath "$1")
cd "$2" || exit 1
mode=${3:-plain}
fx=fixtures/nmap-7.93
tmp=$(mktemp -d)
P="stbad$(($$ % 100000))-"
cleanup() {
  mountpoint -q "$tmp/full" 2>/dev/null && umount "$tmp/full"
  [ "$mode" = --lab ] && scripts/lab down --prefix "$P" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# shellcheck source=tests/tap.sh
. tests/tap.sh
root=false
[ "$(id -u)" -eq 0 ] && root=true
if [ "$mode" = --lab ]; then
  $root || tap_skip "the lab cases need root"
  scripts/lab up --prefix "$P" >/dev/null || { echo "Bail out! lab up failed"; exit 1; }
  NS=$(scripts/lab ns scan --prefix "$P")
  UP=$(scripts/lab addr routed-up)
  chmod 711 "$tmp" # the unprivileged cases reach $tmp/pub, not the rest
fi

# ---- inputs ------------------------------------------------------------------
t=$fx/default-routed/trace.log
c=$fx/default-routed/capture.pcapng
: >"$tmp/empty"
: >"$tmp/empty.pcapng"
# random bytes, the same every run (/dev/urandom's could now and then look like a capture)
python3 -c 'import random, sys; r = random.Random(17); sys.stdout.buffer.write(r.randbytes(2000))' >"$tmp/garbage"
size=$(stat -c %s "$c")
head -c $((size - 100)) "$c" >"$tmp/trunc.pcapng"
tshark -r "$c" -w "$tmp/cap.pcap" -F pcap 2>/dev/null
tshark -r "$c" -w "$tmp/none.pcapng" -Y 'frame.number == 0' 2>/dev/null
sed 's/$/\r/' "$t" >"$tmp/crlf.log"
# the first frame stamped 2^64-1 ns (pcapng times are 64 bits): past int64 ns
cp "$c" "$tmp/bigts.pcapng"
off=0
while :; do
  read -r btype blen < <(od -An -tu4 -j "$off" -N8 "$tmp/bigts.pcapng")
  [ "$btype" = 6 ] && break
  off=$((off + blen))
done
printf '\377\377\377\377\377\377\377\377' | dd of="$tmp/bigts.pcapng" bs=1 seek=$((off + 12)) conv=notrunc 2>/dev/null
printf '198.18.1.2\n# comment\n198.18.1.2/33\n' >"$tmp/targets.txt"
mkdir "$tmp/badjson" && cp "$t" "$c" "$tmp/badjson/" && echo '{"capture": ' >"$tmp/badjson/run.json"
mkdir "$tmp/run" && cp "$t" "$c" "$tmp/run/"
# run.json of scan with a null verdict, a null host, a negative drop count
for x in rjverdict:'.hosts[0].verdict = null' rjhost:'.hosts[0].host = null' \
  rjdrop:'.capture.dropped = -5 | .hosts[0].latency_s = "x"'; do
  d=$tmp/${x%%:*}
  mkdir "$d" && cp fixtures/scantrace/default/{trace.log,capture.pcapng} "$d/"
  jq "${x#*:}" fixtures/scantrace/default/run.json >"$d/run.json"
done
# 10^6 lines: the fixture's 31 spread through nmap's NSOCK chatter (every
# line number of the report must still be right), and a 4096-host sweep
# whose probes and replies are not in the capture (each one trace-only)
awk 'NR == FNR { real[FNR] = $0; n = FNR; next }
     END { k = 1; for (i = 1; i <= 1000000; i++) {
             if (k <= n && i % 30000 == 0) print real[k++];
             else if (i == 1000000 - n + k - 1 && k <= n) { while (k <= n) { print real[k++]; i++ } }
             else print "NSOCK INFO [0.0010s] nsock_pcap_read_packet(): Pcap read request from IOD #1  EID " i } }' \
  "$t" /dev/null | head -1000000 >"$tmp/big.log"
awk 'BEGIN { n = 0
  for (i = 0; i < 4096; i++) for (try = 0; try < 2; try++) {
    printf "SENT (%.4fs) ICMP [198.18.2.1 > 198.19.%d.%d Echo request (type=8/code=0) id=%d seq=%d] IP [ttl=59 id=%d iplen=28 ]\n", i / 1000.0 + try, int(i / 256), i % 256, i, try, (i * 7 + try) % 65536
    printf "RCVD (%.4fs) ICMP [198.19.%d.%d > 198.18.2.1 Echo reply (type=0/code=0) id=%d seq=%d] IP [ttl=63 id=%d iplen=28 ]\n", i / 1000.0 + try + 0.0001, int(i / 256), i % 256, i, try, (i * 3 + try) % 65536
    n += 2 }
  while (n < 1000000) { print "NSOCK INFO [9.0000s] nsock_loop(): event loop"; n++ } }' >"$tmp/sweep.log"
# IPv6 (ICMPv6 echo, TCP SYN and its RST) and an IP protocol nobody knows
# (253, experimental) or unassigned (200): frames from text2pcap, trace lines from scantrace decode
frame() { # frame ETHERTYPE HEX... : one text2pcap packet
  local hex="02 00 00 00 00 02 02 00 00 00 00 01 $1" off=0
  shift
  hex+=" $*"
  tr ' ' '\n' <<<"$hex" | grep . | paste -sd' ' | fold -w 48 | while read -r l; do
    printf '%04x  %s\n' $off "$l"
    off=$((off + 16))
  done
  echo
}
v6="20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00"
# shellcheck disable=SC2086 # $v6 is 15 words (bytes)
{
  frame "86 dd" 60 00 00 00 00 08 3a 40 $v6 01 $v6 02 80 00 00 00 12 34 00 01
  frame "86 dd" 60 00 00 00 00 08 3a 40 $v6 02 $v6 01 81 00 00 00 12 34 00 01
  frame "86 dd" 60 00 00 00 00 14 06 40 $v6 01 $v6 02 \
    9c 40 01 bb 00 00 00 07 00 00 00 00 50 02 04 00 00 00 00 00
  frame "86 dd" 60 00 00 00 00 14 06 40 $v6 02 $v6 01 \
    01 bb 9c 40 00 00 00 00 00 00 00 08 50 14 00 00 00 00 00 00
} >"$tmp/v6.txt"
{
  frame "08 00" 45 00 00 14 12 34 00 00 25 fd 00 00 c6 12 02 01 c6 12 03 02
  frame "08 00" 45 00 00 14 12 35 00 00 25 c8 00 00 c6 12 02 01 c6 12 03 03
} >"$tmp/proto.txt"
for x in v6 proto; do
  text2pcap -q "$tmp/$x.txt" "$tmp/$x.pcapng" 2>/dev/null
  # nmap's header and "Nmap done" around the lines: a trace without them has
  # no verdict, which compare does not pass (these cases are about the packets)
  # (its minute the frames', as text2pcap stamped them: compare checks a run's start)
  t0=$(tshark -r "$tmp/$x.pcapng" -T fields -e frame.time_epoch 2>/dev/null | head -1)
  {
    echo "Starting Nmap 7.93 ( https://nmap.org ) at $(date -u -d "@${t0%.*}" '+%Y-%m-%d %H:%M') UTC"
    "$st" decode "$tmp/$x.pcapng" | sed -E 's/^FRAME [0-9]*[13579] /SENT /; s/^FRAME [0-9]*[02468] /RCVD /'
    echo "Nmap done: 1 IP address (0 hosts up) scanned in 1.00 seconds"
  } >"$tmp/$x.log"
done
{ head -5 "$t"; echo "SENT (0.0100s) FROB 198.18.2.1 > 198.18.3.2 frob=1"; tail -n +6 "$t"; } >"$tmp/word.log"
echo "SENT (0.0100s) FROB 198.18.2.1 > 198.18.3.2 frob=1" >"$tmp/unk.log"
cat >"$tmp/killer" <<'KILL'
#!/usr/bin/env bash
# a tshark that dies midway: some output, then SIGKILL
case "$1" in --version) exec tshark --version ;; esac
tshark "$@" | head -c 700
kill -KILL $$
KILL
chmod +x "$tmp/killer"
mkdir "$tmp/bigrun" && cp "$tmp/sweep.log" "$tmp/bigrun/trace.log" && cp "$c" "$tmp/bigrun/"
mkdir -p "$tmp/pub" && chmod 1777 "$tmp/pub"
# runs compare cannot read, each for its own reason: no run at all; a scan
# run as a user (connect() pings, no capture); nmap's XML for a trace (-oX -);
# nmap cut off before it flushed a line (record's run.json says "interrupted")
mkdir "$tmp/notrun" && echo "{\"a\": 1}" >"$tmp/x.json"
# report.json edited by hand: a verdict that is none, a host that is no address, a format
# this scantrace does not read (diff took them for down, 0.0.0.0, format 1)
er=fixtures/nmap-7.93/default-routed/expected-report.json
jq '.modes[0].hosts[0].verdict = "sideways"' "$er" >"$tmp/rverdict.json"
jq '.modes[0].hosts[0].host = "not-an-ip"' "$er" >"$tmp/rhost.json"
jq '.scantrace_report = 2' "$er" >"$tmp/rv2.json"
mkdir "$tmp/unpriv" && cp fixtures/scantrace/connect/trace.log "$tmp/unpriv/" &&
  jq 'del(.capture) | .privileged = false' fixtures/scantrace/connect/run.json >"$tmp/unpriv/run.json"
mkdir "$tmp/xmlrun" && cp "$c" "$tmp/xmlrun/" &&
  printf '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap">\n' >"$tmp/xmlrun/trace.log"
mkdir "$tmp/cutrun" && cp "$c" "$tmp/cutrun/" && : >"$tmp/cutrun/trace.log" &&
  jq '.status = "interrupted" | .subcommand = "record"' fixtures/scantrace/default/run.json >"$tmp/cutrun/run.json"


# ---- hooks ---------------------------------------------------------------------
after_compare_pcap_capture() { jqt '.summary.matched == 25 and .summary.discrepancies == 0' "$tmp/pcap.json"; }
after_compare_run_json_bad_numbers() { jqt '.capture.dropped == null and .summary.discrepancies == 0' "$tmp/out"; }
after_decode_pcap_capture() { [ "$(wc -l <"$tmp/out")" -eq 28 ]; }
after_compare_no_frames() { jqt '.summary.trace_only == 25 and .capture.frames == 0' "$tmp/none.json"; }
after_scan_rundir_parent_missing() { [ ! -e "$tmp/typo" ]; }
before_scan_rundir_not_empty() { mkdir -p "$tmp/old" && echo keep >"$tmp/old/notes"; }
after_scan_rundir_not_empty() { [ "$(ls "$tmp/old")" = notes ]; }
before_scan_rundir_force() { mkdir -p "$tmp/forced" && echo keep >"$tmp/forced/notes"; }
after_scan_rundir_force() { [ -s "$tmp/forced/trace.log" ] && [ -s "$tmp/forced/notes" ] && jqt '.status == "done"' "$tmp/forced/run.json"; }
after_decode_rundir() { [ "$(wc -l <"$tmp/out")" -eq 28 ]; }
after_report_junit_discrepancies() { grep -q '<failure' "$tmp/word.xml"; }
after_decode_huge_time() { [ "$(wc -l <"$tmp/out")" -eq 28 ]; }
after_decode_no_frames() { [ ! -s "$tmp/out" ]; }
after_compare_million_lines() {
  # the same 25 matches as the 31-line trace, each at its line of the big file
  jqt '.trace.lines == 1000000 and .summary.matched == 25 and .summary.discrepancies == 0' "$tmp/big.json" &&
    local l
  for l in $(jq '.packets[] | select(.line) | .line' "$tmp/big.json"); do
    grep -qE '^(SENT|RCVD) ' <(sed -n "${l}p" "$tmp/big.log") || { echo "# line $l is not a packet line"; return 1; }
  done
}
after_compare_million_lines_sweep() {
  jqt '.trace.lines == 1000000 and .trace.packets == 16384 and .summary.trace_only == 16384 and .summary.matched == 0 and ([.modes[].hosts[]] | length) == 4096' "$tmp/sweep.json"
}
after_compare_crlf() { jqt '.summary.matched == 25 and .summary.discrepancies == 0 and (.trace.warnings | length) == 0' "$tmp/crlf.json"; }
# IPv6 hosts get their verdict like IPv4 ones: the echo reply is up, which
# nmap's "(0 hosts up)" contradicts (a missed claim): exit 1
after_compare_ipv6() { jqt '.summary.matched == 4 and .summary.wire_only == 0 and .summary.empty_modes == 0 and .summary.judged == 1 and ([.modes[].hosts[].host] == ["2001:db8::2"]) and .summary.passes == false and ([.packets[].proto] | unique) == ["ipv6-icmp", "tcp"]' "$tmp/v6.json"; }
after_compare_ipv6_trace_ipv4_capture() { jqt '.summary.trace_only == 4 and .summary.matched == 0' "$tmp/v6on4.json"; }
after_compare_unknown_protocol() { jqt '.summary.matched == 2 and ([.packets[].proto] | unique) == ["experimental1", "unknown"]' "$tmp/proto.json"; }
after_compare_unknown_packet_word() {
  jqt '.trace.malformed_lines == 1 and .trace.warnings[0].line == 6 and .summary.matched == 25' "$tmp/word.json"
}
before_compare_tshark_killed() { "$st" compare "$tmp/run" >/dev/null 2>&1 && cp "$tmp/run/report.json" "$tmp/before.json"; }
after_compare_tshark_killed() { cmp -s "$tmp/before.json" "$tmp/run/report.json" && no_temp_files "$tmp/run"; }
no_temp_files() { [ -z "$(find "$1" -name '.*' -type f)" ] || { echo "# left in $1: $(find "$1" -name '.*')"; return 1; }; }
full_disk() { # [KEEP_KB [CMD...]]: a small tmpfs, CMD run in it, then filled but KEEP_KB
  local keep=${1:-0}
  [ $# -gt 0 ] && shift
  mkdir -p "$tmp/full"
  mount -t tmpfs -o size=512k,mode=1777 tmpfs "$tmp/full" || return 1
  if [ $# -gt 0 ]; then "$@" || return 1; fi
  dd if=/dev/zero of="$tmp/full/fill" bs=4k >/dev/null 2>&1
  [ "$keep" -eq 0 ] || truncate -s "-${keep}K" "$tmp/full/fill"
}
free_disk() { umount "$tmp/full"; }
report_in_full_dir() { mkdir "$tmp/full/run" && cp "$t" "$c" "$tmp/full/run/" && "$st" compare "$tmp/full/run" >/dev/null && cp "$tmp/full/run/report.json" "$tmp/before.json"; }
before_compare_full_disk_rundir() { full_disk 0 report_in_full_dir; }
after_compare_full_disk_rundir() {
  local ok=0
  cmp -s "$tmp/before.json" "$tmp/full/run/report.json" && no_temp_files "$tmp/full/run" || ok=1
  free_disk
  return $ok
}
before_compare_full_disk_output() { full_disk; }
after_compare_full_disk_output() {
  local ok=0
  [ ! -e "$tmp/full/out.json" ] && no_temp_files "$tmp/full" || ok=1
  free_disk
  return $ok
}
before_report_full_disk_output() { full_disk; }
after_report_full_disk_output() { after_compare_full_disk_output; }
# Ctrl-C while compare reads tshark's output: exit 130 and the run
# directory as it was (no report, no temporary file), whenever it lands
run_compare_ctrl_c() {
  # job control: its own process group, and SIGINT not ignored as in a
  # script's background job; the group gets it, as from a terminal
  set -m
  "$@" >/dev/null 2>"$tmp/err" &
  local pid=$! i
  set +m
  for i in $(seq 300); do # until tshark runs (its child), at most 30 s
    pgrep -P "$pid" >/dev/null && break
    sleep 0.1
  done
  kill -INT -- "-$pid"
  wait "$pid"
  rc=$?
}
after_compare_ctrl_c() {
  no_temp_files "$tmp/bigrun" &&
    { [ ! -e "$tmp/bigrun/report.json" ] || jqt '.scantrace_report == 1' "$tmp/bigrun/report.json"; } &&
    [ -z "$(pgrep -f "tshark -r $tmp/bigrun")" ]
}
after_scan_no_interface() { [ ! -e "$tmp/nif" ]; }
after_scan_not_root() {
  local d=$tmp/pub/run
  grep -q '^CONN ' "$d/trace.log" && [ ! -e "$d/capture.pcapng" ] &&
    jqt ".privileged == false and .status == \"done\" and ([.hosts[] | select(.verdict == \"up\") | .host] == [\"$UP\"])" "$d/run.json"
}
# a disk full from the start: nothing is sent, no run directory is left;
# one that fills up during the run: exit 3 (above), and the run.json on
# disk does not claim a finished run (still "running" when the last one
# could not be written either, else "failed")
before_scan_full_disk() { full_disk; }
after_scan_full_disk() { gone_and_free "$tmp/full/scan"; }
before_record_full_disk() { full_disk; }
after_record_full_disk() { gone_and_free "$tmp/full/rec"; }
before_scan_disk_fills_up() { full_disk 72; }
after_scan_disk_fills_up() { not_finished_and_free "$tmp/full/scan"; }
before_record_disk_fills_up() { full_disk 72; }
after_record_disk_fills_up() { not_finished_and_free "$tmp/full/rec"; }
gone_and_free() {
  local ok=0
  [ ! -e "$1" ] || { echo "# $1 left behind"; ok=1; }
  free_disk
  return $ok
}
not_finished_and_free() {
  local ok=0
  [ ! -e "$1/run.json" ] || jqt '.status == "running" or .status == "failed"' "$1/run.json" || ok=1
  free_disk
  return $ok
}

# ---- the table -----------------------------------------------------------------
while IFS=$'\t' read -r name needs want pat cmd; do
  case $name in '#'* | '') continue ;; esac
  hook=${name//-/_}
  if [[ $needs == ref:* ]]; then
    [ "$mode" = --lab ] && continue
    check "$name: covered by ${needs#ref:} ($pat)" grep -qF -- "$pat" "${needs#ref:}"
    continue
  fi
  if [ "$mode" = --lab ] && [ "$needs" != lab ]; then continue; fi
  if [ "$mode" != --lab ] && [ "$needs" = lab ]; then continue; fi
  if [ "$needs" = root ] && ! $root; then
    ok "$name # SKIP needs root"
    continue
  fi
  read -ra words <<<"$cmd"
  for i in "${!words[@]}"; do
    w=${words[$i]}
    w=${w//@ST@/$st}
    w=${w//@FX@/$fx}
    w=${w//@TMP@/$tmp}
    w=${w//@NS@/${NS:-}}
    w=${w//@UP@/${UP:-}}
    words[i]=$w
  done
  if declare -F "before_$hook" >/dev/null && ! "before_$hook"; then
    not_ok "$name: setting up"
    continue
  fi
  if declare -F "run_$hook" >/dev/null; then
    "run_$hook" "${words[@]}"
  else
    "${words[@]}" >"$tmp/out" 2>"$tmp/err"
    rc=$?
  fi
  why=""
  [ "$rc" -eq "$want" ] || why="exit $rc, want $want"
  if [ "$pat" = - ]; then
    [ -s "$tmp/err" ] && why+=" stderr not empty"
  elif [[ $pat == +* ]]; then
    if [ ! -s "$tmp/err" ] || grep -vqE -- "${pat#+}" "$tmp/err"; then
      why+=" stderr lines not all matching /${pat#+}/"
    fi
  elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qE -- "$pat" "$tmp/err"; then
    why+=" stderr not one line matching /$pat/"
  fi
  if declare -F "after_$hook" >/dev/null && ! "after_$hook"; then
    why+=" after_$hook failed"
  fi
  if [ -z "$why" ]; then
    ok "$name"
  else
    not_ok "$name:$why"
    sed 's/^/# stderr: /' "$tmp/err" | head -5
  fi
done <tests/bad_input/cases.tsv
tap_done
