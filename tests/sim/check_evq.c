/* check_evq — the event heap: (time, insertion seq) order, ties in push
 * order, agreement with a sorted reference on a million random events and
 * on an interleaved push/pop workload, empty-queue behaviour and sequence
 * reservation (evq_take_seq). */
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "evq.h"
#include "suites.h"

/* An assertion for hot loops: unlike ck_assert it records no location on
 * success (Check's mark point is a write per call). */
#define REQUIRE(cond) \
    do { \
        if (!(cond)) \
            ck_abort_msg("Assertion '%s' failed", #cond); \
    } while (0)

/* (time, seq) pairs for the reference orders. */
struct ref_ev {
    sim_time time;
    uint64_t seq;
    uint32_t kind, a, b;
};

static int ref_cmp(const void *x, const void *y)
{
    const struct ref_ev *p = x, *q = y;
    return evq_cmp(p->time, p->seq, q->time, q->seq);
}

/* ---- empty queue ---------------------------------------------------------- */

START_TEST(test_empty)
{
    struct evq q;
    evq_init(&q);
    ck_assert_ptr_null(evq_peek(&q));
    ck_assert_uint_eq(evq_size(&q), 0);
    struct sim_event out = { 77, 88, 1, 2, 3 };
    ck_assert_int_eq(evq_pop(&q, &out), -1);
    /* a failed pop leaves *out alone */
    ck_assert_int_eq(out.time, 77);
    ck_assert_uint_eq(out.seq, 88);

    /* one event in, one out, empty again */
    ck_assert_int_eq(evq_push(&q, 5, 9, 10, 11), 0);
    ck_assert_uint_eq(evq_size(&q), 1);
    const struct sim_event *p = evq_peek(&q);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->time, 5);
    ck_assert_uint_eq(p->seq, 0);
    ck_assert_int_eq(evq_pop(&q, &out), 0);
    ck_assert_int_eq(out.time, 5);
    ck_assert_uint_eq(out.seq, 0);
    ck_assert_uint_eq(out.kind, 9);
    ck_assert_uint_eq(out.a, 10);
    ck_assert_uint_eq(out.b, 11);
    ck_assert_ptr_null(evq_peek(&q));
    ck_assert_uint_eq(evq_size(&q), 0);
    ck_assert_int_eq(evq_pop(&q, &out), -1);
    evq_destroy(&q);
}
END_TEST

/* ---- ties leave in push order --------------------------------------------- */

START_TEST(test_tie_order)
{
    /* 3000 events over three times, interleaved in the order pushed:
     * i % 3 == 0 -> t = 500, 1 -> t = 100, 2 -> t = 900.  They must come out
     * as all t = 100 in push order, then t = 500, then t = 900, with the
     * payload intact and seq = push index. */
    enum { N = 3000 };
    static const sim_time times[3] = { 500, 100, 900 };
    struct evq q;
    evq_init(&q);
    for (uint32_t i = 0; i < N; i++)
        ck_assert_int_eq(evq_push(&q, times[i % 3], i % 3 + 1, i, ~i), 0);
    ck_assert_uint_eq(evq_size(&q), N);

    static const unsigned group_order[3] = { 1, 0, 2 };   /* by time */
    for (unsigned g = 0; g < 3; g++) {
        unsigned r = group_order[g];
        for (uint32_t i = r; i < N; i += 3) {
            const struct sim_event *p = evq_peek(&q);
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_eq(p->seq, i);
            struct sim_event ev;
            ck_assert_int_eq(evq_pop(&q, &ev), 0);
            ck_assert_int_eq(ev.time, times[r]);
            ck_assert_uint_eq(ev.seq, i);
            ck_assert_uint_eq(ev.kind, r + 1);
            ck_assert_uint_eq(ev.a, i);
            ck_assert_uint_eq(ev.b, ~i);
        }
    }
    ck_assert_uint_eq(evq_size(&q), 0);
    evq_destroy(&q);
}
END_TEST

/* Extreme times (negative, INT64_MIN/MAX) are ordered as integers. */
START_TEST(test_extreme_times)
{
    static const sim_time t[] = { INT64_MAX, 0, -1, INT64_MIN, 1, INT64_MAX, INT64_MIN, -86400 };
    enum { N = sizeof t / sizeof t[0] };
    struct ref_ev ref[N];
    struct evq q;
    evq_init(&q);
    for (uint32_t i = 0; i < N; i++) {
        ck_assert_int_eq(evq_push(&q, t[i], 0, i, 0), 0);
        ref[i] = (struct ref_ev){ t[i], i, 0, i, 0 };
    }
    qsort(ref, N, sizeof ref[0], ref_cmp);
    for (size_t i = 0; i < N; i++) {
        struct sim_event ev;
        ck_assert_int_eq(evq_pop(&q, &ev), 0);
        ck_assert_int_eq(ev.time, ref[i].time);
        ck_assert_uint_eq(ev.seq, ref[i].seq);
    }
    evq_destroy(&q);
}
END_TEST

/* ---- a million random events ---------------------------------------------- */

START_TEST(test_random_million)
{
    /* Times uniform in [0, 1000) from MT19937 seed 1: about 1000 events per
     * time, so the tie-breaking is exercised everywhere. */
    enum { N = 1000000, RANGE = 1000 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    gsl_rng_set(g, 1);
    struct ref_ev *ref = malloc(N * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    struct evq q;
    evq_init(&q);
    for (uint32_t i = 0; i < N; i++) {
        sim_time t = (sim_time)gsl_rng_uniform_int(g, RANGE);
        REQUIRE(evq_push(&q, t, i & 7, i, i ^ 0x5a5a5a5au) == 0);
        ref[i] = (struct ref_ev){ t, i, i & 7, i, i ^ 0x5a5a5a5au };
    }
    ck_assert_uint_eq(evq_size(&q), N);
    qsort(ref, N, sizeof *ref, ref_cmp);
    size_t bad = 0, first_bad = N;
    for (size_t i = 0; i < N; i++) {
        struct sim_event ev;
        if (evq_pop(&q, &ev) != 0) {
            ck_abort_msg("pop %zu of %d failed", i, N);
        }
        if (ev.time != ref[i].time || ev.seq != ref[i].seq || ev.kind != ref[i].kind
            || ev.a != ref[i].a || ev.b != ref[i].b) {
            if (!bad)
                first_bad = i;
            bad++;
        }
    }
    ck_assert_msg(bad == 0, "%zu events out of order, first at position %zu", bad, first_bad);
    ck_assert_ptr_null(evq_peek(&q));
    ck_assert_uint_eq(evq_size(&q), 0);
    evq_destroy(&q);
    free(ref);
    gsl_rng_free(g);
}
END_TEST

/* ---- interleaved pushes and pops against a reference ----------------------- */

START_TEST(test_interleaved)
{
    /* Reference: an unsorted array; the minimum by (time, seq) is found by a
     * linear scan.  Phases of 5000 operations alternate between 70% and 30%
     * pushes, so the queue repeatedly fills (up to the cap of 1500 pending
     * events) and drains through empty. */
    enum { OPS = 100000, RANGE = 50, CAP = 1500, PHASE = 5000 };
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(g);
    gsl_rng_set(g, 1);
    size_t n = 0;
    struct ref_ev *ref = malloc(CAP * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    struct evq q;
    evq_init(&q);
    uint64_t seq = 0;
    size_t pops = 0, empty_pops = 0, maxn = 0;
    for (int op = 0; op < OPS; op++) {
        double p_push = (op / PHASE) % 2 ? 0.3 : 0.7;
        int push = n < CAP && gsl_rng_uniform(g) < p_push;
        if (push) {
            sim_time t = (sim_time)gsl_rng_uniform_int(g, RANGE);
            uint32_t a = (uint32_t)op;
            REQUIRE(evq_push(&q, t, 3, a, 4) == 0);
            ref[n++] = (struct ref_ev){ t, seq++, 3, a, 4 };
            if (n > maxn)
                maxn = n;
        } else {
            struct sim_event ev;
            if (n == 0) {
                REQUIRE(evq_peek(&q) == NULL);
                REQUIRE(evq_pop(&q, &ev) == -1);
                empty_pops++;
                continue;
            }
            size_t m = 0;
            for (size_t i = 1; i < n; i++)
                if (ref_cmp(&ref[i], &ref[m]) < 0)
                    m = i;
            const struct sim_event *p = evq_peek(&q);
            REQUIRE(p != NULL);
            REQUIRE(p->time == ref[m].time);
            REQUIRE(p->seq == ref[m].seq);
            REQUIRE(evq_pop(&q, &ev) == 0);
            REQUIRE(ev.time == ref[m].time);
            REQUIRE(ev.seq == ref[m].seq);
            REQUIRE(ev.a == ref[m].a);
            ref[m] = ref[--n];
            pops++;
        }
        REQUIRE(evq_size(&q) == n);
    }
    /* The workload really filled the queue and drained it to empty. */
    ck_assert_uint_gt(pops, OPS / 4);
    ck_assert_uint_eq(maxn, CAP);
    ck_assert_uint_gt(empty_pops, 0);
    /* drain */
    qsort(ref, n, sizeof *ref, ref_cmp);
    for (size_t i = 0; i < n; i++) {
        struct sim_event ev;
        REQUIRE(evq_pop(&q, &ev) == 0);
        REQUIRE(ev.time == ref[i].time);
        REQUIRE(ev.seq == ref[i].seq);
    }
    ck_assert_uint_eq(evq_size(&q), 0);
    evq_destroy(&q);
    free(ref);
    gsl_rng_free(g);
}
END_TEST

/* ---- sequence reservation -------------------------------------------------- */

START_TEST(test_take_seq)
{
    struct evq q;
    evq_init(&q);
    ck_assert_int_eq(evq_push(&q, 10, 0, 0, 0), 0);          /* seq 0 */
    ck_assert_uint_eq(evq_take_seq(&q, 10), 1);              /* reserves 1..10 */
    ck_assert_int_eq(evq_push(&q, 10, 0, 1, 0), 0);          /* seq 11 */
    ck_assert_uint_eq(evq_take_seq(&q, 0), 12);              /* reserves nothing */
    ck_assert_int_eq(evq_push(&q, 10, 0, 2, 0), 0);          /* seq 12 */
    ck_assert_uint_eq(evq_take_seq(&q, 1), 13);              /* reserves 13 */
    ck_assert_int_eq(evq_push(&q, 5, 0, 3, 0), 0);           /* seq 14, earlier time */
    ck_assert_uint_eq(q.next_seq, 15);

    static const struct { sim_time t; uint64_t seq; uint32_t a; } want[] = {
        { 5, 14, 3 }, { 10, 0, 0 }, { 10, 11, 1 }, { 10, 12, 2 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        struct sim_event ev;
        ck_assert_int_eq(evq_pop(&q, &ev), 0);
        ck_assert_int_eq(ev.time, want[i].t);
        ck_assert_uint_eq(ev.seq, want[i].seq);
        ck_assert_uint_eq(ev.a, want[i].a);
    }
    ck_assert_int_eq(evq_pop(&q, &(struct sim_event){ 0 }), -1);
    /* The counter is not reset by emptying the queue. */
    ck_assert_uint_eq(evq_take_seq(&q, 5), 15);
    ck_assert_int_eq(evq_push(&q, 0, 0, 0, 0), 0);
    ck_assert_uint_eq(evq_peek(&q)->seq, 20);
    evq_destroy(&q);
}
END_TEST

/* evq_cmp is the strcmp-like (time, seq) order. */
START_TEST(test_cmp)
{
    ck_assert_int_eq(evq_cmp(1, 5, 2, 0), -1);
    ck_assert_int_eq(evq_cmp(2, 0, 1, 5), 1);
    ck_assert_int_eq(evq_cmp(3, 4, 3, 5), -1);
    ck_assert_int_eq(evq_cmp(3, 5, 3, 4), 1);
    ck_assert_int_eq(evq_cmp(3, 5, 3, 5), 0);
    ck_assert_int_eq(evq_cmp(INT64_MIN, UINT64_MAX, INT64_MAX, 0), -1);
    ck_assert_int_eq(evq_cmp(0, UINT64_MAX, 0, 0), 1);
}
END_TEST

Suite *evq_suite(void)
{
    Suite *s = suite_create("evq");
    TCase *tc = tcase_create("order");
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_tie_order);
    tcase_add_test(tc, test_extreme_times);
    tcase_add_test(tc, test_take_seq);
    tcase_add_test(tc, test_cmp);
    suite_add_tcase(s, tc);

    TCase *big = tcase_create("reference");
    tcase_set_timeout(big, 120);
    tcase_add_test(big, test_random_million);
    tcase_add_test(big, test_interleaved);
    suite_add_tcase(s, big);
    return s;
}
