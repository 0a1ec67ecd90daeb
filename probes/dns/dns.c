/*
 * PTR queries and replies (dns.h). Names are written as labels; replies are
 * read through one cursor whose every step checks the remaining length.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dns_msg.h"

#define HEADER_LEN    12
#define MAX_POINTERS  32
#define FLAG_QR       0x8000
#define FLAG_TC       0x0200
#define FLAG_RD       0x0100
#define POINTER_FLAGS 0xC0

void st_dns_ptr_name(struct in_addr addr, char out[ST_DNS_NAME_MAX])
{
    const uint8_t *b = (const uint8_t *)&addr.s_addr; /* network order: a.b.c.d */
    snprintf(out, ST_DNS_NAME_MAX, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1], b[0]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

void st_dns_ptr_name6(const struct in6_addr *addr, char out[ST_DNS_NAME_MAX])
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 15; i >= 0; i--) {
        uint8_t b = addr->s6_addr[i];
        out[o++] = hex[b & 15];
        out[o++] = '.';
        out[o++] = hex[b >> 4];
        out[o++] = '.';
    }
    snprintf(out + o, ST_DNS_NAME_MAX - o, "ip6.arpa");
}

int st_dns_build_ptr_query(uint16_t id, struct in_addr addr, uint8_t *buf, size_t size)
{
    char name[ST_DNS_NAME_MAX];
    st_dns_ptr_name(addr, name);
    return st_dns_build_ptr_query_name(id, name, buf, size);
}

int st_dns_build_ptr_query_name(uint16_t id, const char *name, uint8_t *buf, size_t size)
{
    /* header + labels (one length byte per label, the dots become them) + root + type/class */
    size_t need = HEADER_LEN + strlen(name) + 2 + 4;
    if (size < need)
        return -1;
    memset(buf, 0, HEADER_LEN);
    put16(buf, id);
    put16(buf + 2, FLAG_RD);
    put16(buf + 4, 1); /* one question */
    size_t o = HEADER_LEN;
    for (const char *label = name; *label;) {
        size_t n = strcspn(label, ".");
        buf[o++] = (uint8_t)n;
        memcpy(buf + o, label, n);
        o += n;
        label += n;
        if (*label == '.')
            label++;
    }
    buf[o++] = 0;
    put16(buf + o, ST_DNS_TYPE_PTR);
    put16(buf + o + 2, ST_DNS_CLASS_IN);
    return (int)(o + 4);
}

struct cursor {
    const uint8_t *msg;
    size_t len;
    size_t pos;
};

static int get16(struct cursor *c, uint16_t *v)
{
    if (c->len - c->pos < 2)
        return -1;
    *v = (uint16_t)(c->msg[c->pos] << 8 | c->msg[c->pos + 1]);
    c->pos += 2;
    return 0;
}

/* Reads the name at the cursor (following pointers, which must point
 * backwards) into OUT (dotted, no trailing dot; NULL: skip it). The cursor
 * ends after the name as it appears in place. */
static int get_name(struct cursor *c, char *out)
{
    size_t at = c->pos, o = 0, end = 0;
    int hops = 0;
    bool jumped = false;
    for (;;) {
        if (at >= c->len)
            return -1;
        uint8_t n = c->msg[at];
        if ((n & POINTER_FLAGS) == POINTER_FLAGS) {
            if (at + 1 >= c->len || ++hops > MAX_POINTERS)
                return -1;
            size_t to = (size_t)(n & 0x3F) << 8 | c->msg[at + 1];
            if (to >= at)
                return -1; /* only backwards: no loops */
            if (!jumped)
                end = at + 2;
            jumped = true;
            at = to;
            continue;
        }
        if (n & POINTER_FLAGS)
            return -1; /* the reserved label types */
        if (n == 0) {
            if (!jumped)
                end = at + 1;
            break;
        }
        if (at + 1 + n > c->len || o + n + 1 >= ST_DNS_NAME_MAX)
            return -1;
        if (out) {
            if (o)
                out[o++] = '.';
            for (size_t i = 0; i < n; i++) {
                unsigned char ch = c->msg[at + 1 + i];
                out[o++] = isgraph(ch) && ch != '.' ? (char)ch : '?';
            }
        }
        at += 1 + (size_t)n;
    }
    if (out)
        out[o] = '\0';
    c->pos = end;
    return 0;
}

int st_dns_parse_reply(const uint8_t *msg, size_t len, struct st_dns_reply *out)
{
    struct cursor c = {msg, len, 0};
    uint16_t flags, qd, an, ns, ar;
    memset(out, 0, sizeof *out);
    if (get16(&c, &out->id) || get16(&c, &flags) || get16(&c, &qd) || get16(&c, &an) ||
        get16(&c, &ns) || get16(&c, &ar))
        return -1;
    if (!(flags & FLAG_QR) || qd != 1)
        return -1;
    out->rcode = flags & 0x000F;
    out->truncated = (flags & FLAG_TC) != 0;
    uint16_t type, klass;
    if (get_name(&c, out->qname) || get16(&c, &type) || get16(&c, &klass))
        return -1;
    for (unsigned i = 0; i < an; i++) {
        char owner[ST_DNS_NAME_MAX];
        uint16_t ttl_hi, ttl_lo, rdlen;
        if (get_name(&c, owner) || get16(&c, &type) || get16(&c, &klass) || get16(&c, &ttl_hi) ||
            get16(&c, &ttl_lo) || get16(&c, &rdlen))
            return -1;
        if (c.len - c.pos < rdlen)
            return -1;
        size_t next = c.pos + rdlen;
        if (type == ST_DNS_TYPE_PTR && klass == ST_DNS_CLASS_IN && !out->has_ptr &&
            !strcasecmp(owner, out->qname)) {
            /* the target may point anywhere before it, but must end inside the rdata */
            struct cursor rd = {msg, next, c.pos};
            if (get_name(&rd, out->ptr) || rd.pos != next)
                return -1;
            out->has_ptr = true;
        }
        c.pos = next;
    }
    return 0;
}
