/*
 * SipHash-2-4 (Aumasson and Bernstein), written from the paper: the keyed
 * hash behind the probes' cookies, so replies are matched without keeping a
 * table of what was sent (the idea of masscan's SYN cookies).
 */
#ifndef ST_SIPHASH_H
#define ST_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct st_sipkey {
    uint64_t k0, k1;
};

uint64_t st_siphash(const struct st_sipkey *key, const void *data, size_t len);

/* The hash of up to four 32-bit words: what the cookies are made of. */
uint64_t st_siphash_words(const struct st_sipkey *key, uint32_t a, uint32_t b, uint32_t c,
                          uint32_t d);

#endif
