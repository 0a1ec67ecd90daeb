/*
 * st_sort against qsort: every shape of input that breaks a quicksort
 * (sorted, reversed, all equal, few distinct keys, organ pipe, a killer
 * for median-of-three) at sizes around the insertion-sort cutoff and far
 * above it, for the element sizes the comparison sorts (4 to 64 bytes).
 * With a total order both must give the same bytes; with a key that has
 * ties, st_sort's result must be in order and a permutation of its input.
 * The key sets built on it (u32set.h): sorted, one of each, found or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"

/* An element: a 32-bit key, then filler up to the element's size. */
static size_t elem_size;

static int cmp_key(const void *a, const void *b)
{
    uint32_t x, y;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    return (x > y) - (x < y);
}

/* The key, then every other byte: a total order, so one sorted result. */
static int cmp_total(const void *a, const void *b)
{
    int k = cmp_key(a, b);
    return k ? k : memcmp((const char *)a + 4, (const char *)b + 4, elem_size - 4);
}

enum shape { RANDOM, SORTED, REVERSED, EQUAL, FEW, ORGAN, SAWTOOTH, NSHAPES };

static const char *const shape_names[] = {"random",   "sorted", "reversed", "equal",
                                          "few-keys", "organ",  "sawtooth"};

static uint32_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

static uint32_t key_of(enum shape sh, size_t i, size_t n, uint64_t *rng)
{
    switch (sh) {
    case SORTED:
        return (uint32_t)i;
    case REVERSED:
        return (uint32_t)(n - i);
    case EQUAL:
        return 7;
    case FEW:
        return next_rand(rng) % 3;
    case ORGAN:
        return (uint32_t)(i < n / 2 ? i : n - i);
    case SAWTOOTH:
        return (uint32_t)(i % 17);
    default:
        return next_rand(rng);
    }
}

static unsigned char *make(enum shape sh, size_t n, uint64_t seed)
{
    unsigned char *v = malloc(n * elem_size + 1);
    assert_non_null(v);
    uint64_t rng = seed;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = key_of(sh, i, n, &rng);
        unsigned char *e = v + i * elem_size;
        memcpy(e, &k, 4);
        for (size_t b = 4; b < elem_size; b++)
            e[b] = (unsigned char)next_rand(&rng);
    }
    return v;
}

static void check_one(enum shape sh, size_t n)
{
    unsigned char *mine = make(sh, n, n * 31 + sh);
    unsigned char *ref = make(sh, n, n * 31 + sh);

    /* total order: byte for byte what qsort gives */
    st_sort(mine, n, elem_size, cmp_total);
    qsort(ref, n, elem_size, cmp_total);
    if (memcmp(mine, ref, n * elem_size))
        fail_msg("%s, %zu elements of %zu bytes: differs from qsort", shape_names[sh], n,
                 elem_size);

    /* ties: in order by the key, and the same elements */
    free(mine);
    mine = make(sh, n, n * 31 + sh);
    st_sort(mine, n, elem_size, cmp_key);
    for (size_t i = 1; i < n; i++)
        if (cmp_key(mine + (i - 1) * elem_size, mine + i * elem_size) > 0)
            fail_msg("%s, %zu x %zu bytes, by key: out of order at %zu", shape_names[sh], n,
                     elem_size, i);
    qsort(mine, n, elem_size, cmp_total);
    if (memcmp(mine, ref, n * elem_size))
        fail_msg("%s, %zu x %zu bytes, by key: not a permutation of the input", shape_names[sh], n,
                 elem_size);
    free(mine);
    free(ref);
}

static void test_shapes(void **state)
{
    (void)state;
    static const size_t sizes[] = {4, 12, 16, 24, ST_SORT_MAX_SIZE};
    static const size_t counts[] = {0, 1, 2, 3, 15, 16, 17, 18, 33, 100, 1000, 50000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
            for (int sh = 0; sh < NSHAPES; sh++) {
                elem_size = sizes[s];
                check_one((enum shape)sh, counts[c]);
            }
}

/*
 * McIlroy's adversary ("A Killer Adversary for Quicksort", 1999): the
 * comparator fixes the elements' values only as the sort looks at them,
 * and always so that its pivot is nearly the smallest. Any quicksort goes
 * quadratic against it; only the heapsort fallback keeps this one at
 * n log n. Elements are indices into val[]; "gas" is a value not yet fixed.
 */
enum { ADV_N = 20000 };
static uint32_t adv_val[ADV_N];
static uint32_t adv_gas, adv_solid, adv_candidate;
static long ncmp;

static int cmp_adversary(const void *a, const void *b)
{
    uint32_t x, y;
    memcpy(&x, a, 4);
    memcpy(&y, b, 4);
    ncmp++;
    if (adv_val[x] == adv_gas && adv_val[y] == adv_gas)
        adv_val[x == adv_candidate ? x : y] = adv_solid++;
    if (adv_val[x] == adv_gas)
        adv_candidate = x;
    else if (adv_val[y] == adv_gas)
        adv_candidate = y;
    return (adv_val[x] > adv_val[y]) - (adv_val[x] < adv_val[y]);
}

static void test_adversary(void **state)
{
    (void)state;
    uint32_t *v = malloc(ADV_N * sizeof *v);
    assert_non_null(v);
    adv_gas = ADV_N;
    adv_solid = 0;
    adv_candidate = 0;
    for (uint32_t i = 0; i < ADV_N; i++) {
        v[i] = i;
        adv_val[i] = adv_gas;
    }
    ncmp = 0;
    st_sort(v, ADV_N, sizeof *v, cmp_adversary);
    for (size_t i = 1; i < ADV_N; i++)
        assert_true(adv_val[v[i - 1]] <= adv_val[v[i]]);
    /* n log2 n is 286k here; quadratic is about 1e8 */
    if (ncmp > 20L * ADV_N * 15)
        fail_msg("%ld comparisons for %d elements: quadratic", ncmp, (int)ADV_N);
    free(v);
}

/* Keys pushed in any order, with repeats and the extremes, sealed: sorted,
 * one of each; each pushed key found, the others not. */
static void test_u32set(void **state)
{
    (void)state;
    static const struct {
        uint32_t in[8];
        size_t n;
        uint32_t out[8];
        size_t nout;
        uint32_t absent;
    } rows[] = {
        {{0}, 0, {0}, 0, 0},
        {{7}, 1, {7}, 1, 8},
        {{5, 5, 5}, 3, {5}, 1, 4},
        {{3, 1, 2, 1, 3}, 5, {1, 2, 3}, 3, 0},
        {{UINT32_MAX, 0, UINT32_MAX, 0x80000000u}, 4, {0, 0x80000000u, UINT32_MAX}, 3, 1},
        {{9, 8, 7, 6, 5, 4, 3, 2}, 8, {2, 3, 4, 5, 6, 7, 8, 9}, 8, 10},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        struct st_u32set s = {0};
        for (size_t i = 0; i < rows[r].n; i++)
            st_u32set_push(&s, rows[r].in[i]);
        st_u32set_seal(&s);
        assert_int_equal(s.n, rows[r].nout);
        if (s.n)
            assert_memory_equal(s.v, rows[r].out, s.n * sizeof *s.v);
        for (size_t i = 0; i < rows[r].n; i++)
            assert_true(st_u32set_has(&s, rows[r].in[i]));
        assert_false(st_u32set_has(&s, rows[r].absent));
        st_u32set_free(&s);
    }
    /* 64-bit keys whose low halves tie: unique by all 8 bytes */
    uint64_t k[] = {1ull << 32 | 1, 1, 1ull << 32 | 1, 2ull << 32, 1};
    assert_int_equal(st_sort_unique(k, 5, sizeof *k, st_cmp_u64), 3);
    assert_true(k[0] == 1 && k[1] == (1ull << 32 | 1) && k[2] == 2ull << 32);
    int64_t d[] = {3, -1, INT64_MIN, -1};
    assert_int_equal(st_sort_unique(d, 4, sizeof *d, st_cmp_i64), 3);
    assert_true(d[0] == INT64_MIN && d[1] == -1 && d[2] == 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_adversary),
        cmocka_unit_test(test_u32set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
