/*
 * probe_sender OUT.pcapng IFACE DST: a stand-in for `scantrace scan` that
 * drives the capture's comment API with real packets. It captures IFACE into
 * OUT.pcapng, then sends through a raw socket a mix of ICMP echo, UDP and
 * TCP SYN packets to DST: the even-numbered ones registered as probes first
 * (st_capture_expect_probe), the odd ones not ("decoys" with their own
 * identities), plus two probes with the same identity sent twice (their
 * comments must land in order) and one registered but never sent.
 *
 * Prints, for each registered probe that was sent, "COMMENT<TAB>IPID" with
 * the IP id as tshark prints it (0x....), then "unmatched=N". The lab test
 * compares that with what tshark reads from the file. Needs root (raw
 * socket, capture); run it inside a lab namespace.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "packet.h"

enum kind { ECHO, UDP, SYN };
static const char *const kind_name[] = {"echo", "udp", "syn"};

static uint16_t csum(const uint8_t *b, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* An IPv4 packet of `kind`; every identity field derives from `n`. */
static size_t build(uint8_t *b, enum kind kind, unsigned n, uint32_t src, uint32_t dst)
{
    static const uint8_t proto[] = {1, 17, 6};
    static const size_t l4len[] = {8, 8, 20};
    size_t len = 20 + l4len[kind];
    memset(b, 0, len);
    b[0] = 0x45;
    put16(b + 2, (uint16_t)len);
    put16(b + 4, (uint16_t)(0x5100 + n)); /* IP id */
    b[8] = 64;
    b[9] = proto[kind];
    put32(b + 12, src);
    put32(b + 16, dst);
    put16(b + 10, csum(b, 20, 0));
    uint8_t *l4 = b + 20;
    /* pseudo header sum for UDP and TCP */
    uint32_t ph = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto[kind] +
                  (uint32_t)l4len[kind];
    switch (kind) {
    case ECHO:
        l4[0] = 8;
        put16(l4 + 4, (uint16_t)(0x6100 + n));
        put16(l4 + 6, (uint16_t)n);
        put16(l4 + 2, csum(l4, 8, 0));
        break;
    case UDP:
        put16(l4, (uint16_t)(40000 + n));
        put16(l4 + 2, 40125);
        put16(l4 + 4, 8);
        put16(l4 + 6, csum(l4, 8, ph));
        break;
    case SYN:
        put16(l4, (uint16_t)(41000 + n));
        put16(l4 + 2, 443);
        put32(l4 + 4, 0x10000 + n);
        l4[12] = 5 << 4;
        l4[13] = 0x02;
        put16(l4 + 14, 1024);
        put16(l4 + 16, csum(l4, 20, ph));
        break;
    }
    return len;
}

static int send_ip(int fd, const uint8_t *b, size_t len, uint32_t dst)
{
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst)};
    if (sendto(fd, b, len, 0, (const struct sockaddr *)&to, sizeof to) != (ssize_t)len) {
        perror("probe_sender: sendto");
        return -1;
    }
    return 0;
}

/* Register (when `probe`) and send packet n; print what tshark must show. */
static int one(struct st_capture *cap, int fd, unsigned n, unsigned id_n, bool probe, uint32_t src,
               uint32_t dst)
{
    uint8_t b[64];
    enum kind k = (enum kind)(id_n % 3);
    size_t len = build(b, k, id_n, src, dst);
    if (probe) {
        struct st_pkt p;
        if (st_decode(b, len, ST_LINK_RAW_IP, &p) != 0 ||
            st_capture_expect_probe(cap, &p, n, kind_name[k]) != 0) {
            perror("probe_sender: register");
            return -1;
        }
        printf("scantrace probe=%u mode=%s\t0x%04x\n", n, kind_name[k], 0x5100 + id_n);
    }
    return send_ip(fd, b, len, dst);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: probe_sender OUT.pcapng IFACE DST\n");
        return 2;
    }
    struct st_netif nif;
    uint32_t dst;
    if (st_netif_get(argv[2], &nif) != 0 || nif.n_addrs == 0 || !st_ip4_parse(argv[3], &dst)) {
        fprintf(stderr, "probe_sender: %s has no IPv4 address, or bad DST\n", argv[2]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (fd < 0) {
        perror("probe_sender: raw socket");
        return 3;
    }
    const char *ifs[] = {argv[2]};
    struct st_capture_opts o = {.ifnames = ifs, .n_ifs = 1, .path = argv[1]};
    struct st_capture *cap;
    char msg[256];
    if (st_capture_start(&o, &cap, msg, sizeof msg) != ST_CAPTURE_OK) {
        fprintf(stderr, "probe_sender: %s\n", msg);
        return 3;
    }
    int rc = 0;
    uint32_t src = nif.addrs[0];
    /* 1..12: even numbers are probes, odd ones decoys */
    for (unsigned n = 1; n <= 12 && rc == 0; n++)
        rc = one(cap, fd, n, n, n % 2 == 0, src, dst);
    /* 13 and 14: one identity (that of 20), registered twice, sent twice */
    if (rc == 0)
        rc = one(cap, fd, 13, 20, true, src, dst);
    if (rc == 0)
        rc = one(cap, fd, 14, 20, true, src, dst);
    /* 15: registered, never sent */
    uint8_t b[64];
    struct st_pkt p;
    size_t len = build(b, ECHO, 30, src, dst);
    if (rc == 0 && (st_decode(b, len, ST_LINK_RAW_IP, &p) != 0 ||
                    st_capture_expect_probe(cap, &p, 15, "echo") != 0))
        rc = -1;
    if (st_capture_stop(cap, 300000000) != 0)
        rc = -1;
    printf("unmatched=%lu\n", st_capture_unmatched(cap));
    st_capture_free(cap);
    close(fd);
    return rc == 0 ? 0 : 1;
}
