/*
 * Walking a pcapng file's blocks (pcapng_blocks.c), for what the
 * dissectors do not report: statistics blocks, interface options.
 */
#ifndef ST_PCAPNG_BLOCKS_H
#define ST_PCAPNG_BLOCKS_H

#include <stdbool.h>
#include <stdint.h>

#define ST_PCAPNG_SHB 0x0a0d0d0au
#define ST_PCAPNG_IDB 1u
#define ST_PCAPNG_ISB 5u

/* One block: its type, the whole block (len bytes, its header included),
 * whether its section is in the other byte order. false stops the walk. */
typedef bool (*st_pcapng_block_fn)(uint32_t type, const unsigned char *block, uint32_t len,
                                   bool swap, void *ud);

/* Each block of the file in turn, until its end, a block it cannot read or
 * fn's false. Whether the file is a pcapng (a pcap: no block read). */
bool st_pcapng_walk(const char *path, st_pcapng_block_fn fn, void *ud);

uint32_t st_pcapng_u32(const unsigned char *p, bool swap);
uint16_t st_pcapng_u16(const unsigned char *p, bool swap);

#endif
