/* check_contacts — the graph generators (models/contacts.h): Erdős–Rényi,
 * Barabási–Albert, Watts–Strogatz, stochastic block model, layered
 * population, configuration model; and their bad parameters end to end.
 * Every generated graph must satisfy the CSR invariants (fixture.h); the
 * graph's storage and statistics are check_graph.c's.
 *
 * Statistical checks use fixed MT19937 seeds; their tolerances are 5
 * standard errors from the theory written next to each (a two-sided normal
 * tail beyond 5 sigma has probability 5.7e-7), never tuned to the output. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_rng.h>

#include "contacts.h"
#include "fixture.h"
#include "suites.h"
#include "testutil.h"

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
    gsl_rng *r = tu_rng(20240501);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, d, r), 0);
    ck_assert_uint_eq(g.n, n);
    fixture_check_csr(&g);

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
    gsl_rng *r = tu_rng(77);
    unsigned long count[N][N] = { { 0 } };
    unsigned long edges = 0;
    for (int rep = 0; rep < R; rep++) {
        struct graph g;
        ck_assert_int_eq(contacts_erdos_renyi(&g, N, 2.0, r), 0);
        if (rep < 200)
            fixture_check_csr(&g);
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
    gsl_rng *r = tu_rng(5);
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
        fixture_check_csr(&g);
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
    gsl_rng *r = tu_rng(2);
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
        fixture_check_csr(&g);
        present += (unsigned)g.m;
        graph_destroy(&g);
    }
    ck_assert_double_eq_tol(present, R * 0.5, 5 * sqrt(R * 0.25));
    gsl_rng_free(r);
}
END_TEST

/* The row build (contacts_erdos_renyi: the pairs drawn twice, no edge
 * list) gives the graph of the edge-list build, entry for entry,
 * and leaves the generator where it leaves it (the next draws agree):
 * sparse, dense, complete (p = 1), two people, one. */
START_TEST(test_er_rows_same_graph)
{
    static const struct { uint32_t n; double d; unsigned long seed; } cases[] = {
        { 3000, 7.5, 1 }, { 20000, 20, 2 }, { 500, 100, 3 }, { 60, 59, 4 }, { 2, 1, 5 }, { 2, 0.5, 6 },
        { 1, 0, 7 }, { 10000, 0.01, 8 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct graph a, b;
        gsl_rng *ra = tu_rng(cases[i].seed), *rb = tu_rng(cases[i].seed);
        ck_assert_int_eq(contacts_erdos_renyi_list(&a, cases[i].n, cases[i].d, ra), 0);
        ck_assert_int_eq(contacts_erdos_renyi(&b, cases[i].n, cases[i].d, rb), 0);
        ck_assert_uint_eq(a.n, b.n);
        ck_assert_uint_eq(a.m, b.m);
        for (uint32_t x = 0; x <= a.n; x++)
            ck_assert_uint_eq(a.off[x], b.off[x]);
        for (uint64_t j = 0; j < 2 * a.m; j++)
            ck_assert_uint_eq(a.adj[j], b.adj[j]);
        ck_assert_uint_eq(gsl_rng_get(ra), gsl_rng_get(rb));
        graph_destroy(&a);
        graph_destroy(&b);
        gsl_rng_free(ra);
        gsl_rng_free(rb);
    }
}
END_TEST

/* The generator is a function of the generator state: same seed, same
 * graph; another seed, another graph. */
START_TEST(test_er_deterministic)
{
    struct graph g1, g2, g3;
    gsl_rng *r1 = tu_rng(123), *r2 = tu_rng(123), *r3 = tu_rng(124);
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

/* --- Barabási–Albert ----------------------------------------------------- */

/* n = 200,000, m = 3.  Edge count exact: the seed clique has m(m+1)/2 = 6
 * edges, each of the n - m - 1 later people adds m.
 *
 * Degree tail: the linear-attachment model has, as n -> oo, the degree law
 * P(K = k) = 2m(m+1) / (k(k+1)(k+2)) for k >= m (Bollobás, Riordan, Spencer
 * & Tusnády, Random Struct. Alg. 18, 2001; Dorogovtsev, Mendes & Samukhin,
 * PRL 85, 2000), whose tail is P(K >= k) = m(m+1) / (k(k+1)): exponent 3.
 * We count people with degree >= k for k = 12, 24, 48 (far below the
 * cutoff m sqrt(n) ~ 1300, so finite-size bias is negligible).  The count
 * is a sum of n indicators; we take the binomial sd sqrt(n F (1 - F)) as
 * its scale (the counts concentrate at that rate: Bollobás et al. prove
 * O(sqrt n) deviations) and accept 5 sd.
 *
 * Exponent: gamma_hat = 1 - ln(F(48)/F(12)) / ln 4 from the two empirical
 * tails; the theory's tail gives 1 + ln(48 49 / (12 13)) / ln 4 = 2.957
 * (-> 3 as k grows).  By the delta method sd(ln F_hat) = sqrt((1-F)/(nF)),
 * so sd(gamma_hat) <= (sd ln F(12) + sd ln F(48)) / ln 4 = 0.028; tolerance
 * 5 sd = 0.14.  The redraw of a person already chosen by the newcomer
 * changes the law by O(m k / edges), far below these tolerances. */
START_TEST(test_ba_degree_tail)
{
    const uint32_t n = 200000, m = 3;
    gsl_rng *r = tu_rng(4242);
    struct graph g;
    ck_assert_int_eq(contacts_barabasi_albert(&g, n, m, r), 0);
    ck_assert_uint_eq(g.m, (uint64_t)m * (m + 1) / 2 + (uint64_t)(n - m - 1) * m);
    fixture_check_csr(&g);
    uint32_t mindeg = UINT32_MAX;
    static const uint32_t ks[] = { 12, 24, 48 };
    double cnt[3] = { 0 };
    for (uint32_t a = 0; a < n; a++) {
        uint32_t k = graph_degree(&g, a);
        if (k < mindeg)
            mindeg = k;
        for (int i = 0; i < 3; i++)
            cnt[i] += k >= ks[i];
    }
    ck_assert_uint_eq(mindeg, m);                      /* every newcomer keeps its m links */
    double F[3];
    for (int i = 0; i < 3; i++) {
        F[i] = (double)m * (m + 1) / ((double)ks[i] * (ks[i] + 1));
        double sd = sqrt(n * F[i] * (1 - F[i]));
        ck_assert_msg(fabs(cnt[i] - n * F[i]) < 5 * sd, "degree >= %u: %.0f people, theory %.0f +- %.0f",
                      ks[i], cnt[i], n * F[i], 5 * sd);
    }
    double gamma_th = 1 - log(F[2] / F[0]) / log(4.0);
    double gamma_hat = 1 - log(cnt[2] / cnt[0]) / log(4.0);
    double sd_g = (sqrt((1 - F[0]) / (n * F[0])) + sqrt((1 - F[2]) / (n * F[2]))) / log(4.0);
    ck_assert_double_lt(fabs(gamma_th - 3), 0.05);
    ck_assert_msg(fabs(gamma_hat - gamma_th) < 5 * sd_g, "tail exponent %.3f, theory %.3f +- %.3f",
                  gamma_hat, gamma_th, 5 * sd_g);
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* m = n - 1 is the clique alone; m = 1 is a tree (n - 1 edges, connected). */
START_TEST(test_ba_edges)
{
    gsl_rng *r = tu_rng(3);
    struct graph g;
    struct graph_stats st;
    ck_assert_int_eq(contacts_barabasi_albert(&g, 7, 6, r), 0);
    ck_assert_uint_eq(g.m, 21);
    graph_destroy(&g);
    ck_assert_int_eq(contacts_barabasi_albert(&g, 5000, 1, r), 0);
    ck_assert_uint_eq(g.m, 4999);
    fixture_check_csr(&g);
    ck_assert_int_eq(graph_stats(&g, &st), 0);
    ck_assert_uint_eq(st.components, 1);
    ck_assert(isnan(st.transitivity) || st.transitivity == 0);   /* a tree has no triangle */
    graph_destroy(&g);
    ck_assert_int_eq(contacts_barabasi_albert(&g, 5, 5, r), -1);  /* m >= n admits no graph */
    gsl_rng_free(r);
}
END_TEST

/* --- Watts–Strogatz ------------------------------------------------------ */

/* n = 100,000, k = 10.  beta = 0: the ring lattice, transitivity exactly
 * C(0) = 3(k-2) / (4(k-1)) = 2/3.
 *
 * beta > 0: a ring triangle survives iff none of its 3 edges is rewired,
 * probability (1-beta)^3 (Barrat & Weigt, Eur. Phys. J. B 13, 2000), so
 * E[triangles] = T0 (1-beta)^3 with T0 = n (k/2)(k/2 - 1)/2 = 10 n.  The
 * connected triples are sum d(d-1)/2 with E[d] = k and Var d = (k/2) beta
 * (1-beta) (ring edges to i kept) + beta k/2 (rewired ends landing on i,
 * Poisson): so transitivity ~= C(0) (1-beta)^3 k(k-1) / (k(k-1) + Var d),
 * Barrat–Weigt's C(0)(1-beta)^3 up to the degree-variance factor (0.97 at
 * beta = 0.3).  Tolerance: Var(triangles) = T0 [q(1-q) + 15 beta (1-beta)^5]
 * with q = (1-beta)^3 (each ring triangle shares an edge with 15 others for
 * k = 10, covariance (1-beta)^5 - (1-beta)^6 each); 5 sd relative, plus
 * 0.1% for triangles closed by rewired edges (about beta n k/2 x k^2/n =
 * 150 of them) and merged repeats. */
START_TEST(test_ws_clustering)
{
    const uint32_t n = 100000, k = 10;
    static const double betas[] = { 0, 0.1, 0.3 };
    gsl_rng *r = tu_rng(99);
    for (size_t i = 0; i < 3; i++) {
        double beta = betas[i];
        struct graph g;
        struct graph_stats st;
        uint64_t dups = 0;
        ck_assert_int_eq(contacts_watts_strogatz(&g, n, k, beta, r, &dups), 0);
        ck_assert_uint_eq(g.m + dups, (uint64_t)n * k / 2);
        fixture_check_csr(&g);
        ck_assert_int_eq(graph_stats(&g, &st), 0);
        double c0 = 3.0 * (k - 2) / (4.0 * (k - 1)), q = pow(1 - beta, 3);
        double vard = k / 2.0 * beta * (1 - beta) + beta * k / 2.0;
        double expect = c0 * q * k * (k - 1) / (k * (k - 1) + vard);
        double t0 = (double)n * (k / 2) * (k / 2 - 1) / 2;
        double rel = beta > 0 ? 5 * sqrt(t0 * (q * (1 - q) + 15 * beta * pow(1 - beta, 5))) / (t0 * q) + 1e-3
                              : 1e-12;
        ck_assert_msg(fabs(st.transitivity / expect - 1) < rel,
                      "beta %g: transitivity %.5f, theory %.5f (Barrat-Weigt %.5f), tolerance %.2g relative",
                      beta, st.transitivity, expect, c0 * q, rel);
        if (beta == 0)
            ck_assert_double_eq_tol(st.avg_clustering, c0, 1e-12);
        graph_destroy(&g);
    }
    struct graph g;
    ck_assert_int_eq(contacts_watts_strogatz(&g, 10, 3, 0.1, r, NULL), -1);   /* odd k */
    ck_assert_int_eq(contacts_watts_strogatz(&g, 10, 4, 1.5, r, NULL), -1);   /* beta > 1 */
    gsl_rng_free(r);
}
END_TEST

/* --- stochastic block model ---------------------------------------------- */

/* n = 20,000 in 20 blocks of 1,000, p_in = 0.01, p_out = 2e-4.  The W = 20
 * C(1000, 2) = 9,990,000 within-block pairs give Binomial(W, p_in) edges
 * (mean 99,900, sd 314.6), the other 190,000,000 pairs Binomial(., p_out)
 * (mean 38,000, sd 194.9); 5 sd each.  Labels: person i in block
 * floor(20 i / n), the true communities. */
START_TEST(test_sbm_counts)
{
    const uint32_t n = 20000, B = 20;
    const double pin = 0.01, pout = 2e-4;
    gsl_rng *r = tu_rng(31337);
    struct graph g;
    uint32_t *lab = NULL;
    ck_assert_int_eq(contacts_sbm(&g, n, B, pin, pout, r, &lab), 0);
    ck_assert_ptr_nonnull(lab);
    fixture_check_csr(&g);
    for (uint32_t a = 0; a < n; a++)
        FAST_EQ(lab[a], a / 1000);
    double in = 0, out = 0;
    for (uint32_t a = 0; a < n; a++)
        for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
            if (g.adj[j] > a) {
                if (lab[g.adj[j]] == lab[a])
                    in++;
                else
                    out++;
            }
    const double W = 20 * 1000.0 * 999 / 2, A = (double)n * (n - 1) / 2 - W;
    ck_assert_double_eq_tol(in, W * pin, 5 * sqrt(W * pin * (1 - pin)));
    ck_assert_double_eq_tol(out, A * pout, 5 * sqrt(A * pout * (1 - pout)));
    graph_destroy(&g);
    free(lab);
    /* p_in = 1, p_out = 0: disjoint cliques of the blocks (sizes 3 and 4 for
     * 7 people in 2 blocks: floor(2i/7)). */
    ck_assert_int_eq(contacts_sbm(&g, 7, 2, 1, 0, r, &lab), 0);
    ck_assert_uint_eq(g.m, 3 + 6);
    ck_assert_uint_eq(graph_degree(&g, 0), 3);
    ck_assert_uint_eq(graph_degree(&g, 6), 2);
    graph_destroy(&g);
    free(lab);
    gsl_rng_free(r);
}
END_TEST

/* --- layered population -------------------------------------------------- */

/* Households alone (no workers, community degree 0): the graph is disjoint
 * cliques of consecutive people, exactly the households the labels give.
 * Household sizes are 1 + Poisson(h - 1), h = 3.5: with H households the
 * mean of the first H - 1 (the last is cut at n) has sd sqrt((h-1)/(H-1));
 * 5 sd. */
START_TEST(test_layered_households)
{
    const uint32_t n = 50000;
    struct contacts_layered lp = { 3.5, 20, 8, 0 };
    gsl_rng *r = tu_rng(8);
    struct graph g;
    uint32_t *lab = NULL;
    uint64_t merged = 0;
    ck_assert_int_eq(contacts_layered(&g, n, &lp, NULL, 0, r, &lab, &merged), 0);
    ck_assert_uint_eq(merged, 0);
    fixture_check_csr(&g);
    uint32_t households = lab[n - 1] + 1, last_size = 0;
    for (uint32_t a = 0; a < n; a++) {
        FAST(a == 0 || lab[a] == lab[a - 1] || lab[a] == lab[a - 1] + 1);   /* consecutive */
        last_size += lab[a] == lab[n - 1];
    }
    for (uint32_t a = 0, start = 0; a < n; a++) {
        if (a > 0 && lab[a] != lab[a - 1])
            start = a;
        uint32_t size = 0;
        while (start + size < n && lab[start + size] == lab[a])
            size++;
        FAST_EQ(graph_degree(&g, a), size - 1);        /* a clique of its household */
        for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
            FAST_EQ(lab[g.adj[j]], lab[a]);
    }
    double mean = (double)(n - last_size) / (households - 1);
    ck_assert_double_eq_tol(mean, 3.5, 5 * sqrt(2.5 / (households - 1)));
    graph_destroy(&g);
    free(lab);
    gsl_rng_free(r);
}
END_TEST

/* Workplaces alone (households of 1, community 0), half the people workers
 * (even ids): non-workers have no contacts; a workplace of size s >= 9 has
 * Binomial(s(s-1)/2, 8/(s-1)) edges, mean 4 s, so the W workers' edges
 * total has mean 8 W / 2 = 4 W less the deficit of workplaces smaller than
 * 9 (1 + Poisson(19) is below 9 with probability 1.3e-3; the last, cut,
 * workplace may be small): at most 8 x 9 / 2 = 36 edges each, counted with
 * the expected number of such workplaces (W/20 x 1.3e-3 + 1).  sd of the
 * total <= sqrt(4 W); 5 sd.  Community alone: G(n, 6/(n-1)), edges
 * Binomial(n(n-1)/2, p): mean 3 n, 5 sd. */
START_TEST(test_layered_work_community)
{
    const uint32_t n = 40000;
    uint8_t *flags = calloc(n, 1);
    ck_assert_ptr_nonnull(flags);
    for (uint32_t a = 0; a < n; a += 2)
        flags[a] = 2;
    struct contacts_layered lp = { 1, 20, 8, 0 };
    gsl_rng *r = tu_rng(12);
    struct graph g;
    uint32_t *lab = NULL;
    ck_assert_int_eq(contacts_layered(&g, n, &lp, flags, 2, r, &lab, NULL), 0);
    fixture_check_csr(&g);
    for (uint32_t a = 1; a < n; a += 2)
        FAST_EQ(graph_degree(&g, a), 0);
    const double W = n / 2.0, small = W / 20 * 1.3e-3 + 1;
    ck_assert_double_le((double)g.m, 4 * W + 5 * sqrt(4 * W));
    ck_assert_double_ge((double)g.m, 4 * W - 5 * sqrt(4 * W) - 36 * small);
    graph_destroy(&g);
    free(lab);

    struct contacts_layered lc = { 1, 20, 8, 6 };
    ck_assert_int_eq(contacts_layered(&g, n, &lc, NULL, 0, r, &lab, NULL), 0);
    const double N = (double)n * (n - 1) / 2, p = 6.0 / (n - 1);
    ck_assert_double_eq_tol((double)g.m, N * p, 5 * sqrt(N * p * (1 - p)));
    graph_destroy(&g);
    free(lab);
    free(flags);
    gsl_rng_free(r);
}
END_TEST

/* --- configuration model ------------------------------------------------- */

/* n = 100,000, exponent 2.5, degrees in [2, 300].  The graph is simple.
 * Stubs drawn = 2 (m + self-loops + merged repeats) (+-1 for the odd-sum
 * fix): their mean is the law's mean mu (contacts_powerlaw_mean, checked
 * here against a direct sum), sd sigma / sqrt(n); 5 sd.  Tail: the number
 * of people drawn with degree >= k is Binomial(n, F(k)) (F the law's
 * tail); erasing a self-loop or a repeat lowers at most two people's
 * degrees, so the count in the graph lies in [E - 5 sd - 2 erased, E + 5
 * sd]. */
START_TEST(test_configuration_powerlaw)
{
    const uint32_t n = 100000, kmin = 2, kmax = 300;
    const double a = 2.5;
    double z = 0, s1 = 0, s2 = 0;
    for (uint32_t k = kmin; k <= kmax; k++) {
        double w = pow(k, -a);
        z += w, s1 += w * k, s2 += w * k * k;
    }
    double mu = s1 / z, sigma = sqrt(s2 / z - mu * mu);
    ck_assert_double_eq_tol(contacts_powerlaw_mean(a, kmin, kmax), mu, 1e-9);
    gsl_rng *r = tu_rng(2718);
    struct graph g;
    uint64_t odd = 0, loops = 0, dups = 0;
    ck_assert_int_eq(contacts_configuration(&g, n, a, kmin, kmax, r, &odd, &loops, &dups), 0);
    fixture_check_csr(&g);
    double drawn = 2.0 * (double)(g.m + loops + dups);
    ck_assert_double_eq_tol(drawn / n, mu, 5 * sigma / sqrt(n) + 1.0 / n);
    static const uint32_t ks[] = { 5, 20, 80 };
    for (int i = 0; i < 3; i++) {
        double F = 0, cnt = 0;
        for (uint32_t k = ks[i]; k <= kmax; k++)
            F += pow(k, -a) / z;
        for (uint32_t x = 0; x < n; x++)
            cnt += graph_degree(&g, x) >= ks[i];
        double sd = sqrt(n * F * (1 - F));
        ck_assert_msg(cnt <= n * F + 5 * sd && cnt >= n * F - 5 * sd - 2.0 * (double)(loops + dups),
                      "degree >= %u: %.0f people, theory %.0f +- %.0f (erased %llu)", ks[i], cnt, n * F,
                      5 * sd, (unsigned long long)(loops + dups));
    }
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* The odd-sum rule: 11 people all of degree 3 sum to 33; one person (at
 * max_degree 3) is lowered to 2, so 16 pairs are made (some may be erased). */
START_TEST(test_configuration_odd_sum)
{
    gsl_rng *r = tu_rng(6);
    struct graph g;
    uint64_t odd = 0, loops = 0, dups = 0;
    ck_assert_int_eq(contacts_configuration(&g, 11, 2.5, 3, 3, r, &odd, &loops, &dups), 0);
    ck_assert_uint_ge(odd, 1);
    ck_assert_uint_le(odd, 11);
    ck_assert_uint_eq(g.m + loops + dups, 16);
    fixture_check_csr(&g);
    for (uint32_t a = 0; a < 11; a++)
        ck_assert_uint_le(graph_degree(&g, a), a + 1 == odd ? 2 : 3);
    graph_destroy(&g);
    odd = 7;
    ck_assert_int_eq(contacts_configuration(&g, 12, 2.5, 3, 3, r, &odd, &loops, &dups), 0);
    ck_assert_uint_eq(odd, 0);                         /* 36 is even: nothing fixed */
    graph_destroy(&g);
    gsl_rng_free(r);
}
END_TEST

/* --- every generator through the program; parameters that admit no graph */

static void run_generator(const char *gen, int want_status, const char *want_text)
{
    char *xml;
    ck_assert_int_ge(asprintf(&xml, "<?xml version=\"1.0\"?>\n<scenario name=\"g\">\n"
                              "<run seed=\"3\" horizon_days=\"10\"/>\n"
                              "<population size=\"500\" client_share=\"0.5\"/>\n"
                              "<contacts>\n%s\n</contacts>\n<traffic rate_per_day=\"0.05\"/>\n"
                              "<policy><retention days=\"10\"/></policy>\n"
                              "<adversary><bulk_snapshot period_days=\"10\"/></adversary>\n"
                              "</scenario>\n", gen), 0);
    tu_run_expect("s.xml", xml, gen, want_status, want_text);
    free(xml);
}

START_TEST(test_generators_cli)
{
    run_generator("<barabasi_albert m=\"4\"/>", 0, "contacts (barabasi_albert): 1990 edges");
    run_generator("<watts_strogatz k=\"6\" beta=\"0\"/>", 0, "clustering 0.6000");
    run_generator("<stochastic_block blocks=\"5\" p_in=\"0.1\" p_out=\"0.001\"/>", 0,
                  "contacts (stochastic_block)");
    run_generator("<layered household_mean=\"3\" community_degree=\"2\"/>", 0, "contacts (layered)");
    run_generator("<configuration exponent=\"2.5\" min_degree=\"3\" max_degree=\"100\"/>", 0,
                  "contacts (configuration)");
    run_generator("<erdos_renyi mean_degree=\"8\"/>", 0, "population: N = 500, 2");
    /* No graph: each a FILE:LINE message and status 2. */
    run_generator("<barabasi_albert m=\"500\"/>", 2, "s.xml:6: element 'barabasi_albert', attribute 'm'");
    run_generator("<watts_strogatz k=\"5\" beta=\"0.1\"/>", 2, "must be even");
    run_generator("<watts_strogatz k=\"6\" beta=\"1.5\"/>", 2, "s.xml:6:");
    run_generator("<stochastic_block blocks=\"5\" p_in=\"1.2\" p_out=\"0\"/>", 2, "s.xml:6:");
    run_generator("<configuration exponent=\"2.5\" min_degree=\"30\" max_degree=\"10\"/>", 2,
                  "must be at least min_degree");
    run_generator("<configuration exponent=\"2.5\" min_degree=\"3\" max_degree=\"500\"/>", 2,
                  "attribute 'max_degree'");
}
END_TEST

Suite *contacts_suite(void)
{
    Suite *s = suite_create("contacts");
    TCase *tc = tcase_create("erdos_renyi");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_er_large);
    tcase_add_test(tc, test_er_pair_frequencies);
    tcase_add_test(tc, test_er_complete);
    tcase_add_test(tc, test_er_two);
    tcase_add_test(tc, test_er_deterministic);
    tcase_add_test(tc, test_er_rows_same_graph);
    suite_add_tcase(s, tc);
    tc = tcase_create("generators");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ba_degree_tail);
    tcase_add_test(tc, test_ba_edges);
    tcase_add_test(tc, test_ws_clustering);
    tcase_add_test(tc, test_sbm_counts);
    tcase_add_test(tc, test_layered_households);
    tcase_add_test(tc, test_layered_work_community);
    tcase_add_test(tc, test_configuration_powerlaw);
    tcase_add_test(tc, test_configuration_odd_sum);
    tcase_add_test(tc, test_generators_cli);
    suite_add_tcase(s, tc);
    return s;
}
