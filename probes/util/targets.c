/*
 * Target specification parser and expander. A spec is either CIDR (an exact
 * address and a prefix length) or four octet sets; both are matched and
 * expanded through the same small struct, so --exclude understands every
 * form the targets do.
 */
#include "targets.h"

#include "siphash.h"
#include "textfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec {
    bool cidr;
    uint32_t base, mask;  /* CIDR */
    uint8_t octet[4][32]; /* octet sets: bit v of octet[i] means value v allowed */
};

static void set_bit(uint8_t *set, unsigned v)
{
    set[v >> 3] |= (uint8_t)(1u << (v & 7));
}

static bool has_bit(const uint8_t *set, unsigned v)
{
    return set[v >> 3] & (1u << (v & 7));
}

static unsigned set_count(const uint8_t *set)
{
    unsigned n = 0;
    for (unsigned v = 0; v < 256; v++)
        n += has_bit(set, v);
    return n;
}

/* A decimal 0-255 at *s; advances *s. */
static bool octet_num(const char **s, unsigned *v)
{
    unsigned x = 0;
    int digits = 0;
    while (**s >= '0' && **s <= '9' && digits < 4) {
        x = x * 10 + (unsigned)(*(*s)++ - '0');
        digits++;
    }
    if (!digits || digits > 3 || x > 255)
        return false;
    *v = x;
    return true;
}

/* "*", "7", "1-20", "-20", "200-", "1,5,7-9" up to '.' or the end. */
static bool parse_octet(const char **s, uint8_t *set)
{
    if (**s == '*') {
        (*s)++;
        memset(set, 0xff, 32);
        return **s == '.' || **s == '\0';
    }
    for (;;) {
        unsigned lo = 0, hi = 255;
        if (**s != '-' && !octet_num(s, &lo))
            return false;
        hi = lo;
        if (**s == '-') {
            (*s)++;
            hi = 255;
            if (**s >= '0' && **s <= '9' && !octet_num(s, &hi))
                return false;
        }
        if (lo > hi)
            return false;
        for (unsigned v = lo; v <= hi; v++)
            set_bit(set, v);
        if (**s != ',')
            break;
        (*s)++;
    }
    return **s == '.' || **s == '\0';
}

static bool parse_spec(const char *text, struct spec *sp, const char **why)
{
    memset(sp, 0, sizeof *sp);
    const char *slash = strchr(text, '/');
    if (slash) {
        char addr[32];
        size_t n = (size_t)(slash - text);
        char *end;
        errno = 0;
        long bits = strtol(slash + 1, &end, 10);
        if (n == 0 || n >= sizeof addr || *end || end == slash + 1 || bits < 0 || bits > 32) {
            *why = "bad CIDR prefix length (0-32)";
            return false;
        }
        memcpy(addr, text, n);
        addr[n] = '\0';
        uint32_t a = 0;
        const char *p = addr;
        for (int i = 0; i < 4; i++) {
            unsigned v;
            if (!octet_num(&p, &v) || (i < 3 ? *p++ != '.' : *p != '\0')) {
                *why = "a CIDR block needs a plain dotted address";
                return false;
            }
            a = a << 8 | v;
        }
        sp->cidr = true;
        sp->mask = bits ? ~0u << (32 - bits) : 0;
        sp->base = a & sp->mask;
        return true;
    }
    const char *p = text;
    for (int i = 0; i < 4; i++) {
        if (!parse_octet(&p, sp->octet[i])) {
            *why = strspn(text, "0123456789.-,*") == strlen(text)
                       ? "bad octet (0-255, ranges a-b, lists a,b, or *)"
                       : "not an IPv4 address, range or CIDR block (names are not resolved)";
            return false;
        }
        if (i < 3 && *p++ != '.') {
            *why = "an IPv4 spec has four octets";
            return false;
        }
    }
    if (*p) {
        *why = "trailing text";
        return false;
    }
    return true;
}

static uint64_t spec_count(const struct spec *sp)
{
    if (sp->cidr)
        return (uint64_t)(~sp->mask) + 1;
    uint64_t n = 1;
    for (int i = 0; i < 4; i++)
        n *= set_count(sp->octet[i]);
    return n;
}

static bool spec_has(const struct spec *sp, uint32_t a)
{
    if (sp->cidr)
        return (a & sp->mask) == sp->base;
    for (int i = 0; i < 4; i++)
        if (!has_bit(sp->octet[i], (a >> (24 - 8 * i)) & 0xff))
            return false;
    return true;
}

static int grow(struct st_targets *t, size_t more)
{
    if (t->n + more <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->n + more)
        cap *= 2;
    uint32_t *a = realloc(t->addr, cap * sizeof *a);
    if (!a)
        return -1;
    t->addr = a;
    t->cap = cap;
    return 0;
}

int st_targets_add(struct st_targets *t, const char *spec, char *err, size_t errsz)
{
    struct spec sp;
    const char *why = NULL;

    if (!parse_spec(spec, &sp, &why)) {
        /* never echo control bytes (a binary -iL file) to a terminal */
        for (const unsigned char *c = (const unsigned char *)spec; *c; c++)
            if (*c < 0x20 || *c >= 0x7f) {
                snprintf(err, errsz, "target: not text (binary data?)");
                return -1;
            }
        snprintf(err, errsz, "target '%s': %s", spec, why);
        return -1;
    }
    uint64_t n = spec_count(&sp);
    if (n + t->n > ST_TARGETS_MAX) {
        snprintf(err, errsz, "target '%s': %llu addresses, more than the %u a scan may have", spec,
                 (unsigned long long)(n + t->n), ST_TARGETS_MAX);
        return -1;
    }
    if (grow(t, (size_t)n)) {
        snprintf(err, errsz, "target '%s': out of memory", spec);
        return -1;
    }
    if (sp.cidr) {
        for (uint64_t i = 0; i < n; i++)
            t->addr[t->n++] = sp.base + (uint32_t)i;
        return 0;
    }
    /* Loop over each octet's values, not over 0-255: walking every 2^32
     * combination to find the allowed ones took seconds for '*.*.*.8'
     * (fuzz/regress/targets). */
    uint8_t vals[4][256];
    unsigned nv[4] = {0};
    for (int i = 0; i < 4; i++)
        for (unsigned v = 0; v < 256; v++)
            if (has_bit(sp.octet[i], v))
                vals[i][nv[i]++] = (uint8_t)v;
    for (unsigned a = 0; a < nv[0]; a++)
        for (unsigned b = 0; b < nv[1]; b++)
            for (unsigned c = 0; c < nv[2]; c++)
                for (unsigned d = 0; d < nv[3]; d++)
                    t->addr[t->n++] = (uint32_t)vals[0][a] << 24 | (uint32_t)vals[1][b] << 16 |
                                      (uint32_t)vals[2][c] << 8 | vals[3][d];
    return 0;
}

int st_targets_add_range(struct st_targets *t, uint32_t lo, uint32_t hi, char *err, size_t errsz)
{
    uint64_t n = (uint64_t)hi - lo + 1;
    if (hi < lo || n + t->n > ST_TARGETS_MAX || grow(t, (size_t)n)) {
        snprintf(err, errsz, "target range: %s",
                 hi < lo ? "ends before it starts" : "too many addresses");
        return -1;
    }
    for (uint64_t a = lo; a <= hi; a++)
        t->addr[t->n++] = (uint32_t)a;
    return 0;
}

/* Every white-space separated spec of a file through add(); errors name the
 * file and line. */
int st_targets_file_each(const char *path, int (*add)(void *, const char *, char *, size_t),
                         void *t, char *err, size_t errsz)
{
    FILE *f = strcmp(path, "-") ? st_text_fopen(path) : stdin;
    if (!f) {
        snprintf(err, errsz, "%s: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL, e[256];
    size_t cap = 0;
    unsigned no = 0;
    int rc = 0;
    while (rc == 0 && getline(&line, &cap, f) > 0) {
        no++;
        line[strcspn(line, "#")] = '\0';
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w && rc == 0;
             w = strtok_r(NULL, " \t\r\n", &save))
            if ((rc = add(t, w, e, sizeof e)))
                snprintf(err, errsz, "%s:%u: %s", path, no, e);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errsz, "%s: read error", path);
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

static int add4(void *t, const char *spec, char *err, size_t errsz)
{
    return st_targets_add(t, spec, err, errsz);
}

int st_targets_add_file(struct st_targets *t, const char *path, char *err, size_t errsz)
{
    return st_targets_file_each(path, add4, t, err, errsz);
}

int st_targets_exclude(struct st_targets *t, const char *specs, char *err, size_t errsz)
{
    char *copy = strdup(specs), *save = NULL;
    struct spec *ex = NULL;
    size_t nex = 0;
    int rc = 0;

    if (!copy)
        return -1;
    for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        /* "198.18.1.1,5" would be ambiguous with octet lists: nmap splits
         * --exclude on commas, so each piece is a whole spec */
        struct spec sp;
        const char *why;
        if (!parse_spec(s, &sp, &why)) {
            snprintf(err, errsz, "--exclude '%s': %s", s, why);
            rc = -1;
            break;
        }
        struct spec *n = realloc(ex, (nex + 1) * sizeof *n);
        if (!n) {
            rc = -1;
            break;
        }
        ex = n;
        ex[nex++] = sp;
    }
    if (rc == 0) {
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
            bool drop = false;
            for (size_t j = 0; j < nex && !drop; j++)
                drop = spec_has(&ex[j], t->addr[i]);
            if (!drop)
                t->addr[k++] = t->addr[i];
        }
        t->n = k;
    }
    free(ex);
    free(copy);
    return rc;
}

struct pos {
    uint32_t addr;
    uint32_t at; /* index in the list (ST_TARGETS_MAX fits) */
};

static int pos_by_addr(const void *a, const void *b)
{
    const struct pos *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* first[k]: for list index k, the index where its address is first named. */
static int first_named(const struct st_targets *t, uint32_t *first)
{
    struct pos *ps = malloc((t->n ? t->n : 1) * sizeof *ps);
    if (!ps)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        ps[i] = (struct pos){t->addr[i], (uint32_t)i};
    qsort(ps, t->n, sizeof *ps, pos_by_addr);
    for (size_t i = 0; i < t->n; i++)
        first[ps[i].at] = i && ps[i - 1].addr == ps[i].addr ? first[ps[i - 1].at] : ps[i].at;
    free(ps);
    return 0;
}

/* The digest of the list in network byte order: any two scanner hosts agree. */
static uint64_t list_digest(const struct st_targets *t, uint32_t *scratch)
{
    static const struct st_sipkey key = {0x7363616e74726163ull, 0x652073686172640aull};
    for (size_t i = 0; i < t->n; i++)
        scratch[i] = htonl(t->addr[i]);
    return st_siphash(&key, scratch, t->n * sizeof *scratch);
}

int st_targets_shard(struct st_targets *t, unsigned count, unsigned index,
                     struct st_targets_sweep *sweep)
{
    size_t n = t->n, unique = 0, k = 0;
    uint32_t *first = malloc((n ? n : 1) * sizeof *first);
    uint32_t *starts = malloc((n ? n : 1) * sizeof *starts);
    if (!first || !starts) {
        free(first);
        free(starts);
        return -1;
    }
    uint64_t digest = list_digest(t, first);
    if (first_named(t, first)) {
        free(first);
        free(starts);
        return -1;
    }
    /* an address's rank among the distinct ones, in the order first named */
    for (size_t i = 0; i < n; i++)
        if (first[i] == i)
            starts[unique++] = (uint32_t)i;
    *sweep = (struct st_targets_sweep){.addresses = n, .unique = unique, .digest = digest};
    for (size_t i = 0; i < n; i++) {
        const uint32_t *r = bsearch(&first[i], starts, unique, sizeof *starts, u32_cmp);
        if ((size_t)(r - starts) % count == index)
            t->addr[k++] = t->addr[i];
    }
    t->n = k;
    free(first);
    free(starts);
    return 0;
}

void st_targets_free(struct st_targets *t)
{
    free(t->addr);
    memset(t, 0, sizeof *t);
}

/* ---- IPv6 ------------------------------------------------------------------ */

struct spec6 {
    uint8_t base[16];
    unsigned bits; /* prefix length, 0-128 */
};

bool st_targets6_is_spec(const char *s)
{
    return strchr(s, ':') != NULL;
}

bool st_addr6_link_local(const uint8_t a[16])
{
    return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* ADDR[%ZONE][/BITS]; the zone into zone (ST_ZONE_MAX), "" without one. */
static bool parse_spec6(const char *text, struct spec6 *sp, char *zone)
{
    char a[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(text, '/'), *pct = strchr(text, '%');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    zone[0] = '\0';
    if (pct && pct < text + n) {
        size_t z = (size_t)(text + n - pct - 1);
        if (!z || z >= ST_ZONE_MAX)
            return false;
        memcpy(zone, pct + 1, z);
        zone[z] = '\0';
        n = (size_t)(pct - text);
    }
    if (n >= sizeof a)
        return false;
    memcpy(a, text, n);
    a[n] = '\0';
    if (inet_pton(AF_INET6, a, sp->base) != 1)
        return false;
    sp->bits = 128;
    if (slash) {
        char *end;
        errno = 0;
        unsigned long b = strtoul(slash + 1, &end, 10);
        if (slash[1] < '0' || slash[1] > '9' || *end || errno)
            return false;
        sp->bits = b > 128 ? 128 : (unsigned)b; /* nmap takes /129 as /128 */
    }
    for (unsigned i = sp->bits; i < 128; i++) /* the network address */
        sp->base[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
    return true;
}

static bool spec6_has(const struct spec6 *sp, const uint8_t a[16])
{
    for (unsigned i = 0; i < sp->bits; i++)
        if ((a[i / 8] ^ sp->base[i / 8]) & (0x80u >> (i % 8)))
            return false;
    return true;
}

/* base + k in the last 64 bits (no prefix of over 2^20 addresses gets here) */
static void spec6_nth(const struct spec6 *sp, uint64_t k, uint8_t out[16])
{
    memcpy(out, sp->base, 16);
    for (int i = 15; i >= 8 && k; i--) {
        uint64_t v = out[i] + (k & 0xff);
        out[i] = (uint8_t)v;
        k = (k >> 8) + (v >> 8);
    }
}

int st_targets6_add(struct st_targets6 *t, const char *spec, char *err, size_t errsz)
{
    struct spec6 sp;
    char zone[ST_ZONE_MAX];
    if (!parse_spec6(spec, &sp, zone)) {
        snprintf(err, errsz,
                 "bad IPv6 target: %s (nmap -6 takes an address or ADDR/PREFIX, fe80::1%%eth0 "
                 "for a link-local one)",
                 spec);
        return -1;
    }
    if (zone[0] && t->zone[0] && strcmp(zone, t->zone)) {
        snprintf(err, errsz, "%s: zone %s, another interface than %s (a scan uses one)", spec, zone,
                 t->zone);
        return -1;
    }
    if (zone[0])
        snprintf(t->zone, sizeof t->zone, "%s", zone);
    unsigned host_bits = 128 - sp.bits;
    if (host_bits > 20 || t->n + (1u << host_bits) > ST_TARGETS6_MAX) {
        snprintf(err, errsz, "%s: more than %u addresses", spec, ST_TARGETS6_MAX);
        return -1;
    }
    size_t count = (size_t)1 << host_bits;
    if (t->n + count > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (cap < t->n + count)
            cap *= 2;
        void *a = realloc(t->addr, cap * sizeof *t->addr);
        if (!a) {
            snprintf(err, errsz, "out of memory");
            return -1;
        }
        t->addr = a;
        t->cap = cap;
    }
    for (size_t k = 0; k < count; k++)
        spec6_nth(&sp, k, t->addr[t->n++]);
    free(t->sorted);
    t->sorted = NULL;
    return 0;
}

static int add6(void *t, const char *spec, char *err, size_t errsz)
{
    return st_targets6_add(t, spec, err, errsz);
}

int st_targets6_add_file(struct st_targets6 *t, const char *path, char *err, size_t errsz)
{
    return st_targets_file_each(path, add6, t, err, errsz);
}

int st_targets6_exclude(struct st_targets6 *t, const char *specs, char *err, size_t errsz)
{
    char buf[4096];
    struct spec6 ex[64];
    size_t nex = 0;
    snprintf(buf, sizeof buf, "%s", specs);
    char *save = NULL;
    for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        char zone[ST_ZONE_MAX]; /* an exclusion's zone changes nothing */
        if (nex == 64 || !parse_spec6(w, &ex[nex], zone)) {
            snprintf(err, errsz, "--exclude: bad IPv6 spec: %s", w);
            return -1;
        }
        nex++;
    }
    size_t kept = 0;
    for (size_t i = 0; i < t->n; i++) {
        bool drop = false;
        for (size_t k = 0; k < nex && !drop; k++)
            drop = spec6_has(&ex[k], t->addr[i]);
        if (!drop)
            memmove(t->addr[kept++], t->addr[i], 16);
    }
    t->n = kept;
    free(t->sorted);
    t->sorted = NULL;
    return 0;
}

static const struct st_targets6 *sorting; /* qsort has no user data */

static int by_addr(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = memcmp(sorting->addr[x], sorting->addr[y], 16);
    return c ? c : (x > y) - (x < y); /* the first copy first */
}

int st_targets6_index(struct st_targets6 *t)
{
    free(t->sorted);
    t->sorted = malloc((t->n ? t->n : 1) * sizeof *t->sorted);
    if (!t->sorted)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        t->sorted[i] = (uint32_t)i;
    sorting = t;
    qsort(t->sorted, t->n, sizeof *t->sorted, by_addr);
    sorting = NULL;
    return 0;
}

uint32_t st_targets6_key(const struct st_targets6 *t, const uint8_t a[16])
{
    size_t lo = 0, hi = t->sorted ? t->n : 0;
    while (lo < hi) { /* the first index whose address is not below a */
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(t->addr[t->sorted[mid]], a, 16) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && t->sorted && !memcmp(t->addr[t->sorted[lo]], a, 16))
        return t->sorted[lo] + 1;
    return 0;
}

int st_targets6_keys(struct st_targets6 *t, struct st_targets *keys)
{
    if (st_targets6_index(t))
        return -1;
    uint32_t *k = malloc((t->n ? t->n : 1) * sizeof *k);
    if (!k)
        return -1;
    for (size_t i = 0; i < t->n; i++)
        k[i] = st_targets6_key(t, t->addr[i]);
    free(keys->addr);
    keys->addr = k;
    keys->n = keys->cap = t->n;
    return 0;
}

uint64_t st_targets6_digest(const struct st_targets6 *t)
{
    static const struct st_sipkey key = {0x7363616e74726163ull, 0x652073686172360aull};
    return st_siphash(&key, t->addr, t->n * 16);
}

const uint8_t *st_targets6_addr(const struct st_targets6 *t, uint32_t key)
{
    return key && key <= t->n ? t->addr[key - 1] : NULL;
}

void st_targets6_free(struct st_targets6 *t)
{
    free(t->addr);
    free(t->sorted);
    memset(t, 0, sizeof *t);
}
