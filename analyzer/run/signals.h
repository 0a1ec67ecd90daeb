/*
 * Signals as events: SIGINT, SIGTERM, SIGHUP and SIGCHLD are caught into a
 * self-pipe that the main loop polls next to its other descriptors. The
 * handler only writes one byte and notes the first stop signal (for a loop
 * that checks a flag on its tick instead, as the scan engine does), so
 * everything else (forwarding to a child, stopping the capture, writing the
 * files) happens in the normal path.
 */
#ifndef ST_SIGNALS_H
#define ST_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Install the handlers (SIGPIPE is ignored). The descriptor to poll, or -1. */
int st_signals_install(void);

/*
 * The next caught signal, or 0 when none is waiting (never blocks).
 * *from_kernel tells a signal the kernel raised (the terminal's Ctrl-C, which
 * already reached the whole foreground process group) from one sent with
 * kill(2) to this process alone.
 */
int st_signals_next(bool *from_kernel);

/* The first SIGINT, SIGTERM or SIGHUP caught since st_signals_install(), or
 * 0: set by the handler itself, so it is current before the pipe is read. */
volatile sig_atomic_t *st_signals_stop_flag(void);

#endif
