/*
 * The probe modules: one file per probe type (probe_echo.c, probe_syn.c...),
 * each ending in one `struct st_probe_module`, registered in one table
 * (probe_registry.c). A module prepares a template once per port, makes
 * the packet for a target by patching that template (no allocation per
 * probe), and recognizes replies to its probes.
 *
 * Matching keeps no table of what was sent (masscan's cookies): the IP id,
 * ICMP id, TCP seq or SCTP tag of a probe is a keyed hash of (target, port,
 * try), and the source port is sport_base + 2 * try as in nmap, so a reply
 * (or the datagram an ICMP error quotes) is checked by recomputing them.
 * With -g the source port is the same for every try, as nmap keeps its
 * magic port: the try is then told by the cookies alone.
 */
#ifndef ST_PROBE_H
#define ST_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"
#include "util.h"

/* Per-scan constants. */
struct st_probe_ctx {
    uint32_t src;         /* the scanner's address on the interface used */
    uint8_t src_mac[6];   /* its MAC (ARP) */
    struct st_sipkey key; /* the cookie key, random per scan */
    int fixed_ttl;        /* --ttl; -1 for nmap's random 37-59 */
    uint16_t sport_base;  /* source port of try 0; try n uses base + 2n */
    bool fixed_sport;     /* -g: every try uses sport_base */
    uint64_t rng;         /* xorshift state for the random TTLs */
    uint16_t payload;     /* bytes evasion appends to every IP probe (--data*) */
    /* IPv6 (scan -6): the probes are IPv6, src6 is our address, and the
     * `dst` a module is given (and the `target` it returns) is the key of
     * an address of t6 (st_targets6_key), not an IPv4 address */
    bool v6;
    uint8_t src6[16];
    const struct st_targets6 *t6;
};

#define ST_TMPL_MAX 96

/* A probe's bytes for no target in particular, made once per (module, port). */
struct st_probe_tmpl {
    const struct st_probe_module *mod;
    uint16_t port; /* destination port, or the IP protocol of -PO */
    uint16_t len;
    uint8_t l3; /* bytes of IP header before the transport: 20, or 40 for IPv6 */
    uint8_t bytes[ST_TMPL_MAX];
};

/* What a reply says, once a module recognized it as an answer to its probe. */
struct st_probe_reply {
    const struct st_probe_module *mod;
    uint32_t target;
    uint16_t port;
    uint8_t tryno;
    bool up;            /* the host is up (nmap's verdict for this reply) */
    bool decides;       /* nmap reads a verdict in it (false: a parameter problem...) */
    const char *reason; /* nmap's reason: "echo-reply", "reset", "port-unreach"... */
};

struct st_probe_module {
    const char *name;          /* "echo", "syn"... (the mode name) */
    const char *flag;          /* nmap's option: "-PE", "-PS"... */
    const char *default_ports; /* "80", "40125", "1,2,4"; NULL when no ports */
    bool ethernet;             /* makes Ethernet frames (ARP), else IP datagrams */
    void (*prepare)(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t);
    /* Copy and patch the template for (dst, tryno) into out; returns its length. */
    size_t (*make)(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                   uint8_t tryno, uint8_t *out, size_t size);
    /* Is `r` (a received frame) an answer to one of this module's probes
     * sent with tries 0..max_tryno? */
    bool (*match)(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t max_tryno,
                  struct st_probe_reply *out);
};

/* Every module, NULL-terminated, in nmap's order of -P options. */
extern const struct st_probe_module *const st_probe_modules[];

const struct st_probe_module *st_probe_by_name(const char *name);
const struct st_probe_module *st_probe_by_flag(const char *flag);

/* ---- shared by the modules (probe_common.c) ---- */

/* nmap's TTL: --ttl, or random 37-59. */
uint8_t st_probe_ttl(struct st_probe_ctx *ctx);

/* Cookies: 16 bits (IP id, ICMP id; never 0) and 32 bits (TCP seq, SCTP tag). */
uint16_t st_cookie16(const struct st_probe_ctx *ctx, uint32_t dst, uint32_t what, uint8_t tryno);
uint32_t st_cookie32(const struct st_probe_ctx *ctx, uint32_t dst, uint32_t what, uint8_t tryno);

/* The source port of try `tryno` (sport_base + 2 * try, or sport_base with -g). */
uint16_t st_probe_sport(const struct st_probe_ctx *ctx, uint8_t tryno);

/* The tries 0..max_tryno a source port of ours can carry, [*first, *last]:
 * one try, or every try with -g (the reply's cookie then tells which);
 * false when the port is not ours. */
bool st_probe_sport_tries(const struct st_probe_ctx *ctx, uint16_t sport, uint8_t max_tryno,
                          uint8_t *first, uint8_t *last);

/*
 * An ICMP error to the scanner quoting one of our IP probes of protocol
 * `proto` to a target: checks the quoted IP id cookie, which a probe makes
 * from its destination port (TCP, UDP, SCTP), its type (ICMP) or else its
 * protocol number. Fills out with nmap's verdict for the error
 * (st_nmap_reply_verdict); false for an error that decides nothing.
 */
bool st_probe_match_error(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t proto,
                          uint8_t max_tryno, struct st_probe_reply *out);

/* Fills out with nmap's verdict on reply r from target, an answer to the
 * probe (port, tryno) a module recognized; false when nmap would read no
 * verdict in it. */
bool st_probe_answer(struct st_probe_reply *out, const struct st_pkt *r, uint32_t target,
                     uint16_t port, uint8_t tryno);

/* The IP id of the probe (dst, proto, port, try): a cookie as well. */
uint16_t st_probe_ipid(const struct st_probe_ctx *ctx, uint32_t dst, uint8_t proto, uint16_t port,
                       uint8_t tryno);

/* Start a template: zeroed, an IPv4 header of `len` bytes of `proto` from
 * our address, `port` (the destination port, or the protocol) noted. */
void st_probe_tmpl_ip(const struct st_probe_ctx *ctx, struct st_probe_tmpl *t, uint8_t proto,
                      uint16_t len, uint16_t port);

/*
 * A port probe (TCP, UDP, SCTP) for dst's try: the template copied, its IP
 * header patched (st_probe_patch_ip, the id keyed on the port) and the
 * source port that carries the try set. Returns the transport header, or
 * NULL when `size` is too small; the caller adds its cookie and then
 * st_l4_checksum().
 */
uint8_t *st_probe_port_make(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint32_t dst,
                            uint8_t tryno, uint8_t proto, uint8_t *out, size_t size);

/* Whether r is IPv4 (IPv6 for ctx->v6) to the scanner's address (all a
 * probe module reads). */
bool st_probe_for_us(const struct st_probe_ctx *ctx, const struct st_pkt *r);

/* The target r comes from (its IPv4 address, or its key for ctx->v6); 0
 * for an IPv6 source that is no target. */
uint32_t st_probe_src(const struct st_probe_ctx *ctx, const struct st_pkt *r);

/* The transport checksum of a probe of len bytes (IPv4 or IPv6 by ctx). */
void st_probe_checksum(const struct st_probe_ctx *ctx, uint8_t *ip, size_t len);

/* Whether r is an ICMP error (ICMPv6 for ctx->v6) to us quoting a datagram
 * of ours: its protocol then in *proto. */
bool st_probe_quoted(const struct st_probe_ctx *ctx, const struct st_pkt *r, uint8_t *proto);

/* The ICMP echo type a module sends: ICMPv6's for ctx->v6. */
uint8_t st_probe_echo_type(const struct st_probe_ctx *ctx);

/* An ICMP error quoting a port probe of ours of protocol `proto` (its
 * source port carries the try): nmap's verdict on it, as
 * st_probe_match_error. */
bool st_probe_match_port_error(const struct st_probe_ctx *ctx, const struct st_pkt *r,
                               uint8_t proto, uint8_t max_tryno, struct st_probe_reply *out);

/* nmap's SCTP INIT to `port` (-PY's, -PO132's): the template, its initiate
 * tag and TSN left for the cookie (probe_sctp.c). */
void st_sctp_init_tmpl(const struct st_probe_ctx *ctx, uint16_t port, struct st_probe_tmpl *t);

/* A module's definition: `name` (-P flag `flag`, default ports or NULL) and
 * its three functions; an IP probe (ARP spells its own out). */
#define ST_PROBE_MODULE(name_, flag_, ports, prepare_, make_, match_)                              \
    {                                                                                              \
        .name = name_, .flag = flag_, .default_ports = ports, .prepare = prepare_, .make = make_,  \
        .match = match_                                                                            \
    }

/* Copy a template and patch the IPv4 header: ttl, id, dst; header checksum.
 * IPv6 (ctx->v6, dst a key): hop limit 255 or --ttl, flow label 0, dst. */
void st_probe_patch_ip(struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint8_t *out,
                       uint32_t dst, uint16_t id);

/* Copy an IPv6 template and patch hop limit, flow label and the address of
 * target `key`. */
void st_probe_patch_ip6(const struct st_probe_ctx *ctx, const struct st_probe_tmpl *t, uint8_t *out,
                        uint32_t key, uint8_t hopl, uint32_t flow);

#endif
