/*
 * Exit codes of every scantrace command (doc/scantrace.1, EXIT STATUS).
 */
#ifndef ST_EXITCODES_H
#define ST_EXITCODES_H

enum {
    ST_EXIT_OK = 0,          /* consistent / equal / done */
    ST_EXIT_DIFFERENT = 1,   /* discrepancies or differences found */
    ST_EXIT_USAGE = 2,       /* bad usage or unreadable input */
    ST_EXIT_ENVIRONMENT = 3, /* no privilege, tshark or interface missing */
};

#endif
