/*
 * Verdict table of a live scan (see scan_hosts.h).
 */
#include "scan_hosts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "rundir.h"
#include "runjson.h"

void st_hosts_add(struct st_host_table *t, const struct st_host_verdict *h)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct st_host_verdict *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            abort();
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *h;
    t->up += h->up;
    free(t->json); /* no longer the whole table */
    t->json = NULL;
}

void st_hosts_free(struct st_host_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    free(t->json);
    memset(t, 0, sizeof *t);
}

/* A host's address: IPv4, or the IPv6 address its key stands for. */
static const char *host_str(const struct st_host_table *t, uint32_t addr, char *buf)
{
    const uint8_t *a = t->v6 ? st_targets6_addr(t->v6, addr) : NULL;
    if (!t->v6)
        return st_ip4_str(addr, buf);
    if (!a || !inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN))
        snprintf(buf, INET6_ADDRSTRLEN, "?");
    return buf;
}

/* nmap's latency: two significant digits, never an exponent (0.0000090s) */
static void print_latency(FILE *out, double s)
{
    int decimals = 1;
    for (double x = s; x > 0 && x < 1 && decimals < 12; x *= 10)
        decimals++;
    fprintf(out, "Host is up (%.*fs latency).\n", s >= 1 ? 1 : decimals, s);
}

void st_hosts_print_report(const struct st_host_table *t, FILE *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct st_host_verdict *h = &t->v[i];
        if (!h->up)
            continue;
        char a[INET6_ADDRSTRLEN];
        host_str(t, h->addr, a);
        fputs("Nmap scan report for ", out);
        if (h->name)
            fprintf(out, "%s (%s)", h->name, a);
        else
            fputs(a, out);
        if (t->several_modes)
            fprintf(out, " [mode %s]", h->mode);
        fputc('\n', out);
        if (h->latency_ns >= 0)
            print_latency(out, (double)h->latency_ns / 1e9);
        else
            fputs("Host is up.\n", out);
    }
}

/*
 * run.json's hosts are made in a growing buffer with no printf: for a /16
 * fprintf's parsing of one format per host was 20 ms of the scan's end,
 * about as long as its last tenth of sending.
 */
struct text {
    char *b;
    size_t len, cap;
    bool failed;
};

static bool room(struct text *t, size_t n)
{
    if (t->failed)
        return false;
    if (t->len + n <= t->cap)
        return true;
    size_t cap = t->cap ? t->cap : 1 << 16;
    while (cap < t->len + n)
        cap *= 2;
    char *b = realloc(t->b, cap);
    if (!b) {
        t->failed = true;
        return false;
    }
    t->b = b;
    t->cap = cap;
    return true;
}

static void put(struct text *t, const char *s, size_t n)
{
    if (room(t, n)) {
        memcpy(t->b + t->len, s, n);
        t->len += n;
    }
}

#define PUT_LIT(t, lit) put((t), (lit), sizeof(lit) - 1)

static void put_str(struct text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* `v` in decimal, at least `width` digits (zero-padded) */
static void put_uint(struct text *t, uint64_t v, int width)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v || n < width);
    if (!room(t, (size_t)n))
        return;
    while (n)
        t->b[t->len++] = d[--n];
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(struct text *t, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    PUT_LIT(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            put(t, e, 2);
        } else if (*p < 0x20) {
            char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            put(t, e, 6);
        } else {
            put(t, (const char *)p, 1);
        }
    }
    PUT_LIT(t, "\"");
}

/* One host, as json-c's pretty printer would lay it out. */
static void host_obj(struct text *t, const struct st_host_table *tab,
                     const struct st_host_verdict *h, bool last)
{
    char a[INET6_ADDRSTRLEN];
    const char *mode = h->mode ? h->mode : "";
    const char *reason = h->decided && h->reason ? h->reason : "interrupted";
    PUT_LIT(t, "    {\n      \"host\": \"");
    put_str(t, host_str(tab, h->addr, a));
    PUT_LIT(t, "\",\n      \"mode\": ");
    json_str(t, mode);
    if (h->up)
        PUT_LIT(t, ",\n      \"verdict\": \"up\",\n      \"reason\": ");
    else
        PUT_LIT(t, ",\n      \"verdict\": \"down\",\n      \"reason\": ");
    json_str(t, reason);
    PUT_LIT(t, ",\n      \"latency_s\": ");
    /* seconds exactly from the nanoseconds: no binary rounding noise */
    if (h->latency_ns >= 0) {
        put_uint(t, (uint64_t)(h->latency_ns / 1000000000), 1);
        PUT_LIT(t, ".");
        put_uint(t, (uint64_t)(h->latency_ns % 1000000000), 9);
    } else {
        PUT_LIT(t, "null");
    }
    PUT_LIT(t, ",\n      \"name\": ");
    if (h->name)
        json_str(t, h->name);
    else
        PUT_LIT(t, "null");
    PUT_LIT(t, ",\n      \"tries\": ");
    put_uint(t, h->tries, 1);
    if (last)
        PUT_LIT(t, "\n    }\n");
    else
        PUT_LIT(t, "\n    },\n");
}

static void hosts_text(struct text *out, const struct st_host_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        host_obj(out, t, &t->v[i], i + 1 == t->n);
}

void st_hosts_prepare_json(struct st_host_table *t)
{
    struct text out = {0};
    hosts_text(&out, t);
    if (out.failed) {
        free(out.b);
        return;
    }
    free(t->json);
    t->json = out.b;
    t->json_len = out.len;
}

/* The table's elements (made ahead by st_hosts_prepare_json, or now). */
static int put_hosts(FILE *f, void *ctx)
{
    const struct st_host_table *t = *(const struct st_host_table **)ctx;
    if (t->json) {
        fwrite(t->json, 1, t->json_len, f);
        return 0;
    }
    struct text out = {0};
    hosts_text(&out, t);
    if (!out.failed && out.len) /* an empty table leaves out.b NULL */
        fwrite(out.b, 1, out.len, f);
    free(out.b);
    errno = out.failed ? ENOMEM : 0;
    return out.failed ? -1 : 0;
}

int st_hosts_write_runjson(int dirfd, json_object *run, const struct st_host_table *t)
{
    /* everything but the hosts through json-c, the hosts appended as a stream */
    return st_runjson_write_array(dirfd, run, "hosts", put_hosts, &t);
}
