#include "siphash.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

struct state {
    uint64_t v0, v1, v2, v3;
};

static void round_(struct state *s)
{
    s->v0 += s->v1;
    s->v1 = ROTL(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = ROTL(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = ROTL(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = ROTL(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = ROTL(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = ROTL(s->v2, 32);
}

uint64_t st_siphash(const struct st_sipkey *key, const void *data, size_t len)
{
    const uint8_t *in = data;
    struct state s = {
        key->k0 ^ 0x736f6d6570736575ULL,
        key->k1 ^ 0x646f72616e646f6dULL,
        key->k0 ^ 0x6c7967656e657261ULL,
        key->k1 ^ 0x7465646279746573ULL,
    };
    size_t full = len - len % 8;

    for (size_t i = 0; i < full; i += 8) {
        uint64_t m = load64_le(in + i);
        s.v3 ^= m;
        round_(&s);
        round_(&s);
        s.v0 ^= m;
    }
    /* the last block: the remaining bytes, and the length in the top byte */
    uint64_t b = (uint64_t)len << 56;
    for (size_t i = 0; i < len % 8; i++)
        b |= (uint64_t)in[full + i] << (8 * i);
    s.v3 ^= b;
    round_(&s);
    round_(&s);
    s.v0 ^= b;
    s.v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        round_(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

uint64_t st_siphash_words(const struct st_sipkey *key, uint32_t a, uint32_t b, uint32_t c,
                          uint32_t d)
{
    uint8_t buf[16];
    uint32_t w[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            buf[4 * i + j] = (uint8_t)(w[i] >> (8 * j));
    return st_siphash(key, buf, sizeof buf);
}
