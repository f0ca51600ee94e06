/* check_metrics — the covered-time union (coverage_add, coverage_total),
 * and an end-to-end run of traffic -> serverlog -> snapshots -> knowledge
 * and coverage without the engine.
 *
 * A coverage is a union of half-open intervals (lo, hi], kept sorted and
 * disjoint; intervals that touch ((a, b] and (b, c]) are one interval. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "batch.h"
#include "contacts.h"
#include "inference.h"
#include "metrics.h"
#include "serverlog.h"
#include "suites.h"
#include "traffic.h"

/* ck_assert_* records its location on every success; this only calls into
 * Check when it fails, for the loops. */
#define FAST_EQ(X, Y)                                                          \
    do {                                                                       \
        long long fx_ = (long long)(X), fy_ = (long long)(Y);                  \
        if (fx_ != fy_)                                                        \
            ck_abort_msg("Assertion '%s == %s' failed: %lld != %lld", #X, #Y,  \
                         fx_, fy_);                                            \
    } while (0)

static gsl_rng *seeded_rng(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    ck_assert_ptr_nonnull(r);
    gsl_rng_set(r, seed);
    return r;
}

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
    gsl_rng *r = seeded_rng(271828);
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

/* --- end to end, without the engine ------------------------------------- */

/* ER n = 500, mean degree 6, λ = 0.05 per pair per day, a log kept for
 * R = 3 days, a bulk snapshot every P = 7 days (days 7, 14, ..., 56), over
 * 60 days.  The starts of each day are sorted (batch_sort) and appended to
 * the log in time order; a snapshot at s = 7k days is taken after the
 * appends with t <= s (the day's appends come after: t >= s), reads every
 * span into the staged knowledge, flushes, and adds (s - R, s] to the
 * coverage.  The reference keeps every start and recomputes what each
 * snapshot must have seen: the records with s - R < t <= s.  Checked after
 * each snapshot: the records fed, the distinct true pairs (every start is
 * along an edge, so no false pairs), the people in them, the coverage. */
START_TEST(test_end_to_end)
{
    const uint32_t n = 500;
    const int64_t R = 3 * 86400, P = 7 * 86400;
    const int days = 60;
    gsl_rng *gr = seeded_rng(11), *tr = seeded_rng(12);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 6, gr), 0);
    struct traffic t;
    struct batch b;
    struct serverlog log;
    struct knowledge k;
    struct coverage cov;
    ck_assert_int_eq(traffic_init(&t, &g, 0.05, tr), 0);
    ck_assert_int_eq(batch_init(&b, 86400), 0);
    ck_assert_int_eq(serverlog_init(&log, R), 0);
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    coverage_init(&cov);

    struct batch_entry *all = NULL;              /* every start, in time order */
    size_t nall = 0, capall = 0;
    unsigned char *pair_seen = calloc(2 * g.m, 1), *node_seen = calloc(n, 1);
    ck_assert_ptr_nonnull(pair_seen);
    ck_assert_ptr_nonnull(node_seen);
    uint64_t ref_records = 0, ref_edges = 0, ref_nodes = 0, seq = 0;
    int snapshots = 0;
    for (int day = 0; day < days; day++) {
        int64_t s = (int64_t)day * 86400;
        if (day > 0 && s % P == 0) {             /* snapshot at the day's start */
            serverlog_purge(&log, s);
            size_t spans = serverlog_spans(&log);
            for (size_t i = 0; i < spans; i++) {
                size_t m;
                const struct logrec *rec = serverlog_span(&log, i, &m);
                for (size_t j = 0; j < m; j++)
                    ck_assert_int_eq(knowledge_stage(&k, rec[j].querier, rec[j].queried), 0);
            }
            ck_assert_int_eq(knowledge_flush(&k), 0);
            ck_assert_int_eq(coverage_add(&cov, s - R < 0 ? 0 : s - R, s), 0);
            snapshots++;
            /* The reference: the starts with s - R < t <= s. */
            uint64_t window = 0;
            for (size_t i = 0; i < nall; i++) {
                if ((int64_t)all[i].time <= s - R || (int64_t)all[i].time > s)
                    continue;
                window++;
                uint32_t lo = all[i].a < all[i].b ? all[i].a : all[i].b;
                uint32_t hi = all[i].a ^ all[i].b ^ lo;
                int64_t j = graph_find(&g, lo, hi);
                ck_assert_int_ge(j, 0);
                if (!pair_seen[j]) {
                    pair_seen[j] = 1;
                    ref_edges++;
                }
                ref_nodes += !node_seen[lo] + !node_seen[hi];
                node_seen[lo] = node_seen[hi] = 1;
            }
            ref_records += window;
            ck_assert_uint_eq(log.size, window);
            ck_assert_uint_eq(k.records, ref_records);
            ck_assert_uint_eq(k.edges_found, ref_edges);
            ck_assert_uint_eq(k.false_pairs.n, 0);
            ck_assert_uint_eq(k.nodes_found, ref_nodes);
            ck_assert_int_eq(coverage_total(&cov), (int64_t)snapshots * R);   /* P > R */
        }
        batch_begin(&b, s);
        ck_assert_int_eq(traffic_slice(&t, &b, s, s + 86400), 0);
        batch_sort(&b, seq);
        seq += b.n;
        if (nall + b.n > capall) {
            capall = 2 * (nall + b.n);
            all = realloc(all, capall * sizeof *all);
            ck_assert_ptr_nonnull(all);
        }
        for (const struct batch_entry *e; (e = batch_peek(&b)); b.cursor++) {
            if (nall > 0)
                ck_assert_uint_ge(e->time, all[nall - 1].time);
            all[nall++] = *e;
            ck_assert_int_eq(serverlog_append(&log, e->time, e->a, e->b), 0);
        }
    }
    ck_assert_int_eq(snapshots, 8);
    ck_assert_uint_eq(log.appended, nall);
    /* The model's scale: 2m λ ~ 150 starts a day, ~450 per snapshot; a
     * fraction of the edges found, not all. */
    ck_assert_uint_gt(ref_records, 8 * 300);
    ck_assert_uint_gt(k.edges_found, 0);
    ck_assert_uint_lt(k.edges_found, g.m);

    free(all);
    free(pair_seen);
    free(node_seen);
    coverage_destroy(&cov);
    knowledge_destroy(&k);
    serverlog_destroy(&log);
    batch_destroy(&b);
    traffic_destroy(&t);
    graph_destroy(&g);
    gsl_rng_free(gr);
    gsl_rng_free(tr);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("coverage");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_coverage_cases);
    tcase_add_test(tc, test_coverage_random);
    tcase_add_test(tc, test_coverage_chained);
    suite_add_tcase(s, tc);
    tc = tcase_create("end_to_end");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
