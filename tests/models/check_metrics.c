/* check_metrics — an end-to-end run of traffic -> serverlog -> snapshots
 * -> knowledge and coverage without the engine, and the graph metrics on
 * hand-made graphs whose values are worked out in the comments (ego
 * precision, k-hop coverage, the rebuilt degrees, degree KS distance) and
 * on block graphs (community NMI).  The covered-time union is
 * check_coverage.c's. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "batch.h"
#include "contacts.h"
#include "knowledge.h"
#include "metrics.h"
#include "serverlog.h"
#include "suites.h"
#include "testutil.h"
#include "traffic.h"

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
    gsl_rng *gr = tu_rng(11), *tr = tu_rng(12);
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
                const struct serverlog_rec *rec = serverlog_span(&log, i, &m);
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

/* --- graph metrics on hand-made graphs ---------------------------------- */

/* A graph from a list of pairs; labels unused. */
static void make_graph(struct graph *g, uint32_t n, const uint32_t (*e)[2], size_t m)
{
    struct graph_edge *ed = malloc((m ? m : 1) * sizeof *ed);
    ck_assert_ptr_nonnull(ed);
    for (size_t i = 0; i < m; i++)
        ed[i] = (struct graph_edge){ e[i][0] < e[i][1] ? e[i][0] : e[i][1], e[i][0] < e[i][1] ? e[i][1] : e[i][0] };
    ck_assert_int_eq(graph_from_edges_simple(g, n, ed, m, NULL, NULL), 0);
    free(ed);
}

static uint64_t *target_bits(uint32_t n, const uint32_t *t, uint32_t nt)
{
    uint64_t *b = calloc((n + 63) / 64 + 1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    for (uint32_t i = 0; i < nt; i++)
        b[t[i] >> 6] |= 1ull << (t[i] & 63);
    return b;
}

/* The hand-made world of the next tests: 9 people,
 *   true edges  0-1, 1-2, 2-3, 0-4, 4-5, 6-7   (8 has no contact)
 *   found       0-1, 1-2, 4-5                 (true pairs)
 *               0-6, 5-6                      (non-contact pairs)
 *               0-1 again, 6-0 again          (repeats: no change) */
static const uint32_t hand_edges[][2] = { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 0, 4 }, { 4, 5 }, { 6, 7 } };

static void hand_world(struct graph *g, struct knowledge *k)
{
    make_graph(g, 9, hand_edges, sizeof hand_edges / sizeof hand_edges[0]);
    ck_assert_int_eq(knowledge_init(k, g), 0);
    static const uint32_t found[][2] = { { 0, 1 }, { 2, 1 }, { 4, 5 }, { 0, 6 }, { 6, 5 }, { 1, 0 }, { 6, 0 } };
    for (size_t i = 0; i < sizeof found / sizeof found[0]; i++)
        ck_assert_int_eq(knowledge_add(k, found[i][0], found[i][1]), 0);
    ck_assert_uint_eq(k->edges_found, 3);
    ck_assert_uint_eq(k->false_pairs.n, 2);
}

/* Targets {0}: true pairs touching 0 are 0-1, 0-4 (0-1 found: recall 1/2);
 * found pairs touching 0 are 0-1 (true) and 0-6 (not): precision 1/2.
 * Targets {0, 1}: true pairs 0-1 (once), 0-4, 1-2: all but 0-4 found,
 * recall 2/3; found pairs touching them 0-1, 1-2, 0-6: precision 2/3.
 * Targets {5}: 4-5 found, and 5-6 not a contact: 1 and 1/2.
 * Targets {8}: no contact, nothing found: both NaN. */
START_TEST(test_ego_precision_hand)
{
    struct graph g;
    struct knowledge k;
    hand_world(&g, &k);
    static const struct { uint32_t t[2], nt; double recall, precision; } cases[] = {
        { { 0 }, 1, 0.5, 0.5 }, { { 0, 1 }, 2, 2.0 / 3, 2.0 / 3 }, { { 5 }, 1, 1, 0.5 }, { { 8 }, 1, NAN, NAN },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t *b = target_bits(g.n, cases[i].t, cases[i].nt);
        double r, p;
        metrics_ego(&k, cases[i].t, cases[i].nt, b, &r, &p);
        if (isnan(cases[i].recall)) {
            ck_assert(isnan(r) && isnan(p));
        } else {
            ck_assert_double_eq_tol(r, cases[i].recall, 1e-12);
            ck_assert_double_eq_tol(p, cases[i].precision, 1e-12);
        }
        free(b);
    }
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* k-hop coverage on the hand-made world.
 * Targets {0}: true hops: 1, 4 at 1; 2, 5 at 2.  Rebuilt (0-1, 1-2, 4-5,
 * 0-6, 5-6): 1, 6 at 1; 2, 5 (through 6) at 2; 4 unreachable (0-4 not
 * found, 4-5 hangs off 5 at hop 3).  khop_1 = |{1}| / |{1, 4}| = 1/2;
 * khop_2 = |{1, 2, 5}| / |{1, 4, 2, 5}| = 3/4.
 * Targets {0, 3}: true: 1, 4, 2 at 1; 5 at 2.  Rebuilt: 3 has no found
 * pair, so as above: khop_1 = |{1}| / 3, khop_2 = 3/4.
 * Targets {8}: nobody within two hops in the truth: NaN.
 * Each case runs twice (the scratch arrays must be left clean). */
START_TEST(test_khop_hand)
{
    struct graph g;
    struct knowledge k;
    hand_world(&g, &k);
    struct metrics m;
    ck_assert_int_eq(metrics_init(&m, &g, NULL, NULL), 0);
    static const struct { uint32_t t[2], nt; double c1, c2; } cases[] = {
        { { 0 }, 1, 0.5, 0.75 }, { { 0, 3 }, 2, 1.0 / 3, 0.75 }, { { 8 }, 1, NAN, NAN },
    };
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            double cov[2];
            ck_assert_int_eq(metrics_khop(&m, &k, cases[i].t, cases[i].nt, cov), 0);
            if (isnan(cases[i].c1)) {
                ck_assert(isnan(cov[0]) && isnan(cov[1]));
                continue;
            }
            ck_assert_double_eq_tol(cov[0], cases[i].c1, 1e-12);
            ck_assert_double_eq_tol(cov[1], cases[i].c2, 1e-12);
        }
    /* With every true pair found and no false one, the coverage is 1. */
    struct knowledge all;
    ck_assert_int_eq(knowledge_init(&all, &g), 0);
    for (size_t i = 0; i < sizeof hand_edges / sizeof hand_edges[0]; i++)
        ck_assert_int_eq(knowledge_add(&all, hand_edges[i][1], hand_edges[i][0]), 0);
    const uint32_t t[] = { 0, 3 };
    double cov[2];
    ck_assert_int_eq(metrics_khop(&m, &all, t, 2, cov), 0);
    ck_assert_double_eq(cov[0], 1);
    ck_assert_double_eq(cov[1], 1);
    knowledge_destroy(&all);
    metrics_destroy(&m);
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* The rebuilt degrees the knowledge keeps as pairs are found, against a
 * count over the found entries and the found non-contact pairs: ER
 * n = 300, mean degree 5; 20 rounds of 400 random records (a contact of a
 * random person, or a random person: non-contact pairs too), half staged,
 * half added one by one; thresholds 1 and 3. */
START_TEST(test_rebuilt_degrees_brute)
{
    gsl_rng *r = tu_rng(606);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 300, 5, r), 0);
    for (uint32_t c = 1; c <= 3; c += 2) {
        struct knowledge k;
        struct metrics m;
        ck_assert_int_eq(knowledge_init(&k, &g), 0);
        ck_assert_int_eq(knowledge_set_min_count(&k, c), 0);
        ck_assert_int_eq(metrics_init(&m, &g, NULL, NULL), 0);
        uint32_t *deg = malloc(g.n * sizeof *deg);
        ck_assert_ptr_nonnull(deg);
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 400; i++) {
                uint32_t a = (uint32_t)gsl_rng_uniform_int(r, g.n), b;
                uint32_t d = graph_degree(&g, a);
                if (d && gsl_rng_uniform(r) < 0.8)
                    b = g.adj[g.off[a] + gsl_rng_uniform_int(r, d)];
                else
                    do
                        b = (uint32_t)gsl_rng_uniform_int(r, g.n);
                    while (b == a);
                if (i % 2)
                    ck_assert_int_eq(knowledge_stage(&k, a, b), 0);
                else
                    ck_assert_int_eq(knowledge_add(&k, a, b), 0);
            }
            ck_assert_int_eq(knowledge_flush(&k), 0);
            memset(deg, 0, g.n * sizeof *deg);
            for (uint32_t u = 0; u < g.n; u++)
                for (uint64_t j = g.off[u]; j < g.off[u + 1]; j++)
                    if (g.adj[j] > u && ((k.pair_seen[j >> 6] >> (j & 63)) & 1)) {
                        deg[u]++;
                        deg[g.adj[j]]++;
                    }
            for (uint64_t i = 0; i < k.false_pairs.cap; i++)
                if (k.false_pairs.key[i] != PAIRSET_EMPTY && k.false_pairs.count[i] >= c) {
                    deg[k.false_pairs.key[i] >> 32]++;
                    deg[(uint32_t)k.false_pairs.key[i]]++;
                }
            ck_assert_int_eq(metrics_rebuilt_degrees(&m, &k), 0);
            for (uint32_t u = 0; u < g.n; u++)
                FAST_EQ(m.deg[u], deg[u]);
        }
        ck_assert_uint_gt(k.false_found, 0);
        ck_assert_uint_gt(k.edges_found, 0);
        free(deg);
        metrics_destroy(&m);
        knowledge_destroy(&k);
    }
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* Degree KS distance on the hand-made world.  True degrees (people 0..8):
 * 2 2 2 1 2 1 1 1 0; rebuilt: 2 2 1 0 1 2 2 0 0.  CDFs at 0, 1, 2:
 * true 1/9, 5/9, 1; rebuilt 3/9, 5/9, 1: KS = 2/9.  With every pair found
 * and none false the distributions agree: 0; with nothing found, every
 * rebuilt degree is 0: KS = 1 - F_true(0) = 8/9. */
START_TEST(test_degree_ks_hand)
{
    struct graph g;
    struct knowledge k;
    hand_world(&g, &k);
    struct metrics m;
    ck_assert_int_eq(metrics_init(&m, &g, NULL, NULL), 0);
    double ks;
    ck_assert_int_eq(metrics_degree_ks(&m, &k, &ks), 0);
    static const uint32_t want[] = { 2, 2, 1, 0, 1, 2, 2, 0, 0 };
    for (uint32_t x = 0; x < g.n; x++)
        ck_assert_uint_eq(m.deg[x], want[x]);
    ck_assert_double_eq_tol(ks, 2.0 / 9, 1e-12);
    struct knowledge all, none;
    ck_assert_int_eq(knowledge_init(&all, &g), 0);
    ck_assert_int_eq(knowledge_init(&none, &g), 0);
    for (size_t i = 0; i < sizeof hand_edges / sizeof hand_edges[0]; i++)
        ck_assert_int_eq(knowledge_add(&all, hand_edges[i][0], hand_edges[i][1]), 0);
    ck_assert_int_eq(metrics_degree_ks(&m, &all, &ks), 0);
    ck_assert_double_eq(ks, 0);
    ck_assert_int_eq(metrics_degree_ks(&m, &none, &ks), 0);
    ck_assert_double_eq_tol(ks, 8.0 / 9, 1e-12);
    knowledge_destroy(&all);
    knowledge_destroy(&none);
    metrics_destroy(&m);
    knowledge_destroy(&k);
    graph_destroy(&g);
}
END_TEST

/* Degree KS on a generated graph with every pair found: 0 exactly. */
START_TEST(test_degree_ks_complete)
{
    gsl_rng *r = tu_rng(5);
    struct graph g;
    ck_assert_int_eq(contacts_barabasi_albert(&g, 3000, 3, r), 0);
    struct knowledge k;
    ck_assert_int_eq(knowledge_init(&k, &g), 0);
    for (uint32_t u = 0; u < g.n; u++)
        for (uint64_t j = g.off[u]; j < g.off[u + 1]; j++)
            ck_assert_int_eq(knowledge_stage(&k, u, g.adj[j]), 0);
    ck_assert_int_eq(knowledge_flush(&k), 0);
    ck_assert_uint_eq(k.edges_found, g.m);
    struct metrics m;
    ck_assert_int_eq(metrics_init(&m, &g, NULL, NULL), 0);
    double ks;
    ck_assert_int_eq(metrics_degree_ks(&m, &k, &ks), 0);
    ck_assert_double_eq(ks, 0);
    metrics_destroy(&m);
    knowledge_destroy(&k);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* Every true pair of g into k. */
static void learn_all(struct knowledge *k, const struct graph *g)
{
    ck_assert_int_eq(knowledge_init(k, g), 0);
    for (uint32_t u = 0; u < g->n; u++)
        for (uint64_t j = g->off[u]; j < g->off[u + 1]; j++)
            if (g->adj[j] > u)
                ck_assert_int_eq(knowledge_stage(k, u, g->adj[j]), 0);
    ck_assert_int_eq(knowledge_flush(k), 0);
}

/* Community NMI.
 * (1) The rebuilt graph is the whole of an SBM with 20 blocks of 100,
 * p_in = 0.3, p_out = 0: 20 components, each a G(100, 0.3) (connected
 * with probability 1 - O(100 e^-30)).  Modularity never gains by joining
 * two components, nor by splitting one so dense (halving one loses about
 * 1/40 of Q), so Leiden returns the blocks: NMI = 1 (to rounding).
 * (2) The rebuilt graph is an Erdős–Rényi graph (n = 2000, mean degree 10)
 * scored against 20 arbitrary blocks of 100: no structure to recover.  Two
 * independent partitions into R and C parts of n nodes still share about
 * (R - 1)(C - 1) / (2n) nats of mutual information by chance (the
 * finite-size bias of the plug-in estimator); with R = 20 and the C = 16
 * parts Leiden finds here, 19 x 15 / 4000 = 0.07 nats, against entropies
 * of ln 20 = 3.0 and about ln 16 = 2.8 nats: NMI about 2 x 0.07 / 5.8 =
 * 0.025 (this seed gives 0.029).  Even C = 40 would give only 0.06.  The
 * test asserts 0 < NMI < 0.1, against 1 for case (1).
 * (3) Nothing found: every person alone; NMI = 2 H(labels) / (ln n +
 * H(labels)) = 2 ln 20 / (ln 2000 + ln 20), igraph not called. */
START_TEST(test_community_nmi)
{
    gsl_rng *r = tu_rng(17);
    struct graph g;
    uint32_t *labels = NULL;
    ck_assert_int_eq(contacts_sbm(&g, 2000, 20, 0.3, 0, r, &labels), 0);
    struct knowledge k;
    learn_all(&k, &g);
    struct metrics m;
    ck_assert_int_eq(metrics_init(&m, &g, labels, r), 0);
    double nmi;
    uint32_t nc;
    ck_assert_int_eq(metrics_community_nmi(&m, &k, &nmi, &nc), 0);
    ck_assert_uint_eq(nc, 20);
    ck_assert_double_eq_tol(nmi, 1, 1e-9);
    ck_assert_int_eq(metrics_community_nmi(&m, &k, &nmi, &nc), 0);   /* warm start: the same */
    ck_assert_double_eq_tol(nmi, 1, 1e-9);
    metrics_destroy(&m);
    knowledge_destroy(&k);

    struct knowledge none;
    ck_assert_int_eq(knowledge_init(&none, &g), 0);
    ck_assert_int_eq(metrics_init(&m, &g, labels, r), 0);
    ck_assert_int_eq(metrics_community_nmi(&m, &none, &nmi, &nc), 0);
    ck_assert_uint_eq(nc, 2000);
    ck_assert_double_eq_tol(nmi, 2 * log(20) / (log(2000) + log(20)), 1e-9);
    metrics_destroy(&m);
    knowledge_destroy(&none);
    graph_destroy(&g);

    ck_assert_int_eq(contacts_erdos_renyi(&g, 2000, 10, r), 0);
    learn_all(&k, &g);
    ck_assert_int_eq(metrics_init(&m, &g, labels, r), 0);
    ck_assert_int_eq(metrics_community_nmi(&m, &k, &nmi, &nc), 0);
    ck_assert_msg(nmi > 0 && nmi < 0.1, "NMI %g on a graph without structure (%u communities)", nmi, nc);
    metrics_destroy(&m);
    knowledge_destroy(&k);
    graph_destroy(&g);
    free(labels);
    gsl_rng_free(r);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("graph");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_rebuilt_degrees_brute);
    tcase_add_test(tc, test_ego_precision_hand);
    tcase_add_test(tc, test_khop_hand);
    tcase_add_test(tc, test_degree_ks_hand);
    tcase_add_test(tc, test_degree_ks_complete);
    tcase_add_test(tc, test_community_nmi);
    suite_add_tcase(s, tc);
    tc = tcase_create("end_to_end");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_end_to_end);
    suite_add_tcase(s, tc);
    return s;
}
