/*
 * A probe the kernel refused (sendto's EMSGSIZE over the link's MTU, EPERM
 * from a firewall, ENOBUFS...), in the trace as nmap words it on standard
 * error: "sendto in FUNCTION: sendto(FD, packet, LEN, 0, DST, ADDRLEN) =>
 * ERROR" and "Offending packet: PROBE". nmap traces no SENT line for it,
 * nor does scan; these two lines keep the attempt in trace.log, where
 * compare reads it (a refused probe is no frame, and its host was never
 * asked: not "no-response").
 */
#ifndef ST_SEND_FAIL_H
#define ST_SEND_FAIL_H

#include <stddef.h>

#include "packet.h"

/* The two lines (each with its newline) into buf; dst is the destination
 * as text, addrlen the sockaddr's size nmap prints (16, or 28 for IPv6). */
void st_send_fail_lines(char *buf, size_t size, const char *function, int fd, size_t len,
                        const char *dst, int addrlen, int err, const struct st_pkt *p);

#endif
