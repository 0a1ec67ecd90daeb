/*
 * Target specifications as nmap reads them (IPv4, no name resolution):
 *   198.18.3.2            one address
 *   198.18.0.0/16         CIDR
 *   198.18.2.1-20         a range in the last octet
 *   198.18.1-2.3          ranges in any octet; "*" for 0-255; lists "1,5,7-9"
 * plus -iL FILE (specs separated by white space, '#' starts a comment) and
 * --exclude SPEC[,SPEC...]. The expansion keeps nmap's order (octet by
 * octet, CIDR blocks in address order) and drops excluded addresses.
 */
#ifndef ST_TARGETS_H
#define ST_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* More addresses than this in one scan is refused (a /8 and then some). */
#define ST_TARGETS_MAX (1u << 24)

struct st_targets {
    uint32_t *addr; /* host byte order */
    size_t n, cap;
};

/*
 * Add the addresses of one spec (exclusions are applied by st_targets_exclude).
 * Returns 0, or -1 with a one-line reason in err (naming the spec).
 */
int st_targets_add(struct st_targets *t, const char *spec, char *err, size_t errsz);

/* Add lo..hi (host byte order, inclusive): the whole-address ranges other
 * scanners take (masscan's A-B, fping -g A B), which nmap's syntax lacks. */
int st_targets_add_range(struct st_targets *t, uint32_t lo, uint32_t hi, char *err, size_t errsz);

/* Add every spec of a file; errors name the file and line. "-" is stdin. */
int st_targets_add_file(struct st_targets *t, const char *path, char *err, size_t errsz);

/* add(t, word, err, errsz) for every word of a target file (white space
 * between them, '#' starts a comment; "-" is stdin) until one fails: 0, or
 * -1 with the reason, naming the file and line, in err. */
int st_targets_file_each(const char *path, int (*add)(void *, const char *, char *, size_t),
                         void *t, char *err, size_t errsz);

/* Remove every address matched by the comma-separated specs. */
int st_targets_exclude(struct st_targets *t, const char *specs, char *err, size_t errsz);

/* What a shard is a part of: the whole sweep's expanded targets. */
struct st_targets_sweep {
    size_t addresses; /* the whole list, copies included */
    size_t unique;    /* distinct addresses */
    uint64_t digest;  /* SipHash of the whole list in order: shards of one sweep agree */
};

/*
 * Keep only shard `index` of `count` (0 <= index < count): the distinct
 * addresses in the order first named, dealt round-robin, so the shards
 * partition the sweep (no address in two shards, none in none) for any mix
 * of specs, overlaps and -iL; every copy of an address stays with it. The
 * whole is described in *sweep (taken before the cut). 0, or -1 (memory).
 */
int st_targets_shard(struct st_targets *t, unsigned count, unsigned index,
                     struct st_targets_sweep *sweep);

void st_targets_free(struct st_targets *t);

/*
 * IPv6 targets as nmap -6 reads them (targets6.c): one address
 * (2001:2:0:1::2) or CIDR (2001:2:0:100::/120, in address order; a prefix
 * over 128 is 128, as nmap takes it), with a zone when it is link-local
 * (fe80::1%eth0: the interface it is reached on). No ranges or brackets:
 * nmap -6 fails to resolve those, and so does this. A list of its own, so
 * the IPv4 one above keeps its plain addresses. Each address has a key (1 +
 * the index of its first copy) that the scan engine carries where IPv4
 * carries the address.
 */
#define ST_TARGETS6_MAX (1u << 20)
#define ST_ZONE_MAX     16 /* IF_NAMESIZE */

struct st_targets6 {
    uint8_t (*addr)[16];
    size_t n, cap;
    uint32_t *sorted; /* st_targets6_index(): indexes in address order */
    /* the interface the specs' zones name ("eth0" of fe80::1%eth0), "" none:
     * one for the whole list, as a scan goes out of one interface */
    char zone[ST_ZONE_MAX];
};

/* Whether a is link-local (fe80::/10): reached only on a named interface. */
bool st_addr6_link_local(const uint8_t a[16]);

int st_targets6_add(struct st_targets6 *t, const char *spec, char *err, size_t errsz);

/* Add every spec of a file (as st_targets_add_file). */
int st_targets6_add_file(struct st_targets6 *t, const char *path, char *err, size_t errsz);

/* Remove every address matched by the comma-separated IPv6 specs. */
int st_targets6_exclude(struct st_targets6 *t, const char *specs, char *err, size_t errsz);

/* Build the lookup of st_targets6_key (after the last add or exclude). */
int st_targets6_index(struct st_targets6 *t);

/* The key of address a (1 + the index of its first copy), 0 if no target. */
uint32_t st_targets6_key(const struct st_targets6 *t, const uint8_t a[16]);

/* -6: the list as the scan engine carries it, each address as its key, in
 * order, into keys (replacing its list; t is indexed first). A sweep of
 * IPv6 targets is sharded as this list (st_targets_shard). 0, or -1 (memory). */
int st_targets6_keys(struct st_targets6 *t, struct st_targets *keys);

/* -6: a sweep's digest (st_targets_sweep.digest). Of the addresses in order,
 * not of the keys: any n distinct addresses have the keys 1..n, and shards
 * of two such sweeps must not pass for one. */
uint64_t st_targets6_digest(const struct st_targets6 *t);

/* The address of a key (1..n). */
const uint8_t *st_targets6_addr(const struct st_targets6 *t, uint32_t key);

/* Whether s is IPv6 text (has a ':'): a -6 target rather than IPv4. */
bool st_targets6_is_spec(const char *s);

void st_targets6_free(struct st_targets6 *t);

#endif
