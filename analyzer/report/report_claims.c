/*
 * The scanner's claims in every format (claims.h): report.json's "claims"
 * object and per-host "claim", a claims block in text, Markdown and HTML,
 * and a JUnit testsuite with a failing testcase per missed or unfounded host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "report.h"

static const char *claim_word(enum st_claim k)
{
    return k == ST_CLAIM_UP ? "up" : k == ST_CLAIM_DOWN ? "down" : NULL;
}

void st_report_claims_json(struct st_jw *w, const struct st_comparison *c)
{
    const struct st_claims *cl = c->claims;
    if (!cl || !cl->present) {
        st_jw_null(w, "claims");
        return;
    }
    st_jw_object(w, "claims");
    st_jw_string(w, "scanner", cl->scanner);
    st_jw_string(w, "source", cl->source);
    st_jw_string(w, "format", cl->format);
    st_jw_int(w, "claimed_up", (int64_t)cl->claimed_up);
    st_jw_int(w, "answered", (int64_t)cl->answered);
    st_jw_int(w, "missed", (int64_t)cl->missed);
    st_jw_int(w, "unfounded", (int64_t)cl->unfounded);
    st_jw_int(w, "unreported", (int64_t)cl->unreported);
    if (cl->stopped[0]) { /* only then: every other report stays as it was */
        st_jw_string(w, "stopped", cl->stopped);
        st_jw_int(w, "unheld", (int64_t)cl->unheld);
    }
    if (cl->unseen) /* likewise */
        st_jw_int(w, "unseen", (int64_t)cl->unseen);
    if (cl->after_exit) /* likewise */
        st_jw_int(w, "after_exit", (int64_t)cl->after_exit);
    if (cl->own_answer) /* likewise */
        st_jw_int(w, "own_answer", (int64_t)cl->own_answer);
    st_jw_end_object(w);
}

void st_report_claim_json(struct st_jw *w, const struct st_comparison *c, uint32_t run,
                          uint32_t host)
{
    const char *k = c->claims && c->claims->present && strcmp(c->claims->format, "unknown")
                        ? claim_word(st_claim_of(c->claims, run, host))
                        : NULL;
    if (k)
        st_jw_string(w, "claim", k);
    else
        st_jw_null(w, "claim");
}

static void addr_list(FILE *out, const uint32_t *a, size_t n)
{
    char ip[ST_HOST_STRLEN];
    for (size_t i = 0; i < n && i < 20; i++)
        fprintf(out, "%s%s", i ? " " : " ", st_host_str(a[i], ip));
    if (n > 20)
        fprintf(out, " ... (%zu more)", n - 20);
}

/* One block for text (prefix "  ") and Markdown (prefix "- "). */
void st_report_claims_text(FILE *out, const struct st_comparison *c, const char *prefix)
{
    const struct st_claims *cl = c->claims;
    if (c->from_wire && c->no_trace_why)
        fprintf(out, "%sscanner  no packet trace: %s; its side was built from the wire\n", prefix,
                c->no_trace_why);
    else if (c->from_wire)
        fprintf(out,
                "%sscanner  no packet trace: its side was built from the wire (probes are "
                "the frames it sent)\n",
                prefix);
    if (c->from_wire && c->named_target)
        fprintf(out,
                "%stargets  given by name (%s): every address the scanner probed is taken "
                "for a target\n",
                prefix, c->named_target);
    if (!cl || !cl->present)
        return;
    fprintf(out, "%sclaims   %s, %s (%s)", prefix, cl->scanner, cl->source, cl->format);
    if (!strcmp(cl->format, "unknown")) {
        /* why, when it is known (the scanner failed, wrote to a file...),
         * unless the result line says it already (a run built from the wire) */
        if (cl->unread && !c->from_wire)
            fprintf(out, ": no claims read: %s\n", cl->unread);
        else if (cl->unread)
            fprintf(out, ": no claims read (the result says why)\n");
        else
            fprintf(out, ": %s, no claims read\n",
                    cl->lines ? "output not understood" : "no output");
        return;
    }
    fprintf(out, ": %zu claimed up, %zu answered on the wire, %zu missed, %zu unfounded\n",
            cl->claimed_up, cl->answered, cl->missed, cl->unfounded);
    st_claims_unreported_text(out, cl, prefix);
    if (cl->unheld)
        fprintf(out,
                "%s  not held: %zu answered but not printed; the scanner was %s, it may not "
                "have printed all it found\n",
                prefix, cl->unheld, cl->stopped);
    if (cl->after_exit)
        fprintf(out,
                "%s  not held: %zu answered only after the scanner exited (it could not read "
                "the answer: its timeout was shorter than the round trip)\n",
                prefix, cl->after_exit);
    if (cl->unseen)
        fprintf(out,
                "%s  not held: %zu claimed up with no frame of theirs in the capture: their "
                "probes took an interface it did not record\n",
                prefix, cl->unseen);
    if (cl->own_answer) {
        char ip[ST_HOST_STRLEN];
        fprintf(out,
                "%s  not held: %zu group%s claimed up (%s%s) that no member answered on the "
                "wire: %s prints the group alone, and its own host, a member too, answers "
                "over the loopback interface, which the capture does not show\n",
                prefix, cl->own_answer, ST_S(cl->own_answer), st_host_str(cl->own_answer_addr, ip),
                cl->own_answer > 1 ? "..." : "", cl->scanner);
    }
    if (cl->missed) {
        fprintf(out, "%s  missed (answered, not claimed):", prefix);
        addr_list(out, cl->missed_addr, cl->missed);
        fputc('\n', out);
    }
    if (cl->unfounded) {
        fprintf(out, "%s  unfounded (claimed up, no answer):", prefix);
        addr_list(out, cl->unfounded_addr, cl->unfounded);
        fputc('\n', out);
    }
}

void st_report_claims_html(FILE *out, const struct st_comparison *c)
{
    if (!c->from_wire && (!c->claims || !c->claims->present))
        return;
    fputs("<pre class=\"claims\">", out);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (m) {
        st_report_claims_text(m, c, "");
        fclose(m);
        st_xml_escape(out, text);
    }
    free(text);
    fputs("</pre>\n", out);
}

size_t st_report_claims_junit_cases(const struct st_comparison *c)
{
    const struct st_claims *cl = c->claims;
    return cl && cl->present ? cl->missed + cl->unfounded : 0;
}

static void junit_case(FILE *out, const char *scanner, uint32_t a, const char *type,
                       const char *msg)
{
    char ip[ST_HOST_STRLEN];
    fprintf(out, "    <testcase classname=\"claims\" name=\"%s\">\n", st_host_str(a, ip));
    fprintf(out, "      <failure type=\"%s\" message=\"", type);
    st_xml_escape(out, scanner);
    fprintf(out, " %s\"/>\n    </testcase>\n", msg);
}

void st_report_claims_junit(FILE *out, const struct st_comparison *c)
{
    size_t n = st_report_claims_junit_cases(c);
    if (!n)
        return;
    const struct st_claims *cl = c->claims;
    fprintf(out, "  <testsuite name=\"claims\" tests=\"%zu\" failures=\"%zu\">\n", n, n);
    for (size_t i = 0; i < cl->missed; i++)
        junit_case(out, cl->scanner, cl->missed_addr[i], "missed",
                   "did not claim up a host that answered on the wire");
    for (size_t i = 0; i < cl->unfounded; i++)
        junit_case(out, cl->scanner, cl->unfounded_addr[i], "unfounded",
                   "claimed up a host that never answered on the wire");
    fprintf(out, "  </testsuite>\n");
}
