/*
 * scantrace merge: one run directory from the shards of a sweep (merge.h
 * in analyzer/run says how each file is merged).
 */
#include <getopt.h>
#include <stdio.h>

#include "commands.h"
#include "run.h"
#include "util.h"

static const char merge_usage[] =
    "usage: scantrace merge -o RUNDIR [--force] SHARD_RUNDIR...\n"
    "\n"
    "One run directory from the runs of a sharded sweep (scantrace scan --shards N\n"
    "--shard I, each on its own host), so that compare, report, explain and diff\n"
    "see the whole sweep as one run:\n"
    "  trace.log       the shards' lines, shard by shard, each time moved onto one\n"
    "                  clock (0 = the earliest shard's start)\n"
    "  capture.pcapng  one section: every shard's interfaces, renumbered; every frame\n"
    "                  in time order, with its comment and direction\n"
    "  run.json        the hosts and counts of all; \"shard\" says which were merged\n"
    "                  and which are missing, \"merged_from\" each shard's clock shift\n"
    "\n"
    "Options:\n"
    "  -o, --output RUNDIR  the merged run directory (its parent must exist)\n"
    "  --force              write into a non-empty RUNDIR\n"
    "  -h, --help           this help\n"
    "\n"
    "Shards of different sweeps, the same shard twice, or a shard still running are\n"
    "refused. Missing shards are said on standard error; the merge is made of the\n"
    "others.\n"
    "\n"
    "Exit: 0 merged, 2 bad usage or shards that do not belong together, 3 environment\n"
    "(a full disk, no permission).\n";

int st_cmd_merge(int argc, char **argv)
{
    static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
                                       {"force", no_argument, NULL, 'F'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    struct st_merge_opts o = {.argc = argc, .argv = argv};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:h", lo, NULL)) != -1) {
        if (ch == 'o')
            o.out = optarg;
        else if (ch == 'F')
            o.force = true;
        else
            return st_cmd_help_or_error("merge", ch, argv, merge_usage);
    }
    if (!o.out)
        return st_cmd_usage_error("merge", "%s", "-o RUNDIR: where to write the merged run");
    if (optind >= argc)
        return st_cmd_usage_error("merge", "%s", "no shard run directories to merge");
    o.shards = (const char *const *)argv + optind;
    o.nshards = (size_t)(argc - optind);
    char err[1024];
    int count = 0, missing = 0;
    int rc = st_merge(&o, &count, &missing, err, sizeof err);
    if (rc) {
        fprintf(stderr, "scantrace merge: %s\n", err);
        return rc;
    }
    if (missing)
        fprintf(stderr,
                "scantrace merge: %d of the sweep's %d shards missing (run.json \"shard\" "
                "names them): their hosts are not in %s\n",
                missing, count, o.out);
    printf("scantrace merge: %zu of %d shard%s into %s\n", o.nshards, count, count == 1 ? "" : "s",
           o.out);
    return ST_EXIT_OK;
}
