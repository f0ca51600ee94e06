/* check_contacts — the CSR contact graph (graph_from_edges, graph_find) and
 * the Erdős–Rényi generator (contacts_erdos_renyi).
 *
 * Statistical checks use fixed MT19937 seeds; their tolerances are 5
 * standard errors from the theory written next to each (a two-sided normal
 * tail beyond 5 sigma has probability 5.7e-7), never tuned to the output. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "contacts.h"
#include "suites.h"

/* Assertions for the inner loops: ck_assert_* records its location on every
 * success (a write to the runner), which costs seconds over millions of
 * checks; these only call into Check when they fail. */
#define FAST(expr)                                                             \
    do {                                                                       \
        if (!(expr))                                                           \
            ck_abort_msg("Assertion '%s' failed", #expr);                      \
    } while (0)
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

/* The CSR invariants every graph must satisfy: off[0] = 0, off[n] = 2m,
 * offsets non-decreasing, ids in range, no self-loops, rows strictly
 * increasing (sorted, no duplicates) and symmetric (b in row a iff a in
 * row b, checked as: every entry (a, b) has its reverse (b, a)), and
 * graph_find returns each entry's own index. */
static void check_csr_invariants(const struct graph *g)
{
    ck_assert_uint_eq(g->off[0], 0);
    ck_assert_uint_eq(g->off[g->n], 2 * g->m);
    uint64_t sum = 0;
    for (uint32_t a = 0; a < g->n; a++) {
        FAST(g->off[a] <= g->off[a + 1]);
        sum += graph_degree(g, a);
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            uint32_t b = g->adj[j];
            FAST(b < g->n);
            FAST(b != a);                                  /* no self-loop */
            if (j > g->off[a])
                FAST(g->adj[j - 1] < b);                   /* strictly increasing */
            FAST_EQ(graph_find(g, a, b), (int64_t)j);
            int64_t back = graph_find(g, b, a);             /* symmetric */
            FAST(back >= (int64_t)g->off[b] && back < (int64_t)g->off[b + 1]);
            FAST_EQ(g->adj[back], a);
        }
    }
    ck_assert_uint_eq(sum, 2 * g->m);                      /* handshake lemma */
}

/* --- graph_from_edges on a hand-made list ------------------------------- */

/* 7 people, 8 edges, given in an order that leaves rows 0, 1 and 5 unsorted
 * in insertion order; person 6 has no contacts. */
static const struct graph_edge hand_edges[] = {
    { 0, 3 }, { 2, 0 }, { 1, 0 }, { 4, 1 }, { 1, 2 }, { 5, 4 }, { 3, 5 }, { 5, 1 },
};
#define HAND_N 7u
#define HAND_M (sizeof hand_edges / sizeof hand_edges[0])

START_TEST(test_from_edges_hand)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, HAND_N, hand_edges, HAND_M), 0);
    ck_assert_uint_eq(g.n, 7);
    ck_assert_uint_eq(g.m, 8);

    /* Rows worked out by hand. */
    static const uint64_t off[] = { 0, 3, 7, 9, 11, 13, 16, 16 };
    static const uint32_t adj[] = {
        1, 2, 3,        /* 0 */
        0, 2, 4, 5,     /* 1 */
        0, 1,           /* 2 */
        0, 5,           /* 3 */
        1, 5,           /* 4 */
        1, 3, 4,        /* 5 */
                        /* 6: none */
    };
    static const uint32_t deg[] = { 3, 4, 2, 2, 2, 3, 0 };
    for (uint32_t a = 0; a <= HAND_N; a++)
        ck_assert_uint_eq(g.off[a], off[a]);
    for (uint32_t a = 0; a < HAND_N; a++)
        ck_assert_uint_eq(graph_degree(&g, a), deg[a]);
    for (size_t j = 0; j < sizeof adj / sizeof adj[0]; j++)
        ck_assert_uint_eq(g.adj[j], adj[j]);

    /* graph_find: every edge in both directions, at the right index ... */
    for (size_t i = 0; i < HAND_M; i++) {
        uint32_t u = hand_edges[i].u, v = hand_edges[i].v;
        int64_t j = graph_find(&g, u, v), k = graph_find(&g, v, u);
        ck_assert_int_ge(j, (int64_t)off[u]);
        ck_assert_int_lt(j, (int64_t)off[u + 1]);
        ck_assert_uint_eq(g.adj[j], v);
        ck_assert_int_ge(k, (int64_t)off[v]);
        ck_assert_int_lt(k, (int64_t)off[v + 1]);
        ck_assert_uint_eq(g.adj[k], u);
    }
    /* ... and -1 for every other ordered pair, self-pairs included: the 49
     * ordered pairs hold exactly 16 edges. */
    int found = 0;
    for (uint32_t a = 0; a < HAND_N; a++)
        for (uint32_t b = 0; b < HAND_N; b++) {
            int is_edge = 0;
            for (size_t i = 0; i < HAND_M; i++)
                if ((hand_edges[i].u == a && hand_edges[i].v == b)
                    || (hand_edges[i].u == b && hand_edges[i].v == a))
                    is_edge = 1;
            int64_t j = graph_find(&g, a, b);
            if (is_edge)
                ck_assert_int_ge(j, 0);
            else
                ck_assert_int_eq(j, -1);
            found += j >= 0;
        }
    ck_assert_int_eq(found, 16);
    check_csr_invariants(&g);
    graph_destroy(&g);
    ck_assert_ptr_null(g.off);
    ck_assert_ptr_null(g.adj);
}
END_TEST

/* Rows given in fully reversed order must come out sorted too: a star whose
 * centre's row is filled from the highest id down, plus a chain. */
START_TEST(test_from_edges_reversed)
{
    enum { N = 40 };
    struct graph_edge e[2 * N];
    uint64_t m = 0;
    for (uint32_t b = N - 1; b >= 1; b--)      /* star around 0, descending */
        e[m++] = (struct graph_edge){ 0, b };
    for (uint32_t a = N - 1; a >= 2; a--)      /* chain 1-2-...-(N-1), descending */
        e[m++] = (struct graph_edge){ a, a - 1 };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, N, e, m), 0);
    ck_assert_uint_eq(g.m, (N - 1) + (N - 2));
    ck_assert_uint_eq(graph_degree(&g, 0), N - 1);
    for (uint32_t b = 1; b < N; b++)
        ck_assert_uint_eq(g.adj[g.off[0] + b - 1], b);
    ck_assert_uint_eq(graph_degree(&g, 1), 2);         /* 0 and 2 */
    ck_assert_uint_eq(graph_degree(&g, N - 1), 2);     /* 0 and N-2 */
    for (uint32_t a = 2; a < N - 1; a++) {
        ck_assert_uint_eq(graph_degree(&g, a), 3);     /* 0, a-1, a+1 */
        ck_assert_uint_eq(g.adj[g.off[a]], 0);
        ck_assert_uint_eq(g.adj[g.off[a] + 1], a - 1);
        ck_assert_uint_eq(g.adj[g.off[a] + 2], a + 1);
    }
    for (uint32_t a = 1; a < N; a++)
        for (uint32_t b = 1; b < N; b++) {
            int is_edge = a + 1 == b || b + 1 == a;
            ck_assert_int_eq(graph_find(&g, a, b) >= 0, is_edge);
        }
    check_csr_invariants(&g);
    graph_destroy(&g);
}
END_TEST

START_TEST(test_from_edges_empty)
{
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 3, NULL, 0), 0);
    ck_assert_uint_eq(g.n, 3);
    ck_assert_uint_eq(g.m, 0);
    for (uint32_t a = 0; a < 3; a++) {
        ck_assert_uint_eq(graph_degree(&g, a), 0);
        for (uint32_t b = 0; b < 3; b++)
            ck_assert_int_eq(graph_find(&g, a, b), -1);
    }
    check_csr_invariants(&g);
    graph_destroy(&g);
    graph_destroy(NULL);                        /* allowed */
}
END_TEST

/* --- Erdős–Rényi -------------------------------------------------------- */

/* n = 20000, mean degree d = 10, so p = d/(n-1) = 10/19999 = 5.00025e-4.
 *
 * Edge count: each of the N = n(n-1)/2 = 199,990,000 pairs is an edge
 * independently with probability p, so m ~ Binomial(N, p):
 *   E[m]  = N p = n d / 2 = 100,000
 *   sd(m) = sqrt(N p (1-p)) = sqrt(99,950) = 316.2
 * and we accept |m - 100,000| < 5 sd = 1581.
 *
 * Degrees: each degree is Binomial(n-1, p), mean d = 10, variance
 * sigma^2 = (n-1) p (1-p) = 9.995.
 *  - The sample mean of the degrees is 2m/n exactly, so its standard error
 *    is 2 sd(m) / n = 0.0316; tolerance 5 SE = 0.158.
 *  - The sample variance s^2 = (1/n) sum d_i^2 - (2m/n)^2.  Writing
 *    X_e = p + Y_e for the edge indicators (Var Y_e = q = p(1-p)), sum d_i^2
 *    = 2m + 2 sum_{cherries} X_e X_f, and expanding gives
 *      s^2 = const + (2(1-2p)/n) sum_e Y_e + (2/n) sum_{cherries} Y_e Y_f
 *            - (4/n^2) (sum_e Y_e)^2
 *    (the 4 mu sum Y_e terms of sum d_i^2 and of (2m/n)^2 cancel).  The
 *    linear and the cherry terms are uncorrelated, so, with
 *    C = n (n-1)(n-2)/2 cherries (pairs of edges sharing an endpoint),
 *      Var(s^2) ~= [4 (1-2p)^2 N q + 4 C q^2] / n^2 = 0.0110,
 *    SE(s^2) = 0.105 (the iid-Poisson value sqrt((mu4 - sigma^4)/n) =
 *    sqrt(210/20000) = 0.102 agrees), and E[s^2] = sigma^2 - 4 N q / n^2 =
 *    9.994.  Tolerance 5 SE = 0.52. */
START_TEST(test_er_large)
{
    const uint32_t n = 20000;
    const double d = 10;
    gsl_rng *r = seeded_rng(20240501);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, d, r), 0);
    ck_assert_uint_eq(g.n, n);
    check_csr_invariants(&g);

    const double p = d / (n - 1), q = p * (1 - p);
    const double N = (double)n * (n - 1) / 2;
    const double m_mean = N * p, m_sd = sqrt(N * q);
    ck_assert_double_eq_tol((double)g.m, m_mean, 5 * m_sd);

    double s1 = 0, s2 = 0;
    for (uint32_t a = 0; a < n; a++) {
        double k = graph_degree(&g, a);
        s1 += k;
        s2 += k * k;
    }
    double mean = s1 / n, var = s2 / n - mean * mean;
    ck_assert_double_eq_tol(mean, 2.0 * (double)g.m / n, 1e-12);
    ck_assert_double_eq_tol(mean, d, 5 * 2 * m_sd / n);

    const double C = (double)n * (n - 1) * (n - 2) / 2;
    const double var_mean = (n - 1) * q - 4 * N * q / ((double)n * n);
    const double var_se = sqrt((4 * (1 - 2 * p) * (1 - 2 * p) * N * q + 4 * C * q * q)
                               / ((double)n * n));
    ck_assert_double_le(var_se, 0.11);                 /* the figure derived above */
    ck_assert_double_eq_tol(var, var_mean, 5 * var_se);

    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* Every pair separately: on n = 6 people with p = 0.4 (d = 2), each of the
 * 15 pairs must be an edge in a fraction p of R = 20000 independent graphs.
 * The count for one pair is Binomial(R, p): mean 8000, sd sqrt(R p (1-p)) =
 * 69.3; tolerance 5 sd per pair (false alarm over the 15 pairs ~ 1e-5).  A
 * skipping generator that favours early or late pairs, or loses the last
 * pair of a row, fails this.  The number of edges per graph is Binomial(15,
 * p) and its total over R graphs Binomial(15 R, p): mean 120000, sd 189.7. */
START_TEST(test_er_pair_frequencies)
{
    enum { N = 6, R = 20000 };
    gsl_rng *r = seeded_rng(77);
    unsigned long count[N][N] = { { 0 } };
    unsigned long edges = 0;
    for (int rep = 0; rep < R; rep++) {
        struct graph g;
        ck_assert_int_eq(contacts_erdos_renyi(&g, N, 2.0, r), 0);
        if (rep < 200)
            check_csr_invariants(&g);
        edges += g.m;
        for (uint32_t a = 0; a < N; a++)
            for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
                count[a][g.adj[j]]++;
        graph_destroy(&g);
    }
    const double p = 0.4, sd = sqrt(R * p * (1 - p));
    for (int a = 0; a < N; a++) {
        ck_assert_uint_eq(count[a][a], 0);
        for (int b = a + 1; b < N; b++) {
            ck_assert_uint_eq(count[a][b], count[b][a]);
            ck_assert_double_eq_tol((double)count[a][b], R * p, 5 * sd);
        }
    }
    ck_assert_double_eq_tol((double)edges, 15.0 * R * p, 5 * sqrt(15.0 * R * p * (1 - p)));
    gsl_rng_free(r);
}
END_TEST

/* mean_degree = n - 1 makes p = 1: the complete graph, every row all the
 * other people in order. */
START_TEST(test_er_complete)
{
    static const uint32_t sizes[] = { 2, 3, 5, 17, 64 };
    gsl_rng *r = seeded_rng(5);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t n = sizes[i];
        struct graph g;
        ck_assert_int_eq(contacts_erdos_renyi(&g, n, n - 1, r), 0);
        ck_assert_uint_eq(g.n, n);
        ck_assert_uint_eq(g.m, (uint64_t)n * (n - 1) / 2);
        for (uint32_t a = 0; a < n; a++) {
            ck_assert_uint_eq(graph_degree(&g, a), n - 1);
            uint64_t j = g.off[a];
            for (uint32_t b = 0; b < n; b++)
                if (b != a)
                    ck_assert_uint_eq(g.adj[j++], b);
        }
        check_csr_invariants(&g);
        graph_destroy(&g);
    }
    gsl_rng_free(r);
}
END_TEST

/* n = 2: with mean degree 1 (p = 1) the single pair is always an edge; with
 * mean degree 0.5 it is an edge in each of R = 4000 graphs with probability
 * 0.5: Binomial(4000, 0.5), mean 2000, sd 31.6, tolerance 5 sd.  Either way
 * the graph is well formed. */
START_TEST(test_er_two)
{
    gsl_rng *r = seeded_rng(2);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 2, 1.0, r), 0);
    ck_assert_uint_eq(g.m, 1);
    ck_assert_uint_eq(g.off[1], 1);
    ck_assert_uint_eq(g.off[2], 2);
    ck_assert_uint_eq(g.adj[0], 1);
    ck_assert_uint_eq(g.adj[1], 0);
    ck_assert_int_eq(graph_find(&g, 0, 1), 0);
    ck_assert_int_eq(graph_find(&g, 1, 0), 1);
    ck_assert_int_eq(graph_find(&g, 0, 0), -1);
    ck_assert_int_eq(graph_find(&g, 1, 1), -1);
    graph_destroy(&g);

    enum { R = 4000 };
    unsigned present = 0;
    for (int rep = 0; rep < R; rep++) {
        ck_assert_int_eq(contacts_erdos_renyi(&g, 2, 0.5, r), 0);
        ck_assert_uint_le(g.m, 1);
        check_csr_invariants(&g);
        present += (unsigned)g.m;
        graph_destroy(&g);
    }
    ck_assert_double_eq_tol(present, R * 0.5, 5 * sqrt(R * 0.25));
    gsl_rng_free(r);
}
END_TEST

/* The generator is a function of the generator state: same seed, same
 * graph; another seed, another graph. */
START_TEST(test_er_deterministic)
{
    struct graph g1, g2, g3;
    gsl_rng *r1 = seeded_rng(123), *r2 = seeded_rng(123), *r3 = seeded_rng(124);
    ck_assert_int_eq(contacts_erdos_renyi(&g1, 3000, 7.5, r1), 0);
    ck_assert_int_eq(contacts_erdos_renyi(&g2, 3000, 7.5, r2), 0);
    ck_assert_int_eq(contacts_erdos_renyi(&g3, 3000, 7.5, r3), 0);
    ck_assert_uint_eq(g1.m, g2.m);
    for (uint32_t a = 0; a <= 3000; a++)
        ck_assert_uint_eq(g1.off[a], g2.off[a]);
    for (uint64_t j = 0; j < 2 * g1.m; j++)
        ck_assert_uint_eq(g1.adj[j], g2.adj[j]);
    int differ = g1.m != g3.m;
    for (uint64_t j = 0; !differ && j < 2 * g1.m; j++)
        differ = g1.adj[j] != g3.adj[j];
    ck_assert_int_eq(differ, 1);
    graph_destroy(&g1);
    graph_destroy(&g2);
    graph_destroy(&g3);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
    gsl_rng_free(r3);
}
END_TEST

Suite *contacts_suite(void)
{
    Suite *s = suite_create("contacts");
    TCase *tc = tcase_create("graph");
    tcase_add_test(tc, test_from_edges_hand);
    tcase_add_test(tc, test_from_edges_reversed);
    tcase_add_test(tc, test_from_edges_empty);
    suite_add_tcase(s, tc);
    tc = tcase_create("erdos_renyi");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_er_large);
    tcase_add_test(tc, test_er_pair_frequencies);
    tcase_add_test(tc, test_er_complete);
    tcase_add_test(tc, test_er_two);
    tcase_add_test(tc, test_er_deterministic);
    suite_add_tcase(s, tc);
    return s;
}
