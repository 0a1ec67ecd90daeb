#!/usr/bin/env bash
# Rebuilds the seed corpus of every fuzz harness from fixtures/ (the real
# nmap and scantrace runs) and tests/data/: fuzz/corpus/<harness>/, one small
# file per input, named by its SHA-1 as libFuzzer names its own. Run it after
# the fixtures change; scripts/fuzz only reads the result.
# usage: fuzz/seed.sh [SCANTRACE]   (default build/analyzer/scantrace)
set -euo pipefail
cd "$(dirname "$0")/.."
st=${1:-build/analyzer/scantrace}
out=${FUZZ_CORPUS:-fuzz/corpus} # another place: for a look before replacing
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

put() { # put HARNESS FILE: store FILE under its hash
  local h
  h=$(sha1sum <"$2" | cut -c1-40)
  mkdir -p "$out/$1"
  cp "$2" "$out/$1/$h"
}
unhex() { # hex digits on stdin -> bytes on stdout
  local hex
  hex=$(tr -d ' \n')
  # shellcheck disable=SC2001 # pairs of digits: a job for sed
  printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")"
}

rm -rf "$out"
# trace_line: every distinct packet line (all -d levels, CONN, PASS)
cat fixtures/*/*/trace.log tests/data/trace-lines-*.txt | tr -d '\r' |
  grep -E '^(SENT|RCVD|CONN|PASS) ' | sort -u >"$tmp/lines"
while IFS= read -r l; do
  printf '%s' "$l" >"$tmp/one"
  put trace_line "$tmp/one"
done <"$tmp/lines"
# trace_read: whole traces of both dialects, and one with CRLF ends
for t in fixtures/*/*/trace.log; do put trace_read "$t"; done
sed 's/$/\r/' fixtures/nmap-7.93/default-routed/trace.log >"$tmp/crlf"
put trace_read "$tmp/crlf"
# and as PowerShell saves them: UTF-16 with its mark, both byte orders
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE fixtures/nmap-7.93/PE/trace.log; } >"$tmp/u16le"
{ printf '\xfe\xff'; iconv -f UTF-8 -t UTF-16BE fixtures/nmap-7.93/session/trace.log; } >"$tmp/u16be"
put trace_read "$tmp/u16le"
put trace_read "$tmp/u16be"
# decode: every distinct frame of the captures; byte 0 picks the link (0: Ethernet)
for c in fixtures/*/*/capture.pcapng; do
  tshark -r "$c" -T json -x 2>/dev/null | jq -r '.[]._source.layers.frame_raw[0]'
done | sort -u >"$tmp/frames"
while read -r hex; do
  { printf '\0'; unhex <<<"$hex"; } >"$tmp/one"
  put decode "$tmp/one"
  # the same frame without its Ethernet header, as raw IP (byte 0 odd)
  if [ "${hex:24:4}" = 0800 ]; then
    { printf '\1'; unhex <<<"${hex:28}"; } >"$tmp/one"
    put decode "$tmp/one"
  fi
done < <(head -150 "$tmp/frames")
# pcapng: programs writing real frames (fuzz_pcapng.c reads: flags, snaplen,
# per interface a name; per frame interface, time, length, bytes, extra
# length, direction, comment)
i=0
while read -r hex && [ $i -lt 24 ]; do
  len=$((${#hex} / 2))
  {
    printf '\x0a\x01\x00'                                            # 2 ifs, MAC, snaplen 256
    printf '\x04lan0\x04wan0'                                        # names
    printf '%b' "\\x$(printf %02x $((i % 2)))"                       # interface
    printf '\x18\xe9\x2c\x3e\x10\x4f\x4e\x6c'                        # time
    printf '%b' "\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"
    unhex <<<"$hex"
    printf '\x00\x02\x1bscantrace probe=1 mode=echo'                 # out, comment
  } >"$tmp/one"
  put pcapng "$tmp/one"
  i=$((i + 1))
done <"$tmp/frames"
# pcapng_read: the fixtures' captures whole (scantrace's and record's), and cut short
for c in fixtures/*/*/capture.pcapng; do
  [ "$(stat -c %s "$c")" -le 8192 ] || continue
  put pcapng_read "$c"
  head -c 700 "$c" >"$tmp/one"
  put pcapng_read "$tmp/one"
done
# claims: the scanners' real output (tests/data/claims/)
for f in tests/data/claims/*.txt; do put claims "$f"; done
# tshark_ek: the ek lines compare reads, taken from a tshark that tees them
cat >"$tmp/tee-tshark" <<TEE
#!/usr/bin/env bash
case "\$1" in --version) exec tshark --version ;; esac
tshark "\$@" | tee -a "$tmp/ek" "\$EK_OUT"
TEE
chmod +x "$tmp/tee-tshark"
for d in fixtures/*/*/; do
  name=$(basename "$d")
  EK_OUT=$tmp/ek-$name SCANTRACE_TSHARK=$tmp/tee-tshark "$st" compare --no-write --dissector tshark "$d" >/dev/null 2>&1 || true
  # compare: the trace, a separator, the capture's ek documents
  { cat "$d/trace.log"; printf '\n---- capture\n'; grep -v '^{"index"' "$tmp/ek-$name"; } >"$tmp/one"
  put compare "$tmp/one"
done
# ... and captures taken with a filter: the filter and its link type (pcapng's) as a
# "filter LINKTYPE EXPR" line of the capture
for d in tests/data/capture-filter*/ tests/data/capture-filter-judged/*/; do
  [ -f "$d/capture.pcapng" ] || continue
  name=filter-$(basename "$d")
  EK_OUT=$tmp/ek-$name SCANTRACE_TSHARK=$tmp/tee-tshark "$st" compare --no-write --dissector tshark \
    "$d/trace.log" "$d/capture.pcapng" >/dev/null 2>&1 || true
  info=$(capinfos "$d/capture.pcapng")
  lt=$(sed -n 's/.*Encapsulation = .*(.* - \(.*\))$/\1/p' <<<"$info" | head -1)
  case $lt in ether) lt=1 ;; linux-sll) lt=113 ;; linux-sll2) lt=276 ;; rawip) lt=101 ;; *) continue ;; esac
  { cat "$d/trace.log"; printf '\n---- capture\nfilter %s %s\n' "$lt" \
    "$(sed -n 's/^ *Filter string = //p' <<<"$info" | head -1)"; grep -v '^{"index"' "$tmp/ek-$name"; } >"$tmp/one"
  put compare "$tmp/one"
done
# filter: a link type (pcapng's), a capture filter, a trace line, then the bytes that fill
# the bits the line leaves out
while IFS='|' read -r lt f l; do
  printf '%s\n%s\n%s\n\xde\xad\xbe\xef\x00\xff' "$lt" "$f" "$l" >"$tmp/one"
  put filter "$tmp/one"
done <<'SEEDS'
1|tcp port 443|SENT (0.0160s) TCP 198.18.2.1:39109 > 198.18.3.3:443 S ttl=48 id=42827 iplen=44  seq=4225689722 win=1024 <mss 1460>
1|icmp or arp|RCVD (0.0135s) ARP reply 198.18.1.2 is-at 5A:59:23:9C:17:2E
1|host 198.18.1.1|SENT (0.0135s) ARP who-has 198.18.1.2 tell 198.18.1.1
276|ip6 and tcp|SENT (0.0137s) TCP 2001:2:0:2::1:60633 > 2001:2:0:3::2:443 S hopl=255 flow=0 payloadlen=24 seq=2824564807 win=1024 <mss 1460>
113|tcp[tcpflags] & tcp-syn != 0|RCVD (0.0160s) TCP 198.18.3.2:443 > 198.18.2.1:39109 SA ttl=63 id=0 iplen=44  seq=3980095785 win=64240 <mss 1460>
101|host 198.18.3.3 and greater 40|SENT (0.0158s) ICMP [198.18.2.1 > 198.18.3.3 Echo request (type=8/code=0) id=48190 seq=0] IP [ttl=45 id=63362 iplen=28 ]
1|ether host 5a:59:23:9c:17:2e or ip[6] & 0x40 != 0|SENT (0.0122s) UDP 198.18.2.1:43460 > 198.18.3.2:40125 ttl=43 id=55587 iplen=28 
229|icmp6 and ip6[1] & 0xf0 = 0|SENT (0.0136s) ICMPv6 (58) 2001:2:0:2::1 > 2001:2:0:3::2 (type=128/code=0) hopl=255 flow=0 payloadlen=8
SEEDS
grep -v '^{"index"' "$tmp/ek" | sort -u | awk 'NR <= 200' >"$tmp/docs"
while IFS= read -r l; do
  printf '%s\n' "$l" >"$tmp/one"
  put tshark_ek "$tmp/one"
done <"$tmp/docs"
printf '%s\n' '{"index":{"_index":"packets-2026-11-27","_type":"doc"}}' >"$tmp/one"
put tshark_ek "$tmp/one"
# run_json: scan's run.json files, and the drop count of a record run
for j in fixtures/scantrace/*/run.json; do put run_json "$j"; done
# ... and two report.json, as diff reads them (modes a mode at a time, packets left out)
put run_json fixtures/nmap-7.93/PE/expected-report.json
put run_json fixtures/nmap-7.93-ipv6/PE/expected-report.json
printf '{"capture": {"received": 28, "dropped": 5}}\n' >"$tmp/one"
put run_json "$tmp/one"
# scanner_cmd: byte 0 even: a shell's string (every recorded command of the fixtures, and
# strings of several commands); odd: words, one a line
for c in fixtures/*/*/cmd; do
  { printf '\0'; cat "$c"; } >"$tmp/one"
  put scanner_cmd "$tmp/one"
done
for s in 'nmap -n -sn -PE 198.18.3.2 198.18.3.4; sleep 1; nmap -n -sn 198.18.3.3 198.18.3.4' \
  "fping -a 198.18.3.1 2>/dev/null && echo ok
fping -a 198.18.3.2 > out || fping -a '198.18.3.9'" \
  'zmap -p 80 198.19.0.0/30 >> hosts; zmap -p 80 198.19.0.4/30;'; do
  printf '\0%s' "$s" >"$tmp/one"
  put scanner_cmd "$tmp/one"
done
printf '\1timeout\n20\nmasscan\n-p443\n198.18.3.0/29\n--adapter-ip\n198.18.2.1' >"$tmp/one"
put scanner_cmd "$tmp/one"
printf '\1bash\n--rcfile\n/dev/null\n-c\nexec fping -a -g 198.18.3.0/30 | sort' >"$tmp/one"
put scanner_cmd "$tmp/one"
# targets: byte 0 even: specs, newline, exclusions; odd: an -iL file
for s in '198.18.3.2' '198.18.0.0/16 198.18.2.1-20' '198.18.1-2.3 10.0.0.*' \
  '198.18.1,5,7-9.-3.200-.0/30' '198.19.0.0/16
198.19.0.0/24,198.19.1.1' '1.2.3.4/0' '198.18.3.300 a.b.c.d'; do
  printf '\0%s' "$s" >"$tmp/one"
  put targets "$tmp/one"
done
printf '\1198.18.3.2 198.18.3.3 # two hosts\r\n198.18.1.0/30\n# done\n' >"$tmp/one"
put targets "$tmp/one"
for h in "$out"/*/; do echo "$(basename "$h"): $(find "$h" -type f | wc -l) inputs"; done
