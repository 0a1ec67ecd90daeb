/*
 * --event-trace: the engine's requests and callbacks as nsock's INFO log
 * lines, with "EVENT" where nmap prints "NSOCK":
 *
 *   EVENT INFO [0.0340s] nsock_connect_tcp(): TCP connection requested to ...
 *
 * The function names and message templates are nsock's (doc/nmap-notes.md,
 * "nsock's log lines"), so a trace reads like nmap's; the time is whole
 * milliseconds since the origin, divided by 1000, as nmap's logger prints it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ev_internal.h"

#define DISPLAY_MAX 80 /* data of a read is shown only when shorter */

const char *st_ev__addr_str(const struct sockaddr *sa, char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
        port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
        port = ntohs(sin6->sin6_port);
    }
    /* nsock shows IPv6 peers unbracketed too: fe80::1:53 */
    snprintf(buf, size, "%s:%u", ip, port);
    return buf;
}

const char *st_ev__peer_str(const st_ev_iod *iod, char *buf, size_t size)
{
    if (!iod || iod->peer_len == 0) {
        snprintf(buf, size, "peer unspecified");
        return buf;
    }
    return st_ev__addr_str((const struct sockaddr *)&iod->peer, buf, size);
}

void st_ev__trace(st_ev_pool *pool, const char *func, const char *fmt, ...)
{
    if (!pool->trace)
        return;
    long long ms = (pool->now_ns - pool->trace_origin_ns) / 1000000;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(pool->trace, "EVENT INFO [%.4fs] %s(): %s\n", (double)ms / 1000.0, func, msg);
    fflush(pool->trace);
}

void st_ev__trace_callback(st_ev_pool *pool, const st_ev_event *ev)
{
    if (!pool->trace)
        return;
    const char *func = "nsock_trace_handler_callback";
    const char *type = st_ev_type_str(ev->type), *status = st_ev_status_str(ev->status);
    char err[256] = "", peer[INET6_ADDRSTRLEN + 16];
    if (ev->status == ST_EV_ERROR)
        snprintf(err, sizeof err, "[%s (%d)] ", strerror(ev->err), ev->err);
    st_ev__peer_str(ev->iod, peer, sizeof peer);

    if (ev->type == ST_EV_READ && ev->status == ST_EV_SUCCESS) {
        char shown[DISPLAY_MAX + 3] = "";
        if (ev->buf.len < DISPLAY_MAX) {
            /* ": " then the data, non-printable bytes as '.' */
            shown[0] = ':';
            shown[1] = ' ';
            for (size_t i = 0; i < ev->buf.len; i++) {
                unsigned char c = ev->buf.data[i];
                shown[2 + i] = c >= 0x20 && c < 0x7f ? (char)c : '.';
            }
            shown[2 + ev->buf.len] = '\0';
        }
        st_ev__trace(pool, func, "Callback: %s %s for EID %li [%s] %s(%zu bytes)%s", type, status,
                     ev->id, peer, ev->eof ? "[EOF]" : "", ev->buf.len, shown);
        return;
    }
    switch (ev->type) {
    case ST_EV_READ: /* other results of a read print like connects and writes */
    case ST_EV_CONNECT:
    case ST_EV_CONNECT_SSL:
    case ST_EV_WRITE:
        st_ev__trace(pool, func, "Callback: %s %s %sfor EID %li [%s]", type, status, err, ev->id,
                     peer);
        break;
    case ST_EV_TIMER:
        st_ev__trace(pool, func, "Callback: %s %s %sfor EID %li", type, status, err, ev->id);
        break;
    case ST_EV_PCAP_READ:
        /* nsock leaves a trailing space on this one */
        st_ev__trace(pool, func, "Callback: %s %s %sfor EID %li ", type, status, err, ev->id);
        break;
    default:
        break;
    }
}
