/*
 * scantrace-dissect: the master of a libwireshark dissection (see
 * wireshark_parts.c), started by compare with posix_spawn, never by hand.
 * usage: scantrace-dissect MODULE CAPTURE CUT SEG PARENT_PID
 * Part 0's records go to descriptor 3, part 1's (CUT > 0) to descriptor 4.
 * A process of its own, exec'd rather than forked from compare: it starts
 * with no lock held by a thread it never had.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "wireshark_parts.h"

/* argv[i] as a number in [min, max], or exit 2. */
static long long number(char **argv, int i, long long min, long long max)
{
    char *end;
    errno = 0;
    long long v = strtoll(argv[i], &end, 10);
    if (errno || end == argv[i] || *end || v < min || v > max) {
        fprintf(stderr, ST_WS_HELPER ": argument %d: not a number in range: %s\n", i, argv[i]);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: " ST_WS_HELPER " MODULE CAPTURE CUT SEG PARENT_PID"
                        " (run by scantrace compare)\n");
        return 2;
    }
    int64_t cut = number(argv, 3, -1, INT64_MAX);
    size_t seg = (size_t)number(argv, 4, 0, 1LL << 40);
    pid_t parent = (pid_t)number(argv, 5, 1, INT32_MAX);
    int fd1 = cut > 0 ? 4 : -1;
    if (fcntl(3, F_GETFD) < 0 || (fd1 >= 0 && fcntl(fd1, F_GETFD) < 0)) {
        fprintf(stderr, ST_WS_HELPER ": descriptor 3%s not open (run by scantrace compare)\n",
                fd1 >= 0 ? " or 4" : "");
        return 2;
    }
    st_dissect_die_with(parent);
    st_wireshark_master(argv[1], argv[2], cut, seg, 3, fd1);
}
