/* check_pairset — the set of 64-bit keys with counts (pairset.h): every key
 * inserted is found, once, with its count, against a sorted reference;
 * growth keeps every key; counts saturate at 255. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "pairset.h"
#include "suites.h"
#include "testutil.h"

static uint64_t rand64(gsl_rng *r)
{
    uint64_t hi = (uint32_t)gsl_rng_get(r), lo = (uint32_t)gsl_rng_get(r);
    return hi << 32 | lo;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(test_pairset_basic)
{
    struct pairset s;
    ck_assert_int_eq(pairset_init(&s), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_int_eq(pairset_insert(&s, 42), 1);
    ck_assert_int_eq(pairset_insert(&s, 42), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(pairset_insert(&s, 0), 1);              /* the pair {0, 0}'s key */
    ck_assert_int_eq(pairset_insert(&s, 0), 0);
    ck_assert_int_eq(pairset_insert(&s, (uint64_t)42 << 32), 1);
    ck_assert_int_eq(pairset_insert(&s, PAIRSET_EMPTY - 1), 1);
    ck_assert_int_eq(pairset_insert(&s, 42), 0);
    ck_assert_uint_eq(s.n, 4);
    pairset_destroy(&s);
    ck_assert_ptr_null(s.key);
    pairset_destroy(NULL);                                   /* allowed */
}
END_TEST

/* 100,000 inserts checked one by one against a sorted reference: random
 * 64-bit keys, repeats of earlier keys, and structured pair keys
 * (i << 32 | i + 1, i << 32, small integers) that differ in few bits.  The
 * return of every insert is 1 exactly for a key's first occurrence. */
START_TEST(test_pairset_random)
{
    enum { N = 100000 };
    gsl_rng *r = tu_rng(314159);
    uint64_t *key = malloc(N * sizeof *key);
    ck_assert_ptr_nonnull(key);
    for (size_t i = 0; i < N; i++) {
        unsigned kind = (unsigned)gsl_rng_uniform_int(r, 10);
        if (kind < 5 || i == 0)
            key[i] = rand64(r);
        else if (kind < 8)
            key[i] = key[gsl_rng_uniform_int(r, i)];             /* a repeat */
        else if (kind == 8) {
            uint64_t x = gsl_rng_uniform_int(r, 30000);
            key[i] = x << 32 | (x + 1);
        } else {
            uint64_t x = gsl_rng_uniform_int(r, 20000);
            key[i] = gsl_rng_uniform_int(r, 2) ? x << 32 : x;
        }
        if (key[i] == PAIRSET_EMPTY)                              /* (never: 2^-64) */
            key[i] = 1;
    }
    /* First occurrences: sort (key, index) pairs. */
    uint64_t (*order)[2] = malloc(N * sizeof *order);
    unsigned char *first = calloc(N, 1);
    ck_assert_ptr_nonnull(order);
    ck_assert_ptr_nonnull(first);
    for (size_t i = 0; i < N; i++) {
        order[i][0] = key[i];
        order[i][1] = i;
    }
    qsort(order, N, sizeof *order, cmp_u64);     /* by key; ties in any order */
    size_t distinct = 0;
    for (size_t i = 0; i < N;) {
        size_t j = i, lowest = (size_t)order[i][1];
        while (j < N && order[j][0] == order[i][0]) {
            if (order[j][1] < lowest)
                lowest = (size_t)order[j][1];
            j++;
        }
        first[lowest] = 1;
        distinct++;
        i = j;
    }
    uint64_t *sorted = malloc(distinct * sizeof *sorted);
    ck_assert_ptr_nonnull(sorted);
    for (size_t i = 0, d = 0; i < N; i++)
        if (first[i])
            sorted[d++] = key[i];
    qsort(sorted, distinct, sizeof *sorted, cmp_u64);

    struct pairset s;
    ck_assert_int_eq(pairset_init(&s), 0);
    size_t inserted = 0;
    for (size_t i = 0; i < N; i++) {
        int rc = pairset_insert(&s, key[i]);
        FAST_EQ(rc, first[i]);
        inserted += first[i];
        FAST_EQ(s.n, inserted);
        FAST(2 * s.n <= s.cap);                               /* load at most 1/2 */
    }
    ck_assert_uint_eq(s.n, distinct);
    ck_assert_uint_gt(distinct, N / 2);
    ck_assert_uint_eq(s.cap & (s.cap - 1), 0);                /* a power of 2 */
    ck_assert_uint_ge(s.cap, 2 * distinct);
    /* The table holds exactly the distinct keys. */
    size_t held = 0;
    for (uint64_t i = 0; i < s.cap; i++)
        if (s.key[i] != PAIRSET_EMPTY) {
            FAST(bsearch(&s.key[i], sorted, distinct, sizeof *sorted, cmp_u64) != NULL);
            held++;
        }
    ck_assert_uint_eq(held, distinct);
    /* Every key again: present.  New keys: absent, then present. */
    for (size_t i = 0; i < distinct; i++)
        FAST_EQ(pairset_insert(&s, sorted[i]), 0);
    ck_assert_uint_eq(s.n, distinct);
    size_t fresh = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t k = rand64(r);
        int present = bsearch(&k, sorted, distinct, sizeof *sorted, cmp_u64) != NULL;
        FAST_EQ(pairset_insert(&s, k), !present);
        fresh += !present;
    }
    ck_assert_uint_eq(s.n, distinct + fresh);

    pairset_destroy(&s);
    free(sorted);
    free(first);
    free(order);
    free(key);
    gsl_rng_free(r);
}
END_TEST

/* pairset_bump: counts per key, saturating at 255, across growth. */
START_TEST(test_pairset_bump)
{
    struct pairset s;
    ck_assert_int_eq(pairset_init(&s), 0);
    for (uint64_t key = 0; key < 5000; key++)
        for (uint64_t j = 0; j <= key % 4; j++)
            ck_assert_int_eq(pairset_bump(&s, key * 7919), (int)j + 1);
    ck_assert_uint_eq(s.n, 5000);
    for (int i = 0; i < 300; i++)
        pairset_bump(&s, 3);
    ck_assert_int_eq(pairset_bump(&s, 3), 255);
    ck_assert_int_eq(pairset_insert(&s, 7919 * 10), 0);
    ck_assert_int_eq(pairset_bump(&s, 7919 * 10), 4);        /* 10 % 4 + 1 = 3, now 4 */
    pairset_destroy(&s);
}
END_TEST

Suite *pairset_suite(void)
{
    Suite *s = suite_create("pairset");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_pairset_basic);
    tcase_add_test(tc, test_pairset_bump);
    tcase_add_test(tc, test_pairset_random);
    suite_add_tcase(s, tc);
    return s;
}
