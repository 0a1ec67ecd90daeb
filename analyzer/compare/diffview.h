/*
 * One side of `scantrace diff`: what a scanner did, per mode and host, read
 * from a run directory, a trace file or a report.json. Modes carry nmap's
 * name for their probes (st_mode_name_of), so an nmap run and a scantrace
 * run of the same mode pair up whatever each calls it.
 */
#ifndef ST_DIFFVIEW_H
#define ST_DIFFVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "comparison.h"

/* A probe or reply: its kind ("TCP SYN to 443") and, from traces, its
 * record. 24 bytes: a /16's two traces are half a million of them (each
 * held a 408-byte copy of its record and its kind's text: 1.1 KB a packet). */
struct st_dv_pkt {
    bool sent;
    int32_t rec;                  /* its index in trace; -1 when read from a report.json */
    const char *kind;             /* the view's one copy of each kind's text */
    const struct st_trace *trace; /* the view's, or NULL */
};

/* p's record (unpacked into tmp), or NULL when it has none (a report.json's). */
const struct st_pkt *st_dv_pkt_record(const struct st_dv_pkt *p, struct st_pkt *tmp);

struct st_dv_host {
    uint32_t addr;
    bool up;
    char reason[32];
    struct st_dv_pkt *pkts; /* probes then replies, in trace order */
    size_t npkts;
};

struct st_dv_mode {
    char name[96];  /* as the run calls it: "-PE", "-PO1,6", "default" */
    char canon[96]; /* nmap's name for its probes: "-PE" */
    struct st_dv_host *hosts;
    size_t nhosts;
};

struct st_diffview {
    char path[4096];
    char dialect[48];
    bool has_packets; /* records available (trace input): --strict and --compare work */
    struct st_dv_mode *modes;
    size_t nmodes;
    /* what the records point into */
    struct st_trace trace;
    struct st_dissection none;
    struct st_comparison cmp;
    bool own_trace;
    /* the kinds' texts, each once (a set: open addressing, cap a power of 2) */
    char **kinds;
    size_t nkinds, kinds_cap;
};

/* A JSON file parsed without report.json's "packets" (every packet of the
 * run: half a /16's 69 MB, and nothing diff reads) and with its "modes"
 * empty (what tells a report from a run.json is at the top), or NULL with
 * the reason in why (not JSON: its line). */
json_object *st_diffview_json(const char *path, char *why, size_t whysz);

/*
 * Load PATH (a run directory, a trace, or a report.json); "PATH:MODE" keeps
 * only that mode. 0, or -1 with a one-line reason in err.
 */
int st_diffview_load(const char *spec, struct st_diffview *v, char *err, size_t errsz);
void st_diffview_free(struct st_diffview *v);

#endif
