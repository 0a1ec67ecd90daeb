/*
 * tshark child and its -T ek stream.
 *
 * tshark is started with an argument vector (no shell) and a fixed list of
 * fields (-e), so its output is one small JSON document per frame; each line
 * is parsed on its own with json-c and turned into a record, so memory holds
 * records, never tshark's whole output. Numbers are read raw: ip.id and the
 * flags in hex, tcp.seq_raw instead of the relative seq. An ICMP error
 * carries two IP headers: the first value of each ip.* field is the outer
 * header, the second the quoted one, and the transport fields belong to the
 * quoted datagram. tshark has no field holding the raw IP option bytes, so
 * records from here know the options' length (ihl) but not their bytes.
 */
#include "tshark_read.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The fields requested from tshark; their ek names have '_' for '.'. */
static const char *const fields[] = {
    "frame.number",
    "frame.time_epoch",
    "frame.comment",
    "frame.packet_flags_direction",
    "frame.cap_len",
    "eth.src",
    "eth.dst",
    "arp.opcode",
    "arp.src.hw_mac",
    "arp.src.proto_ipv4",
    "arp.dst.hw_mac",
    "arp.dst.proto_ipv4",
    "ip.hdr_len",
    "ip.dsfield",
    "ip.len",
    "ip.id",
    "ip.flags",
    "ip.frag_offset",
    "ip.ttl",
    "ip.proto",
    "ip.checksum",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.nxt",
    "ipv6.hlim",
    "ipv6.plen",
    "ipv6.flow",
    "ipv6.tclass",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.hdr_len",
    "tcp.flags",
    "tcp.window_size_value",
    "tcp.checksum",
    "tcp.urgent_pointer",
    "tcp.options",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "udp.checksum",
    "sctp.srcport",
    "sctp.dstport",
    "sctp.verification_tag",
    "sctp.checksum",
    "icmp.type",
    "icmp.code",
    "icmp.checksum",
    "icmp.ident",
    "icmp.seq",
    "icmp.originate_timestamp",
    "icmp.receive_timestamp",
    "icmp.transmit_timestamp",
    "icmp.address_mask",
    "icmp.redir_gw",
    "icmp.mtu",
    "icmp.pointer",
    "icmpv6.type",
    "icmpv6.code",
};
#define NFIELDS (sizeof fields / sizeof fields[0])

/* exec never writes to its argument strings; the vector is just typed char *. */
static char *unconst(const char *s)
{
    return (char *)(uintptr_t)s;
}

static const char *tshark_program(void)
{
    const char *t = getenv("SCANTRACE_TSHARK");
    return t && *t ? t : "tshark";
}

/* ---- child process ----------------------------------------------------- */

struct child {
    pid_t pid;
    int out; /* read end of its stdout */
};

/* Start argv with stdout on a pipe and stderr into `errfd`. */
static int spawn(char *const argv[], int errfd, struct child *ch)
{
    int p[2];
    posix_spawn_file_actions_t fa;

    if (pipe2(p, O_CLOEXEC))
        return errno;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    int rc = posix_spawnp(&ch->pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc) {
        close(p[0]);
        return rc;
    }
    ch->out = p[0];
    return 0;
}

/* Wait for a child: its exit status, or 128 + signal. */
static int reap(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}

/* The last meaningful line tshark wrote on stderr. */
static void last_error_line(int fd, char *buf, size_t size)
{
    char all[4096];
    ssize_t n = pread(fd, all, sizeof all - 1, 0);

    buf[0] = '\0';
    if (n <= 0)
        return;
    all[n] = '\0';
    char *save = NULL;
    for (char *l = strtok_r(all, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(l, "Running as user", 15) || !*l)
            continue;
        if (!strncmp(l, "tshark: ", 8))
            l += 8;
        snprintf(buf, size, "%s", l);
    }
}

/* "tshark 4.0.17" from the first line of `tshark --version`. */
static void read_version(struct st_dissection *c)
{
    char *argv[] = {unconst(tshark_program()), "--version", NULL};
    struct child ch;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    char line[256] = "";

    snprintf(c->dissector, sizeof c->dissector, "tshark");
    if (devnull < 0 || spawn(argv, devnull, &ch)) {
        if (devnull >= 0)
            close(devnull);
        return;
    }
    close(devnull);
    FILE *f = fdopen(ch.out, "r");
    if (f) {
        if (fgets(line, sizeof line, f)) {
            char ver[32];
            const char *v = strstr(line, ") ");
            if (v && sscanf(v + 2, "%31[0-9.]", ver) == 1)
                snprintf(c->dissector, sizeof c->dissector, "tshark %s", ver);
        }
        while (fgets(line, sizeof line, f))
            ;
        fclose(f);
    } else {
        close(ch.out);
    }
    reap(ch.pid);
}

/* ---- field values ------------------------------------------------------ */

struct doc {
    json_object *layers;
};

/* Value `idx` of a field (ek arrays), or NULL. */
static const char *val(const struct doc *d, const char *ekname, size_t idx)
{
    json_object *a;
    if (!json_object_object_get_ex(d->layers, ekname, &a))
        return NULL;
    if (json_object_is_type(a, json_type_array)) {
        if (idx >= json_object_array_length(a))
            return NULL;
        return json_object_get_string(json_object_array_get_idx(a, idx));
    }
    return idx == 0 ? json_object_get_string(a) : NULL;
}

static size_t nvals(const struct doc *d, const char *ekname)
{
    json_object *a;
    if (!json_object_object_get_ex(d->layers, ekname, &a))
        return 0;
    return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 1;
}

static unsigned long num(const struct doc *d, const char *ekname, size_t idx)
{
    const char *s = val(d, ekname, idx);
    return s ? strtoul(s, NULL, 0) : 0;
}

static bool has(const struct doc *d, const char *ekname)
{
    return val(d, ekname, 0) != NULL;
}

static void mac(const char *s, uint8_t out[6])
{
    unsigned m[6];
    if (s && sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6)
        for (int i = 0; i < 6; i++)
            out[i] = (uint8_t)m[i];
}

static uint32_t ip4(const char *s)
{
    uint32_t a = 0;
    if (s)
        st_ip4_parse(s, &a);
    return a;
}

static void ip6(const char *s, uint8_t out[16])
{
    if (s && inet_pton(AF_INET6, s, out) != 1)
        memset(out, 0, 16);
}

/* "1795791728.322449254" -> ns, without going through a double. */
static int64_t epoch_ns(const char *s)
{
    char *e;
    if (!s)
        return 0;
    int64_t sec = strtoll(s, &e, 10), frac = 0, scale = 100000000;
    /* beyond year 2262 the ns count would overflow: saturate (fuzz/regress), at
     * half the range so that differences of two times cannot overflow either */
    const int64_t max_sec = INT64_MAX / 1000000000 / 2;
    sec = sec > max_sec ? max_sec : sec < -max_sec ? -max_sec : sec;
    if (*e == '.')
        for (e++; *e >= '0' && *e <= '9' && scale; e++, scale /= 10)
            frac += (*e - '0') * scale;
    return sec * 1000000000 + frac;
}

/* tcp.options: hex bytes, with or without ':' separators. */
static void tcp_options(const char *s, struct st_tcp *t)
{
    t->optlen = 0;
    for (; s && s[0] && s[1] && t->optlen < ST_MAX_TCPOPT;) {
        if (*s == ':') {
            s++;
            continue;
        }
        char hex[3] = {s[0], s[1], 0};
        t->opts[t->optlen++] = (uint8_t)strtoul(hex, NULL, 16);
        s += 2;
    }
}

static void ipv4_at(const struct doc *d, size_t i, struct st_ipv4 *ip)
{
    ip->ihl = (uint8_t)(num(d, "ip_hdr_len", i) / 4);
    ip->tos = (uint8_t)num(d, "ip_dsfield", i);
    ip->len = (uint16_t)num(d, "ip_len", i);
    ip->id = (uint16_t)num(d, "ip_id", i);
    /* tshark 4.0: ip.flags is the three flag bits (RB DF MF) as a number,
     * ip.frag_offset the offset in 8-byte units, as on the wire */
    ip->frag =
        (uint16_t)((num(d, "ip_flags", i) & 7) << 13 | (num(d, "ip_frag_offset", i) & 0x1fff));
    ip->ttl = (uint8_t)num(d, "ip_ttl", i);
    ip->proto = (uint8_t)num(d, "ip_proto", i);
    ip->csum = (uint16_t)num(d, "ip_checksum", i);
    ip->src = ip4(val(d, "ip_src", i));
    ip->dst = ip4(val(d, "ip_dst", i));
}

static bool icmp_error(unsigned type)
{
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void fill_transport(const struct doc *d, uint8_t proto, struct st_pkt *p)
{
    switch (proto) {
    case ST_IPPROTO_TCP: {
        struct st_tcp *t = &p->l4.tcp;
        t->sport = (uint16_t)num(d, "tcp_srcport", 0);
        t->dport = (uint16_t)num(d, "tcp_dstport", 0);
        t->seq = (uint32_t)num(d, "tcp_seq_raw", 0);
        t->ack = (uint32_t)num(d, "tcp_ack_raw", 0);
        t->off = (uint8_t)(num(d, "tcp_hdr_len", 0) / 4);
        unsigned long fl = num(d, "tcp_flags", 0);
        t->flags = (uint8_t)fl;
        t->res = (uint8_t)((fl >> 8) & 0x0f);
        t->win = (uint16_t)num(d, "tcp_window_size_value", 0);
        t->csum = (uint16_t)num(d, "tcp_checksum", 0);
        t->urp = (uint16_t)num(d, "tcp_urgent_pointer", 0);
        tcp_options(val(d, "tcp_options", 0), t);
        if (!has(d, "tcp_flags"))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    }
    case ST_IPPROTO_UDP:
        p->l4.udp.sport = (uint16_t)num(d, "udp_srcport", 0);
        p->l4.udp.dport = (uint16_t)num(d, "udp_dstport", 0);
        p->l4.udp.len = (uint16_t)num(d, "udp_length", 0);
        p->l4.udp.csum = (uint16_t)num(d, "udp_checksum", 0);
        if (!has(d, "udp_srcport"))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    case ST_IPPROTO_SCTP:
        p->l4.sctp.sport = (uint16_t)num(d, "sctp_srcport", 0);
        p->l4.sctp.dport = (uint16_t)num(d, "sctp_dstport", 0);
        p->l4.sctp.vtag = (uint32_t)num(d, "sctp_verification_tag", 0);
        p->l4.sctp.csum = (uint32_t)num(d, "sctp_checksum", 0);
        if (!has(d, "sctp_srcport"))
            p->flags |= ST_PKT_L4_SHORT;
        break;
    default:
        break;
    }
}

static void fill_icmp(const struct doc *d, struct st_pkt *p)
{
    struct st_icmp *m = &p->l4.icmp;

    if (!has(d, "icmp_type")) {
        p->flags |= ST_PKT_L4_SHORT;
        return;
    }
    m->type = (uint8_t)num(d, "icmp_type", 0);
    m->code = (uint8_t)num(d, "icmp_code", 0);
    m->csum = (uint16_t)num(d, "icmp_checksum", 0);
    m->len = p->l4len;
    if (!icmp_error(m->type)) {
        m->id = (uint16_t)num(d, "icmp_ident", 0);
        m->seq = (uint16_t)num(d, "icmp_seq", 0);
        m->orig = (uint32_t)num(d, "icmp_originate_timestamp", 0);
        m->recv = (uint32_t)num(d, "icmp_receive_timestamp", 0);
        m->trans = (uint32_t)num(d, "icmp_transmit_timestamp", 0);
        m->mask = ip4(val(d, "icmp_address_mask", 0));
        return;
    }
    m->gateway = ip4(val(d, "icmp_redir_gw", 0));
    m->mtu = (uint16_t)num(d, "icmp_mtu", 0);
    m->pointer = (uint8_t)num(d, "icmp_pointer", 0);

    /* The quoted datagram: the second IP header and the transport fields. */
    struct st_quote *q = &m->quote;
    q->len = p->l4len > 8 ? (uint16_t)(p->l4len - 8) : 0;
    if (nvals(d, "ip_src") < 2)
        return;
    q->present = true;
    ipv4_at(d, 1, &q->ip);
    unsigned hl = (unsigned)q->ip.ihl * 4;
    q->l4len = q->len > hl ? (uint16_t)(q->len - hl) : 0;
    switch (q->ip.proto) {
    case ST_IPPROTO_TCP:
        q->sport = (uint16_t)num(d, "tcp_srcport", 0);
        q->dport = (uint16_t)num(d, "tcp_dstport", 0);
        q->seq = (uint32_t)num(d, "tcp_seq_raw", 0);
        break;
    case ST_IPPROTO_UDP:
        q->sport = (uint16_t)num(d, "udp_srcport", 0);
        q->dport = (uint16_t)num(d, "udp_dstport", 0);
        break;
    case ST_IPPROTO_SCTP:
        q->sport = (uint16_t)num(d, "sctp_srcport", 0);
        q->dport = (uint16_t)num(d, "sctp_dstport", 0);
        q->seq = (uint32_t)num(d, "sctp_verification_tag", 0);
        break;
    case ST_IPPROTO_ICMP:
        q->icmp_type = (uint8_t)num(d, "icmp_type", 1);
        q->icmp_code = (uint8_t)num(d, "icmp_code", 1);
        q->icmp_id = (uint16_t)num(d, "icmp_ident", 0);
        q->icmp_seq = (uint16_t)num(d, "icmp_seq", 0);
        break;
    default:
        break;
    }
}

/* One ek document -> one record. */
static void to_record(const struct doc *d, struct st_pkt *p, char **comment)
{
    st_pkt_init(p);
    p->frame = (uint32_t)num(d, "frame_number", 0);
    p->time_ns = epoch_ns(val(d, "frame_time_epoch", 0));
    p->caplen = (uint32_t)num(d, "frame_cap_len", 0);
    p->link = ST_LINK_ETHERNET;
    mac(val(d, "eth_src", 0), p->eth_src);
    mac(val(d, "eth_dst", 0), p->eth_dst);
    const char *dir = val(d, "frame_packet_flags_direction", 0);
    if (dir) {
        unsigned long f = strtoul(dir, NULL, 0) & 3;
        p->dir = f == 1 ? ST_DIR_RCVD : f == 2 ? ST_DIR_SENT : ST_DIR_NONE;
    }
    const char *c = val(d, "frame_comment", 0);
    *comment = c ? strdup(c) : NULL;

    if (has(d, "arp_opcode")) {
        p->net = ST_NET_ARP;
        p->arp.hrd = 1;
        p->arp.pro = 0x0800;
        p->arp.hln = 6;
        p->arp.pln = 4;
        p->arp.op = (uint16_t)num(d, "arp_opcode", 0);
        mac(val(d, "arp_src_hw_mac", 0), p->arp.sha);
        mac(val(d, "arp_dst_hw_mac", 0), p->arp.tha);
        p->arp.spa = ip4(val(d, "arp_src_proto_ipv4", 0));
        p->arp.tpa = ip4(val(d, "arp_dst_proto_ipv4", 0));
        return;
    }
    if (has(d, "ip_src")) {
        p->net = ST_NET_IPV4;
        ipv4_at(d, 0, &p->ip);
        p->proto = p->ip.proto;
        unsigned hl = (unsigned)p->ip.ihl * 4;
        p->l4len = p->ip.len > hl ? (uint16_t)(p->ip.len - hl) : 0;
        if (p->ip.frag & 0x1fff) {
            p->flags |= ST_PKT_FRAGMENT;
            return;
        }
    } else if (has(d, "ipv6_src")) {
        p->net = ST_NET_IPV6;
        ip6(val(d, "ipv6_src", 0), p->ip6.src);
        ip6(val(d, "ipv6_dst", 0), p->ip6.dst);
        p->ip6.nh = (uint8_t)num(d, "ipv6_nxt", 0);
        p->ip6.hopl = (uint8_t)num(d, "ipv6_hlim", 0);
        p->ip6.plen = (uint16_t)num(d, "ipv6_plen", 0);
        p->ip6.flow = (uint32_t)num(d, "ipv6_flow", 0);
        p->ip6.tclass = (uint8_t)num(d, "ipv6_tclass", 0);
        p->proto = p->ip6.nh;
        p->l4len = p->ip6.plen;
        if (p->proto == ST_IPPROTO_ICMPV6) {
            p->l4.icmp.type = (uint8_t)num(d, "icmpv6_type", 0);
            p->l4.icmp.code = (uint8_t)num(d, "icmpv6_code", 0);
        }
    } else {
        p->net = ST_NET_OTHER;
        return;
    }
    if (p->proto == ST_IPPROTO_ICMP && p->net == ST_NET_IPV4)
        fill_icmp(d, p);
    else
        fill_transport(d, p->proto, p);
}

enum st_ek_rc st_tshark_ek_line(const char *line, struct st_pkt *p, char **comment)
{
    if (!strncmp(line, "{\"index\"", 8))
        return ST_EK_SKIP;
    json_object *o = json_tokener_parse(line);
    json_object *layers;
    if (!o || !json_object_object_get_ex(o, "layers", &layers)) {
        json_object_put(o);
        return ST_EK_BAD;
    }
    struct doc d = {layers};
    to_record(&d, p, comment);
    json_object_put(o);
    return ST_EK_RECORD;
}

/* ---- the read ---------------------------------------------------------- */

static void push(struct st_dissection *c, const struct st_pkt *p, char *comment)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        struct st_pkt *f = realloc(c->frames, cap * sizeof *f);
        char **cm = realloc(c->comments, cap * sizeof *cm);
        if (!f || !cm)
            abort();
        c->frames = f;
        c->comments = cm;
        c->cap = cap;
    }
    c->frames[c->n] = *p;
    c->comments[c->n] = comment;
    c->n++;
}

enum st_tshark_rc st_tshark_read(const char *path, struct st_dissection *c, char *err, size_t errsz)
{
    memset(c, 0, sizeof *c);
    struct stat sb;
    if (stat(path, &sb)) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return ST_TSHARK_BAD_INPUT;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errsz, "%s: not a regular file", path);
        return ST_TSHARK_BAD_INPUT;
    }
    if (sb.st_size == 0) { /* tshark reads an empty file as zero frames */
        snprintf(err, errsz, "%s: empty file, not a capture", path);
        return ST_TSHARK_BAD_INPUT;
    }

    /* argv: tshark -r PATH -n -T ek -e f1 -e f2 ... */
    char *argv[8 + 2 * NFIELDS];
    size_t k = 0;
    argv[k++] = unconst(tshark_program());
    argv[k++] = "-r";
    argv[k++] = unconst(path);
    argv[k++] = "-n";
    argv[k++] = "-T";
    argv[k++] = "ek";
    for (size_t i = 0; i < NFIELDS; i++) {
        argv[k++] = "-e";
        argv[k++] = unconst(fields[i]);
    }
    argv[k] = NULL;

    char errpath[] = "/tmp/scantrace-tshark-XXXXXX";
    int errfd = mkostemp(errpath, O_CLOEXEC);
    if (errfd < 0) {
        snprintf(err, errsz, "cannot create a temporary file: %s", strerror(errno));
        return ST_TSHARK_ENVIRONMENT;
    }
    unlink(errpath);

    struct child ch;
    int rc = spawn(argv, errfd, &ch);
    if (rc) {
        close(errfd);
        if (rc == ENOENT)
            snprintf(err, errsz, "%s: not found (install tshark: scripts/deps)", argv[0]);
        else
            snprintf(err, errsz, "cannot start %s: %s", argv[0], strerror(rc));
        return ST_TSHARK_ENVIRONMENT;
    }

    FILE *out = fdopen(ch.out, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long docs = 0;
    bool bad_json = false;
    while (out && (n = getline(&line, &cap, out)) > 0) {
        struct st_pkt p;
        char *comment;
        enum st_ek_rc ek = st_tshark_ek_line(line, &p, &comment);
        if (ek == ST_EK_SKIP)
            continue;
        if (ek == ST_EK_BAD) {
            bad_json = true;
            break;
        }
        push(c, &p, comment);
        docs++;
    }
    free(line);
    if (out)
        fclose(out);
    else
        close(ch.out);
    if (bad_json)
        kill(ch.pid, SIGTERM);
    int status = reap(ch.pid);

    char last[256];
    last_error_line(errfd, last, sizeof last);
    close(errfd);
    enum st_tshark_rc result = ST_TSHARK_OK;
    /* cut-off output from a tshark that was killed is its death, not its output */
    if (status >= 128 && (!bad_json || status != 128 + SIGTERM)) {
        snprintf(err, errsz, "%s: tshark was killed by signal %d after %lu frames", path,
                 status - 128, docs);
        result = ST_TSHARK_ENVIRONMENT;
    } else if (bad_json) {
        snprintf(err, errsz, "%s: frame %lu: tshark wrote output scantrace cannot read", path,
                 docs + 1);
        result = ST_TSHARK_ENVIRONMENT;
    } else if (status != 0) {
        snprintf(err, errsz, "%s: tshark: %s", path, last[0] ? last : "failed");
        result = ST_TSHARK_BAD_INPUT;
    }
    if (result != ST_TSHARK_OK) {
        st_dissection_free(c);
        return result;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->frames[i].dir != ST_DIR_NONE)
            c->have_direction = true;
    read_version(c);
    return ST_TSHARK_OK;
}

void st_dissection_free(struct st_dissection *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->comments[i]);
    free(c->comments);
    free(c->frames);
    memset(c, 0, sizeof *c);
}
