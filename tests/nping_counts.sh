# shellcheck shell=bash
# stated_vs_sent TRACE: the hosts of TRACE's nping runs whose statistics ("Probes Sent: N")
# differ from their SENT lines, "HOST STATED SENT" a line (0 stated says nothing: nping
# --arp counts none). Read here from the text with awk, apart from scantrace's readers.
stated_vs_sent() {
  awk '/^Starting Nping/ { np = 1; delete sent } /^Starting Nmap/ { np = 0 }
    np && /^SENT / { for (i = 1; i <= NF; i++) if ($i == ">") { a = $(i + 1); sub(/:.*/, "", a); sent[a]++ } }
    np && /^Statistics for host / { h = $4; sub(/:$/, "", h) }
    np && /Probes Sent:/ && h != "" { n = $4; if (n > 0 && n != sent[h] + 0) print h " " n " " sent[h] + 0; h = "" }' "$1"
}
