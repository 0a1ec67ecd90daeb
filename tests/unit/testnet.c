/*
 * Test helpers for real peers: see testnet.h.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testnet.h"

extern char **environ;

static pid_t spawn(char *const argv[], int out_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    bool quiet = !getenv("VERBOSE");
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    else if (quiet)
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (quiet)
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc ? -1 : pid;
}

int st_test_run(char *const argv[])
{
    pid_t pid = spawn(argv, -1);
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

pid_t st_test_spawn(char *const argv[], int *out_fd)
{
    int p[2] = {-1, -1};
    if (out_fd && pipe2(p, O_CLOEXEC) < 0)
        return -1;
    pid_t pid = spawn(argv, out_fd ? p[1] : -1);
    if (out_fd) {
        close(p[1]);
        if (pid < 0)
            close(p[0]);
        else
            *out_fd = p[0];
    }
    return pid;
}

bool st_test_wait_line(int fd, const char *needle)
{
    char line[512];
    size_t len = 0;
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        if (c != '\n' && len < sizeof line - 1) {
            line[len++] = c;
            continue;
        }
        line[len] = '\0';
        if (strstr(line, needle))
            return true;
        len = 0;
    }
}

void st_test_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

bool st_test_private_netns(void)
{
    if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0)
        return false;
    /* st0 and st1 are a veth pair; 198.18.200.2 resolves (statically) to a
     * MAC nobody has, so st1 receives what is sent there and drops it. */
    char *cmds[][16] = {
        {"ip", "link", "set", "lo", "up", NULL},
        {"ip", "link", "add", "st0", "type", "veth", "peer", "name", "st1", NULL},
        {"ip", "addr", "add", "198.18.200.1/24", "dev", "st0", NULL},
        {"ip", "link", "set", "st0", "up", NULL},
        {"ip", "link", "set", "st1", "up", NULL},
        {"ip", "neigh", "add", "198.18.200.2", "lladdr", "02:00:00:00:00:02", "dev", "st0", "nud",
         "permanent", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (st_test_run(cmds[i]) != 0)
            return false;
    return true;
}

struct sockaddr_in st_test_addr(const char *ip, unsigned short port)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    inet_pton(AF_INET, ip, &sin.sin_addr);
    return sin;
}

static int bound(int type, unsigned short *port)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sin = st_test_addr("127.0.0.1", 0);
    socklen_t len = sizeof sin;
    if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sin.sin_port);
    return fd;
}

int st_test_listen_tcp(int backlog, unsigned short *port)
{
    int fd = bound(SOCK_STREAM, port);
    if (fd >= 0 && listen(fd, backlog) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int st_test_bind_udp(unsigned short *port)
{
    return bound(SOCK_DGRAM, port);
}

unsigned short st_test_closed_port(void)
{
    unsigned short port = 0;
    int fd = bound(SOCK_STREAM, &port);
    if (fd >= 0)
        close(fd);
    return port;
}

int st_test_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

void st_test_raise_nofile(long n)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    rlim_t want = (rlim_t)n;
    if (rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
}
