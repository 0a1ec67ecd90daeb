/*
 * The scantrace command: global options and dispatch to subcommands.
 *
 * Each subcommand is one entry of the table below; a subcommand that is not
 * built yet still has its help text, and running it says so and exits 2
 * (bad usage) rather than pretending to work.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "commands.h"
#include "version.h"

struct subcommand {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(int argc, char **argv); /* NULL: not built yet */
};

static const struct subcommand commands[] = {
    {"scan", "emit ping-scan probes (nmap's modes) while a capture thread records pcapng",
     "usage: scantrace scan [options] TARGET...\n"
     "\n"
     "Host discovery as nmap 7.93 does it (-sn): ARP on the local segment, ICMP echo,\n"
     "TCP SYN/443, TCP ACK/80 and ICMP timestamp on routed networks, or the -P modes\n"
     "given (-PE -PP -PM -PS -PA -PU -PY -PO -PR). Writes a run directory with\n"
     "trace.log, capture.pcapng and run.json.\n",
     st_cmd_scan},
    {"record", "capture around any scanner command into a run directory",
     "usage: scantrace record [-i IF]... -o RUNDIR [--linger SECONDS] -- COMMAND [ARGS...]\n",
     st_cmd_record},
    {"compare", "align a trace log against tshark's dissection of the capture",
     "usage: scantrace compare [--format text|json|junit|markdown] RUNDIR\n"
     "       scantrace compare [--format ...] TRACE CAPTURE\n"
     "\n"
     "Matches every SENT/RCVD line of the trace (scantrace's or nmap's) to a frame of\n"
     "the capture and reports, per mode and host, the probes, the replies and every\n"
     "packet one side has and the other lacks.\n"
     "Exit: 0 consistent, 1 discrepancies, 2 bad usage or input, 3 environment.\n",
     st_cmd_compare},
    {"diff", "compare two runs: which probes and replies differ, per mode and host",
     "usage: scantrace diff [--strict] [--compare FIELD] A B\n"
     "\n"
     "A and B are run directories, traces or report.json files.\n"
     "Exit: 0 equal, 1 different, 2 error.\n",
     st_cmd_diff},
    {"decode", "print each frame of a capture as nmap's --packet-trace would",
     "usage: scantrace decode [--scanner IP] [--detail low|medium|high] CAPTURE\n", st_cmd_decode},
    {"report", "render a run as text, JSON, JUnit XML, Markdown or HTML",
     "usage: scantrace report [--format text|json|junit|markdown|html] RUNDIR\n", st_cmd_report},
    {"explain", "tell, host by host, what went out, what came back and why",
     "usage: scantrace explain RUNDIR\n", st_cmd_explain},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: scantrace [--version] [--help] COMMAND [ARGS]\n"
                 "\n"
                 "Shows which packets each ping-scan mode puts on the wire and proves it\n"
                 "against Wireshark's dissection.\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-8s %s%s\n", commands[i].name, commands[i].summary,
                commands[i].run ? "" : " (not built yet)");
    fprintf(out, "\nRun 'scantrace COMMAND --help' for a command's options.\n");
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return false;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ST_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return ST_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("scantrace %s\n", ST_VERSION);
        return ST_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct subcommand *sc = &commands[i];
        if (strcmp(argv[1], sc->name))
            continue;
        /* Built commands print their own, fuller, help. */
        if (sc->run) {
            int rc = sc->run(argc - 1, argv + 1);
            st_closer_wait(); /* descriptors closing on threads (closer.h) */
            return rc;
        }
        if (wants_help(argc - 1, argv + 1)) {
            fputs(sc->usage, stdout);
            printf("\n(not built yet in scantrace %s)\n", ST_VERSION);
            return ST_EXIT_OK;
        }
        fprintf(stderr, "scantrace: '%s' is not built yet in scantrace %s\n", sc->name, ST_VERSION);
        return ST_EXIT_USAGE;
    }
    fprintf(stderr, "scantrace: unknown command '%s' (see 'scantrace --help')\n", argv[1]);
    return ST_EXIT_USAGE;
}
