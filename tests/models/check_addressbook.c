/* check_addressbook — the address books (a hand count, the union's
 * invariants, book sizes), the syncs and their log policies, the schedule,
 * and the share of the books a snapshot exposes against its closed form. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "addressbook.h"
#include "batch.h"
#include "contacts.h"
#include "population.h"
#include "rng.h"
#include "runutil.h"
#include "serverlog.h"
#include "suites.h"
#include "testutil.h"

static struct addressbook_params params(double size, double sigma, double share)
{
    struct addressbook_params p;
    memset(&p, 0, sizeof p);
    p.on = 1;
    p.size_mean = size;
    p.size_sigma = sigma;
    p.conversation_share = share;
    p.period = 10 * 86400;
    p.device_sync = 1;
    return p;
}

static inline int bit(const uint64_t *b, uint64_t i) { return (int)((b[i >> 6] >> (i & 63)) & 1); }

/* The path 0-1-2-3 and a loner 4, every tie kept, books of one entry:
 * nobody lacks an entry but the loner, who can draw no partner (nobody
 * else has room): the union is the path, every entry in both books. */
START_TEST(test_hand_count)
{
    struct graph g;
    struct graph_edge e[] = { { 0, 1 }, { 1, 2 }, { 2, 3 } };
    ck_assert_int_eq(graph_from_edges(&g, 5, e, 3), 0);
    uint8_t flags[5] = { 1, 1, 1, 0, 1 };
    struct addressbook_params p = params(1, 0, 1);
    struct addressbook b;
    ck_assert_int_eq(addressbook_init(&b, &p, &g, NULL, flags, 1, 5, 7, 8), 0);
    ck_assert_uint_eq(b.u.m, 3);
    ck_assert_uint_eq(b.conv_pairs, 3);
    ck_assert_uint_eq(b.book_pairs, 3);
    uint32_t want[5] = { 1, 2, 2, 1, 0 };
    for (uint32_t x = 0; x < 5; x++)
        ck_assert_uint_eq(b.size[x], want[x]);
    for (uint64_t j = 0; j < 6; j++)
        ck_assert(bit(b.conv, j) && bit(b.own, j) && bit(b.pair, j));
    /* person 1's full sync: both its entries; registered: 3 is SMS-only */
    size_t n;
    const uint32_t *r = addressbook_sync(&b, 1, 100, ADDRESSBOOK_FULL, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert(r[0] == 100 && r[1] == 1 && r[2] == 0 && r[3] == 100 && r[4] == 1 && r[5] == 2);
    r = addressbook_sync(&b, 2, 5, ADDRESSBOOK_FULL, &n);
    ck_assert_uint_eq(n, 2);
    p.log = ADDRESSBOOK_LOG_REGISTERED;
    r = addressbook_sync(&b, 2, 5, ADDRESSBOOK_FULL, &n);
    ck_assert_uint_eq(n, 1);                      /* 1 answered, 3 not registered */
    ck_assert_uint_eq(r[2], 1);
    p.log = ADDRESSBOOK_LOG_BATCH;
    r = addressbook_sync(&b, 2, 5, ADDRESSBOOK_FULL, &n);
    ck_assert(n == 1 && r[1] == 2 && r[2] == SERVERLOG_NO_NUMBER);
    p.log = ADDRESSBOOK_LOG_EACH;
    r = addressbook_sync(&b, 2, 5, 1, &n);        /* an edit: the second entry alone */
    ck_assert(n == 1 && r[2] == 3);
    addressbook_sync(&b, 3, 5, ADDRESSBOOK_FULL, &n);
    ck_assert_uint_eq(n, 0);                      /* not a client: no sync */
    ck_assert_uint_eq(b.lookups, 2 + 2 + 2 + 2 + 1);
    addressbook_destroy(&b);
    graph_destroy(&g);
}
END_TEST

/* A random world: rows sorted, the conversation ties exactly the graph's,
 * books mutual, counts consistent, and the mean book size within five
 * standard errors of size_mean (the draws make each book's size its
 * target on average: half drawn by its owner, half by the others). */
START_TEST(test_union_invariants)
{
    gsl_rng *r = rng_stream_new(11, 0, 1);
    struct graph g;
    const uint32_t n = 5000;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 6, r), 0);
    uint8_t *flags = malloc(n);
    for (uint32_t a = 0; a < n; a++)
        flags[a] = a % 3 ? 1 : 0;
    struct addressbook_params p = params(40, 0.5, 0.8);
    struct addressbook b;
    ck_assert_int_eq(addressbook_init(&b, &p, &g, NULL, flags, 1, n, 5, 6), 0);
    const struct graph *u = &b.u;
    uint64_t conv = 0, pairs = 0;
    double sum = 0, sum2 = 0;
    for (uint32_t x = 0; x < n; x++) {
        uint32_t own = 0;
        for (uint64_t j = u->off[x]; j < u->off[x + 1]; j++) {
            uint32_t y = u->adj[j];
            FAST(j == u->off[x] || u->adj[j - 1] < y);              /* sorted, no repeat */
            FAST(y != x);
            int64_t back = graph_find(u, y, x);
            FAST(back >= 0);
            FAST(bit(b.conv, j) == (graph_find(&g, x, y) >= 0));     /* conversation ties: the graph's */
            FAST(bit(b.conv, (uint64_t)back) == bit(b.conv, j));
            FAST(bit(b.own, j) == bit(b.own, (uint64_t)back));       /* books are mutual */
            FAST(bit(b.pair, j) == (bit(b.own, j) || bit(b.own, (uint64_t)back)));
            FAST(bit(b.conv, j) || bit(b.pair, j));
            own += (uint32_t)bit(b.own, j);
            conv += y > x && bit(b.conv, j);
            pairs += y > x && bit(b.pair, j);
        }
        FAST_EQ(own, b.size[x]);
        sum += own;
        sum2 += (double)own * own;
    }
    ck_assert_uint_eq(conv, g.m);
    ck_assert_uint_eq(b.conv_pairs, g.m);
    ck_assert_uint_eq(b.book_pairs, pairs);
    double mean = sum / n, sd = sqrt(sum2 / n - mean * mean), se = sd / sqrt(n);
    ck_assert_msg(fabs(mean - 40) < 5 * se, "mean book size %.3f vs 40 (SE %.3f)", mean, se);
    addressbook_destroy(&b);
    graph_destroy(&g);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* Over one period of 10 days, every client syncs once, on the day and at
 * the second of its phase; nobody else does. */
START_TEST(test_schedule)
{
    gsl_rng *r = rng_stream_new(12, 0, 1);
    struct graph g;
    const uint32_t n = 3000;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, 4, r), 0);
    uint8_t *flags = malloc(n);
    for (uint32_t a = 0; a < n; a++)
        flags[a] = a % 4 ? 1 : 0;
    struct addressbook_params p = params(10, 0, 1);
    struct addressbook b;
    ck_assert_int_eq(addressbook_init(&b, &p, &g, NULL, flags, 1, n, 1, 2), 0);
    struct batch bt;
    ck_assert_int_eq(batch_init(&bt, 86400), 0);
    uint32_t *seen = calloc(n, sizeof *seen);
    for (uint32_t d = 10; d < 20; d++) {          /* the second period */
        batch_begin(&bt, (int64_t)d * 86400);
        ck_assert_int_eq(addressbook_slice(&b, &bt, (int64_t)d * 86400, (int64_t)(d + 1) * 86400), 0);
        ck_assert_int_eq(batch_sort(&bt, 0), 0);
        for (const struct batch_entry *e; (e = batch_peek(&bt)); bt.cursor++) {
            ck_assert_uint_eq(e->kind, ADDRESSBOOK_EV_SYNC);
            ck_assert_uint_eq(e->b, ADDRESSBOOK_FULL);
            ck_assert_uint_eq(e->time, 10u * 86400 + b.phase[e->a]);
            seen[e->a]++;
        }
    }
    for (uint32_t a = 0; a < n; a++)
        FAST_EQ(seen[a], flags[a] ? 1 : 0);
    free(seen);
    batch_destroy(&bt);
    addressbook_destroy(&b);
    graph_destroy(&g);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* One snapshot at T = 40 days of a log kept R = 10 days, syncs every
 * P = 30 days at uniform phases, no edits, conversations too rare to
 * count: a person's sync falls in the window with probability R/P.  A book
 * pair is exposed when either end, if a client (probability c), synced
 * in the window: 1 - (1 - cR/P)^2; with the log keeping registered numbers
 * only, both must be clients: c^2 (1 - (1 - R/P)^2).  Pairs that share a
 * person are dependent: with Y_a the indicator that a exposed nothing
 * (P(Y = 1) = p), Var(sum over pairs of Y_a Y_b) = M (p^2 - p^4) + (p^3 -
 * p^4) sum_a k_a (k_a - 1), the second sum taken as N (S^2 + S) for books
 * of size about S (above its true value by S + Var k). */
struct expose {
    double recall, se;
};

static struct expose expose_run(const char *log, double c, double *closed)
{
    const unsigned n = 4000, reps = 8, size = 30;
    const double q = 10.0 / 30.0;
    char xml[1024];
    snprintf(xml, sizeof xml,
             "<scenario name=\"ab\"><run seed=\"5\" replications=\"%u\" horizon_days=\"40\"/>"
             "<population size=\"%u\" client_share=\"%g\"/><contacts><erdos_renyi mean_degree=\"4\"/></contacts>"
             "<traffic rate_per_day=\"1e-7\"/><address_book size_mean=\"%u\" size_sigma=\"0\" "
             "conversation_share=\"1\" period_days=\"30\" edits_per_year=\"0\" log=\"%s\"/>"
             "<policy><retention days=\"10\"/></policy><adversary><bulk_snapshot period_days=\"40\"/></adversary>"
             "</scenario>",
             reps, n, c, size, log);
    struct results res;
    ru_run(xml, &res);
    struct expose o = { ru_mean(&res, reps, 0, "book_recall"), 0 };
    double p_single = strcmp(log, "registered") == 0 ? 1 - q : 1 - c * q;
    double m = n * size / 2.0, p = p_single, var;
    if (strcmp(log, "registered") == 0) {
        *closed = c * c * (1 - (1 - q) * (1 - q));
        /* both clients (c^2) and exposed: a bound on the variance from the
         * same formula with p the chance a pair is not exposed */
        p = sqrt(1 - *closed);
    } else {
        *closed = 1 - (1 - c * q) * (1 - c * q);
    }
    var = m * (p * p - pow(p, 4)) + (pow(p, 3) - pow(p, 4)) * n * (double)(size * size + size);
    o.se = sqrt(var) / m / sqrt(reps);
    (void)p_single;
    results_destroy(&res);
    return o;
}

START_TEST(test_exposed_share_closed_form)
{
    double closed;
    struct expose o = expose_run("each", 0.7, &closed);
    ck_assert_msg(fabs(o.recall - closed) < 4 * o.se, "each: book_recall %.5f vs %.5f (SE %.5f)", o.recall, closed,
                  o.se);
    o = expose_run("registered", 0.7, &closed);
    ck_assert_msg(fabs(o.recall - closed) < 4 * o.se, "registered: book_recall %.5f vs %.5f (SE %.5f)", o.recall,
                  closed, o.se);
    o = expose_run("batch", 0.7, &closed);
    ck_assert_double_eq(o.recall, 0);             /* a batch record names nobody */
}
END_TEST

/* Bad values are refused at their line, status 2. */
START_TEST(test_bad_input)
{
    const char *xml =
        "<scenario name=\"bad\"><run horizon_days=\"10\"/><population size=\"100\"/>"
        "<contacts><erdos_renyi mean_degree=\"4\"/></contacts><traffic rate_per_day=\"0.1\"/>\n"
        "<address_book size_mean=\"200000\"/><policy><retention days=\"5\"/></policy>"
        "<adversary><bulk_snapshot period_days=\"5\"/></adversary></scenario>";
    tu_run_expect("bad.xml", xml, "size_mean too big", 2, "bad.xml:2:");
    tu_run_expect("bad.xml", xml, "size_mean too big", 2, "size_mean");
}
END_TEST

Suite *addressbook_suite(void)
{
    Suite *s = suite_create("addressbook");
    TCase *tc = tcase_create("books");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_hand_count);
    tcase_add_test(tc, test_union_invariants);
    tcase_add_test(tc, test_schedule);
    tcase_add_test(tc, test_exposed_share_closed_form);
    tcase_add_test(tc, test_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
