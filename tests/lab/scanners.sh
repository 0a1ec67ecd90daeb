# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # st, ns, tmp come from the test; rec, cmp are for it
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
# What the tests of other scanners share (test_scanners.sh, test_scanners_wire.sh),
# with lab.sh (and its TAP helpers); its functions are for after lab_start: `eq DESC GOT WANT`; `run NAME CMD...` records CMD in the
# scan namespace and compares it ($rec, $cmp: their exit codes; $tmp/NAME/report.json);
# `j NAME FILTER` a value of its report.json; `verdict NAME HOST` ("up reason");
# `gateway_mac` the gateway's MAC, asked for until the kernel has it (zmap and masscan
# write Ethernet frames themselves); `wire NAME FILTER FIELD` the distinct values of
# FIELD (its first occurrence) in the frames of NAME's capture that tshark's FILTER
# selects, one a line, sorted.

eq() { # eq DESC GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else
    not_ok "$1 (got '$2', want '$3')"
    show_last_run
  fi
}

# After a failed check, the last run's trace and compare output on stderr: meson prints
# a failed test's stderr, and a CI machine keeps nothing else of the run
show_last_run() {
  [ -n "${last_run:-}" ] || return 0
  {
    echo "--- $last_run: $tmp/$last_run/trace.log (first 40 lines)"
    head -n 40 "$tmp/$last_run/trace.log"
    echo "--- $last_run: record's output"
    head -n 20 "$tmp/$last_run.out"
    echo "--- $last_run: compare (first 60 lines)"
    head -n 60 "$tmp/$last_run.txt"
    echo "--- $last_run: the capture"
    tshark -r "$tmp/$last_run/capture.pcapng" -n 2>/dev/null | head -n 30
  } >&2
}

in_scan() { ip netns exec "$ns" "$@"; }

# zmap 2.1.1 (Debian 12) now and then aborts in its own target permutation
# ("constraint_lookup_index: Assertion `index < con->root->count' failed",
# exit 134) before it sends anything: that run is zmap's bug, not ours, so
# it is run again (3 tries at most; the abort is said either way).
run() {
  local name=$1 try
  shift
  for try in 1 2 3; do
    rm -rf "${tmp:?}/$name"
    in_scan "$st" record -o "$tmp/$name" -- "$@" >"$tmp/$name.out" 2>&1
    rec=$?
    if [ "$1" != zmap ] || [ "$rec" != 134 ] ||
      ! grep -q 'constraint_lookup_index: Assertion' "$tmp/$name.out"; then
      break
    fi
    echo "# $name: zmap aborted in its constraint lookup (zmap 2.1.1's bug), try $try"
  done
  "$st" compare "$tmp/$name" >"$tmp/$name.txt" 2>&1
  cmp=$?
  last_run=$name
}

j() { jq -r "$2" "$tmp/$1/report.json"; }

verdict() { j "$1" ".modes[0].hosts[] | select(.host == \"$2\") | \"\(.verdict) \(.reason)\""; }

# a loaded machine may miss one ping: asked up to 5 times
gateway_mac() {
  local gw mac=
  gw=$(scripts/lab addr gateway)
  for _ in 1 2 3 4 5; do
    in_scan ping -c 1 -W 2 "$gw" >/dev/null
    mac=$(in_scan ip neigh show "$gw" | grep -oE 'lladdr [0-9a-f:]{17}' | cut -d' ' -f2)
    [ -z "$mac" ] || break
  done
  echo "$mac"
}

wire() {
  # the outer header's field: an ICMP error's quote holds another of each
  tshark -r "$tmp/$1/capture.pcapng" -Y "$2" -T fields -E occurrence=f -e "$3" 2>/dev/null |
    sort -u | sed '/^$/d'
}
