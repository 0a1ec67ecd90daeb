#!/usr/bin/env bash
# tests/lab/test_shards.sh SCANTRACE: a sharded sweep (scan --shards N --shard I) and its
# merge. The sweep block's /18 is swept as 4 shards at once in the lab's scanner namespace;
# the shards must partition it (no address twice, none left out), and `scantrace merge`
# must make one run of them that compare judges whole: all 16,384 hosts up, nothing
# trace-only. Then what merge must refuse. TAP; the lab is torn down on exit.
set -euo pipefail
ST=$(realpath "${1:?usage: test_shards.sh PATH-TO-scantrace}")
cd "$(dirname "$0")/../.."

# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh
lab_require tshark python3
lab_start stsh

# the first /18 of the lab's sweep block (every address answers)
block=$(scripts/lab addr sweep-block)
SWEEP=${block%/*}/18
N=4
in_scan() { ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------- the shards, in parallel
# Each shard is held to 1,500 probes/s (about 3 s for its 4,096 hosts) so that the four
# sweeps overlap in time even when the machine is loaded and the shards start a second
# apart: unthrottled, a shard takes ~50 ms, and shards that never overlap capture none of
# each other's frames, which the checks of shard 1's own compare below need.
pids=()
for i in $(seq 0 $((N - 1))); do
  in_scan "$ST" scan -PE --max-rate 1500 --shards "$N" --shard "$i" -o "$tmp/s$i" "$SWEEP" >"$tmp/s$i.out" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  check "shard $i of $N exits 0" wait "${pids[$i]}"
done

# hosts PY-EXPR RUNDIR...: evaluates PY-EXPR with `runs` (run.json of each) and `hosts`
# (each run's list of host addresses)
py() {
  python3 - "$@" <<'PY'
import json, sys
expr, dirs = sys.argv[1], sys.argv[2:]
runs = [json.load(open(d + "/run.json")) for d in dirs]
hosts = [[h["host"] for h in r["hosts"]] for r in runs]
sys.exit(0 if eval(expr) else 1)
PY
}
shards=()
for i in $(seq 0 $((N - 1))); do shards+=("$tmp/s$i"); done
check "each shard's run.json names its shard and the whole sweep" \
  py 'all(r["shard"]["count"] == 4 and r["shard"]["index"] == i and r["shard"]["sweep_unique"] == 16384 for i, r in enumerate(runs))' "${shards[@]}"
check "no address is in two shards" py 'len(set(sum(hosts, []))) == sum(len(h) for h in hosts)' "${shards[@]}"
check "together the shards hold all 16,384 addresses of $SWEEP" \
  py 'set(sum(hosts, [])) == {str(a) for a in __import__("ipaddress").ip_network("'"$SWEEP"'")}' "${shards[@]}"
check "the shards are within one address of each other" \
  py 'max(map(len, hosts)) - min(map(len, hosts)) <= 1' "${shards[@]}"
check "every shard's scan says it is a shard" grep -q "shard 2 of 4" "$tmp/s2.out"

# ---------------------------------------------------------------- each shard's own compare
# the shards ran at once from one host: each capture holds the others' frames too
"$ST" compare -f json "$tmp/s1" >"$tmp/s1.json" 2>/dev/null && rc=0 || rc=$?
# causes_are FILE RC PY-EXPR: compare exited 0 and PY-EXPR holds of the report's causes
# (a dict `c`); on failure says what they were, so that a CI log tells what was there
causes_are() {
  python3 - "$@" <<'PY'
import json, sys
path, rc, expr = sys.argv[1:4]
c = json.load(open(path))["summary"]["causes"] if rc == "0" else None
if rc == "0" and eval(expr):
    sys.exit(0)
print("# compare exit %s, causes %s" % (rc, c))
sys.exit(1)
PY
}
check "a shard's own compare is consistent: the other shards' frames are other-shard" \
  causes_are "$tmp/s1.json" "$rc" 'c.get("other-shard", 0) > 0 and "unknown" not in c'
# a sweep that cannot be rebuilt (its specs changed since): no guess that they are other
# shards'; they are probes to addresses the run never traced, another program's to it:
# background (they were unknown before compare knew the host's other traffic). Shard 1's
# run, whose capture holds the others' frames (checked just above)
cp -r "$tmp/s1" "$tmp/s2x"
python3 - "$tmp/s2x/run.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["targets"] = [t.replace("/18", "/19") for t in r["targets"]]
json.dump(r, open(sys.argv[1], "w"))
PY
rc=0
"$ST" compare -f json "$tmp/s2x" >"$tmp/s2x.json" 2>/dev/null || rc=$?
check "a shard whose sweep cannot be rebuilt: the others' frames background, not other-shard" \
  causes_are "$tmp/s2x.json" "$rc" 'c.get("background", 0) > 0 and "other-shard" not in c and "unknown" not in c'

# ---------------------------------------------------------------- the merge, and compare of it
check "merge of the 4 shards exits 0" quiet "$ST" merge -o "$tmp/m" "${shards[@]}"
# frames FILE: one line per frame (time, length, addresses, IP id); inversions FILE: how
# many frames are stamped earlier than the one before them
frames() { tshark -r "$1" -T fields -e frame.time_epoch -e frame.len -e ip.src -e ip.dst -e ip.id 2>/dev/null; }
inversions() { frames "$1" | awk '{ if (p != "" && $1 < p) c++; p = $1 } END { print c + 0 }'; }
distinct=$(for s in "${shards[@]}"; do frames "$s/capture.pcapng"; done | sort -u | wc -l)
check "the merged capture holds each frame of the shards once ($distinct; shards swept at once see each other's)" \
  [ "$(frames "$tmp/m/capture.pcapng" | sort -u | wc -l)" -eq "$distinct" ]
check "... and nothing twice" [ "$(frames "$tmp/m/capture.pcapng" | wc -l)" -eq "$distinct" ]
inv=0
for s in "${shards[@]}"; do inv=$((inv + $(inversions "$s/capture.pcapng"))); done
check "the merged capture is in time order (but for the shards' own $inv inversions)" \
  [ "$(inversions "$tmp/m/capture.pcapng")" -le "$inv" ]
check "the merged trace has every shard's packet lines" \
  [ "$(grep -c '^SENT\|^RCVD' "$tmp/m/trace.log")" -eq "$(cat "${shards[@]/%//trace.log}" | grep -c '^SENT\|^RCVD')" ]
"$ST" compare -f json "$tmp/m" >"$tmp/m.json" 2>"$tmp/m.err" && rc=0 || rc=$?
check "compare of the merged run exits 0 (consistent)" [ "$rc" -eq 0 ]
judged() {
  python3 - "$tmp/m.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
hosts = [h for m in d["modes"] for h in m["hosts"]]
s = d["summary"]
ok = (len(hosts) == 16384 and all(h["verdict"] == "up" for h in hosts)
      and s["trace_only"] == 0 and s["judged"] == 16384 and s["unjudged"] == 0)
print("# %d hosts, %d up, %d trace-only, judged %d" % (len(hosts),
      sum(h["verdict"] == "up" for h in hosts), s["trace_only"], s["judged"]))
sys.exit(0 if ok else 1)
PY
}
check "compare judges all 16,384 hosts up with nothing trace-only" judged
check "run.json of the merge: 4 of 4 merged, none missing, target count summed" \
  py 'runs[0]["shard"]["merged"] == [0, 1, 2, 3] and runs[0]["shard"]["missing"] == [] and runs[0]["target_count"] == 16384 and len(runs[0]["merged_from"]) == 4' "$tmp/m"

# ---------------------------------------------------------------- what merge refuses
refused() { # refused DESC ARGS...: exit 2, one line on stderr, no output directory left
  local out rc=0
  out=$("$ST" merge -o "$tmp/bad" "$@" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" -ne 2 ] || [ "$(wc -l <<<"$out")" -ne 1 ] || [ -e "$tmp/bad" ]; then
    echo "# rc=$rc: $out"
    return 1
  fi
}
check "merge refuses the same shard twice" refused "$tmp/s0" "$tmp/s1" "$tmp/s1"
in_scan "$ST" scan -PE --shards 4 --shard 3 -o "$tmp/other" "${block%/*}/24" >/dev/null 2>&1
check "merge refuses a shard of another sweep" refused "$tmp/s0" "$tmp/other"
in_scan "$ST" scan -PE -o "$tmp/plain" "${block%.*/*}.1" >/dev/null 2>&1
check "merge refuses a run that is not a shard" refused "$tmp/s0" "$tmp/plain"
check "merge refuses a directory that is not a run" refused "$tmp/s0" "$tmp"
rc=0
"$ST" merge -o "$tmp/m" "$tmp/s0" >/dev/null 2>&1 || rc=$?
check "merge refuses an existing, non-empty output directory (exit 2)" [ "$rc" -eq 2 ]
cp -r "$tmp/s1" "$tmp/cut"
truncate -s 5000 "$tmp/cut/capture.pcapng"
rc=0
err=$("$ST" merge -o "$tmp/bad" "$tmp/s0" "$tmp/cut" 2>&1 >/dev/null) || rc=$?
check "merge refuses a shard whose capture is cut short: exit 2, one line naming the file and the byte" \
  bash -c "[ $rc -eq 2 ] && [ ! -e '$tmp/bad' ] && grep -q '^scantrace merge: $tmp/cut/capture.pcapng: block at byte [0-9]*: cut short' <<<'$err'"
# a host of a shard that is not JSON: found while the hosts are copied (each
# is parsed, none is copied unread), after the trace and the capture were
# merged: still exit 2, one line naming the shard and the line, nothing left
cp -r "$tmp/s1" "$tmp/badhost"
python3 - "$tmp/badhost/run.json" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read()
i = t.index('"verdict": "up"', len(t) // 2)
open(p, "w").write(t[:i] + '"verdict": up' + t[i + len('"verdict": "up"'):])
PY
rc=0
err=$("$ST" merge -o "$tmp/bad" "$tmp/s0" "$tmp/badhost" 2>&1 >/dev/null) || rc=$?
check "merge refuses a shard whose host is not JSON: exit 2, one line naming the shard and its line" \
  bash -c "[ $rc -eq 2 ] && [ ! -e '$tmp/bad' ] && [ \$(wc -l <<<'$err') -eq 1 ] && grep -q '^scantrace merge: $tmp/badhost: run.json: not valid JSON (line [0-9]*: ' <<<'$err'"
"$ST" merge -o "$tmp/part" "$tmp/s3" "$tmp/s1" >/dev/null 2>"$tmp/part.err" && rc=0 || rc=$?
check "a merge with shards missing exits 0 and says which are missing" \
  bash -c "[ $rc -eq 0 ] && grep -q '2 of the sweep.s 4 shards missing' '$tmp/part.err'"
check "its run.json lists shards 0 and 2 as missing" \
  py 'runs[0]["shard"]["missing"] == [0, 2] and runs[0]["shard"]["merged"] == [1, 3]' "$tmp/part"
# (compare said consistent of half a sweep, and report -f junit had no failure)
"$ST" compare --no-write "$tmp/part" >"$tmp/part.cmp" 2>&1 && rc=0 || rc=$?
check "compare of it: UNJUDGED, naming the missing shards, exit 1" \
  bash -c "[ $rc -eq 1 ] && grep -q 'UNJUDGED: .*2 of 4 shards of the sweep missing (shard 0...)' '$tmp/part.cmp'"


# ---------------------------------------------------------------- an IPv6 sweep's shards
# -6 shards its targets as scan's engine carries them (each address's key); a shard's
# compare must rebuild that sweep too, or the other shards' frames are only background.
# 1,024 addresses of the IPv6 sweep block in 3 shards at once, each held to 400 probes/s
# (about 0.9 s) so that they overlap.
block6=$(scripts/lab addr sweep-block6)
SWEEP6=${block6%/*}/118
pids=()
for i in 0 1 2; do
  in_scan "$ST" scan -6 -PE --max-rate 400 --shards 3 --shard "$i" -o "$tmp/v$i" "$SWEEP6" >"$tmp/v$i.out" 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  check "IPv6 shard $i of 3 exits 0" wait "${pids[$i]}"
done
rc=0
"$ST" compare -f json "$tmp/v1" >"$tmp/v1.json" 2>/dev/null || rc=$?
check "an IPv6 shard's own compare: the other shards' frames are other-shard, not background" \
  causes_are "$tmp/v1.json" "$rc" 'c.get("other-shard", 0) > 0 and "background" not in c and "unknown" not in c'
check "merge of the 3 IPv6 shards exits 0" quiet "$ST" merge -o "$tmp/m6" "$tmp/v0" "$tmp/v1" "$tmp/v2"
rc=0
"$ST" compare -f json "$tmp/m6" >"$tmp/m6.json" 2>/dev/null || rc=$?
all_up6() {
  python3 - "$tmp/m6.json" "$rc" <<'PY'
import json, sys
if sys.argv[2] != "0":
    print("# compare exit %s" % sys.argv[2])
    sys.exit(1)
d = json.load(open(sys.argv[1]))
hosts = [h for m in d["modes"] for h in m["hosts"]]
s = d["summary"]
up = sum(h["verdict"] == "up" for h in hosts)
print("# %d hosts, %d up, judged %d, causes %s" % (len(hosts), up, s["judged"], s["causes"]))
sys.exit(0 if len(hosts) == 1024 and up == 1024 and s["judged"] == 1024 and s["trace_only"] == 0 else 1)
PY
}
check "compare of the IPv6 merge: consistent, all 1,024 hosts judged up" all_up6

tap_done
