/*
 * Helpers for tests that talk to real peers: a private network namespace
 * (so ports never clash and nothing leaves the machine), child processes
 * started with an argument vector (no shell), loopback listeners, and a
 * count of the process's open descriptors.
 */
#ifndef ST_TESTNET_H
#define ST_TESTNET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/types.h>

/* Moves the process into a new network namespace with lo up and an
 * interface st0 198.18.200.1/24 where what is sent to 198.18.200.2
 * vanishes without an answer (a connect there only times out).
 * false when not root or the namespace cannot be made. */
bool st_test_private_netns(void);

/* Runs ARGV, waits; its exit status (-1 if it could not run). Output is
 * discarded unless VERBOSE is set in the environment. */
int st_test_run(char *const argv[]);
/* Starts ARGV in the background with its stdout on a pipe (*OUT_FD, may be
 * NULL to discard it); returns its pid or -1. */
pid_t st_test_spawn(char *const argv[], int *out_fd);
/* Reads FD until a line containing NEEDLE has come (true) or EOF (false). */
bool st_test_wait_line(int fd, const char *needle);
/* SIGTERM, then wait. */
void st_test_stop(pid_t pid);

/* A TCP (SOCK_STREAM) or UDP socket bound to 127.0.0.1 on a free port;
 * listening with BACKLOG for TCP. */
int st_test_listen_tcp(int backlog, unsigned short *port);
int st_test_bind_udp(unsigned short *port);
/* A free 127.0.0.1 TCP port nobody listens on (bound once, then closed). */
unsigned short st_test_closed_port(void);
struct sockaddr_in st_test_addr(const char *ip, unsigned short port);

/* Entries of /proc/self/fd. */
int st_test_count_fds(void);
/* Raises RLIMIT_NOFILE to at least N (up to the hard limit). */
void st_test_raise_nofile(long n);

#endif
