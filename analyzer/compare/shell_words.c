/*
 * A recorded command that went through a shell (`sh -c "nmap ... | tee
 * out"`): the words of the command the shell ran first, so that the scanner,
 * its mode and its targets are read as if it had been run directly.
 * Quoting as POSIX sh does it for words ('...', "...", backslash); the first
 * simple command ends at an unquoted | ; & < > ( ) or newline. Expansions
 * ($VAR, globs) are left as written: a target spec never needs them.
 */
#include "shell_words.h"

#include <stdlib.h>
#include <string.h>

static const char *const shells[] = {"sh", "bash", "dash", "zsh", "ksh", "ash", "busybox"};

static const char *base_of(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

static bool is_shell(const char *word)
{
    for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
        if (!strcmp(base_of(word), shells[i]))
            return true;
    return false;
}

/* A shell's options that take the next word as their value (sh -o
 * errexit, bash -O extglob, bash --rcfile FILE): that word is no option. */
static bool takes_value(const char *opt)
{
    static const char *const with_value[] = {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"};
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (!strcmp(opt, with_value[i]))
            return true;
    return false;
}

/* The index of the -c command string of a shell at argv[0], or 0. */
static size_t command_string(const char *const *argv, size_t argc)
{
    size_t i = 1;
    if (argc > 1 && !strcmp(base_of(argv[0]), "busybox"))
        i = 2; /* busybox sh -c ... */
    for (; i < argc && (argv[i][0] == '-' || argv[i][0] == '+') && argv[i][1]; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '-' && strchr(argv[i] + 1, 'c'))
            return i + 1 < argc ? i + 1 : 0;
        if (!strcmp(argv[i], "--"))
            return 0; /* sh -- script: no command string */
        i += takes_value(argv[i]);
    }
    return 0;
}

/* One word of s from *p (quotes removed) into out; false at the end of the
 * first simple command. */
static bool next_word(const char **p, char *out)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || strchr("|;&<>()\n", *s))
        return false;
    char *o = out;
    while (*s && !strchr(" \t|;&<>()\n", *s)) {
        if (*s == '\'') {
            const char *e = strchr(s + 1, '\'');
            size_t n = e ? (size_t)(e - s - 1) : strlen(s + 1);
            memcpy(o, s + 1, n);
            o += n;
            s += n + 1 + (e != NULL);
        } else if (*s == '"') {
            for (s++; *s && *s != '"'; s++)
                *o++ = *s == '\\' && s[1] && strchr("\"\\$`", s[1]) ? *++s : *s;
            s += *s == '"';
        } else if (*s == '\\' && s[1]) {
            *o++ = s[1];
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    *p = s;
    return true;
}

/* Whether the command ends in a redirection of its standard output or a
 * pipe: what it printed is not what the recording's stdout holds. A word of
 * digits before '>' names the descriptor (2>: standard error). */
static bool stdout_elsewhere(const char *p, const char *last_word)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '|')
        return p[1] != '|';
    if (*p == '&' && p[1] == '>')
        return true;
    if (*p != '>')
        return false;
    return !last_word || strspn(last_word, "0123456789") != strlen(last_word) ||
           !strcmp(last_word, "1");
}

/* Past the simple command at *p (its words, its redirections and their
 * targets) and the operator after it (; & | && || newline): whether a
 * command follows. */
static bool skip_command(const char **p, char *buf)
{
    for (;;) {
        while (next_word(p, buf))
            ;
        const char *s = *p;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            return false;
        if (*s == '<' || *s == '>') { /* a redirection: its operator, then its target */
            s += strspn(s, "<>&");
            *p = s;
            next_word(p, buf);
            continue;
        }
        *p = s + strspn(s, "|;&()\n");
        return true;
    }
}

size_t st_shell_expand_nth(const char *const *argv, size_t argc, size_t k, char ***out,
                           bool *redirected)
{
    size_t at = argc;
    for (size_t i = 0; i < argc && at == argc; i++)
        if (is_shell(argv[i]) && command_string(argv + i, argc - i))
            at = i;
    *out = NULL;
    *redirected = false;
    if (at == argc)
        return 0;
    const char *p = argv[at + command_string(argv + at, argc - at)];
    char *buf = malloc(strlen(p) + 1);
    if (!buf)
        abort();
    bool more = true;
    for (size_t i = 0; i < k && more; i++)
        more = skip_command(&p, buf);
    free(buf);
    if (!more)
        return 0;
    /* that command as a shell's string of its own: its words, its redirection */
    const char *sh[] = {"sh", "-c", p};
    return st_shell_expand(sh, 3, out, redirected);
}

size_t st_shell_expand(const char *const *argv, size_t argc, char ***out, bool *redirected)
{
    size_t at = argc;
    for (size_t i = 0; i < argc && at == argc; i++)
        if (is_shell(argv[i]) && command_string(argv + i, argc - i))
            at = i;
    const char *cmd = at < argc ? argv[at + command_string(argv + at, argc - at)] : NULL;
    size_t len = cmd ? strlen(cmd) : 0;
    /* the words before the shell, then the command string's */
    size_t cap = at + len / 2 + 2, n = 0;
    char **w = calloc(cap, sizeof *w);
    char *buf = malloc(len + 1);
    if (!w || !buf)
        abort();
    for (size_t i = 0; i < at; i++)
        if (!(w[n++] = strdup(argv[i])))
            abort();
    const char *p = cmd;
    size_t first = n;
    while (p && n + 1 < cap && next_word(&p, buf))
        if (!(w[n++] = strdup(buf)))
            abort();
    /* "2>/dev/null": the digits were the descriptor, not a word */
    const char *last = n > first ? w[n - 1] : NULL;
    *redirected = p && stdout_elsewhere(p, last);
    if (p && last && *p == '>' && strspn(last, "0123456789") == strlen(last))
        free(w[--n]);
    free(buf);
    *out = w;
    return n;
}

void st_shell_words_free(char **words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(words[i]);
    free(words);
}
