/* check_coverage — the covered-time union (models/coverage.h):
 * coverage_add, coverage_total and coverage_holes on cases worked by hand,
 * against a bitmap of seconds, and on chained snapshots.
 *
 * A coverage is a union of half-open intervals (lo, hi], kept sorted and
 * disjoint; intervals that touch ((a, b] and (b, c]) are one interval. */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "coverage.h"
#include "suites.h"
#include "testutil.h"

/* Add (lo, hi] and check the total and the interval count. */
static void add_expect(struct coverage *c, int64_t lo, int64_t hi, int64_t total, size_t n)
{
    ck_assert_int_eq(coverage_add(c, lo, hi), 0);
    ck_assert_msg(coverage_total(c) == total && c->n == n,
                  "after (%lld, %lld]: total %lld in %zu intervals, expected %lld in %zu",
                  (long long)lo, (long long)hi, (long long)coverage_total(c), c->n,
                  (long long)total, n);
}

START_TEST(test_coverage_cases)
{
    struct coverage c;
    coverage_init(&c);
    ck_assert_int_eq(coverage_total(&c), 0);
    ck_assert_uint_eq(c.n, 0);
    add_expect(&c, 5, 5, 0, 0);          /* empty */
    add_expect(&c, 7, 3, 0, 0);          /* reversed: empty */
    add_expect(&c, 0, 10, 10, 1);
    add_expect(&c, 10, 20, 20, 1);       /* touching: merged */
    add_expect(&c, 5, 5, 20, 1);         /* empty, inside */
    add_expect(&c, 20, 20, 20, 1);       /* empty, at the edge */
    add_expect(&c, 3, 12, 20, 1);        /* nested */
    add_expect(&c, 0, 20, 20, 1);        /* equal */
    add_expect(&c, 30, 40, 30, 2);       /* disjoint, after */
    add_expect(&c, -20, -10, 40, 3);     /* disjoint, before (negative times) */
    add_expect(&c, 21, 29, 48, 4);       /* in the gap, touching neither: (20,21], (29,30] open */
    ck_assert_int_eq(c.iv[0][0], -20);
    ck_assert_int_eq(c.iv[0][1], -10);
    ck_assert_int_eq(c.iv[1][0], 0);
    ck_assert_int_eq(c.iv[1][1], 20);
    ck_assert_int_eq(c.iv[2][0], 21);
    ck_assert_int_eq(c.iv[2][1], 29);
    ck_assert_int_eq(c.iv[3][0], 30);
    ck_assert_int_eq(c.iv[3][1], 40);
    add_expect(&c, 15, 35, 50, 2);       /* overlapping three: (0, 40] */
    ck_assert_int_eq(c.iv[1][0], 0);
    ck_assert_int_eq(c.iv[1][1], 40);
    add_expect(&c, -10, 0, 60, 1);       /* bridging by touching both ends */
    ck_assert_int_eq(c.iv[0][0], -20);
    ck_assert_int_eq(c.iv[0][1], 40);
    add_expect(&c, -100, 100, 200, 1);   /* covering everything */
    coverage_destroy(&c);
    ck_assert_ptr_null(c.iv);
    ck_assert_uint_eq(c.n, 0);
    coverage_destroy(NULL);              /* allowed */

    /* Many disjoint intervals added from the right (each one inserted at
     * the front), then the gaps filled from the left. */
    coverage_init(&c);
    for (int i = 99; i >= 0; i--)
        add_expect(&c, 10 * i, 10 * i + 5, 5 * (100 - i), (size_t)(100 - i));
    for (int i = 0; i < 100; i++) {
        ck_assert_int_eq(c.iv[i][0], 10 * i);
        ck_assert_int_eq(c.iv[i][1], 10 * i + 5);
    }
    for (int i = 0; i < 99; i++)         /* (10i+5, 10i+10] joins i and i+1 */
        add_expect(&c, 10 * i + 5, 10 * i + 10, 500 + 5 * (i + 1), (size_t)(99 - i));
    ck_assert_int_eq(c.iv[0][0], 0);
    ck_assert_int_eq(c.iv[0][1], 995);
    coverage_destroy(&c);
}
END_TEST

/* Random intervals against a bitmap of the integer seconds: (lo, hi]
 * covers seconds lo+1 .. hi.  Range -30..370; the intervals start in
 * -20..300 and are -5..60 long (empty when <= 0), so overlapping, nested,
 * touching and empty ones all occur.  After every add: the total equals the
 * number of marked seconds, and the intervals are exactly the maximal runs
 * of marked seconds, in order (a run from s to e is the interval
 * (s - 1, e]). */
START_TEST(test_coverage_random)
{
    enum { LO = -30, HI = 370, SPAN = HI - LO };
    gsl_rng *r = tu_rng(271828);
    for (int round = 0; round < 200; round++) {
        struct coverage c;
        coverage_init(&c);
        unsigned char mark[SPAN] = { 0 };       /* mark[s - LO]: second s covered */
        int adds = 1 + (int)gsl_rng_uniform_int(r, 40);
        for (int k = 0; k < adds; k++) {
            int64_t lo = -20 + (int64_t)gsl_rng_uniform_int(r, 321);
            int64_t hi = lo - 5 + (int64_t)gsl_rng_uniform_int(r, 66);
            ck_assert_int_eq(coverage_add(&c, lo, hi), 0);
            for (int64_t s = lo + 1; s <= hi; s++)
                mark[s - LO] = 1;
            int64_t total = 0;
            size_t runs = 0;
            for (int i = 0; i < SPAN; i++) {
                total += mark[i];
                if (mark[i] && (i == 0 || !mark[i - 1])) {      /* a run starts */
                    int e = i;
                    while (e + 1 < SPAN && mark[e + 1])
                        e++;
                    if (runs >= c.n)
                        ck_abort_msg("round %d: more runs than the %zu intervals", round, c.n);
                    FAST_EQ(c.iv[runs][0], (int64_t)i + LO - 1);
                    FAST_EQ(c.iv[runs][1], (int64_t)e + LO);
                    runs++;
                }
            }
            FAST_EQ(coverage_total(&c), total);
            FAST_EQ(c.n, runs);
        }
        coverage_destroy(&c);
    }
    gsl_rng_free(r);
}
END_TEST

/* Chained snapshots as the bulk adversary takes them: every P seconds, the
 * retained window (kP - R, kP] clipped at 0, for k = 1..K.
 *   P <= R: consecutive windows overlap or touch, the union is (0, KP]:
 *           total = KP (the last snapshot time), one interval;
 *   P >  R: the windows are disjoint with gaps of P - R: total = K R,
 *           K intervals. */
START_TEST(test_coverage_chained)
{
    static const struct { int64_t P, R; } cases[] = {
        { 30, 30 }, { 7, 30 }, { 1, 1 }, { 29, 30 }, { 31, 30 }, { 60, 30 }, { 90, 1 },
    };
    const int K = 12;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int64_t P = cases[i].P * 86400, R = cases[i].R * 86400;
        struct coverage c;
        coverage_init(&c);
        for (int k = 1; k <= K; k++) {
            int64_t now = k * P, lo = now - R;
            ck_assert_int_eq(coverage_add(&c, lo < 0 ? 0 : lo, now), 0);
            if (P <= R) {
                ck_assert_int_eq(coverage_total(&c), now);
                ck_assert_uint_eq(c.n, 1);
            } else {
                ck_assert_int_eq(coverage_total(&c), k * R);
                ck_assert_uint_eq(c.n, (size_t)k);
            }
        }
        coverage_destroy(&c);
    }
}
END_TEST

/* Holes: the gaps between covered intervals. */
START_TEST(test_coverage_holes)
{
    struct coverage c;
    coverage_init(&c);
    ck_assert_uint_eq(coverage_holes(&c), 0);
    ck_assert_int_eq(coverage_add(&c, 0, 10), 0);
    ck_assert_uint_eq(coverage_holes(&c), 0);
    ck_assert_int_eq(coverage_add(&c, 20, 30), 0);
    ck_assert_int_eq(coverage_add(&c, 40, 50), 0);
    ck_assert_uint_eq(coverage_holes(&c), 2);
    ck_assert_int_eq(coverage_add(&c, 10, 20), 0);   /* fills the first */
    ck_assert_uint_eq(coverage_holes(&c), 1);
    ck_assert_int_eq(coverage_add(&c, 30, 39), 0);   /* leaves (39, 40] open */
    ck_assert_uint_eq(coverage_holes(&c), 1);
    coverage_destroy(&c);
}
END_TEST

Suite *coverage_suite(void)
{
    Suite *s = suite_create("coverage");
    TCase *tc = tcase_create("union");
    tcase_add_test(tc, test_coverage_cases);
    tcase_add_test(tc, test_coverage_random);
    tcase_add_test(tc, test_coverage_chained);
    tcase_add_test(tc, test_coverage_holes);
    suite_add_tcase(s, tc);
    return s;
}
