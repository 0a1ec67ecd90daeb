#include "runjson.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "privdrop.h"
#include "version.h"

static struct json_object *str_array(int n, char **v)
{
    struct json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_string("scantrace"));
    for (int i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

/* The addresses of this host (its network namespace) when the run starts:
 * a scanner's own address is up without a packet (nmap's
 * localhost-response), and compare must know it to judge such a target and
 * a scanner's claim of it. */
static struct json_object *local_addresses(void)
{
    struct json_object *a = json_object_new_array();
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs) < 0)
        return a;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        char s[INET6_ADDRSTRLEN];
        int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;
        const void *in =
            fam == AF_INET ? (const void *)&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr
            : fam == AF_INET6
                ? (const void *)&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr
                : NULL;
        if (in && inet_ntop(fam, in, s, sizeof s))
            json_object_array_add(a, json_object_new_string(s));
    }
    freeifaddrs(ifs);
    return a;
}

/* The command's local clock when the run starts: the zone it prints and its
 * offset from UTC (the command inherits this process's TZ). nmap's
 * "Starting ... at 11:39 UTC" is local time under the zone's name, and
 * TZ=UTC+3 (POSIX: three hours WEST) names UTC-3 "UTC": compare needs the
 * offset to place that minute, the name alone misleads. */
static struct json_object *local_clock(int64_t start_ns)
{
    time_t t = (time_t)(start_ns / 1000000000);
    struct tm tm;
    struct json_object *o = json_object_new_object();
    tzset();
    if (!localtime_r(&t, &tm))
        return o;
    const char *tz = getenv("TZ");
    json_object_object_add(o, "zone", json_object_new_string(tm.tm_zone ? tm.tm_zone : ""));
    json_object_object_add(o, "utc_offset_s", json_object_new_int64(tm.tm_gmtoff));
    json_object_object_add(o, "tz", tz ? json_object_new_string(tz) : NULL);
    return o;
}

struct json_object *st_runjson_new(const char *subcommand, int argc, char **argv, int64_t start_ns)
{
    struct json_object *run = json_object_new_object();
    json_object_object_add(run, "scantrace_version", json_object_new_string(ST_VERSION));
    json_object_object_add(run, "subcommand", json_object_new_string(subcommand));
    json_object_object_add(run, "command_line", str_array(argc, argv));
    json_object_object_add(run, "start_time_ns", json_object_new_int64(start_ns));
    json_object_object_add(run, "privileged", json_object_new_boolean(st_privileged()));
    json_object_object_add(run, "status", json_object_new_string("running"));
    json_object_object_add(run, "modes", json_object_new_array());
    json_object_object_add(run, "targets", json_object_new_array());
    json_object_object_add(run, "hosts", json_object_new_array());
    json_object_object_add(run, "local_addresses", local_addresses());
    json_object_object_add(run, "local_clock", local_clock(start_ns));
    return run;
}

static struct json_object *u64(uint64_t v)
{
    return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

void st_runjson_set_capture(struct json_object *run, const struct st_capture *cap, const char *file,
                            unsigned snaplen, unsigned buffer_bytes)
{
    struct json_object *names = json_object_new_array();
    struct json_object *ifs = json_object_new_array();
    uint64_t received = 0, dropped = 0, frames = 0;
    /* while the capture runs its thread owns the counters: zeros until the stop */
    bool live = st_capture_running(cap);
    for (size_t i = 0; i < st_capture_n_ifs(cap); i++) {
        const struct st_capture_ifstats *s = st_capture_ifstats(cap, i);
        struct st_capture_ifstats z = {0};
        const struct st_capture_ifstats *n = live ? &z : s;
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(s->name));
        json_object_object_add(o, "linktype", json_object_new_string(s->linktype));
        json_object_object_add(o, "received", u64(n->received));
        json_object_object_add(o, "dropped", u64(n->dropped));
        json_object_object_add(o, "frames", u64(n->frames));
        json_object_object_add(o, "failed", json_object_new_boolean(n->failed));
        json_object_array_add(ifs, o);
        json_object_array_add(names, json_object_new_string(s->name));
        received += n->received;
        dropped += n->dropped;
        frames += n->frames;
    }
    struct json_object *c = json_object_new_object();
    json_object_object_add(c, "file", json_object_new_string(file));
    json_object_object_add(c, "snaplen", json_object_new_int64(snaplen));
    json_object_object_add(c, "buffer_bytes", json_object_new_int64(buffer_bytes));
    json_object_object_add(c, "interfaces", ifs);
    json_object_object_add(c, "received", u64(received));
    json_object_object_add(c, "dropped", u64(dropped));
    json_object_object_add(c, "frames", u64(frames));
    json_object_object_add(run, "interfaces", names);
    json_object_object_add(run, "capture", c);
}

/* run.json written by body(f, ctx) (0, or -1 with errno) into a temporary
 * file of the directory dirfd (through it: the scan may no longer be root),
 * renamed over run.json once whole, removed otherwise. 0, or -1 with errno. */
static int write_atomically(int dirfd, int (*body)(FILE *f, void *ctx), void *ctx)
{
    const char *tmp = ".run.json.tmp";
    int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        errno = e;
        return -1;
    }
    errno = 0;
    bool ok = body(f, ctx) == 0 && !ferror(f);
    int e = ok ? 0 : errno;
    if (fclose(f) != 0 && ok)
        ok = false, e = errno;
    if (ok && renameat(dirfd, tmp, dirfd, "run.json") != 0)
        ok = false, e = errno;
    if (!ok) {
        unlinkat(dirfd, tmp, 0);
        errno = e ? e : EIO;
        return -1;
    }
    return 0;
}

static int put_text(FILE *f, void *ctx)
{
    return fputs(ctx, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
}

int st_runjson_writeat(int dirfd, struct json_object *run)
{
    const char *text = json_object_to_json_string_ext(
        run, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    return write_atomically(dirfd, put_text, (void *)(uintptr_t)text);
}

/* The members but key as json-c writes them, without the closing brace:
 * its length, and whether no member is left; 0 when the text is not an
 * object. */
static size_t open_object(struct json_object *run, const char *key, const char **text, bool *empty)
{
    json_object_object_del(run, key);
    *text = json_object_to_json_string_ext(run, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(*text);
    while (len && ((*text)[len - 1] == '\n' || (*text)[len - 1] == ' '))
        len--;
    if (!len || (*text)[len - 1] != '}')
        return 0;
    len--;
    while (len && ((*text)[len - 1] == '\n' || (*text)[len - 1] == ' '))
        len--;
    *empty = len && (*text)[len - 1] == '{';
    return len;
}

/* run.json with its array streamed: the members, then the array's elements. */
struct with_array {
    const char *text, *key;
    size_t len;
    bool empty;
    int (*each)(FILE *f, void *ctx);
    void *ctx;
};

static int put_with_array(FILE *f, void *ctx)
{
    const struct with_array *w = ctx;
    fwrite(w->text, 1, w->len, f);
    fprintf(f, "%s\n  \"%s\": [\n", w->empty ? "" : ",", w->key);
    if (w->each(f, w->ctx))
        return -1;
    fputs("  ]\n}\n", f);
    return 0;
}

int st_runjson_write_array(int dirfd, struct json_object *run, const char *key,
                           int (*each)(FILE *f, void *ctx), void *ctx)
{
    struct with_array w = {.key = key, .each = each, .ctx = ctx};
    w.len = open_object(run, key, &w.text, &w.empty);
    if (!w.len) {
        errno = EINVAL;
        return -1;
    }
    return write_atomically(dirfd, put_with_array, &w);
}

struct json_object *st_runjson_signal(int sig)
{
    char name[32];
    const char *abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(name, sizeof name, "SIG%s", abbrev);
    else
        snprintf(name, sizeof name, "%d", sig);
    return json_object_new_string(name);
}
