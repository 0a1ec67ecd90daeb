/*
 * Verdict table of a live scan (see scan_hosts.h).
 */
#include "scan_hosts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packet.h"
#include "rundir.h"

void st_hosts_add(struct st_host_table *t, const struct st_host_verdict *h)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        struct st_host_verdict *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            abort();
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *h;
    t->up += h->up;
}

void st_hosts_free(struct st_host_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* nmap's latency: two significant digits, never an exponent (0.0000090s) */
static void print_latency(FILE *out, double s)
{
    int decimals = 1;
    for (double x = s; x > 0 && x < 1 && decimals < 12; x *= 10)
        decimals++;
    fprintf(out, "Host is up (%.*fs latency).\n", s >= 1 ? 1 : decimals, s);
}

void st_hosts_print_report(const struct st_host_table *t, FILE *out)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct st_host_verdict *h = &t->v[i];
        if (!h->up)
            continue;
        char a[16];
        st_ip4_str(h->addr, a);
        fputs("Nmap scan report for ", out);
        if (h->name)
            fprintf(out, "%s (%s)", h->name, a);
        else
            fputs(a, out);
        if (t->several_modes)
            fprintf(out, " [mode %s]", h->mode);
        fputc('\n', out);
        if (h->latency_ns >= 0)
            print_latency(out, (double)h->latency_ns / 1e9);
        else
            fputs("Host is up.\n", out);
    }
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Whether s can go between quotes as it is (the common case: the mode and
 * reason words). */
static bool plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '"' || *p == '\\' || *p < 0x20)
            return false;
    return true;
}

/* One host, as json-c's pretty printer would lay it out; one formatted
 * write per host in the common case. */
static void host_obj(FILE *f, const struct st_host_verdict *h, bool last)
{
    char a[16], lat[32];
    const char *mode = h->mode ? h->mode : "";
    const char *reason = h->decided && h->reason ? h->reason : "interrupted";
    /* seconds exactly from the nanoseconds: no binary rounding noise */
    if (h->latency_ns >= 0)
        snprintf(lat, sizeof lat, "%lld.%09lld", (long long)(h->latency_ns / 1000000000),
                 (long long)(h->latency_ns % 1000000000));
    else
        snprintf(lat, sizeof lat, "null");
    st_ip4_str(h->addr, a);
    if (!h->name && plain(mode) && plain(reason)) {
        fprintf(f,
                "    {\n      \"host\": \"%s\",\n      \"mode\": \"%s\",\n      \"verdict\": "
                "\"%s\",\n      \"reason\": \"%s\",\n      \"latency_s\": %s,\n      "
                "\"name\": null,\n      \"tries\": %u\n    }%s\n",
                a, mode, h->up ? "up" : "down", reason, lat, h->tries, last ? "" : ",");
        return;
    }
    fprintf(f, "    {\n      \"host\": \"%s\",\n      \"mode\": ", a);
    json_str(f, mode);
    fprintf(f, ",\n      \"verdict\": \"%s\",\n      \"reason\": ", h->up ? "up" : "down");
    json_str(f, reason);
    fprintf(f, ",\n      \"latency_s\": %s,\n      \"name\": ", lat);
    if (h->name)
        json_str(f, h->name);
    else
        fputs("null", f);
    fprintf(f, ",\n      \"tries\": %u\n    }%s\n", h->tries, last ? "" : ",");
}

int st_hosts_write_runjson(int dirfd, json_object *run, const struct st_host_table *t)
{
    const char *tmp = ".run.json.tmp", *path = "run.json";
    /* everything but the hosts through json-c, the hosts appended as a stream */
    json_object_object_del(run, "hosts");
    const char *text = json_object_to_json_string_ext(
        run, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text);
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    if (!len || text[len - 1] != '}') {
        errno = EINVAL;
        return -1;
    }
    len--;
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    bool empty = len && text[len - 1] == '{';
    /* through the run directory's descriptor: the scan may no longer be root */
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    fwrite(text, 1, len, f);
    fprintf(f, "%s\n  \"hosts\": [\n", empty ? "" : ",");
    for (size_t i = 0; i < t->n; i++)
        host_obj(f, &t->v[i], i + 1 == t->n);
    fputs("  ]\n}\n", f);
    int ok = !ferror(f);
    if (fclose(f) != 0)
        ok = 0;
    if (!ok || renameat(dirfd, tmp, dirfd, path) != 0) {
        int e = errno;
        unlinkat(dirfd, tmp, 0);
        errno = e;
        return -1;
    }
    return 0;
}
