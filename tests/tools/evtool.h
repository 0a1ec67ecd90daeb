/*
 * What the event-engine test drivers (st-cping, st-rdns) share: the
 * engine options and the list of target addresses on their command line.
 */
#ifndef ST_EVTOOL_H
#define ST_EVTOOL_H

#include <netinet/in.h>
#include <stdio.h>

/* argv[*i] if it is --event-engine NAME (sets the default engine) or
 * --event-trace (*trace = stderr): 1 taken, 0 not one of them, -1 bad. */
int st_evtool_option(int argc, char **argv, int *i, FILE **trace);

/* n zeroed records of `size` bytes (free() them), each with one of the
 * addresses in args as the struct in_addr at `offset`; NULL after a
 * one-line error naming `prog` (and the address). */
void *st_evtool_records(const char *prog, char **args, size_t n, size_t size, size_t offset);

#endif
