/*
 * The libwireshark dissection in processes of its own, compare's side
 * (wireshark_parts.c), and the loader's entry into the module for them
 * (wireshark_load.c).
 */
#ifndef ST_WIRESHARK_PARTS_H
#define ST_WIRESHARK_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect.h"

/* The master's executable, next to the module (build tree and install). */
#define ST_WS_HELPER "scantrace-dissect"

/*
 * `path` dissected by a process started for it (the master: the helper next
 * to `module`, which loads it and starts epan), its frames by runs of seg
 * frames in short-lived workers, the records collected here from pipes into
 * c (empty). With `cut` > 0, the part from file offset cut goes to a second
 * process the master forks: both cores. A stop kills them. *here: no helper
 * or process could be had, nothing was done (dissect in this process).
 */
enum st_tshark_rc st_wireshark_parts_read(const char *module, const char *path, int64_t cut,
                                          size_t seg, struct st_dissect_stop *stop,
                                          struct st_dissection *c, bool *here, char *err,
                                          size_t errsz);

/* In the master: load `module` and run its st_wireshark_module_master
 * (which exits), or say why not on fd0 and exit. */
_Noreturn void st_wireshark_master(const char *module, const char *path, int64_t cut, size_t seg,
                                   int fd0, int fd1);

#endif
