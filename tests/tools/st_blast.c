/*
 * st-blast: the raw ceiling of a sweep for scripts/bench. One ICMP echo
 * request to every address of a block, sent as fast as one thread can
 * through a raw IP socket (the kernel adds the link layer, as scantrace's
 * own sends), and the echo replies counted from a raw ICMP socket read
 * between sends. No trace, no capture, no retries, no timing model: what is
 * left is the cost of the system calls and of the round trip itself.
 *
 *   st-blast CIDR [WAIT_MS [BATCH]]   e.g. st-blast 198.19.0.0/16 200 64
 *
 * BATCH > 1 sends by sendmmsg(2), BATCH requests a call (scantrace's own
 * way since its send batches); 1 (the default) one sendto(2) a request.
 *
 * Prints one line: addresses, sent, replies from distinct addresses, the
 * send phase's seconds and rate, and the whole run's seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "packet.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct rx {
    int fd;
    uint32_t base, n;
    uint8_t *seen;
    unsigned long found;
};

/* Count every echo reply waiting on the socket, without blocking. */
static void drain(struct rx *r)
{
    uint8_t b[256];
    ssize_t n;
    while ((n = recv(r->fd, b, sizeof b, MSG_DONTWAIT)) >= 28) {
        size_t hl = (size_t)(b[0] & 15) * 4;
        if ((size_t)n < hl + 8 || b[hl] != 0)
            continue;
        uint32_t src = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        uint32_t i = src - r->base;
        if (i < r->n && !r->seen[i]) {
            r->seen[i] = 1;
            r->found++;
        }
    }
}

int main(int argc, char **argv)
{
    char net[32];
    unsigned bits;
    struct in_addr a;
    if (argc < 2 || sscanf(argv[1], "%31[0-9.]/%u", net, &bits) != 2 || bits > 32 ||
        inet_pton(AF_INET, net, &a) != 1) {
        fprintf(stderr, "usage: st-blast CIDR [WAIT_MS]\n");
        return 2;
    }
    int wait_ms = argc > 2 ? atoi(argv[2]) : 200;
    uint32_t n = bits == 0 ? 0xffffffffu : 1u << (32 - bits);
    uint32_t base = ntohl(a.s_addr) & ~(n - 1);
    int tx = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    struct rx r = {.fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP),
                   .base = base,
                   .n = n,
                   .seen = calloc(n, 1)};
    if (tx < 0 || r.fd < 0 || !r.seen) {
        fprintf(stderr, "st-blast: %s\n", strerror(errno));
        return 3;
    }
    int big = 8 << 20;
    setsockopt(tx, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);

    /* the source address the kernel would pick for the block */
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(9)};
    sin.sin_addr.s_addr = htonl(base);
    socklen_t sl = sizeof sin;
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (u < 0 || connect(u, (struct sockaddr *)&sin, sizeof sin) ||
        getsockname(u, (struct sockaddr *)&sin, &sl)) {
        fprintf(stderr, "st-blast: no route to %s\n", argv[1]);
        return 3;
    }
    close(u);
    uint32_t src = ntohl(sin.sin_addr.s_addr);

    enum { MAXB = 256 };
    static uint8_t pkt[MAXB][28];
    static struct sockaddr_in to[MAXB];
    static struct iovec iov[MAXB];
    static struct mmsghdr mm[MAXB];
    int batch = argc > 3 ? atoi(argv[3]) : 1;
    if (batch < 1 || batch > MAXB) {
        fprintf(stderr, "st-blast: BATCH from 1 to %d\n", MAXB);
        return 2;
    }
    unsigned long sent = 0;
    double t0 = now();
    for (uint32_t i = 0; i < n;) {
        int k = 0;
        for (; k < batch && i < n; k++, i++) {
            uint32_t dst = base + i;
            uint8_t *p = pkt[k];
            memset(p, 0, 28);
            p[20] = 8; /* echo request */
            st_put16(p + 24, (uint16_t)(i * 2654435761u >> 16));
            st_ipv4_write(p, 28, (uint16_t)i, 64, 1, src, dst);
            st_l4_checksum(p, 28);
            to[k] = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(dst)};
            iov[k] = (struct iovec){.iov_base = p, .iov_len = 28};
            mm[k] = (struct mmsghdr){.msg_hdr = {.msg_name = &to[k],
                                                 .msg_namelen = sizeof to[k],
                                                 .msg_iov = &iov[k],
                                                 .msg_iovlen = 1}};
        }
        if (batch == 1) {
            if (sendto(tx, pkt[0], 28, 0, (struct sockaddr *)&to[0], sizeof to[0]) == 28)
                sent++;
        } else {
            for (int off = 0; off < k;) {
                int got = sendmmsg(tx, mm + off, (unsigned)(k - off), 0);
                off += got > 0 ? got : 1; /* a refused request is skipped */
                sent += got > 0 ? (unsigned long)got : 0;
            }
        }
        if ((i & 63) == 0 || i == n)
            drain(&r);
    }
    double t1 = now();
    /* replies still on their way: until WAIT_MS without one */
    for (;;) {
        struct pollfd p = {.fd = r.fd, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0)
            break;
        drain(&r);
    }
    double t2 = now();
    printf("addresses %u sent %lu found %lu send_s %.4f send_pps %.0f total_s %.4f\n", n, sent,
           r.found, t1 - t0, (double)sent / (t1 - t0), t2 - t0 - wait_ms / 1000.0);
    free(r.seen);
    return 0;
}
