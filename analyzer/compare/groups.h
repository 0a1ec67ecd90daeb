/*
 * Probes of a group: an echo request to a multicast group (ping -6
 * ff02::1%lan0, fping -6 ff02::1%lan0) or to a broadcast address (ping -b
 * 198.18.1.255) asks every host that hears it, and each one that answers
 * with an echo reply of its id and sequence is a host it found up: a
 * member. The group has no address of its own on the wire: its answers come
 * from the members' addresses, so an answer is tied to its request by id
 * and sequence, not by address.
 */
#ifndef ST_GROUPS_H
#define ST_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"
#include "packet.h"

struct st_comparison;

/* A probe of a group in a comparison's trace (st_comparison.groups). */
struct st_group_probe {
    uint64_t key;  /* st_group_key */
    int32_t probe; /* its trace packet */
};

/* Whether p goes to a group: an IPv6 multicast address, an IPv4 multicast
 * or the limited broadcast address, or a frame its link sent to every
 * station (a directed broadcast, 198.18.1.255: only its link layer says so,
 * the Ethernet destination or a cooked capture's packet type of a frame
 * received). */
bool st_pkt_to_group(const struct st_pkt *p);

/* Whether p is an echo request to a group: by st_pkt_to_group, or to one
 * of the directed broadcasts bcast (n, sorted: st_groups_by_answers). */
bool st_group_probe(const struct st_pkt *p, const uint32_t *bcast, size_t n);

/* The IPv4 directed broadcasts of a capture told by their answers, for the
 * frames whose link layer does not say (-i any's cooked capture has no
 * destination MAC, and marks what the host sent "outgoing"): each
 * destination of an echo request answered with its id and sequence by
 * other addresses alone, whose host part past its common prefix with such
 * an address is all ones (198.18.1.255 answered by 198.18.1.2: the /24's
 * broadcast). A unicast address answers from itself. Sorted, NULL when
 * there is none; the count into *n. */
uint32_t *st_groups_by_answers(const struct st_dissection *cap, size_t *n);

/* Whether IPv4 address d is the broadcast address of a subnet that holds
 * x: its bits past their common prefix all ones, a host part of two bits
 * or more (a /31 has no broadcast address). */
bool st_broadcast_of(uint32_t d, uint32_t x);

/* An echo request's or echo reply's family, id and sequence as one key
 * (never 0), the same for a request and its replies; 0 for any other
 * packet. is_reply: which of the two p must be. An ICMPv6 echo whose id
 * is unknown (ST_PKT_NO_ECHO_ID) has the family's key for that. */
uint64_t st_group_key(const struct st_pkt *p, bool is_reply);

/* The trace's probes of a group into c->groups, and their groups into
 * c->group_hosts (after the alignment: a traced line's frame shows its
 * link layer). Nothing in a run without one, nearly every run. */
void st_groups_find(struct st_comparison *c);

/* The group probe reply f answers (an echo reply with a group probe's id
 * and sequence, from another address than the group's; of several probes
 * alike, the first), or -1. */
long st_group_answered(const struct st_comparison *c, const struct st_pkt *f);

/* Whether host is a group a probe of the trace went to. */
bool st_group_host(const struct st_comparison *c, uint32_t host);

/* Whether a scanner's output names each member that answers a group (ping's
 * "64 bytes from X", hping3's "ip=X"), not only the group (fping). */
bool st_scanner_prints_members(const char *scanner);

/* Whether a scanner takes a member's answer for its group's (ping, fping,
 * hping3 count any echo reply of their id and sequence). nmap and nping
 * tie a reply to the address it comes from: to them the group is a target
 * like any other, answered only from its own address, and its members are
 * no targets of theirs (nping never traces their replies). */
bool st_scanner_counts_members(const char *scanner);

#endif
