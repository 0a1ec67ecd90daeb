#!/usr/bin/env bash
# tests/lab/test_privileges.sh SCANTRACE: scan gives up root once its raw
# socket, packet sockets and capture handles are open (--user, default
# nobody), in a private lab. TAP; skipped without root. (The memcheck of a
# privileged scan is tests/lab/test_memcheck_scan.sh.)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require jq tshark
lab_start stpriv
up=$(scripts/lab addr routed-up)
l2=$(scripts/lab addr l2-up)
nobody=$(id -u nobody)

# the default: root for the sockets, then nobody; ARP (packet socket) and IP probes both work
ip netns exec "$ns" "$st" scan -o "$tmp/run" "$up" "$l2" >/dev/null 2>"$tmp/err"
check "scan as root: exit 0" test $? -eq 0
check "run.json: root dropped, now nobody, no capability left" jqt \
  ".user.root_dropped == true and .user.name == \"nobody\" and .user.uid == $nobody and .user.cap_eff == \"0000000000000000\" and .privileged == true" "$tmp/run/run.json"
check "both hosts up (IP probe and ARP after the drop)" jqt \
  "[.hosts[] | select(.verdict == \"up\")] | length == 2" "$tmp/run/run.json"
check "the run directory is nobody's (run.json replaced after the drop)" \
  test "$(stat -c %U "$tmp/run")" = nobody -a "$(stat -c %U "$tmp/run/run.json")" = nobody
"$st" compare "$tmp/run" >/dev/null 2>&1
check "trace and capture consistent" test $? -eq 0

# while it probes: the process is nobody, with no capability (read from /proc)
ip netns exec "$ns" "$st" scan -PE --max-rate 20 -o "$tmp/slow" 198.19.0.0/26 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do # until it has sent (at most 10 s)
  grep -q '^SENT ' "$tmp/slow/trace.log" 2>/dev/null && break
  sleep 0.1
done
# every thread (the capture thread too: setuid must reach it)
tasks=$(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
status=$(cat "/proc/$pid"/task/*/status 2>/dev/null)
check "mid-scan: $tasks threads, every uid of each is nobody's" test "$tasks" -ge 2 -a \
  "$(grep -cE "^Uid:[[:space:]]+${nobody}[[:space:]]+${nobody}[[:space:]]+${nobody}[[:space:]]+${nobody}$" <<<"$status")" -eq "$tasks"
check "mid-scan: no thread has a permitted capability" \
  test "$(grep -cE '^CapPrm:[[:space:]]+0+$' <<<"$status")" -eq "$tasks"
kill -INT "$pid"
wait "$pid"
check "mid-scan: SIGINT still finishes the files as nobody (exit 130)" test $? -eq 130
check "mid-scan: run.json says interrupted" jqt '.status == "interrupted" and .user.root_dropped' "$tmp/slow/run.json"

ip netns exec "$ns" "$st" scan --user root -o "$tmp/root" "$up" >/dev/null 2>&1
check "--user root: stays root" jqt '.user.root_dropped == false and .user.uid == 0' "$tmp/root/run.json"
ip netns exec "$ns" "$st" scan --unprivileged -o "$tmp/conn" "$up" >/dev/null 2>&1
check "--unprivileged as root: connect() pings as nobody" jqt \
  '.user.root_dropped == true and (.hosts[0].verdict == "up")' "$tmp/conn/run.json"
ip netns exec "$ns" "$st" scan --user nosuchuser -o "$tmp/nouser" "$up" >/dev/null 2>"$tmp/err"
check "--user nosuchuser: exit 2, one line" test $? -eq 2 -a "$(wc -l <"$tmp/err")" -eq 1
check "--user nosuchuser: nothing created" test ! -e "$tmp/nouser"

scripts/lab down --prefix "$P" >/dev/null 2>&1
check "no namespace of this test is left" bash -c "! ip netns list | grep -q '^$P'"
tap_done
