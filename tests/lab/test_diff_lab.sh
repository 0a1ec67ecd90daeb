#!/usr/bin/env bash
# scantrace diff on live runs in a private lab: nmap and scantrace on the same
# targets and mode are equal; the same mode before and after a firewall rule
# differs exactly by the replies the rule drops (and the retries they cause).
# usage: tests/lab/test_diff_lab.sh SCANTRACE        (TAP; skipped without root)
set -uo pipefail

st=$(realpath "$1")
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require nmap
lab_start std
a() { scripts/lab addr "$1" --prefix "$P"; }
ROUTED="$(a routed-up) $(a routed-noecho) $(a routed-drop)"

for m in "default|" "echo|-PE" "timestamp|-PP" "syn|-PS22,443" "udp|-PU"; do
  IFS='|' read -r name opts <<<"$m"
  # shellcheck disable=SC2086 # words
  ip netns exec "$ns" "$st" record -o "$tmp/nmap-$name" -- nmap -n -sn --packet-trace $opts $ROUTED >/dev/null 2>&1
  # shellcheck disable=SC2086
  ip netns exec "$ns" "$st" scan $opts -o "$tmp/st-$name" $ROUTED >/dev/null 2>&1
  "$st" diff "$tmp/nmap-$name" "$tmp/st-$name" >"$tmp/diff-$name" 2>&1
  rc=$?
  check "nmap and scantrace, mode $name: equal (exit 0)" test "$rc" -eq 0
  [ "$rc" -eq 0 ] || sed 's/^/# /' "$tmp/diff-$name"
done

# a firewall rule on routed-up: echo requests dropped
up=$(a routed-up)
ip netns exec "$ns" "$st" scan -PE -o "$tmp/before" "$up" >/dev/null 2>&1
r1=$(scripts/lab ns routed-up --prefix "$P")
ip netns exec "$r1" nft add table inet difftest
ip netns exec "$r1" nft add chain inet difftest in '{ type filter hook input priority -10; }'
ip netns exec "$r1" nft add rule inet difftest in icmp type echo-request drop
ip netns exec "$ns" "$st" scan -PE -o "$tmp/after" "$up" >/dev/null 2>&1
"$st" diff -f json "$tmp/before" "$tmp/after" >"$tmp/fw.json"
check "firewall: before and after differ (exit 1)" test $? -eq 1
# shellcheck disable=SC2016 # $h is jq's
check "firewall: the host went from up to down" \
  quiet jq -e --arg h "$up" '.modes[0].hosts[] | select(.host == $h) | .a.verdict == "up" and .b.verdict == "down"' "$tmp/fw.json"
check "firewall: removed exactly the dropped reply" \
  test "$(jq -r '[.modes[0].hosts[0].removed[].packet] | join(",")' "$tmp/fw.json")" = "rcvd ICMP echo reply"
check "firewall: added only the retry the silence caused" \
  test "$(jq -r '[.modes[0].hosts[0].added[] | "\(.packet) x\(.count)"] | join(",")' "$tmp/fw.json")" = "sent ICMP echo request x1"
ip netns exec "$r1" nft delete table inet difftest

tap_done
