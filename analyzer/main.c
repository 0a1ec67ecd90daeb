/*
 * The scantrace command: global options and dispatch to subcommands, one
 * entry of the table below each; every subcommand prints its own help.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "commands.h"
#include "version.h"

struct subcommand {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

static const struct subcommand commands[] = {
    {"scan", "emit ping-scan probes (nmap's modes) while a capture thread records pcapng",
     st_cmd_scan},
    {"record", "capture around any scanner command into a run directory", st_cmd_record},
    {"compare", "align a trace log against tshark's dissection of the capture", st_cmd_compare},
    {"diff", "compare two runs: which probes and replies differ, per mode and host", st_cmd_diff},
    {"merge", "one run directory from the shards of a sweep (scan --shards)", st_cmd_merge},
    {"decode", "print each frame of a capture as nmap's --packet-trace would", st_cmd_decode},
    {"report", "render a run as text, JSON, JUnit XML, Markdown or HTML", st_cmd_report},
    {"explain", "tell, host by host, what went out, what came back and why", st_cmd_explain},
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
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'scantrace COMMAND --help' for a command's options.\n");
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
        if (strcmp(argv[1], commands[i].name))
            continue;
        int rc = commands[i].run(argc - 1, argv + 1);
        st_closer_wait(); /* descriptors closing on threads (closer.h) */
        return rc;
    }
    fprintf(stderr, "scantrace: unknown command '%s' (see 'scantrace --help')\n", argv[1]);
    return ST_EXIT_USAGE;
}
