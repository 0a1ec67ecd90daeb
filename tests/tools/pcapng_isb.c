/*
 * pcapng_isb FILE: walks the blocks of a pcapng file and prints, per
 * interface, its name, how many EPBs it has and the counters of its last
 * interface statistics block:
 *
 *   IF 0 lan0 epb=12 isb=1 ifrecv=12 ifdrop=0 osdrop=0 usrdeliv=12 start=N end=N
 *
 * (a counter that is absent prints as -). tshark and capinfos do not show ISB
 * counters, so the tests read them with this. Independent of probes/capture/pcapng.c
 * on purpose: it is the reader that checks that writer. Host byte order
 * only (what scantrace writes). Exit 0, or 1 on a malformed or cut file.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IFS 64

struct iface {
    char name[64];
    unsigned long epb, isb;
    char counters[6][24]; /* ifrecv ifdrop osdrop usrdeliv start end */
};

static uint32_t u32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint16_t u16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

static int bad(const char *path, const char *why, long off)
{
    fprintf(stderr, "pcapng_isb: %s: %s at offset %ld\n", path, why, off);
    return 1;
}

/* Walk the options in [p, end); calls back on each one. */
static int walk_opts(const uint8_t *p, const uint8_t *end, struct iface *f, int isb)
{
    static const uint16_t codes[6] = {4, 5, 7, 8, 2, 3};
    while (end - p >= 4) {
        uint16_t code = u16(p), len = u16(p + 2);
        if (code == 0)
            return 0;
        size_t padded = ((size_t)len + 3) & ~(size_t)3;
        if ((size_t)(end - p - 4) < padded)
            return -1;
        const uint8_t *v = p + 4;
        if (!isb && code == 2) {
            size_t n = len < sizeof f->name - 1 ? len : sizeof f->name - 1;
            memcpy(f->name, v, n);
            f->name[n] = '\0';
        }
        for (int i = 0; isb && i < 6; i++) {
            if (code != codes[i] || len != 8)
                continue;
            uint64_t x;
            if (i < 4) {
                memcpy(&x, v, 8);
            } else {
                x = (uint64_t)u32(v) << 32 | u32(v + 4); /* timestamp: high, low */
            }
            snprintf(f->counters[i], sizeof f->counters[i], "%" PRIu64, x);
        }
        p += 4 + padded;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcapng_isb FILE\n");
        return 2;
    }
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    static struct iface ifs[MAX_IFS];
    size_t n_ifs = 0;
    uint8_t *blk = NULL;
    long off = 0;
    int rc = 0;
    for (;;) {
        uint8_t hdr[8];
        size_t got = fread(hdr, 1, 8, fp);
        if (got == 0)
            break;
        if (got != 8) {
            rc = bad(argv[1], "cut block header", off);
            break;
        }
        uint32_t type = u32(hdr), len = u32(hdr + 4);
        if (len < 12 || len % 4 || len > (1u << 24)) {
            rc = bad(argv[1], "bad block length", off);
            break;
        }
        uint8_t *nb = realloc(blk, len);
        if (!nb) {
            rc = bad(argv[1], "out of memory", off);
            break;
        }
        blk = nb;
        memcpy(blk, hdr, 8);
        if (fread(blk + 8, 1, len - 8, fp) != len - 8) {
            rc = bad(argv[1], "cut block", off);
            break;
        }
        if (u32(blk + len - 4) != len) {
            rc = bad(argv[1], "trailing length differs", off);
            break;
        }
        if (off == 0 && (type != 0x0A0D0D0A || len < 28 || u32(blk + 8) != 0x1A2B3C4D)) {
            rc = bad(argv[1], "no section header (or not host byte order)", off);
            break;
        }
        const uint8_t *end = blk + len - 4;
        if (type == 1) { /* IDB */
            if (n_ifs == MAX_IFS || len < 20) {
                rc = bad(argv[1], "too many or short IDB", off);
                break;
            }
            struct iface *f = &ifs[n_ifs++];
            for (int i = 0; i < 6; i++)
                strcpy(f->counters[i], "-");
            if (walk_opts(blk + 16, end, f, 0) < 0) {
                rc = bad(argv[1], "bad IDB option", off);
                break;
            }
        } else if (type == 6 || type == 5) { /* EPB, ISB */
            uint32_t id = len >= 16 ? u32(blk + 8) : UINT32_MAX;
            if (id >= n_ifs) {
                rc = bad(argv[1], "block for an undeclared interface", off);
                break;
            }
            if (type == 6) {
                ifs[id].epb++;
            } else {
                ifs[id].isb++;
                if (len < 24 || walk_opts(blk + 20, end, &ifs[id], 1) < 0) {
                    rc = bad(argv[1], "bad ISB", off);
                    break;
                }
            }
        }
        off += (long)len;
    }
    free(blk);
    fclose(fp);
    for (size_t i = 0; i < n_ifs; i++) {
        const struct iface *f = &ifs[i];
        printf("IF %zu %s epb=%lu isb=%lu ifrecv=%s ifdrop=%s osdrop=%s usrdeliv=%s start=%s "
               "end=%s\n",
               i, f->name[0] ? f->name : "-", f->epb, f->isb, f->counters[0], f->counters[1],
               f->counters[2], f->counters[3], f->counters[4], f->counters[5]);
    }
    return rc;
}
