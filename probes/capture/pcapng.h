/*
 * A pcapng writer: one section (SHB), one interface description (IDB) per
 * captured interface, an enhanced packet block (EPB) per frame with its
 * direction and an optional comment, and an interface statistics block (ISB)
 * per interface at the end.
 *
 * libpcap can only write pcap, and pcap has no comments, directions or drop
 * counts; libwiretap can but brings glib and the GPL. The format is small
 * enough to write here: the block types and option codes of the pcapng
 * specification, named in pcapng.c, and checked by reading the files back
 * with tshark and capinfos (tests/lab/test_record.sh).
 *
 * Blocks are written whole through a buffered FILE*; after st_pcapng_flush()
 * the file on disk ends at a block boundary, which every pcapng reader
 * accepts, so a capture killed between flushes keeps everything up to the
 * last one. Numbers are written in host byte order (the SHB's byte-order
 * magic tells readers which). Timestamps are nanoseconds (if_tsresol=9).
 */
#ifndef ST_PCAPNG_H
#define ST_PCAPNG_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame and comment the writer accepts (bytes). */
#define ST_PCAPNG_MAX_FRAME   262144u
#define ST_PCAPNG_MAX_COMMENT 65000u

/* epb_flags bits 0-1. */
enum st_pcapng_dir {
    ST_PCAPNG_DIR_UNKNOWN = 0,
    ST_PCAPNG_DIR_IN = 1,
    ST_PCAPNG_DIR_OUT = 2,
};

struct st_pcapng_if {
    const char *name;   /* if_name; NULL for none */
    uint16_t linktype;  /* LINKTYPE_ value (1 Ethernet, 101 raw IP) */
    uint32_t snaplen;   /* 0: unlimited */
    const uint8_t *mac; /* if_MACaddr (6 bytes), or NULL */
};

/* Counters of one interface for its ISB (all-ones fields are left out). */
struct st_pcapng_stats {
    int64_t start_ns, end_ns; /* isb_starttime / isb_endtime, epoch ns */
    uint64_t ifrecv;          /* isb_ifrecv: packets the capture saw */
    uint64_t ifdrop;          /* isb_ifdrop: packets lost before reaching us */
    uint64_t osdrop;          /* isb_osdrop: of which the OS dropped */
    uint64_t usrdeliv;        /* isb_usrdeliv: packets written to this file */
};

#define ST_PCAPNG_NONE UINT64_MAX

struct st_pcapng;

/*
 * Create (truncate) `path` and write the SHB: shb_userappl = `userappl`,
 * shb_os from uname(2). NULL with errno set on failure. The file descriptor
 * is close-on-exec.
 */
struct st_pcapng *st_pcapng_open(const char *path, const char *userappl);

/* Write an IDB; returns the interface id (0, 1, ...) or -1 (errno set). */
int st_pcapng_add_if(struct st_pcapng *w, const struct st_pcapng_if *ifc);

/*
 * Write an EPB for `caplen` bytes of a frame `origlen` long on interface
 * `if_id`, at `ts_ns` since the epoch. `comment` (NULL or "" for none) is
 * stored as opt_comment. Returns 0, or -1 with errno EINVAL for an unknown
 * interface, caplen > origlen, caplen above ST_PCAPNG_MAX_FRAME or a comment
 * above ST_PCAPNG_MAX_COMMENT; with another errno when writing failed.
 */
int st_pcapng_write_epb(struct st_pcapng *w, uint32_t if_id, int64_t ts_ns, const uint8_t *data,
                        uint32_t caplen, uint32_t origlen, enum st_pcapng_dir dir,
                        const char *comment);

/* Write an ISB for interface `if_id` stamped `ts_ns`. 0 or -1 (errno). */
int st_pcapng_write_isb(struct st_pcapng *w, uint32_t if_id, int64_t ts_ns,
                        const struct st_pcapng_stats *s);

/* Push every whole block written so far to the file. 0 or -1 (errno). */
int st_pcapng_flush(struct st_pcapng *w);

/* Flush, close and free (also after an error). 0 or -1 (errno). */
int st_pcapng_close(struct st_pcapng *w);

#endif
