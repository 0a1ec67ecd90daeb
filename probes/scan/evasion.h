/*
 * nmap's evasion options for the probes of host discovery: IP fragments
 * (-f 8 bytes a fragment, -ff 16, --mtu N), IP options (--ip-options), decoy
 * sources (-D), bad transport checksums (--badsum) and payload (--data,
 * --data-string, --data-length). A probe module makes its datagram as
 * always; these rewrite it the way nmap builds and sends it.
 */
#ifndef ST_EVASION_H
#define ST_EVASION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_EVASION_MAX_DECOYS 16
#define ST_EVASION_MAX_DATA   1400
/* Room for any datagram the options make of a probe. */
#define ST_EVASION_DGRAM_MAX 1600

struct st_evasion {
    unsigned mtu;       /* fragment payload bytes (a multiple of 8), 0: no fragments */
    uint8_t ipopts[40]; /* --ip-options, padded to 4-byte words */
    uint8_t ipoptlen;
    int route_last; /* a source route's empty last slot (the target goes there), -1 */
    bool badsum;
    uint8_t data[ST_EVASION_MAX_DATA];
    size_t datalen;
    /* -D: the sources of each probe's copies, in order; 0 is the scanner
     * itself (ME, last unless placed); with -6 (st_evasion_decoys) the
     * IPv6 ones, all zero for the scanner */
    uint32_t sources[ST_EVASION_MAX_DECOYS + 1];
    uint8_t sources6[ST_EVASION_MAX_DECOYS + 1][16];
    size_t nsources;
};

void st_evasion_init(struct st_evasion *ev);

struct st_plan;

/* nmap's rule for fragments (-f, -ff, --mtu): each pass must hold a TCP ping,
 * an ICMP timestamp, an address mask with 8-byte fragments, or a payload
 * (--data*) that makes its probes longer than a fragment; else the probes
 * would not be cut, and nmap refuses ("Fragscan only works with TCP, ICMP
 * Timestamp or ICMP Mask (mtu=8) ping types"). 0, or -1 with the pass. */
int st_evasion_check_plan(const struct st_evasion *ev, const struct st_plan *plan, char *err,
                          size_t errsz);

/* Whether any option rewrites IP probes. */
bool st_evasion_active(const struct st_evasion *ev);

/* --ip-options: "R", "T", "U", "L a b ...", "S a b ...", or "\xHH" bytes
 * (with "*N" repeating the byte before it). 0, or -1 with a reason. */
int st_evasion_ipopts(struct st_evasion *ev, const char *spec, char *err, size_t errsz);

/* -D decoy1,ME,decoy2,RND:3,...: IPv4 addresses, or IPv6 ones when v6 (nmap
 * -6 refuses RND, and so does this); ME at most once. 0, or -1 with a
 * reason. `rng` draws RND. */
int st_evasion_decoys(struct st_evasion *ev, const char *spec, bool v6, uint64_t *rng, char *err,
                      size_t errsz);

/* How many copies of each IP probe go out (one per -D source, else 1). */
size_t st_evasion_copies(const struct st_evasion *ev);

/* Whether copy d is a decoy's (not the scanner's own); its source address
 * as text in `text` (INET6_ADDRSTRLEN bytes) when it is. */
bool st_evasion_decoy(const struct st_evasion *ev, bool v6, size_t d, char *text);

/* --data HEX (0x or \x prefixes allowed), --data-string S, --data-length N
 * (random bytes). 0, or -1 with a reason. */
int st_evasion_data_hex(struct st_evasion *ev, const char *hex, char *err, size_t errsz);
int st_evasion_data_string(struct st_evasion *ev, const char *s, char *err, size_t errsz);
int st_evasion_data_length(struct st_evasion *ev, unsigned long n, uint64_t *rng, char *err,
                           size_t errsz);

/*
 * The probe `in` (an IPv4 datagram of `n` bytes, from a module) as sent from
 * `src` with `ttl` (or its own if ttl < 0): data appended, options
 * inserted, checksums made (and spoiled with --badsum as nmap does). Sets
 * *hop to where it goes (a source route's first hop, else its destination).
 * Returns its length, or 0 when `size` is too small.
 */
size_t st_evasion_apply(const struct st_evasion *ev, const uint8_t *in, size_t n, uint32_t src,
                        int ttl, uint8_t *out, size_t size, uint32_t *hop);

/*
 * The same for an IPv6 probe (a 40-byte header, no extension header), as
 * nmap -6 sends it, from `src` (NULL: the probe's own source; the hop limit
 * is kept): data appended, payload length and transport checksum
 * made (and spoiled with --badsum). nmap -6 sends IP options nowhere and
 * refuses fragments (scan refuses them too).
 * Returns its length, or 0 when `size` is too small.
 */
size_t st_evasion_apply6(const struct st_evasion *ev, const uint8_t *in, size_t n,
                         const uint8_t *src, uint8_t *out, size_t size);

/*
 * Copy d of the probe `in` (IPv4, or IPv6 when v6) as it goes out: from
 * its decoy's source or the probe's own, with the options applied
 * (st_evasion_apply, st_evasion_apply6). `ttl` is the IPv4 TTL of a
 * decoy's copy (-1: the probe's; nmap -6 keeps the hop limit). Sets *hop
 * (IPv4: where the datagram goes; IPv6: 0). Its length, 0 as apply's.
 */
size_t st_evasion_copy(const struct st_evasion *ev, bool v6, size_t d, const uint8_t *in, size_t n,
                       int ttl, uint8_t *out, size_t size, uint32_t *hop);

/*
 * Fragment k (from 0) of datagram dg as nmap cuts it: the header (options
 * too) on every fragment, ev->mtu payload bytes each. Without fragments, or
 * a payload that fits in one, fragment 0 is the datagram itself. Returns
 * its length; 0 past the last.
 */
size_t st_evasion_fragment(const struct st_evasion *ev, const uint8_t *dg, size_t n, unsigned k,
                           uint8_t *out, size_t size);

#endif
