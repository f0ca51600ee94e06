/* check_traffic — conversation starts (traffic_init, traffic_slice), and
 * the clients' side: which starts make lookups, the cache, device changes
 * and their re-look-ups, the lookups counted and reported (traffic_start,
 * traffic_count, traffic_device_change, traffic_report).
 *
 * The model: every ordered contact pair (a, b) is a Poisson process of rate
 * λ per day, independent of the others.  The tests drive traffic_slice one
 * day at a time into a struct batch, exactly as the engine does, and check
 * the entries against that law.  Statistical thresholds are set for a false
 * alarm probability of about 1e-6 per check (two-sided, 5.7e-7 for a 5-sigma
 * normal test, 5e-7 in each chi-square tail), with fixed MT19937 seeds. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stdlib.h>

#include <check.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "batch.h"
#include "contacts.h"
#include "results.h"
#include "rng.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"
#include "traffic.h"

#define DAY 86400

/* Both tails of a chi-square statistic must be above 5e-7. */
static void assert_chisq(double x2, double dof, const char *what)
{
    double lower = gsl_cdf_chisq_P(x2, dof), upper = gsl_cdf_chisq_Q(x2, dof);
    ck_assert_msg(lower > 5e-7 && upper > 5e-7,
                  "%s: chi-square %.1f on %.0f degrees of freedom, P(below) = %.3g, "
                  "P(above) = %.3g", what, x2, dof, lower, upper);
}

/* Sort the batch and copy its entries, in delivery order (time, then
 * generation), into dst (room for b->n). */
static void drain(struct batch *b, struct batch_entry *dst)
{
    ck_assert_int_eq(batch_sort(b, 0), 0);
    size_t i = 0;
    for (const struct batch_entry *e; (e = batch_peek(b)); b->cursor++)
        dst[i++] = *e;
    ck_assert_uint_eq(i, b->n);
}

/* The entries of days [0, days) of one traffic stream. */
struct run {
    struct batch_entry *e;
    size_t n, cap;
    uint64_t starts;
};

/* Days [0, days) of traffic t into out (each day's starts in time
 * order), then t destroyed. */
static void collect_days(struct run *out, struct traffic *t, int days)
{
    struct batch b;
    ck_assert_int_eq(batch_init(&b, DAY), 0);
    out->e = NULL;
    out->n = out->cap = 0;
    for (int day = 0; day < days; day++) {
        batch_begin(&b, (sim_time)day * DAY);
        ck_assert_int_eq(traffic_slice(t, &b, (int64_t)day * DAY, (int64_t)(day + 1) * DAY), 0);
        if (out->n + b.n > out->cap) {
            out->cap = 2 * (out->n + b.n);
            out->e = realloc(out->e, out->cap * sizeof *out->e);
            ck_assert_ptr_nonnull(out->e);
        }
        drain(&b, out->e + out->n);
        out->n += b.n;
    }
    out->starts = t->starts;
    batch_destroy(&b);
    traffic_destroy(t);
}

/* As run_days, with only people whose flags & bit look up (flags NULL:
 * all) and per-entry rates w (NULL: rate for every pair). */
static void run_days_opts(struct run *out, const struct graph *g, double rate, unsigned long seed,
                          int days, const uint8_t *flags, uint8_t bit, const float *w)
{
    gsl_rng *r = tu_rng(seed);
    struct traffic t;
    ck_assert_int_eq(traffic_init(&t, g, rate, r), 0);
    if (flags)
        traffic_set_clients(&t, flags, bit);
    if (w)
        ck_assert_int_eq(traffic_set_weights(&t, w), 0);
    collect_days(out, &t, days);
    gsl_rng_free(r);
}

static void run_days(struct run *out, const struct graph *g, double rate, unsigned long seed,
                     int days)
{
    run_days_opts(out, g, rate, seed, days, NULL, 0, NULL);
}

/* The law of the starts, in three configurations (a loop test):
 *   0: ER n = 2000, mean degree 10, λ = 0.5 per pair per day, 30 slices of
 *      a day (the engine's slicing; a person's daily mean k λ is mostly
 *      below 16);
 *   1: the complete graph on 40 people, λ = 1, 20 slices of a day (each
 *      person's daily mean 39 is above 16);
 *   2: the graph of 0, λ = 0.5, 72 slices of an hour (short slices);
 *   3: as 0, but the traffic draws from the generator the simulator gives
 *      its traffic stream (rng_stream_new, component 2 as in world.c)
 *      instead of MT19937.
 * The implementation may draw a person's count differently in these cases;
 * the law must be the same.  With L the slice length in days, S slices,
 * T = S L days:
 *
 * Figures below are for configurations 0 / 1 / 2 (3 is as 0).
 * - Total starts: the 2m ordered pairs are independent Poisson processes,
 *   so the total is Poisson with mean 2 m λ T (300,000 / 31,200 / 30,000)
 *   and standard error its square root; tolerance 5 SE.
 * - Per ordered pair: c_ab ~ Poisson(μ), μ = λT (15 / 20 / 1.5),
 *   independent.  The dispersion D = Σ (c_ab - μ)^2 / μ over the K = 2m
 *   pairs has mean K and variance K (2 + 1/μ) (per term Var((c-μ)^2)/μ^2 =
 *   (μ4 - μ2^2)/μ^2 = 2 + 1/μ for a Poisson); with K = 20,000 / 1,560 terms
 *   it is close to normal (skew ~ 3/sqrt(K) <= 0.08), so |D - K| < 5 sd has
 *   a false-alarm probability ~ 1e-6.  Rates not proportional to degree, or
 *   a contact choice that favours some contacts, over-disperse D; a too
 *   regular (round-robin) choice under-disperses it.
 * - Per person and slice: the count is Poisson(μ_a), μ_a = k_a λ L: the same
 *   dispersion statistic over the person-slices (60,000 / 800 / 144,000
 *   terms, mean their number, variance Σ (2 + 1/μ_a)).  Counts drawn with
 *   the right mean but the wrong spread (rounded, or binomial) fail here.
 * - The count distribution itself: over all person-slices, the number with
 *   c starts (c = 0 .. 62, and 63 or more) against its expectation
 *   Σ_a S·P(Poisson(μ_a) = c); bins are merged from the top down until
 *   each expects at least 5 (a remainder at the bottom joins the lowest
 *   group), and the statistic is chi-square with one
 *   degree of freedom less than the bins (the means are given, only the
 *   total is fixed).  This sees a wrong shape that the variance misses.
 * - Contact choice alone: given person a's N_a starts, the counts over a's
 *   k_a contacts are multinomial with equal probabilities, so Σ_a Σ_b (c_ab
 *   - N_a/k_a)^2 / (N_a/k_a) is chi-square with Σ_a (k_a - 1) degrees of
 *   freedom (expected cells 15 / 20 / 1.5; in configuration 2 the cells are
 *   small, so this check is run only for 0 and 1).
 * - Slices: the slice totals are independent Poisson(2 m λ L):
 *   Σ (c_s - 2mλL)^2 / (2mλL) is chi-square with S degrees of freedom (the
 *   Poisson excess 1/μ in the variance is below 1e-3, negligible).
 * - Time within the slice: a Poisson process's points are uniform, so 24
 *   equal bins of the offset from the slice start, given the total, are
 *   multinomial uniform: chi-square with 23 degrees of freedom.
 * Chi-square checks fail when either tail is below 5e-7. */
static const struct law_case {
    int complete;                      /* K_n instead of ER */
    uint32_t n;
    double lambda;
    int slices;
    int64_t len;                       /* seconds */
    int stream;                        /* rng_stream_new instead of MT19937 */
} law_cases[] = {
    { 0, 2000, 0.5, 30, DAY, 0 },
    { 1, 40, 1.0, 20, DAY, 0 },
    { 0, 2000, 0.5, 72, 3600, 0 },
    { 0, 2000, 0.5, 30, DAY, 1 },
};

START_TEST(test_traffic_law)
{
    const struct law_case *lc = &law_cases[_i];
    const uint32_t n = lc->n;
    const double lambda = lc->lambda, L = (double)lc->len / DAY, T = lc->slices * L;
    gsl_rng *gr = tu_rng(1001);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, n, lc->complete ? n - 1 : 10, gr), 0);
    gsl_rng_free(gr);
    if (lc->complete)
        ck_assert_uint_eq(g.m, (uint64_t)n * (n - 1) / 2);

    gsl_rng *r = lc->stream ? rng_stream_new(20161028, 0, 2) : tu_rng(2002 + (unsigned long)_i);
    ck_assert_ptr_nonnull(r);
    struct traffic t;
    struct batch b;
    ck_assert_int_eq(traffic_init(&t, &g, lambda, r), 0);
    ck_assert_int_eq(batch_init(&b, lc->len), 0);

    const uint64_t K = 2 * g.m;
    uint32_t *pair = calloc(K, sizeof *pair), *person = calloc(n, sizeof *person);
    uint64_t *slice_count = calloc((size_t)lc->slices, sizeof *slice_count);
    ck_assert_ptr_nonnull(pair);
    ck_assert_ptr_nonnull(person);
    ck_assert_ptr_nonnull(slice_count);
    uint64_t bin_count[24] = { 0 }, total = 0;
    enum { CMAX = 63 };
    double count_obs[CMAX + 1] = { 0 }, count_exp[CMAX + 1] = { 0 };
    double Dp = 0, Dp_var = 0, Dp_terms = 0;
    for (int sl = 0; sl < lc->slices; sl++) {
        const int64_t start = sl * lc->len, end = start + lc->len;
        batch_begin(&b, start);
        ck_assert_int_eq(traffic_slice(&t, &b, start, end), 0);
        ck_assert_int_eq(batch_sort(&b, 0), 0);
        for (const struct batch_entry *e; (e = batch_peek(&b)); b.cursor++) {
            FAST(e->time >= (uint32_t)start && e->time < (uint32_t)end);
            FAST(e->kind == TRAFFIC_EV_START);
            FAST(e->a < n);
            int64_t j = graph_find(&g, e->a, e->b);    /* b is a contact of a */
            FAST(j >= 0);
            pair[j]++;
            person[e->a]++;
            bin_count[(e->time - (uint32_t)start) * 24 / (uint32_t)lc->len]++;
        }
        for (uint32_t a = 0; a < n; a++) {
            uint32_t k = graph_degree(&g, a);
            if (k) {
                double mu_a = k * lambda * L;
                count_obs[person[a] < CMAX ? person[a] : CMAX]++;
                Dp += (person[a] - mu_a) * (person[a] - mu_a) / mu_a;
                Dp_var += 2 + 1 / mu_a;
                Dp_terms++;
            }
            person[a] = 0;
        }
        slice_count[sl] = b.n;
        total += b.n;
        ck_assert_uint_eq(t.starts, total);
    }

    /* Total. */
    const double mean_total = 2.0 * (double)g.m * lambda * T;
    ck_assert_double_eq_tol((double)total, mean_total, 5 * sqrt(mean_total));

    /* Dispersion over ordered pairs. */
    const double mu = lambda * T;
    double D = 0;
    for (uint64_t j = 0; j < K; j++)
        D += ((double)pair[j] - mu) * ((double)pair[j] - mu) / mu;
    ck_assert_double_eq_tol(D, (double)K, 5 * sqrt((double)K * (2 + 1 / mu)));

    /* Dispersion over person-slices. */
    ck_assert_double_eq_tol(Dp, Dp_terms, 5 * sqrt(Dp_var));

    /* The count distribution. */
    for (uint32_t a = 0; a < n; a++) {
        uint32_t k = graph_degree(&g, a);
        if (!k)
            continue;
        double mu_a = k * lambda * L;
        for (unsigned c = 0; c < CMAX; c++)
            count_exp[c] += lc->slices * gsl_ran_poisson_pdf(c, mu_a);
        count_exp[CMAX] += lc->slices * gsl_cdf_poisson_Q(CMAX - 1, mu_a);
    }
    {
        double go[CMAX + 1], ge[CMAX + 1], o = 0, e = 0;   /* merged groups */
        int bins = 0;
        for (int c = CMAX; c >= 0; c--) {             /* merge from the top */
            o += count_obs[c];
            e += count_exp[c];
            if (e >= 5) {
                go[bins] = o;
                ge[bins++] = e;
                o = e = 0;
            }
        }
        ck_assert_int_ge(bins, 3);
        go[bins - 1] += o;                            /* a small remainder at the bottom */
        ge[bins - 1] += e;
        double x2c = 0;
        for (int i = 0; i < bins; i++)
            x2c += (go[i] - ge[i]) * (go[i] - ge[i]) / ge[i];
        assert_chisq(x2c, bins - 1, "starts per person and slice");
    }

    /* Contact choice given each person's total. */
    double x2 = 0, dof = 0;
    if (mu >= 5) {
        for (uint32_t a = 0; a < n; a++) {
            uint32_t k = graph_degree(&g, a);
            uint64_t Na = 0;
            for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
                Na += pair[j];
            if (k < 2 || Na == 0)
                continue;
            double expect = (double)Na / k;
            for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
                x2 += (pair[j] - expect) * (pair[j] - expect) / expect;
            dof += k - 1;
        }
        ck_assert_double_gt(dof, (double)K / 2 - n);  /* ~ 2m - n: the test has power */
        assert_chisq(x2, dof, "contact choice within each person's starts");
    }

    /* Slice totals. */
    const double mu_slice = 2.0 * (double)g.m * lambda * L;
    x2 = 0;
    for (int sl = 0; sl < lc->slices; sl++)
        x2 += (slice_count[sl] - mu_slice) * (slice_count[sl] - mu_slice) / mu_slice;
    assert_chisq(x2, lc->slices, "starts per slice");

    /* Time within the slice. */
    x2 = 0;
    for (int h = 0; h < 24; h++)
        x2 += (bin_count[h] - total / 24.0) * (bin_count[h] - total / 24.0) / (total / 24.0);
    assert_chisq(x2, 23, "starts per 1/24 of the slice");

    free(pair);
    free(person);
    free(slice_count);
    batch_destroy(&b);
    traffic_destroy(&t);
    traffic_destroy(NULL);                             /* allowed */
    gsl_rng_free(r);
    graph_destroy(&g);
}
END_TEST

/* The stream is a function of the seed: the same seed gives the identical
 * sequence of entries (times, kinds, people, order), another seed another
 * sequence. */
START_TEST(test_traffic_deterministic)
{
    gsl_rng *gr = tu_rng(31);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 1000, 8, gr), 0);
    gsl_rng_free(gr);

    struct run r1, r2, r3;
    run_days(&r1, &g, 0.3, 4242, 5);
    run_days(&r2, &g, 0.3, 4242, 5);
    run_days(&r3, &g, 0.3, 4243, 5);
    ck_assert_uint_gt(r1.n, 5000);                 /* mean 2m·0.3·5 ~ 12,000 */
    ck_assert_uint_eq(r1.n, r2.n);
    ck_assert_uint_eq(r1.starts, r1.n);
    ck_assert_uint_eq(r2.starts, r2.n);
    for (size_t i = 0; i < r1.n; i++) {
        FAST(r1.e[i].time == r2.e[i].time);
        FAST(r1.e[i].kind == r2.e[i].kind);
        FAST(r1.e[i].a == r2.e[i].a);
        FAST(r1.e[i].b == r2.e[i].b);
    }
    int differ = r1.n != r3.n;
    for (size_t i = 0; !differ && i < r1.n; i++)
        differ = r1.e[i].time != r3.e[i].time || r1.e[i].a != r3.e[i].a
                 || r1.e[i].b != r3.e[i].b;
    ck_assert_int_eq(differ, 1);
    free(r1.e);
    free(r2.e);
    free(r3.e);
    graph_destroy(&g);
}
END_TEST

/* People without contacts never start a conversation nor are looked up.
 * Graph: a triangle 0-1-2, an edge 3-4, and 5 and 6 alone.  With λ = 2 per
 * day over 50 days the 8 ordered pairs give Poisson(2·4·2·50 = 800) starts,
 * sd 28.3, tolerance 5 sd. */
START_TEST(test_traffic_isolated)
{
    static const struct graph_edge e[] = { { 0, 1 }, { 1, 2 }, { 0, 2 }, { 3, 4 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 7, e, 4), 0);
    struct run r;
    run_days(&r, &g, 2.0, 99, 50);
    unsigned per_person[7] = { 0 };
    for (size_t i = 0; i < r.n; i++) {
        FAST(r.e[i].a < 5 && r.e[i].b < 5);
        FAST(graph_find(&g, r.e[i].a, r.e[i].b) >= 0);
        FAST(r.e[i].time < 50u * DAY);
        per_person[r.e[i].a]++;
    }
    ck_assert_uint_eq(per_person[5], 0);
    ck_assert_uint_eq(per_person[6], 0);
    for (int a = 0; a < 5; a++)
        ck_assert_uint_gt(per_person[a], 0);
    ck_assert_double_eq_tol((double)r.n, 800, 5 * sqrt(800));
    free(r.e);

    graph_destroy(&g);

    /* No contacts at all: nothing, ever. */
    ck_assert_int_eq(graph_from_edges(&g, 4, NULL, 0), 0);
    run_days(&r, &g, 5.0, 7, 10);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.starts, 0);
    free(r.e);
    graph_destroy(&g);
}
END_TEST

/* Only clients look up; SMS-only people are still looked up.  ER n = 2000,
 * mean degree 10, λ = 0.2, 20 days; the people with odd ids are SMS-only.
 * No start has an odd querier; the total is Poisson(λ T sum over clients of
 * their degree), tolerance 5 sd; and the odd people are looked up: as
 * queried, each of the ordered pairs (client a, odd b) is one of the
 * clients' pairs, so their count is Poisson(λ T x those pairs), 5 sd. */
START_TEST(test_traffic_clients_only)
{
    gsl_rng *gr = tu_rng(5150);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 2000, 10, gr), 0);
    gsl_rng_free(gr);
    uint8_t *flags = calloc(g.n, 1);
    ck_assert_ptr_nonnull(flags);
    double kc = 0, to_odd = 0;
    for (uint32_t a = 0; a < g.n; a++) {
        flags[a] = a % 2 == 0 ? 4 : 1;             /* bit 4: client; odd people have only bit 1 */
        if (a % 2 == 0) {
            kc += graph_degree(&g, a);
            for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
                to_odd += g.adj[j] % 2;
        }
    }
    struct run r;
    run_days_opts(&r, &g, 0.2, 77, 20, flags, 4, NULL);
    double queried_odd = 0;
    for (size_t i = 0; i < r.n; i++) {
        FAST(r.e[i].a % 2 == 0);
        queried_odd += r.e[i].b % 2;
    }
    double mu = 0.2 * 20 * kc, mo = 0.2 * 20 * to_odd;
    ck_assert_double_eq_tol((double)r.n, mu, 5 * sqrt(mu));
    ck_assert_double_eq_tol(queried_odd, mo, 5 * sqrt(mo));
    ck_assert_double_gt(queried_odd, 0);
    free(r.e);
    free(flags);
    graph_destroy(&g);
}
END_TEST

/* Tie strengths, by hand: a star with centre 0 and leaves 1..4 whose pairs
 * have rates 0, 0.5, 1.5 and 2 per day (both ways), over T = 400 days.
 *  - Leaf 1's pair has rate 0: never looked up by 0, and leaf 1, whose only
 *    contact it is, starts nothing.
 *  - The centre's starts are Poisson(4 T = 1600); given their number, the
 *    counts to leaves 2, 3, 4 are multinomial with p = (0.5, 1.5, 2)/4:
 *    chi-square on 2 degrees of freedom.  A uniform pick fails this.
 *  - Leaf j's starts are Poisson(w_j T), 5 sd each. */
START_TEST(test_traffic_weights_star)
{
    static const struct graph_edge e[] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 5, e, 4), 0);
    static const double wl[5] = { 0, 0, 0.5, 1.5, 2 };
    float *w = malloc(2 * g.m * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (uint32_t a = 0; a < g.n; a++)
        for (uint64_t j = g.off[a]; j < g.off[a + 1]; j++)
            w[j] = (float)wl[a == 0 ? g.adj[j] : a];
    const int T = 400;
    struct run r;
    run_days_opts(&r, &g, 99.0 /* ignored: rates given */, 4711, T, NULL, 0, w);
    double from[5] = { 0 }, to[5] = { 0 };
    for (size_t i = 0; i < r.n; i++) {
        from[r.e[i].a]++;
        if (r.e[i].a == 0)
            to[r.e[i].b]++;
    }
    ck_assert_double_eq(to[1], 0);
    ck_assert_double_eq(from[1], 0);
    ck_assert_double_eq_tol(from[0], 4.0 * T, 5 * sqrt(4.0 * T));
    double x2 = 0;
    for (int j = 2; j <= 4; j++) {
        double ex = from[0] * wl[j] / 4;
        x2 += (to[j] - ex) * (to[j] - ex) / ex;
        ck_assert_double_eq_tol(from[j], wl[j] * T, 5 * sqrt(wl[j] * T));
    }
    assert_chisq(x2, 2, "centre's picks against the tie strengths");
    free(r.e);
    free(w);
    graph_destroy(&g);
}
END_TEST

/* An entry and its place in generation order. */
struct gen_entry {
    struct batch_entry e;
    size_t gen;
};

static int by_time_then_gen(const void *x, const void *y)
{
    const struct gen_entry *a = x, *b = y;
    if (a->e.time != b->e.time)
        return a->e.time < b->e.time ? -1 : 1;
    return (a->gen > b->gen) - (a->gen < b->gen);
}

/* GSL's taus2 state (taus.c's taus_state_t). */
struct ref_taus {
    unsigned long s1, s2, s3;
};

static uint64_t ref_fmix(uint64_t z)       /* SplitMix64's finaliser */
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Block `block`'s stream in the slice starting at `start` (traffic.h,
 * "Streams"), rebuilt into the taus2 generator ref from the traffic
 * stream's key: SplitMix64's finaliser of start·2^32 + block, xor the key,
 * gives z; the three words are SplitMix64's first three outputs from z
 * (the finaliser of z + γ, z + 2γ, z + 3γ, γ the golden gamma), low 32
 * bits, raised to at least 2, 8 and 16; then six words are drawn and
 * dropped. */
static void ref_block_stream(gsl_rng *ref, uint64_t key, uint32_t start, uint32_t block)
{
    const uint64_t gamma = 0x9e3779b97f4a7c15ull;
    uint64_t z = key ^ ref_fmix((uint64_t)start << 32 | block);
    struct ref_taus *st = gsl_rng_state(ref);
    st->s1 = (uint32_t)ref_fmix(z + gamma);
    st->s2 = (uint32_t)ref_fmix(z + 2 * gamma);
    st->s3 = (uint32_t)ref_fmix(z + 3 * gamma);
    st->s1 += st->s1 < 2 ? 2 : 0;
    st->s2 += st->s2 < 8 ? 8 : 0;
    st->s3 += st->s3 < 16 ? 16 : 0;
    for (int i = 0; i < 6; i++)
        gsl_rng_get(ref);
}

/* The fast path's use of the stream, word by word (traffic.c, traffic.h):
 * the key from the traffic stream's first two words (traffic_init), then
 * per block of TRAFFIC_BLOCK people its own stream (ref_block_stream),
 * each person's count from one word
 * (sequential inversion of Poisson(k λ)), then per start one word x,
 * read as Lemire's draw on p = 86400 k (r = floor(x p / 2^32), the word
 * redrawn while x p mod 2^32 < 2^32 mod p), second r / k and contact
 * index r mod k.  Rebuilt here from a copy of the stream for ER n = 9000
 * (three blocks), mean degree 12, λ = 0.3, two days: every entry and
 * the stream's place after the slice must agree. */
START_TEST(test_traffic_stream_layout)
{
    gsl_rng *gr = tu_rng(515);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 9000, 12, gr), 0);
    gsl_rng_free(gr);
    const double lambda = 0.3;
    gsl_rng *r = rng_stream_new(8, 0, 2);
    ck_assert_ptr_nonnull(r);
    gsl_rng *ref = gsl_rng_clone(r);
    ck_assert_ptr_nonnull(ref);
    struct traffic t;
    struct batch b;
    ck_assert_int_eq(traffic_init(&t, &g, lambda, r), 0);
    ck_assert_int_eq(t.inline_rng, 1);
    ck_assert_int_eq(batch_init(&b, DAY), 0);
    uint64_t key = (uint64_t)(uint32_t)gsl_rng_get(ref) << 32;
    key |= (uint32_t)gsl_rng_get(ref);
    uint32_t *count = malloc(g.n * sizeof *count);
    struct gen_entry *want = malloc(200000 * sizeof *want);
    ck_assert_ptr_nonnull(count);
    ck_assert_ptr_nonnull(want);
    for (int day = 0; day < 2; day++) {
        batch_begin(&b, (sim_time)day * DAY);
        ck_assert_int_eq(traffic_slice(&t, &b, (int64_t)day * DAY, (int64_t)(day + 1) * DAY), 0);
        size_t i = 0;
        for (uint32_t a0 = 0; a0 < g.n; a0 += TRAFFIC_BLOCK) {
            uint32_t a1 = a0 + TRAFFIC_BLOCK < g.n ? a0 + TRAFFIC_BLOCK : g.n;
            ref_block_stream(ref, key, (uint32_t)(day * DAY), a0 / TRAFFIC_BLOCK);
            for (uint32_t a = a0; a < a1; a++) {
                uint32_t k = graph_degree(&g, a);
                count[a] = 0;
                if (k == 0)
                    continue;
                double mu = k * lambda, u = (double)(uint32_t)gsl_rng_get(ref) / 4294967296.0;
                double pr = exp(-mu), cdf = pr;
                while (u >= cdf) {
                    count[a]++;
                    pr *= mu / count[a];
                    cdf += pr;
                }
            }
            for (uint32_t a = a0; a < a1; a++) {
                uint32_t k = graph_degree(&g, a);
                uint32_t p = DAY * k;
                for (uint32_t c = 0; c < count[a]; c++) {
                    uint64_t m;
                    do
                        m = (uint64_t)(uint32_t)gsl_rng_get(ref) * p;
                    while ((uint32_t)m < (uint32_t)(((uint64_t)1 << 32) % p));
                    uint32_t rr = (uint32_t)(m >> 32);
                    ck_assert_uint_lt(i, 200000);
                    want[i] = (struct gen_entry){ { (uint32_t)(day * DAY) + rr / k, TRAFFIC_EV_START, a,
                                                    g.adj[g.off[a] + rr % k] }, i };
                    i++;
                }
            }
        }
        ck_assert_uint_eq(i, b.n);
        ck_assert_uint_gt(b.n, 30000);        /* about 9000 x 12 x 0.3 */
        /* the batch delivers them by time, in generation order within a second */
        qsort(want, i, sizeof *want, by_time_then_gen);
        ck_assert_int_eq(batch_sort(&b, 0), 0);
        for (size_t x = 0; x < i; x++, b.cursor++)
            FAST(memcmp(batch_peek(&b), &want[x].e, sizeof want[x].e) == 0);
    }
    free(want);
    ck_assert_uint_eq(gsl_rng_get(r), gsl_rng_get(ref));
    free(count);
    batch_destroy(&b);
    traffic_destroy(&t);
    gsl_rng_free(ref);
    gsl_rng_free(r);
    graph_destroy(&g);
}
END_TEST

/* Blocks drawn apart (traffic.h, "Streams"): on ER n = 3·TRAFFIC_BLOCK +
 * 500 (the last block short), mean degree 8, λ = 0.4, three days, the
 * starts of blocks 1 and 3 when only their people are clients are exactly
 * those of the same people when everyone is, in the same order (the batch
 * keeps generation order within a second): on the fast path, on the
 * general one (a profile), and with the words drawn by call; and the
 * starts of blocks 1 to 3 when only they are generated (traffic_set_part,
 * one part of a split replication) are those of the whole run.  With one
 * stream for the whole population the second run would give block 1 the
 * draws block 0 had, and fail. */
START_TEST(test_traffic_blocks_apart)
{
    gsl_rng *gr = tu_rng(616);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 3 * TRAFFIC_BLOCK + 500, 8, gr), 0);
    gsl_rng_free(gr);
    uint8_t *part = malloc(g.n);
    ck_assert_ptr_nonnull(part);
    for (uint32_t a = 0; a < g.n; a++)
        part[a] = (uint8_t)(a / TRAFFIC_BLOCK % 2);      /* blocks 1 and 3 */
    double hourly[24], weekly[7];
    for (int h = 0; h < 24; h++)
        hourly[h] = 1 + (h >= 8 && h < 20);
    for (int d = 0; d < 7; d++)
        weekly[d] = d < 5 ? 1.0 : 0.5;
    for (int mode = 0; mode < 4; mode++) {          /* fast, general (profile), words by call, a part */
        struct run r[2];
        for (int x = 0; x < 2; x++) {
            gsl_rng *rs = rng_stream_new(12, 3, 2);
            ck_assert_ptr_nonnull(rs);
            struct traffic t;
            ck_assert_int_eq(traffic_init(&t, &g, 0.4, rs), 0);
            ck_assert_int_eq(t.taus, 1);
            if (mode == 1)
                traffic_set_profile(&t, hourly, weekly);
            if (mode == 2)
                t.inline_rng = 0;
            if (x == 1 && mode < 3)
                traffic_set_clients(&t, part, 1);
            if (x == 1 && mode == 3)                    /* blocks 1 to 3: one part of a split */
                traffic_set_part(&t, TRAFFIC_BLOCK, g.n);
            collect_days(&r[x], &t, 3);
            gsl_rng_free(rs);
        }
        size_t j = 0, other = 0;
        for (size_t i = 0; i < r[0].n; i++) {
            if (mode < 3 ? !part[r[0].e[i].a] : r[0].e[i].a < TRAFFIC_BLOCK) {
                other++;
                continue;
            }
            ck_assert_uint_lt(j, r[1].n);
            FAST(memcmp(&r[0].e[i], &r[1].e[j], sizeof r[0].e[i]) == 0);
            j++;
        }
        ck_assert_uint_eq(j, r[1].n);
        ck_assert_uint_gt(j, 3 * 2000 * 8 * 0.4 * 0.8);   /* about 4596 (part: 8692) people x 8 x 0.4 a day */
        ck_assert_uint_gt(other, 3 * 4000 * 8 * 0.4 * 0.8);   /* 8192 (part: 4096) */
        free(r[0].e);
        free(r[1].e);
    }
    free(part);
    graph_destroy(&g);
}
END_TEST

/* A row too wide for one word to give both a start's second and its
 * contact (86400·k >= 2^32, k > 49710: traffic.c draws a word for each):
 * a star whose centre has 60,000 contacts, λ = 0.002 (the centre's
 * daily mean 120, past the inversion), 30 days, with MT19937 (words by
 * call) and the taus2 stream (inline).  The centre's starts are Poisson(
 * 3600): within 5 sd; its contacts (10 bins of leaf ids) and its start
 * hours (24 bins) are uniform: chi-square. */
START_TEST(test_traffic_wide_row)
{
    enum { LEAVES = 60000, T = 30 };
    struct graph_edge *e = malloc(LEAVES * sizeof *e);
    ck_assert_ptr_nonnull(e);
    for (uint32_t i = 0; i < LEAVES; i++)
        e[i] = (struct graph_edge){ 0, i + 1 };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, LEAVES + 1, e, LEAVES), 0);
    free(e);
    for (int inl = 0; inl < 2; inl++) {
        struct run r;
        if (inl) {
            gsl_rng *rs = rng_stream_new(31, 0, 2);
            ck_assert_ptr_nonnull(rs);
            struct traffic t;
            ck_assert_int_eq(traffic_init(&t, &g, 0.002, rs), 0);
            ck_assert_int_eq(t.inline_rng, 1);
            collect_days(&r, &t, T);
            gsl_rng_free(rs);
        } else {
            run_days(&r, &g, 0.002, 4242, T);
        }
        double hub = 0, bins[10] = { 0 }, hours[24] = { 0 };
        for (size_t i = 0; i < r.n; i++) {
            if (r.e[i].a != 0)
                continue;
            ck_assert_uint_ge(r.e[i].b, 1);
            ck_assert_uint_le(r.e[i].b, LEAVES);
            hub++;
            bins[(r.e[i].b - 1) / (LEAVES / 10)]++;
            hours[(r.e[i].time % DAY) / 3600]++;
        }
        double mu = 0.002 * LEAVES * T;
        ck_assert_double_eq_tol(hub, mu, 5 * sqrt(mu));
        double x2 = 0, x2h = 0;
        for (int j = 0; j < 10; j++)
            x2 += (bins[j] - hub / 10) * (bins[j] - hub / 10) / (hub / 10);
        for (int j = 0; j < 24; j++)
            x2h += (hours[j] - hub / 24) * (hours[j] - hub / 24) / (hub / 24);
        assert_chisq(x2, 9, "the centre's contacts");
        assert_chisq(x2h, 23, "the centre's start hours");
        free(r.e);
    }
    graph_destroy(&g);
}
END_TEST

/* Lognormal tie strengths (contacts_tie_lognormal) drive the traffic:
 * ER n = 1000, mean degree 8, mean rate 0.5, sigma 1, T = 40 days.
 * Weights are symmetric and their mean over the m edges is 0.5 within 5
 * sd (sd of one weight: 0.5 sqrt(e^1 - 1) = 0.655).  Per ordered pair the
 * count is Poisson(w T), independent: the dispersion D = sum (c - wT)^2/(wT)
 * over the 2m pairs has mean 2m and variance sum (2 + 1/(wT)); 5 sd.
 * Using the mean rate for every pair over-disperses D by far. */
START_TEST(test_traffic_weights_lognormal)
{
    gsl_rng *gr = tu_rng(1234);
    struct contacts ct = { 0 };
    ck_assert_int_eq(contacts_erdos_renyi(&ct.g, 1000, 8, gr), 0);
    ck_assert_int_eq(contacts_tie_lognormal(&ct, 0.5, 1.0, gr), 0);
    gsl_rng_free(gr);
    const struct graph *g = &ct.g;
    double sw = 0;
    for (uint32_t a = 0; a < g->n; a++)
        for (uint64_t j = g->off[a]; j < g->off[a + 1]; j++) {
            FAST(ct.weight[j] > 0);
            FAST(ct.weight[j] == ct.weight[graph_find(g, g->adj[j], a)]);
            sw += ct.weight[j];
        }
    double m = (double)g->m;
    ck_assert_double_eq_tol(sw / (2 * m), 0.5, 5 * 0.5 * sqrt(exp(1.0) - 1) / sqrt(m));
    const int T = 40;
    struct run r;
    run_days_opts(&r, g, 0.5, 99, T, NULL, 0, ct.weight);
    double *c = calloc(2 * g->m, sizeof *c);
    ck_assert_ptr_nonnull(c);
    for (size_t i = 0; i < r.n; i++)
        c[graph_find(g, r.e[i].a, r.e[i].b)]++;
    double D = 0, var = 0;
    for (uint64_t j = 0; j < 2 * g->m; j++) {
        double mu = ct.weight[j] * T;
        D += (c[j] - mu) * (c[j] - mu) / mu;
        var += 2 + 1 / mu;
    }
    ck_assert_msg(fabs(D - 2 * m) < 5 * sqrt(var), "dispersion %.0f, expected %.0f +- %.0f", D, 2 * m,
                  5 * sqrt(var));
    free(c);
    free(r.e);
    contacts_destroy(&ct);
}
END_TEST

/* Run `days` days (slices of `slice` seconds) of traffic set up by `setup`. */
static void run_custom(struct run *out, const struct graph *g, double rate, unsigned long seed,
                       int days, int64_t slice, void (*setup)(struct traffic *t))
{
    gsl_rng *r = tu_rng(seed);
    struct traffic t;
    struct batch b;
    ck_assert_int_eq(traffic_init(&t, g, rate, r), 0);
    setup(&t);
    ck_assert_int_eq(batch_init(&b, slice), 0);
    out->e = NULL;
    out->n = out->cap = 0;
    for (int64_t s0 = 0; s0 < (int64_t)days * DAY; s0 += slice) {
        batch_begin(&b, s0);
        ck_assert_int_eq(traffic_slice(&t, &b, s0, s0 + slice), 0);
        if (out->n + b.n > out->cap) {
            out->cap = 2 * (out->n + b.n) + 16;
            out->e = realloc(out->e, out->cap * sizeof *out->e);
            ck_assert_ptr_nonnull(out->e);
        }
        drain(&b, out->e + out->n);
        for (size_t i = out->n; i < out->n + b.n; i++)
            FAST(out->e[i].time >= s0 && out->e[i].time < s0 + slice);
        out->n += b.n;
    }
    out->starts = t.starts;
    batch_destroy(&b);
    traffic_destroy(&t);
    gsl_rng_free(r);
}

static const double test_hourly[24] = { 1, 0.5, 0.3, 0.2, 0.2, 0.5, 1, 2, 3, 3, 3, 3,
                                        4, 3, 3, 3, 3, 4, 5, 5, 4, 3, 2, 1.5 };
static const double test_weekly[7] = { 5, 5, 5, 5, 6, 9, 3 };
static void setup_profile(struct traffic *t) { traffic_set_profile(t, test_hourly, test_weekly); }

/* The diurnal and weekly profile.  ER n = 2000, mean degree 10, λ = 0.2, two
 * whole weeks, in day slices (as the engine) and in 5-hour slices (pieces
 * that cut hours and days).  The rate at t is λ h(hour) d(weekday) with h
 * and d normalised to mean 1, so:
 *  - the total is Poisson(2 m λ x 14) (whole weeks: the weekly factors
 *    average to 1); 5 sd;
 *  - given the total, the counts in the 168 hours of the week (summed over
 *    the two weeks) are multinomial with p proportional to h(hour) d(day):
 *    chi-square with 167 degrees of freedom (expected cells >= 24).  A flat
 *    time draw, or the profile applied to the count but not the times (or
 *    the reverse), fails this. */
START_TEST(test_traffic_profile)
{
    gsl_rng *gr = tu_rng(808);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 2000, 10, gr), 0);
    gsl_rng_free(gr);
    const int64_t slices[2] = { DAY, 5 * 3600 };
    double sh = 0, sd = 0;
    for (int h = 0; h < 24; h++)
        sh += test_hourly[h];
    for (int d = 0; d < 7; d++)
        sd += test_weekly[d];
    for (int c = 0; c < 2; c++) {
        struct run r;
        run_custom(&r, &g, 0.2, 31 + c, 14, slices[c], setup_profile);
        double bins[168] = { 0 };
        for (size_t i = 0; i < r.n; i++)
            bins[(r.e[i].time / 3600) % 168]++;
        double mu = 2.0 * (double)g.m * 0.2 * 14;
        ck_assert_double_eq_tol((double)r.n, mu, 5 * sqrt(mu));
        double x2 = 0;
        for (int k = 0; k < 168; k++) {
            double p = test_hourly[k % 24] / sh * test_weekly[k / 24] / sd;
            double ex = (double)r.n * p;
            x2 += (bins[k] - ex) * (bins[k] - ex) / ex;
        }
        assert_chisq(x2, 167, "starts per hour of the week against the profile");
        free(r.e);
    }
    graph_destroy(&g);
}
END_TEST

/* Local time (issue 12, defect 6): people in two regions, UTC+05:30 (even
 * ids) and UTC-08:00 (odd), a profile with all its weight on the local
 * hour 12-13.  Every start falls in its querier's local noon hour: 06:30-
 * 07:30 UTC for the first, 20:00-21:00 UTC for the second (on UTC, all
 * would be at 12:00-13:00 UTC); the count stays Poisson(2 m λ T). */
static const double noon_hourly[24] = { [12] = 1 };
static const double flat_weekly[7] = { 1, 1, 1, 1, 1, 1, 1 };
static uint32_t local_region[3000];
static int32_t local_days[2][16];
static int32_t *const local_offset[2] = { local_days[0], local_days[1] };
static void setup_local(struct traffic *t)
{
    traffic_set_profile(t, noon_hourly, flat_weekly);
    for (uint32_t a = 0; a < 3000; a++)
        local_region[a] = a & 1;
    for (int d = 0; d < 16; d++) {
        local_days[0][d] = 5 * 3600 + 1800;
        local_days[1][d] = -8 * 3600;
    }
    ck_assert_int_eq(traffic_set_local(t, local_region, 2, local_offset, 16), 0);
}

START_TEST(test_traffic_local_time)
{
    gsl_rng *gr = tu_rng(909);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 3000, 8, gr), 0);
    gsl_rng_free(gr);
    struct run r;
    run_custom(&r, &g, 0.1, 41, 10, DAY, setup_local);
    double mu = 2.0 * (double)g.m * 0.1 * 10;
    ck_assert_double_eq_tol((double)r.n, mu, 5 * sqrt(mu));
    for (size_t i = 0; i < r.n; i++) {
        int64_t off = (r.e[i].a & 1) ? -8 * 3600 : 5 * 3600 + 1800;
        int64_t local = (int64_t)r.e[i].time + off + 86400;     /* never negative */
        if ((local / 3600) % 24 != 12)
            ck_abort_msg("start at %u s by %u: local hour %lld", r.e[i].time, r.e[i].a,
                         (long long)((local / 3600) % 24));
    }
    free(r.e);
    graph_destroy(&g);
}
END_TEST

static void setup_noncontact(struct traffic *t) { traffic_set_noncontact(t, 0.5); }

/* Non-contact lookups: ν = 0.5 per person per day on ER n = 1000, mean
 * degree 6, λ = 0.05, 10 days.  The entries whose pair is not a contact
 * come from the non-contact process alone, which picks a uniform other
 * person: Poisson(sum_a ν T (1 - k_a/(n - 1))), 5 sd; no entry is a
 * self-pair; the contact entries stay Poisson(2 m λ T + sum_a ν T k_a/(n-1)). */
START_TEST(test_traffic_noncontact)
{
    gsl_rng *gr = tu_rng(17);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 1000, 6, gr), 0);
    gsl_rng_free(gr);
    struct run r;
    run_custom(&r, &g, 0.05, 5, 10, DAY, setup_noncontact);
    double non = 0, con = 0, exp_non = 0, exp_con = 2.0 * (double)g.m * 0.05 * 10;
    for (size_t i = 0; i < r.n; i++) {
        FAST(r.e[i].a != r.e[i].b);
        if (graph_find(&g, r.e[i].a, r.e[i].b) >= 0)
            con++;
        else
            non++;
    }
    for (uint32_t a = 0; a < g.n; a++) {
        double f = (double)graph_degree(&g, a) / (g.n - 1);
        exp_non += 0.5 * 10 * (1 - f);
        exp_con += 0.5 * 10 * f;
    }
    ck_assert_double_eq_tol(non, exp_non, 5 * sqrt(exp_non));
    ck_assert_double_eq_tol(con, exp_con, 5 * sqrt(exp_con));
    free(r.e);
    graph_destroy(&g);
}
END_TEST

static void setup_groups(struct traffic *t) { traffic_set_groups(t, 0.25, 5); }

/* Group conversations: share 0.25 of starts are groups of 5 (4 lookups).
 * K_30 (everyone has 29 contacts, so a group always finds 4), λ = 0.1, 20
 * days.  Starts are Poisson(S = 2 m λ T = 1740), each making X lookups, X =
 * 1 or 4 with probability 0.75 / 0.25: the total is compound Poisson with
 * mean S E[X] = 1.75 S and variance S E[X^2] = S (0.75 + 4) ; 5 sd.  The
 * starts counter stays Poisson(S). */
START_TEST(test_traffic_groups)
{
    enum { N = 30 };
    struct graph_edge e[N * (N - 1) / 2];
    uint64_t m = 0;
    for (uint32_t a = 1; a < N; a++)
        for (uint32_t b = 0; b < a; b++)
            e[m++] = (struct graph_edge){ a, b };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, N, e, m), 0);
    struct run r;
    run_custom(&r, &g, 0.1, 77, 20, DAY, setup_groups);
    double S = 2.0 * (double)m * 0.1 * 20;
    ck_assert_double_eq_tol((double)r.starts, S, 5 * sqrt(S));
    ck_assert_double_eq_tol((double)r.n, 1.75 * S, 5 * sqrt(S * (0.75 + 0.25 * 16)));
    for (size_t i = 0; i < r.n; i++)
        FAST(graph_find(&g, r.e[i].a, r.e[i].b) >= 0);
    free(r.e);
    graph_destroy(&g);
}
END_TEST

/* The client cache, by hand: TTL 100 s on the path 0-1-2. */
START_TEST(test_traffic_cache_rule)
{
    static const struct graph_edge e[] = { { 0, 1 }, { 1, 2 } };
    struct graph g;
    ck_assert_int_eq(graph_from_edges(&g, 3, e, 2), 0);
    struct traffic_cache c;
    ck_assert_int_eq(traffic_cache_init(&c, &g, 100), 0);
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 1, 0), 1);      /* first: looks up */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 1, 50), 0);     /* 50 s old */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 1, 99), 0);     /* 99 s old */
    ck_assert_int_eq(traffic_cache_lookup(&c, 1, 0, 99), 1);     /* the other direction is 1's cache */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 1, 100), 1);    /* 100 s: expired */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 1, 150), 0);    /* age from the last lookup */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 2, 150), 1);    /* not a contact: never cached */
    ck_assert_int_eq(traffic_cache_lookup(&c, 0, 2, 151), 1);
    ck_assert_uint_eq(c.hits, 3);
    traffic_cache_destroy(&c);
    traffic_cache_destroy(NULL);
    graph_destroy(&g);
}
END_TEST

/* A TTL longer than the run: every ordered pair is looked up exactly once
 * if it ever starts a conversation, so lookups = distinct ordered pairs
 * started, and each pair's one lookup is its first start. */
START_TEST(test_traffic_cache_long_ttl)
{
    gsl_rng *gr = tu_rng(4);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 500, 6, gr), 0);
    gsl_rng_free(gr);
    struct run r;
    run_days(&r, &g, 0.3, 8, 10);
    struct traffic_cache c;
    ck_assert_int_eq(traffic_cache_init(&c, &g, 20 * DAY), 0);
    uint32_t *first = calloc(2 * g.m, sizeof *first);
    ck_assert_ptr_nonnull(first);
    size_t lookups = 0, pairs = 0;
    /* Entries of a day are in generation order; the engine sorts them by
     * time first: do the same (stable) before asking the cache. */
    for (size_t i = 1; i < r.n; i++)
        for (size_t j = i; j > 0 && r.e[j - 1].time > r.e[j].time; j--) {
            struct batch_entry t = r.e[j];
            r.e[j] = r.e[j - 1];
            r.e[j - 1] = t;
        }
    for (size_t i = 0; i < r.n; i++) {
        int64_t j = graph_find(&g, r.e[i].a, r.e[i].b);
        if (!first[j]) {
            first[j] = 1;
            pairs++;
            FAST(traffic_cache_lookup(&c, r.e[i].a, r.e[i].b, r.e[i].time) == 1);
            lookups++;
        } else {
            FAST(traffic_cache_lookup(&c, r.e[i].a, r.e[i].b, r.e[i].time) == 0);
        }
    }
    ck_assert_uint_eq(lookups, pairs);
    ck_assert_uint_eq(c.hits, r.n - pairs);
    ck_assert_uint_gt(c.hits, 0);
    free(first);
    traffic_cache_destroy(&c);
    free(r.e);
    graph_destroy(&g);
}
END_TEST

static void setup_devices(struct traffic *t) { traffic_set_devices(t, 0.05, 0); }

/* Device changes: 0.05 per person per day on ER n = 1000 (mean degree 6,
 * λ = 0.1), 20 days.  The TRAFFIC_EV_DEVICE events are Poisson(n 0.05 20 =
 * 1000), 5 sd, carry b = 0, and the starts keep their own law: Poisson(2 m
 * λ T), 5 sd. */
START_TEST(test_traffic_devices)
{
    gsl_rng *gr = tu_rng(21);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 1000, 6, gr), 0);
    gsl_rng_free(gr);
    struct run r;
    run_custom(&r, &g, 0.1, 3, 20, DAY, setup_devices);
    double dev = 0, starts = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.e[i].kind == TRAFFIC_EV_DEVICE) {
            dev++;
            FAST(r.e[i].b == 0);
        } else {
            FAST(r.e[i].kind == TRAFFIC_EV_START);
            starts++;
        }
    }
    ck_assert_double_eq_tol(dev, 1000, 5 * sqrt(1000));
    double mu = 2.0 * (double)g.m * 0.1 * 20;
    ck_assert_double_eq_tol(starts, mu, 5 * sqrt(mu));
    /* A device change empties the person's cache only. */
    struct traffic_cache c;
    ck_assert_int_eq(traffic_cache_init(&c, &g, 10 * DAY), 0);
    uint32_t a = 0, other = 1;
    while (graph_degree(&g, a) == 0)
        a++;
    while (other == a || graph_degree(&g, other) == 0)
        other++;
    uint32_t b = g.adj[g.off[a]], b2 = g.adj[g.off[other]];
    ck_assert_int_eq(traffic_cache_lookup(&c, a, b, 100), 1);
    ck_assert_int_eq(traffic_cache_lookup(&c, other, b2, 100), 1);
    ck_assert_int_eq(traffic_cache_lookup(&c, a, b, 200), 0);
    traffic_cache_clear(&c, a);
    ck_assert_int_eq(traffic_cache_lookup(&c, a, b, 300), 1);
    ck_assert_int_eq(traffic_cache_lookup(&c, other, b2, 300), 0);
    traffic_cache_destroy(&c);
    free(r.e);
    graph_destroy(&g);
}
END_TEST

/* The traffic element through the program: a run with every option, and
 * bad values as FILE:LINE messages with status 2. */
static void run_traffic(const char *traffic, int want_status, const char *want_text)
{
    char *xml;
    ck_assert_int_ge(asprintf(&xml, "<?xml version=\"1.0\"?>\n<scenario name=\"t\">\n"
                              "<run seed=\"3\" horizon_days=\"14\"/>\n<population size=\"400\"/>\n"
                              "<contacts><erdos_renyi mean_degree=\"6\"/></contacts>\n%s\n"
                              "<policy><retention days=\"7\"/></policy>\n"
                              "<adversary><bulk_snapshot period_days=\"7\"/></adversary>\n"
                              "</scenario>\n", traffic), 0);
    tu_run_expect("t.xml", xml, traffic, want_status, want_text);
    free(xml);
}

START_TEST(test_traffic_cli)
{
    run_traffic("<traffic rate_per_day=\"0.1\" tie_strength=\"lognormal\" sigma=\"0.8\" cache_ttl_hours=\"24\" "
                "noncontact_per_day=\"0.1\" group_share=\"0.2\" group_size=\"4\" "
                "device_changes_per_year=\"6\" device_relookup=\"true\">"
                "<profile hourly=\"1 1 1 1 1 1 2 3 4 4 4 4 4 4 4 4 4 4 5 5 4 3 2 1\" weekly=\"1 1 1 1 1 2 2\"/>"
                "</traffic>", 0, "edge_precision");
    run_traffic("<traffic rate_per_day=\"0.1\"><profile hourly=\"1 2 3\"/></traffic>", 2,
                "t.xml:6: element 'profile', attribute 'hourly': expected 24 numbers, got 3");
    run_traffic("<traffic rate_per_day=\"0.1\"><profile weekly=\"0 0 0 0 0 0 0\"/></traffic>", 2,
                "must not all be 0");
    run_traffic("<traffic rate_per_day=\"0.1\"><profile weekly=\"1 1 1 x 1 1 1\"/></traffic>", 2,
                "t.xml:6:");
    run_traffic("<traffic rate_per_day=\"0.1\" group_share=\"1.5\"/>", 2, "t.xml:6:");
    run_traffic("<traffic rate_per_day=\"0.1\" sigma=\"11\"/>", 2, "attribute 'sigma'");
    run_traffic("<traffic rate_per_day=\"0.1\" device_changes_per_year=\"400\"/>", 2,
                "attribute 'device_changes_per_year'");
}
END_TEST

/* The fast path draws taus2 inline (traffic.c), with its count thresholds;
 * with inline drawing turned off it calls gsl_rng_get for every word.  Both must give the same
 * entries in the same order and leave the stream at the same place: full
 * days and hour slices, λ small (thresholds) and large (degrees past the
 * inversion, gsl_ran_poisson), everyone a client or half of them. */
START_TEST(test_traffic_inline_rng)
{
    gsl_rng *gr = tu_rng(77);
    struct graph g;
    ck_assert_int_eq(contacts_erdos_renyi(&g, 3000, 12, gr), 0);
    gsl_rng_free(gr);
    uint8_t *flags = malloc(g.n);
    ck_assert_ptr_nonnull(flags);
    for (uint32_t a = 0; a < g.n; a++)
        flags[a] = (uint8_t)(a % 2);
    static const double rates[] = { 0.05, 0.7, 2.5 };
    static const sim_time lens[] = { DAY, 3600 };
    for (int c = 0; c < 12; c++) {
        double rate = rates[c % 3];
        sim_time len = lens[(c / 3) % 2];
        const uint8_t *fl = c >= 6 ? flags : NULL;
        struct batch b[2];
        struct traffic t[2];
        gsl_rng *r[2];
        for (int x = 0; x < 2; x++) {
            r[x] = rng_stream_new(5, (uint32_t)c, 2);
            ck_assert_ptr_nonnull(r[x]);
            ck_assert_int_eq(traffic_init(&t[x], &g, rate, r[x]), 0);
            ck_assert_int_eq(batch_init(&b[x], len), 0);
            if (fl)
                traffic_set_clients(&t[x], fl, 1);
        }
        ck_assert_int_eq(t[0].inline_rng, 1);          /* taus2 here */
        t[1].inline_rng = 0;
        for (sim_time s0 = 0; s0 < 2 * DAY; s0 += len) {
            for (int x = 0; x < 2; x++) {
                batch_begin(&b[x], s0);
                ck_assert_int_eq(traffic_slice(&t[x], &b[x], s0, s0 + len), 0);
            }
            ck_assert_uint_eq(b[0].n, b[1].n);
            ck_assert_uint_gt(b[0].n, 0);
            for (uint32_t w = 0; w < b[0].nhi; w++)
                FAST(batch_window_count(&b[0], w) == batch_window_count(&b[1], w));
            for (int x = 0; x < 2; x++)
                ck_assert_int_eq(batch_sort(&b[x], 0), 0);
            for (size_t i = 0; i < b[0].n; i++, b[0].cursor++, b[1].cursor++)
                FAST(memcmp(batch_peek(&b[0]), batch_peek(&b[1]), sizeof(struct batch_entry)) == 0);
        }
        ck_assert_uint_eq(t[0].starts, t[1].starts);
        ck_assert_uint_eq(gsl_rng_get(r[0]), gsl_rng_get(r[1]));
        for (int x = 0; x < 2; x++) {
            batch_destroy(&b[x]);
            traffic_destroy(&t[x]);
            gsl_rng_free(r[x]);
        }
    }
    free(flags);
    graph_destroy(&g);
}
END_TEST

/* ---- the clients' side: which starts make lookups (traffic.h) --------- */

/* The star 0-{1,2,3} plus the pair 4-5 and the loner 6; a traffic on it
 * (the rate and the stream are never drawn from here). */
static const struct graph_edge client_edges[] = { { 0, 1 }, { 0, 2 }, { 0, 3 }, { 4, 5 } };

static void client_init(struct traffic *t, struct graph *g, gsl_rng **r)
{
    ck_assert_int_eq(graph_from_edges(g, 7, client_edges, 4), 0);
    *r = tu_rng(1);
    ck_assert_int_eq(traffic_init(t, g, 0.1, *r), 0);
}

static void client_done(struct traffic *t, struct graph *g, gsl_rng *r)
{
    traffic_destroy(t);
    graph_destroy(g);
    gsl_rng_free(r);
}

/* Without a cache every start makes one lookup, counted; traffic_count
 * adds a run of them; the traffic is plain (a run of starts is logged as
 * it is).  A non-contact start is a lookup too. */
START_TEST(test_traffic_start_plain)
{
    struct traffic t;
    struct graph g;
    gsl_rng *r;
    client_init(&t, &g, &r);
    ck_assert_int_eq(traffic_plain(&t), 1);
    ck_assert_uint_eq(t.lookups, 0);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 10), 1);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 11), 1);     /* the same pair at once: no cache */
    ck_assert_int_eq(traffic_start(&t, 4, 5, 11), 1);
    ck_assert_int_eq(traffic_start(&t, 6, 0, 12), 1);     /* not a contact */
    ck_assert_uint_eq(t.lookups, 4);
    traffic_count(&t, 1000);
    ck_assert_uint_eq(t.lookups, 1004);
    traffic_count(&t, 0);
    ck_assert_uint_eq(t.lookups, 1004);
    client_done(&t, &g, r);
}
END_TEST

/* With a cache of 100 s: a start within 100 s of the pair's last lookup
 * is answered (0, not counted, a cache hit); else it looks up (1,
 * counted) and refreshes the entry; a non-contact is never cached.  A
 * cache makes the traffic not plain. */
START_TEST(test_traffic_start_cache)
{
    struct traffic t;
    struct graph g;
    gsl_rng *r;
    client_init(&t, &g, &r);
    ck_assert_int_eq(traffic_use_cache(&t, 100), 0);
    ck_assert_int_eq(traffic_plain(&t), 0);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 0), 1);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 99), 0);      /* 99 s old */
    ck_assert_int_eq(traffic_start(&t, 1, 0, 99), 1);      /* 1's own cache */
    ck_assert_int_eq(traffic_start(&t, 0, 2, 99), 1);      /* another contact */
    ck_assert_int_eq(traffic_start(&t, 0, 1, 100), 1);     /* expired: looks up, refreshes */
    ck_assert_int_eq(traffic_start(&t, 0, 1, 199), 0);
    ck_assert_int_eq(traffic_start(&t, 6, 0, 199), 1);     /* not a contact: never cached */
    ck_assert_int_eq(traffic_start(&t, 6, 0, 200), 1);
    ck_assert_uint_eq(t.lookups, 6);
    ck_assert_uint_eq(t.cache.hits, 2);
    client_done(&t, &g, r);
}
END_TEST

/* A device change without re-look-up: nothing is looked up (0 returned,
 * none counted); with a cache, the person's cache empties and nobody
 * else's does.  Device changes make the traffic not plain even without a
 * cache. */
START_TEST(test_traffic_device_change)
{
    struct traffic t;
    struct graph g;
    gsl_rng *r;
    client_init(&t, &g, &r);
    traffic_set_devices(&t, 0.01, 0);
    ck_assert_int_eq(traffic_plain(&t), 0);
    ck_assert_uint_eq(traffic_device_change(&t, 0, 5), 0);       /* no cache: nothing to empty */
    ck_assert_uint_eq(t.lookups, 0);
    traffic_destroy(&t);
    ck_assert_int_eq(traffic_init(&t, &g, 0.1, r), 0);
    ck_assert_int_eq(traffic_use_cache(&t, 1000), 0);
    traffic_set_devices(&t, 0.01, 0);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 0), 1);
    ck_assert_int_eq(traffic_start(&t, 0, 2, 0), 1);
    ck_assert_int_eq(traffic_start(&t, 4, 5, 0), 1);
    ck_assert_uint_eq(traffic_device_change(&t, 0, 10), 0);
    ck_assert_uint_eq(t.lookups, 3);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 20), 1);      /* 0's cache is empty */
    ck_assert_int_eq(traffic_start(&t, 0, 2, 20), 1);
    ck_assert_int_eq(traffic_start(&t, 4, 5, 20), 0);      /* 4's is kept */
    ck_assert_uint_eq(t.lookups, 5);
    ck_assert_uint_eq(traffic_device_change(&t, 6, 30), 0);      /* no contacts */
    ck_assert_uint_eq(t.lookups, 5);
    client_done(&t, &g, r);
}
END_TEST

/* A device change with re-look-up: the person looks up every contact at
 * once, deg(a) lookups returned and counted (the caller logs them as a's
 * row, g->adj[g->off[a] ..]); with a cache each refreshes its entry to the
 * change's time, so starts within the TTL of the change are answered and
 * later ones are not; a person without contacts makes none. */
START_TEST(test_traffic_device_relookup)
{
    struct traffic t;
    struct graph g;
    gsl_rng *r;
    client_init(&t, &g, &r);
    traffic_set_devices(&t, 0.01, 1);                      /* no cache */
    ck_assert_uint_eq(traffic_device_change(&t, 0, 5), 3);
    ck_assert_uint_eq(traffic_device_change(&t, 5, 5), 1);
    ck_assert_uint_eq(traffic_device_change(&t, 6, 5), 0);
    ck_assert_uint_eq(t.lookups, 4);
    traffic_destroy(&t);
    ck_assert_int_eq(traffic_init(&t, &g, 0.1, r), 0);
    ck_assert_int_eq(traffic_use_cache(&t, 100), 0);
    traffic_set_devices(&t, 0.01, 1);
    ck_assert_int_eq(traffic_start(&t, 0, 1, 0), 1);       /* entry (0, 1) at 0 */
    ck_assert_int_eq(traffic_start(&t, 4, 5, 0), 1);
    ck_assert_uint_eq(traffic_device_change(&t, 0, 50), 3);
    ck_assert_uint_eq(t.lookups, 5);
    /* every entry of 0 now dates from 50: answered until 149 */
    ck_assert_int_eq(traffic_start(&t, 0, 1, 120), 0);     /* 120 s after the old entry, 70 after the change */
    ck_assert_int_eq(traffic_start(&t, 0, 2, 149), 0);
    ck_assert_int_eq(traffic_start(&t, 0, 3, 149), 0);
    ck_assert_int_eq(traffic_start(&t, 0, 3, 150), 1);     /* 100 s after the change */
    ck_assert_int_eq(traffic_start(&t, 4, 5, 99), 0);      /* 4's entry untouched */
    ck_assert_int_eq(traffic_start(&t, 4, 5, 100), 1);
    ck_assert_uint_eq(t.lookups, 7);
    ck_assert_uint_eq(t.cache.hits, 4);
    client_done(&t, &g, r);
}
END_TEST

/* traffic_report: one row, `lookups`, the lookups made so far, at the
 * acquisition's number and day, for the replication the engine runs. */
START_TEST(test_traffic_report)
{
    struct traffic t;
    struct graph g;
    gsl_rng *r;
    client_init(&t, &g, &r);
    struct results res;
    results_init(&res);
    struct sim s;
    memset(&s, 0, sizeof s);
    s.results = &res;
    s.replication = 2;
    traffic_report(&t, &s, 1, 0);                          /* nothing yet: 0 */
    ck_assert_int_eq(traffic_start(&t, 0, 1, 10), 1);
    traffic_count(&t, 41);
    traffic_report(&t, &s, 2, 3 * DAY + DAY / 4);
    ck_assert_int_eq(s.failed, 0);
    ck_assert_uint_eq(res.n, 2);
    ck_assert_uint_eq(res.nmetrics, 1);
    ck_assert_str_eq(res.metrics[0], "lookups");
    ck_assert_uint_eq(res.rows[0].rep, 2);
    ck_assert_uint_eq(res.rows[0].acq, 1);
    ck_assert_double_eq(res.rows[0].day, 0);
    ck_assert_double_eq(res.rows[0].value, 0);
    ck_assert_uint_eq(res.rows[1].acq, 2);
    ck_assert_double_eq(res.rows[1].day, 3.25);
    ck_assert_double_eq(res.rows[1].value, 42);
    results_destroy(&res);
    client_done(&t, &g, r);
}
END_TEST

Suite *traffic_suite(void)
{
    Suite *s = suite_create("traffic");
    TCase *tc = tcase_create("starts");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_traffic_law, 0, (int)(sizeof law_cases / sizeof law_cases[0]));
    tcase_add_test(tc, test_traffic_deterministic);
    tcase_add_test(tc, test_traffic_inline_rng);
    tcase_add_test(tc, test_traffic_wide_row);
    tcase_add_test(tc, test_traffic_stream_layout);
    tcase_add_test(tc, test_traffic_blocks_apart);
    tcase_add_test(tc, test_traffic_isolated);
    tcase_add_test(tc, test_traffic_clients_only);
    tcase_add_test(tc, test_traffic_weights_star);
    tcase_add_test(tc, test_traffic_weights_lognormal);
    tcase_add_test(tc, test_traffic_profile);
    tcase_add_test(tc, test_traffic_local_time);
    tcase_add_test(tc, test_traffic_noncontact);
    tcase_add_test(tc, test_traffic_groups);
    tcase_add_test(tc, test_traffic_cache_rule);
    tcase_add_test(tc, test_traffic_cache_long_ttl);
    tcase_add_test(tc, test_traffic_devices);
    tcase_add_test(tc, test_traffic_cli);
    suite_add_tcase(s, tc);
    tc = tcase_create("clients");
    tcase_add_test(tc, test_traffic_start_plain);
    tcase_add_test(tc, test_traffic_start_cache);
    tcase_add_test(tc, test_traffic_device_change);
    tcase_add_test(tc, test_traffic_device_relookup);
    tcase_add_test(tc, test_traffic_report);
    suite_add_tcase(s, tc);
    return s;
}
