/*
 * Capture handles as IODs: libpcap in non-blocking immediate mode, watched
 * through its selectable descriptor. A PCAP_READ completes with one frame;
 * the loop also polls pending captures before each wait, because libpcap
 * may already hold frames the descriptor no longer announces.
 */
#include <errno.h>
#include <string.h>

#include "ev_internal.h"

int st_ev_pcap_attach(st_ev_pool *pool, st_ev_iod *iod, struct pcap *p)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    if (!iod || iod->deleted || iod->state != ST_EV_IOD_INITIAL || iod->fd >= 0 || !p)
        return -EINVAL;
    if (pcap_setnonblock(p, 1, errbuf) < 0)
        return -EIO;
    int fd = pcap_get_selectable_fd(p);
    if (fd < 0)
        return -ENOTSUP;
    iod->pcap = p;
    iod->fd = fd;
    iod->sock_type = 0;
    iod->state = ST_EV_IOD_PCAP;
    (void)pool;
    return 0;
}

int st_ev_pcap_open(st_ev_pool *pool, st_ev_iod *iod, const char *device, int snaplen, bool promisc,
                    const char *filter, char *errbuf)
{
    if (!iod || iod->deleted || iod->state != ST_EV_IOD_INITIAL || !device)
        return -EINVAL;
    errbuf[0] = '\0';
    pcap_t *p = pcap_create(device, errbuf);
    if (!p)
        return -EIO;
    int rc = -EIO;
    if (pcap_set_snaplen(p, snaplen) || pcap_set_promisc(p, promisc) ||
        pcap_set_immediate_mode(p, 1) || pcap_activate(p) < 0)
        goto fail;
    if (filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
            goto fail;
        int set = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (set < 0)
            goto fail;
    }
    rc = st_ev_pcap_attach(pool, iod, p);
    if (rc < 0)
        goto fail;
    st_ev__trace(pool, "nsock_pcap_open",
                 "PCAP requested on device '%s' with berkeley filter '%s' (promisc=%i snaplen=%i "
                 "to_ms=%i) (IOD #%lu)",
                 device, filter ? filter : "", promisc ? 1 : 0, snaplen, 0, iod->id);
    return 0;
fail:
    if (!errbuf[0])
        snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", pcap_geterr(p));
    pcap_close(p);
    return rc;
}

st_ev_id st_ev_pcap_read(st_ev_pool *pool, st_ev_iod *iod, st_ev_handler h, int timeout_ms,
                         void *userdata)
{
    if (!iod || iod->deleted || !iod->pcap)
        return -EINVAL;
    st_ev_event *ev = st_ev__event_new(pool, ST_EV_PCAP_READ, iod, timeout_ms, h, userdata);
    if (!ev)
        return -errno;
    st_ev__trace(pool, "nsock_pcap_read_packet", "Pcap read request from IOD #%lu  EID %li",
                 iod->id, ev->id);
    st_ev__event_add(pool, ev);
    return ev->id;
}

int st_ev__pcap_try(st_ev_pool *pool, st_ev_event *ev)
{
    struct pcap_pkthdr *hdr;
    const u_char *data;
    int r = pcap_next_ex(ev->iod->pcap, &hdr, &data);
    if (r == 0)
        return 0;
    if (r == 1) {
        ev->pcap_hdr = *hdr;
        if (st_ev__buf_append(&ev->buf, data, hdr->caplen) < 0) {
            st_ev__complete(pool, ev, ST_EV_ERROR, ENOMEM);
            return -ENOMEM;
        }
        ev->iod->read_count += hdr->caplen;
        st_ev__complete(pool, ev, ST_EV_SUCCESS, 0);
        return 1;
    }
    if (r == PCAP_ERROR_BREAK) {
        st_ev__complete(pool, ev, ST_EV_EOF, 0);
        return -EIO;
    }
    st_ev__complete(pool, ev, ST_EV_ERROR, EIO);
    return -EIO;
}

const struct pcap_pkthdr *st_ev_event_pcap_header(const st_ev_event *ev)
{
    return ev->type == ST_EV_PCAP_READ && ev->status == ST_EV_SUCCESS ? &ev->pcap_hdr : NULL;
}
