/*
 * The report formats: one table that compare, report and explain all read,
 * so --format takes the same names everywhere, and one way of writing a
 * report to a file (whole or not at all).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

static void render_text(const struct st_render *r, FILE *out)
{
    st_report_text(r->c, out, r->color);
}

static void render_json(const struct st_render *r, FILE *out)
{
    st_report_json_write(r->c, out);
}

static void render_junit(const struct st_render *r, FILE *out)
{
    st_report_junit(r->c, out);
}

static void render_markdown(const struct st_render *r, FILE *out)
{
    st_report_markdown(r->c, out);
}

static void render_html(const struct st_render *r, FILE *out)
{
    st_report_html(r->c, out);
}

static void render_explain(const struct st_render *r, FILE *out)
{
    st_report_explain(r, out);
}

static const struct st_report_format formats[] = {
    {.name = "text", .color = true, .render = render_text},
    {.name = "json", .render = render_json},
    {.name = "junit", .render = render_junit},
    {.name = "markdown", .alias = "md", .render = render_markdown},
    {.name = "html", .render = render_html},
    {.name = "explain", .color = true, .render = render_explain},
};

#define N_FORMATS (sizeof formats / sizeof formats[0])

const struct st_report_format *st_report_format(const char *name)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (!strcmp(name, formats[i].name) || (formats[i].alias && !strcmp(name, formats[i].alias)))
            return &formats[i];
    return NULL;
}

/* "text, json, ... or explain" */
static const char *format_names(void)
{
    static char names[128];
    if (!names[0]) {
        struct st_sb b;
        st_sb_init(&b, names, sizeof names);
        for (size_t i = 0; i < N_FORMATS; i++)
            st_sb_printf(&b, "%s%s",
                         i == 0              ? ""
                         : i + 1 < N_FORMATS ? ", "
                                             : " or ",
                         formats[i].name);
    }
    return names;
}

void st_report_options_usage(FILE *out, const char *dflt)
{
    fprintf(out,
            "  -f, --format F   %s\n"
            "                   (%s by default; md is markdown)\n"
            "  -o, --output F   write the report to F instead of standard output\n",
            format_names(), dflt);
}

const struct st_report_format *st_report_format_arg(const char *prog, const char *name)
{
    const struct st_report_format *f = st_report_format(name);
    if (!f)
        fprintf(stderr, "%s: --format: %s, not '%s'\n", prog, format_names(), name);
    return f;
}

bool st_color_arg(const char *cmd, const char *arg, enum st_color_when *when)
{
    static const char *const names[] = {
        [ST_COLOR_AUTO] = "auto", [ST_COLOR_ALWAYS] = "always", [ST_COLOR_NEVER] = "never"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(arg, names[i])) {
            *when = (enum st_color_when)i;
            return true;
        }
    fprintf(stderr,
            "scantrace %s: --color: auto, always or never, not '%s' (see 'scantrace %s --help')\n",
            cmd, arg, cmd);
    return false;
}

bool st_color_on(enum st_color_when when, int fd)
{
    if (when != ST_COLOR_AUTO)
        return when == ST_COLOR_ALWAYS;
    return isatty(fd) && !getenv("NO_COLOR");
}

/* A file being written: the temporary beside path, and the signal mask to
 * restore once it is renamed or removed. */
struct atomic_out {
    const char *prog, *path;
    char tmp[4352];
    FILE *f;
    sigset_t old;
};

static int fail(const char *prog, const char *path, int err)
{
    fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(err ? err : EIO));
    return ST_EXIT_ENVIRONMENT;
}

static FILE *atomic_open(struct atomic_out *a, const char *prog, const char *path)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    sigaddset(&stop, SIGXFSZ); /* past ulimit -f: EFBIG, cleaned up, then the signal */
    sigprocmask(SIG_BLOCK, &stop, &a->old);
    a->prog = prog;
    a->path = path;
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    int n = snprintf(a->tmp, sizeof a->tmp, "%.*s.%s.%ld.tmp", dirlen, path,
                     slash ? slash + 1 : path, (long)getpid());
    a->f = n > 0 && (size_t)n < sizeof a->tmp ? fopen(a->tmp, "w") : NULL;
    if (!a->f) {
        fail(prog, path, n > 0 && (size_t)n < sizeof a->tmp ? errno : ENAMETOOLONG);
        sigprocmask(SIG_SETMASK, &a->old, NULL);
    }
    return a->f;
}

static int atomic_close(struct atomic_out *a)
{
    int rc = 0;
    errno = 0;
    if (fflush(a->f) || ferror(a->f) || fsync(fileno(a->f)))
        rc = fail(a->prog, a->path, errno);
    if (fclose(a->f) && !rc)
        rc = fail(a->prog, a->path, errno);
    if (!rc && rename(a->tmp, a->path))
        rc = fail(a->prog, a->path, errno);
    if (rc)
        unlink(a->tmp);
    sigprocmask(SIG_SETMASK, &a->old, NULL);
    return rc;
}

/* path is (or will be) a regular file, which can be replaced */
static bool replaceable(const char *path)
{
    struct stat sb;
    return stat(path, &sb) != 0 ? errno == ENOENT : S_ISREG(sb.st_mode);
}

int st_report_write(const char *prog, const struct st_report_format *f, const struct st_render *r,
                    const char *path)
{
    struct st_render rr = *r;
    if (path && !strcmp(path, "-")) /* "-o -": standard output, as other tools read it */
        path = NULL;
    /* a file is coloured only when asked for (--color always) */
    rr.color =
        f->color && (path ? r->when == ST_COLOR_ALWAYS : st_color_on(r->when, STDOUT_FILENO));
    if (path && replaceable(path)) {
        struct atomic_out a;
        if (!atomic_open(&a, prog, path))
            return ST_EXIT_ENVIRONMENT;
        f->render(&rr, a.f);
        return atomic_close(&a);
    }
    FILE *out = path ? fopen(path, "w") : stdout;
    if (!out)
        return fail(prog, path, errno);
    f->render(&rr, out);
    errno = 0;
    bool bad = fflush(out) != 0 || ferror(out);
    int err = errno;
    if (out != stdout && fclose(out) && !bad) {
        bad = true;
        err = errno;
    }
    return bad ? fail(prog, path ? path : "standard output", err) : 0;
}
