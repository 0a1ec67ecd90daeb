# shellcheck shell=bash
# capture_run NS DIR CMD...: runs CMD inside network namespace NS while tshark
# captures the scanner's lab interfaces (lan0, wan0) into DIR/capture.pcapng;
# CMD's output goes to DIR/trace.log and the command line to DIR/cmd.
# Stand-in for `scantrace record` until that command exists.
capture_run() {
  local ns=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  rm -f "$dir/capture.pcapng" "$dir/trace.log"
  printf '%s\n' "$*" >"$dir/cmd"

  local err tpid
  err=$(mktemp)
  ip netns exec "$ns" tshark -q -n -i lan0 -i wan0 -w "$dir/capture.pcapng" 2>"$err" &
  tpid=$!
  # tshark says "Capturing on" once every interface is live.
  for _ in $(seq 100); do
    grep -q 'Capturing on' "$err" && break
    sleep 0.05
  done
  if ! grep -q 'Capturing on' "$err"; then
    cat "$err" >&2
    kill "$tpid" 2>/dev/null || true
    rm -f "$err"
    echo "tshark did not start" >&2
    return 1
  fi
  # "Capturing on" comes before dumpcap is really reading every interface:
  # under load the first frames were lost without this pause.
  sleep 1
  local rc=0
  ip netns exec "$ns" "$@" >"$dir/trace.log" 2>&1 || rc=$?
  sleep 0.5 # late replies and the kernel's RSTs
  kill -INT "$tpid"
  wait "$tpid" || true
  rm -f "$err"
  return $rc
}
