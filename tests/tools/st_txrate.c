/*
 * st-txrate: the send-phase rate of a tool that leaves no trace of its own
 * (nmap without --packet-trace, zmap, fping), for scripts/bench. Samples an
 * interface's tx_packets counter every millisecond while the command runs,
 * then prints the packets sent and the rate over the milliseconds in which
 * more than 2 packets left (2,000 pps: the send phase, not the waits).
 *
 *   st-txrate IFACE -- COMMAND [ARG...]
 *
 * The command's standard output and exit status are its own; the one result
 * line goes to standard error: "tx N send_ms M send_pps R".
 */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* One pread of the open counter file: cheap enough to sample every ms. */
static long long counter(int fd)
{
    char b[32];
    ssize_t n = pread(fd, b, sizeof b - 1, 0);
    if (n <= 0)
        return -1;
    b[n] = '\0';
    return strtoll(b, NULL, 10);
}

int main(int argc, char **argv)
{
    if (argc < 4 || strcmp(argv[2], "--")) {
        fprintf(stderr, "usage: st-txrate IFACE -- COMMAND [ARG...]\n");
        return 2;
    }
    char path[256];
    snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_packets", argv[1]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long long first = fd < 0 ? -1 : counter(fd);
    if (first < 0) {
        fprintf(stderr, "st-txrate: cannot read %s\n", path);
        return 3;
    }
    pid_t pid;
    if (posix_spawnp(&pid, argv[3], NULL, NULL, argv + 3, environ)) {
        perror(argv[3]);
        return 127;
    }
    long long last = first, busy_pkts = 0, busy_ms = 0;
    int st = 0;
    struct timespec ms = {0, 1000000};
    for (;;) {
        nanosleep(&ms, NULL);
        long long v = counter(fd);
        if (v >= 0) {
            if (v - last > 2) {
                busy_pkts += v - last;
                busy_ms++;
            }
            last = v;
        }
        if (waitpid(pid, &st, WNOHANG) == pid)
            break;
    }
    long long v = counter(fd);
    if (v > last && v - last > 2) {
        busy_pkts += v - last;
        busy_ms++;
    }
    fprintf(stderr, "tx %lld send_ms %lld send_pps %.0f\n", (v >= 0 ? v : last) - first, busy_ms,
            busy_ms ? (double)busy_pkts * 1000.0 / (double)busy_ms : 0.0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
